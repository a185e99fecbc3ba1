"""Tests for convblocks.init: fans and gains worked out by hand, and the
distribution of large seeded draws against the formulas.

Statistical tolerances come from the sampling distribution of the estimate
(k standard errors with k = 6), so a seeded test is deterministic and a wrong
variance (off by more than a few percent) cannot pass.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convblocks.init import (
    calculate_gain,
    fan_in_and_fan_out,
    kaiming_normal,
    kaiming_uniform,
    xavier_normal,
    xavier_uniform,
)

K = 6  # standard errors allowed
SHAPES = [(300, 200), (64, 32, 3, 3), (40, 30, 5), (8, 6, 3, 3, 3)]


def fans_by_hand(shape):
    receptive_field = 1
    for size in shape[2:]:
        receptive_field *= size
    return shape[1] * receptive_field, shape[0] * receptive_field


def check_normal(w, std):
    """Mean 0, variance std^2, and the normal's 68.27% within one std."""
    n = w.size
    assert abs(w.mean()) <= K * std / math.sqrt(n)
    # Var(s^2) = 2 sigma^4 / (n - 1) for normal samples
    assert abs(w.var() / std**2 - 1) <= K * math.sqrt(2 / (n - 1))
    p = math.erf(1 / math.sqrt(2))
    assert abs(np.mean(np.abs(w) <= std) - p) <= K * math.sqrt(p * (1 - p) / n)


def check_uniform(w, bound):
    """Inside [-b, b], reaching close to b, mean 0, variance b^2 / 3."""
    n = w.size
    assert np.all(np.abs(w) <= bound)
    assert np.abs(w).max() >= bound * (1 - 20 / n)  # P(all below) = (1 - 20/n)^n ~ e^-20
    std = bound / math.sqrt(3)
    assert abs(w.mean()) <= K * std / math.sqrt(n)
    # for U(-b, b): mu4 = b^4 / 5, so Var(s^2) = (mu4 - sigma^4) / n = 4 b^4 / (45 n)
    assert abs(w.var() / std**2 - 1) <= K * math.sqrt(0.8 / n)


# ---------------------------------------------------------------------------
# fans and gains
# ---------------------------------------------------------------------------


def test_fans_hand_worked():
    assert fan_in_and_fan_out((10, 784)) == (784, 10)  # dense 784 -> 10
    assert fan_in_and_fan_out((64, 32, 3, 3)) == (32 * 9, 64 * 9)  # conv 32 -> 64, 3x3
    assert fan_in_and_fan_out((16, 3, 5)) == (15, 80)  # conv1d
    assert fan_in_and_fan_out([2, 4, 1, 1]) == (4, 2)  # 1x1 conv = dense
    assert fan_in_and_fan_out((8, 6, 3, 3, 3)) == (162, 216)


@given(shape=st.lists(st.integers(1, 6), min_size=2, max_size=5).map(tuple))
def test_fans_match_the_definition(shape):
    fans = fan_in_and_fan_out(shape)
    assert fans == fans_by_hand(shape)
    assert all(type(f) is int for f in fans)


def test_gains_hand_worked():
    for name in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d", "sigmoid"]:
        assert calculate_gain(name) == 1
    assert calculate_gain("tanh") == pytest.approx(5 / 3)
    assert calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert calculate_gain("selu") == 0.75
    assert calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / 1.0001))
    assert calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert calculate_gain("leaky_relu", 0) == pytest.approx(math.sqrt(2))  # leaky with slope 0 is relu
    assert calculate_gain("leaky_relu", 1) == 1  # slope 1 is linear
    assert calculate_gain("relu", 0.5) == pytest.approx(math.sqrt(2))  # param only matters for leaky_relu


# ---------------------------------------------------------------------------
# distributions of large seeded draws
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5 / 3, 0.5])
def test_xavier_uniform_distribution(shape, gain, rng):
    fan_in, fan_out = fans_by_hand(shape)
    w = xavier_uniform(shape, rng, gain=gain)
    assert w.shape == shape and w.dtype == np.float64
    # Var = gain^2 * 2 / (fan_in + fan_out) = b^2 / 3
    check_uniform(w, gain * math.sqrt(6 / (fan_in + fan_out)))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_normal_distribution(shape, gain, rng):
    fan_in, fan_out = fans_by_hand(shape)
    w = xavier_normal(shape, rng, gain=gain)
    assert w.shape == shape
    check_normal(w, gain * math.sqrt(2 / (fan_in + fan_out)))


KAIMING_CASES = [
    # (a, mode, nonlinearity, gain^2 worked out by hand)
    (0, "fan_in", "leaky_relu", 2.0),  # the defaults: He et al., Var = 2 / fan_in
    (0, "fan_in", "relu", 2.0),
    (0.2, "fan_in", "leaky_relu", 2 / 1.04),
    (0, "fan_out", "relu", 2.0),
    (0, "FAN_OUT", "relu", 2.0),
    (0, "fan_in", "tanh", 25 / 9),
    (0, "fan_in", "linear", 1.0),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("a, mode, nonlinearity, gain2", KAIMING_CASES)
def test_kaiming_uniform_distribution(shape, a, mode, nonlinearity, gain2, rng):
    fan = fans_by_hand(shape)[0 if mode.lower() == "fan_in" else 1]
    w = kaiming_uniform(shape, rng, a=a, mode=mode, nonlinearity=nonlinearity)
    assert w.shape == shape
    check_uniform(w, math.sqrt(3 * gain2 / fan))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("a, mode, nonlinearity, gain2", KAIMING_CASES)
def test_kaiming_normal_distribution(shape, a, mode, nonlinearity, gain2, rng):
    fan = fans_by_hand(shape)[0 if mode.lower() == "fan_in" else 1]
    w = kaiming_normal(shape, rng, a=a, mode=mode, nonlinearity=nonlinearity)
    assert w.shape == shape
    check_normal(w, math.sqrt(gain2 / fan))


def test_kaiming_defaults_are_he_for_relu(rng):
    # Var = 2 / fan_in with the defaults (a=0, fan_in, leaky_relu)
    w = kaiming_normal((500, 40, 3, 3), rng)
    check_normal(w, math.sqrt(2 / 360))


INITS = [xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal]


@pytest.mark.parametrize("init", INITS, ids=lambda f: f.__name__)
def test_seeded_reproducible_and_dtype(init):
    a = init((6, 4, 3, 3), np.random.default_rng(7))
    b = init((6, 4, 3, 3), np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, init((6, 4, 3, 3), np.random.default_rng(8)))
    w32 = init((6, 4, 3, 3), np.random.default_rng(7), dtype=np.float32)
    assert w32.dtype == np.float32
    np.testing.assert_array_equal(w32, a.astype(np.float32))


@given(
    shape=st.lists(st.integers(1, 5), min_size=2, max_size=4).map(tuple),
    gain=st.floats(0.1, 3),
    seed=st.integers(0, 2**16),
)
def test_uniform_bounds_for_any_shape(shape, gain, seed):
    fan_in, fan_out = fans_by_hand(shape)
    w = xavier_uniform(shape, np.random.default_rng(seed), gain=gain)
    assert w.shape == shape and np.all(np.abs(w) <= gain * math.sqrt(6 / (fan_in + fan_out)))
    w = kaiming_uniform(shape, np.random.default_rng(seed), nonlinearity="relu", mode="fan_out")
    assert np.all(np.abs(w) <= math.sqrt(3) * math.sqrt(2) / math.sqrt(fan_out))


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("init", INITS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "shape, error",
    [((5,), ValueError), ((), ValueError), ((3, 0), ValueError), ((3, -2), ValueError),
     ((3, 2.5), TypeError), (5, TypeError), ("3x3", TypeError), ((3, True), TypeError)],
)
def test_bad_shapes_are_refused(init, shape, error):
    with pytest.raises(error, match=f"{init.__name__}: shape"):
        init(shape, np.random.default_rng(0))


@pytest.mark.parametrize("shape", [(5,), (), (3, 0), [4, 2.0]])
def test_fan_of_bad_shapes_is_refused(shape):
    with pytest.raises((ValueError, TypeError), match="fan_in_and_fan_out: shape"):
        fan_in_and_fan_out(shape)


@pytest.mark.parametrize("init", INITS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("rng", [0, None, np.random.RandomState(0), np.random.default_rng], ids=str)
def test_rng_must_be_a_generator(init, rng):
    with pytest.raises(TypeError, match=f"{init.__name__}: rng must be a numpy.random.Generator"):
        init((3, 4), rng)


@pytest.mark.parametrize("init", INITS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.int32, bool, "not a dtype", np.complex128])
def test_dtype_must_be_floating(init, dtype):
    with pytest.raises(TypeError, match=f"{init.__name__}: dtype"):
        init((3, 4), np.random.default_rng(0), dtype=dtype)


@pytest.mark.parametrize(
    "call, error, fragment",
    [
        (lambda: xavier_uniform((3, 4), np.random.default_rng(0), gain="1"), TypeError, "xavier_uniform: gain"),
        (lambda: xavier_normal((3, 4), np.random.default_rng(0), gain=None), TypeError, "xavier_normal: gain"),
        (lambda: kaiming_uniform((3, 4), np.random.default_rng(0), a="0"), TypeError, "kaiming_uniform: a"),
        (lambda: kaiming_normal((3, 4), np.random.default_rng(0), a=None), TypeError, "kaiming_normal: a"),
        (lambda: kaiming_uniform((3, 4), np.random.default_rng(0), mode="fan_avg"), ValueError,
         "kaiming_uniform: mode"),
        (lambda: kaiming_normal((3, 4), np.random.default_rng(0), mode=1), ValueError, "kaiming_normal: mode"),
        (lambda: kaiming_normal((3, 4), np.random.default_rng(0), nonlinearity="swish"), ValueError,
         "kaiming_normal: nonlinearity"),
        (lambda: kaiming_uniform((3, 4), np.random.default_rng(0), nonlinearity="ReLU"), ValueError,
         "kaiming_uniform: nonlinearity"),
        (lambda: calculate_gain("gelu"), ValueError, "calculate_gain: nonlinearity"),
        (lambda: calculate_gain(None), ValueError, "calculate_gain: nonlinearity"),
        (lambda: calculate_gain("leaky_relu", "0.1"), ValueError, "calculate_gain: param"),
        (lambda: calculate_gain("leaky_relu", True), ValueError, "calculate_gain: param"),
    ],
)
def test_bad_arguments_are_refused(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()
