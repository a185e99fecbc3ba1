"""Tests for convblocks.scaling against independent references.

The references below are explicit loops over features and samples, written
from the formulas (no scikit-learn, never calling the code under test), plus
small examples worked out by hand in the comments.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convblocks.scaling import batch_norm2d, min_max_scale, normalize_channels, standardize

# ---------------------------------------------------------------------------
# loop references on (n_samples, n_features) tables
# ---------------------------------------------------------------------------


def column_stats_loops(table):
    """Population mean and standard deviation of every column, with explicit sums."""
    n, f = table.shape
    means, stds = [], []
    for j in range(f):
        total = 0.0
        for i in range(n):
            total += table[i, j]
        mean = total / n
        squares = 0.0
        for i in range(n):
            squares += (table[i, j] - mean) ** 2
        means.append(mean)
        stds.append(math.sqrt(squares / n))
    return np.array(means), np.array(stds)


def standardize_loops(table, eps, mean=None, std=None):
    if mean is None:
        mean, std = column_stats_loops(table)
    n, f = table.shape
    out = np.empty((n, f))
    for i in range(n):
        for j in range(f):
            out[i, j] = (table[i, j] - mean[j]) / (std[j] + eps)
    return out, mean, std


def min_max_loops(table, low, high, data_min=None, data_max=None):
    n, f = table.shape
    if data_min is None:
        data_min = np.array([min(table[:, j]) for j in range(f)])
        data_max = np.array([max(table[:, j]) for j in range(f)])
    out = np.empty((n, f))
    for i in range(n):
        for j in range(f):
            spread = data_max[j] - data_min[j]
            unit = 0.0 if spread == 0 else (table[i, j] - data_min[j]) / spread
            out[i, j] = low + (high - low) * unit
    return out, data_min, data_max


def as_table(x, axes):
    """Move the reduced axes first and flatten: rows = samples, columns = features."""
    x = np.moveaxis(x, axes, tuple(range(len(axes))))
    n = int(np.prod(x.shape[: len(axes)]))
    return x.reshape(n, -1), x.shape


def from_table(table, moved_shape, axes):
    return np.moveaxis(table.reshape(moved_shape), tuple(range(len(axes))), axes)


def batch_norm_loops(x, gamma, beta, eps):
    n_img, channels, h, w = x.shape
    out = np.empty(x.shape)
    m = n_img * h * w
    for c in range(channels):
        values = [x[n, c, i, j] for n in range(n_img) for i in range(h) for j in range(w)]
        mean = sum(values) / m
        var = sum((v - mean) ** 2 for v in values) / m
        for n in range(n_img):
            for i in range(h):
                for j in range(w):
                    out[n, c, i, j] = gamma[c] * (x[n, c, i, j] - mean) / math.sqrt(var + eps) + beta[c]
    return out


# ---------------------------------------------------------------------------
# standardize
# ---------------------------------------------------------------------------


def test_standardize_hand_worked():
    # feature 0: 1, 3, 5 -> mean 3, population std sqrt(8/3); feature 1: 0, 0, 6 -> mean 2, std sqrt(8)
    x = np.array([[1.0, 0.0], [3.0, 0.0], [5.0, 6.0]])
    scaled, mean, std = standardize(x, eps=0.0)
    np.testing.assert_allclose(mean, [3.0, 2.0], rtol=1e-15)
    np.testing.assert_allclose(std, [math.sqrt(8 / 3), math.sqrt(8)], rtol=1e-15)
    np.testing.assert_allclose(scaled[:, 0], np.array([-2, 0, 2]) / math.sqrt(8 / 3), rtol=1e-15)
    np.testing.assert_allclose(scaled[:, 1], np.array([-2, -2, 4]) / math.sqrt(8), rtol=1e-15)


def test_standardize_eps_is_added_to_the_std():
    # x = 0, 2: mean 1, std 1; with eps = 1 the divisor is 1 + 1 = 2
    scaled, mean, std = standardize(np.array([[0.0], [2.0]]), eps=1.0)
    np.testing.assert_array_equal(scaled.ravel(), [-0.5, 0.5])
    assert mean[0] == 1 and std[0] == 1  # the returned std does not include eps


def test_standardize_constant_feature_maps_to_zero_without_warning():
    x = np.array([[0.1, 1.0], [0.1, 2.0], [0.1, 4.0]])  # the mean of 0.1 * 3 is not exactly 0.1
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scaled, _, std = standardize(x)
    assert std[0] < 1e-16
    np.testing.assert_allclose(scaled[:, 0], 0.0, atol=1e-8)
    np.testing.assert_allclose(np.std(scaled[:, 1]), 1.0, rtol=1e-7)


def test_standardize_train_statistics_applied_to_test(rng):
    train = rng.normal(5, 3, size=(30, 4))
    test = rng.normal(5, 3, size=(7, 4))
    _, mean, std = standardize(train)
    scaled, mean_used, std_used = standardize(test, mean=mean, std=std)
    expected, _, _ = standardize_loops(test, 1e-8, *column_stats_loops(train))
    np.testing.assert_allclose(scaled, expected, rtol=1e-12)
    assert mean_used is not None and np.array_equal(mean_used, mean) and np.array_equal(std_used, std)
    # a scalar statistic is used for every feature
    scaled, _, _ = standardize(test, mean=2.0, std=4.0, eps=0.0)
    np.testing.assert_allclose(scaled, (test - 2) / 4, rtol=1e-15)


def test_standardize_axis_none_uses_one_mean_for_everything():
    x = np.array([[1.0, 2.0], [3.0, 6.0]])  # mean 3, std sqrt((4 + 1 + 0 + 9) / 4)
    scaled, mean, std = standardize(x, axis=None, eps=0.0)
    assert mean == 3 and std == pytest.approx(math.sqrt(14 / 4), rel=1e-15)
    np.testing.assert_allclose(scaled, (x - 3) / math.sqrt(3.5), rtol=1e-15)


# (axis argument, the reduced axes it means for a 3-D array)
axes_cases = st.sampled_from(
    [(0, (0,)), (1, (1,)), (-1, (2,)), ((0, 2), (0, 2)), ((2, 0), (0, 2)), ((0, 1), (0, 1))]
)


@given(
    shape=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
    axis_case=axes_cases,
    eps=st.sampled_from([1e-8, 0.1, 2.0]),
    seed=st.integers(0, 2**16),
)
def test_standardize_matches_loops(shape, axis_case, eps, seed):
    axis, axes = axis_case
    x = np.random.default_rng(seed).normal(1, 4, size=shape)
    scaled, mean, std = standardize(x, axis=axis, eps=eps)
    table, moved = as_table(x, axes)
    expected, mean_ref, std_ref = standardize_loops(table, eps)
    np.testing.assert_allclose(scaled, from_table(expected, moved, axes), rtol=1e-10, atol=1e-12)
    feature_shape = moved[len(axes) :]
    np.testing.assert_allclose(mean, mean_ref.reshape(feature_shape), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(std, std_ref.reshape(feature_shape), rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------
# min_max_scale
# ---------------------------------------------------------------------------


def test_min_max_hand_worked():
    # feature 0: 2, 4, 10 -> (x - 2) / 8; feature 1 constant -> feature_range[0]
    x = np.array([[2.0, 7.0], [4.0, 7.0], [10.0, 7.0]])
    scaled, data_min, data_max = min_max_scale(x, feature_range=(-1, 3))
    np.testing.assert_array_equal(scaled[:, 0], [-1.0, 0.0, 3.0])  # -1 + 4 * (0, 1/4, 1)
    np.testing.assert_array_equal(scaled[:, 1], [-1.0, -1.0, -1.0])
    np.testing.assert_array_equal(data_min, [2.0, 7.0])
    np.testing.assert_array_equal(data_max, [10.0, 7.0])


def test_min_max_train_statistics_applied_to_test(rng):
    train = rng.uniform(-3, 5, size=(20, 3))
    test = rng.uniform(-6, 8, size=(5, 3))
    _, data_min, data_max = min_max_scale(train)
    scaled, _, _ = min_max_scale(test, data_min=data_min, data_max=data_max)
    expected, _, _ = min_max_loops(test, 0.0, 1.0, data_min, data_max)
    np.testing.assert_allclose(scaled, expected, rtol=1e-13, atol=1e-15)


@given(
    shape=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
    axis_case=axes_cases,
    low=st.floats(-10, 10),
    width=st.floats(0.1, 10),
    seed=st.integers(0, 2**16),
    constant=st.booleans(),
)
def test_min_max_matches_loops(shape, axis_case, low, width, seed, constant):
    axis, axes = axis_case
    x = np.random.default_rng(seed).integers(-5, 6, size=shape).astype(float)
    if constant:
        x[..., 0] = 3.0
    scaled, data_min, data_max = min_max_scale(x, feature_range=(low, low + width), axis=axis)
    table, moved = as_table(x, axes)
    expected, min_ref, max_ref = min_max_loops(table, low, low + width)
    np.testing.assert_allclose(scaled, from_table(expected, moved, axes), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(data_min, min_ref.reshape(moved[len(axes) :]))
    np.testing.assert_array_equal(data_max, max_ref.reshape(moved[len(axes) :]))
    assert np.all(scaled >= low - 1e-12) and np.all(scaled <= low + width + 1e-12)


# ---------------------------------------------------------------------------
# normalize_channels
# ---------------------------------------------------------------------------


def test_normalize_channels_hand_worked():
    x = np.array([0.0, 1.0, 0.5, 1.0, 0.2, 0.4]).reshape(1, 3, 1, 2)
    y = normalize_channels(x, mean=[0.5, 0.5, 0.2], std=[0.5, 0.25, 0.1])
    # channel 0: (0 - .5)/.5, (1 - .5)/.5; channel 1: 0, 2; channel 2: 0, 2
    np.testing.assert_allclose(y.ravel(), [-1.0, 1.0, 0.0, 2.0, 0.0, 2.0], rtol=1e-14, atol=1e-15)


@given(
    shape=st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
    seed=st.integers(0, 2**16),
    scalar=st.booleans(),
)
def test_normalize_channels_matches_loops(shape, seed, scalar):
    gen = np.random.default_rng(seed)
    x = gen.uniform(0, 1, size=shape)
    channels = shape[1]
    mean = 0.3 if scalar else gen.uniform(0, 1, channels)
    std = 0.7 if scalar else gen.uniform(0.1, 1, channels) * gen.choice([-1, 1], channels)
    y = normalize_channels(x, mean, std)
    expected = np.empty(shape)
    for n, c, i, j in np.ndindex(*shape):
        m, s = (mean, std) if scalar else (mean[c], std[c])
        expected[n, c, i, j] = (x[n, c, i, j] - m) / s
    np.testing.assert_allclose(y, expected, rtol=1e-14, atol=1e-15)


def test_normalize_channels_keeps_float32_with_python_statistics():
    x = np.ones((2, 3, 4, 4), dtype=np.float32)
    y = normalize_channels(x, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    assert y.dtype == np.float32
    expected = [(1 - 0.485) / 0.229, (1 - 0.456) / 0.224, (1 - 0.406) / 0.225]
    np.testing.assert_allclose(y[0, :, 0, 0], expected, rtol=1e-6)


# ---------------------------------------------------------------------------
# batch_norm2d
# ---------------------------------------------------------------------------


def test_batch_norm_hand_worked():
    # channel 0 holds 1, 3, 5, 7: mean 4, biased variance (9 + 1 + 1 + 9) / 4 = 5
    x = np.array([[[[1.0, 3.0]], [[0.0, 0.0]]], [[[5.0, 7.0]], [[2.0, 2.0]]]])  # (2, 2, 1, 2)
    y = batch_norm2d(x, gamma=np.array([2.0, 1.0]), beta=np.array([1.0, -1.0]), eps=1e-5)
    expected = 1 + 2 * np.array([-3, -1, 1, 3]) / math.sqrt(5 + 1e-5)
    np.testing.assert_allclose(y[:, 0].ravel(), expected, rtol=1e-14)
    # channel 1 holds 0, 0, 2, 2: mean 1, variance 1
    expected = -1 + np.array([-1, -1, 1, 1]) / math.sqrt(1 + 1e-5)
    np.testing.assert_allclose(y[:, 1].ravel(), expected, rtol=1e-14)


@given(
    shape=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(2, 3)),
    eps=st.sampled_from([1e-5, 1e-3, 0.5]),
    seed=st.integers(0, 2**16),
)
def test_batch_norm_matches_loops(shape, eps, seed):
    gen = np.random.default_rng(seed)
    x = gen.normal(2, 3, size=shape)
    gamma, beta = gen.normal(size=shape[1]), gen.normal(size=shape[1])
    expected = batch_norm_loops(x, gamma, beta, eps)
    np.testing.assert_allclose(batch_norm2d(x, gamma, beta, eps), expected, rtol=1e-10, atol=1e-12)


def test_batch_norm_statistics_of_the_output(rng):
    x = rng.normal(3, 2, size=(8, 4, 5, 5))
    gamma, beta = np.array([1.0, 2.0, 0.5, -1.0]), np.array([0.0, 1.0, -2.0, 3.0])
    y = batch_norm2d(x, gamma, beta)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), beta, atol=1e-12)
    var = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(y.std(axis=(0, 2, 3)), np.abs(gamma) * np.sqrt(var / (var + 1e-5)), rtol=1e-10)
    # gamma=None, beta=None: no affine part
    unscaled = (y - beta[:, None, None]) / gamma[:, None, None]
    np.testing.assert_allclose(batch_norm2d(x, None, None), unscaled, rtol=1e-10, atol=1e-12)


def test_batch_norm_constant_channel_is_zero_without_warning():
    x = np.full((2, 1, 3, 3), 4.0)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        y = batch_norm2d(x, None, np.array([0.5]))
    np.testing.assert_array_equal(y, 0.5)


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------

CALLS = [
    ("standardize", lambda x: standardize(x)[0]),
    ("min_max_scale", lambda x: min_max_scale(x)[0]),
    ("normalize_channels", lambda x: normalize_channels(x, [0.5, 0.5], [2.0, 2.0])),
    ("batch_norm2d", lambda x: batch_norm2d(x, None, None)),
]


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
def test_dtypes(name, call):
    x = np.arange(2 * 2 * 3 * 3).reshape(2, 2, 3, 3) % 5
    assert call(x).dtype == np.float64
    assert call(x.astype(np.float32)).dtype == np.float32
    assert call(x.astype(np.float64)).dtype == np.float64
    assert call(x > 2).dtype == np.float64


def test_statistics_dtypes():
    x32 = np.arange(12, dtype=np.float32).reshape(4, 3)
    _, mean, std = standardize(x32)
    _, data_min, data_max = min_max_scale(x32)
    assert mean.dtype == std.dtype == data_min.dtype == data_max.dtype == np.float32
    # float64 statistics promote float32 data, as NumPy does
    assert standardize(x32, mean=np.zeros(3), std=np.ones(3))[0].dtype == np.float64
    assert batch_norm2d(x32.reshape(2, 3, 2, 1), np.ones(3), np.zeros(3)).dtype == np.float64


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

TABLE = np.arange(12.0).reshape(4, 3)
IMAGES = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)


@pytest.mark.parametrize(
    "call, error, fragment",
    [
        (lambda: standardize(np.array(["a", "b"])), TypeError, "standardize: x"),
        (lambda: standardize(TABLE, axis=2), ValueError, "standardize: axis"),
        (lambda: standardize(TABLE, axis=1.0), TypeError, "standardize: axis"),
        (lambda: standardize(TABLE, axis=True), TypeError, "standardize: axis"),
        (lambda: standardize(TABLE, axis=(0, -2)), ValueError, "standardize: axis"),
        (lambda: standardize(np.zeros((0, 3))), ValueError, "standardize: x"),
        (lambda: standardize(TABLE, eps=-1e-3), ValueError, "standardize: eps"),
        (lambda: standardize(TABLE, eps="small"), TypeError, "standardize: eps"),
        (lambda: standardize(TABLE, mean=np.zeros(3)), ValueError, "standardize: mean and std"),
        (lambda: standardize(TABLE, std=np.ones(3)), ValueError, "standardize: mean and std"),
        (lambda: standardize(TABLE, mean=np.zeros(4), std=np.ones(3)), ValueError, "standardize: mean"),
        (lambda: standardize(TABLE, mean=np.zeros(3), std=np.ones((2, 3))), ValueError, "standardize: std"),
        (lambda: standardize(TABLE, mean=np.zeros(3), std=-np.ones(3)), ValueError, "standardize: std"),
        (lambda: standardize(TABLE, mean=["a"] * 3, std=np.ones(3)), TypeError, "standardize: mean"),
        (lambda: standardize(TABLE, mean=0.0, std=np.zeros(3), eps=0.0), ValueError, "standardize: std"),
        (lambda: standardize(np.ones((3, 2)), eps=0.0), ValueError, "standardize: std"),
        (lambda: min_max_scale([["x"]]), TypeError, "min_max_scale: x"),
        (lambda: min_max_scale(TABLE, feature_range=(1, 1)), ValueError, "min_max_scale: feature_range"),
        (lambda: min_max_scale(TABLE, feature_range=(2, 1)), ValueError, "min_max_scale: feature_range"),
        (lambda: min_max_scale(TABLE, feature_range=(0, 1, 2)), TypeError, "min_max_scale: feature_range"),
        (lambda: min_max_scale(TABLE, feature_range=1), TypeError, "min_max_scale: feature_range"),
        (lambda: min_max_scale(TABLE, feature_range=("0", 1)), TypeError, "min_max_scale: feature_range"),
        (lambda: min_max_scale(TABLE, axis=-3), ValueError, "min_max_scale: axis"),
        (lambda: min_max_scale(TABLE, axis="rows"), TypeError, "min_max_scale: axis"),
        (lambda: min_max_scale(TABLE, data_min=np.zeros(3)), ValueError, "min_max_scale: data_min and"),
        (lambda: min_max_scale(TABLE, data_min=0.0, data_max=np.ones(2)), ValueError, "min_max_scale: data_max"),
        (lambda: min_max_scale(TABLE, data_min=1.0, data_max=np.zeros(3)), ValueError, "min_max_scale: data_min"),
        (lambda: normalize_channels(TABLE, 0.5, 0.5), ValueError, "normalize_channels: x must be 4-D"),
        (lambda: normalize_channels(IMAGES, [0.5, 0.5], 0.5), ValueError, "normalize_channels: mean"),
        (lambda: normalize_channels(IMAGES, 0.5, np.ones((3, 1))), ValueError, "normalize_channels: std"),
        (lambda: normalize_channels(IMAGES, 0.5, [1.0, 0.0, 1.0]), ValueError, "normalize_channels: std"),
        (lambda: normalize_channels(IMAGES, "a", 1.0), TypeError, "normalize_channels: mean"),
        (lambda: normalize_channels(IMAGES.astype(str), 0.0, 1.0), TypeError, "normalize_channels: x"),
        (lambda: batch_norm2d(TABLE, None, None), ValueError, "batch_norm2d: x must be 4-D"),
        (lambda: batch_norm2d(IMAGES, np.ones(2), None), ValueError, "batch_norm2d: gamma"),
        (lambda: batch_norm2d(IMAGES, None, np.zeros((3, 1))), ValueError, "batch_norm2d: beta"),
        (lambda: batch_norm2d(IMAGES, ["a"] * 3, None), TypeError, "batch_norm2d: gamma"),
        (lambda: batch_norm2d(IMAGES, None, None, eps=0.0), ValueError, "batch_norm2d: eps"),
        (lambda: batch_norm2d(IMAGES, None, None, eps=None), TypeError, "batch_norm2d: eps"),
        (lambda: batch_norm2d(np.ones((1, 3, 1, 1)), None, None), ValueError, "batch_norm2d: x"),
        (lambda: batch_norm2d(np.ones((0, 3, 2, 2)), None, None), ValueError, "batch_norm2d: x"),
    ],
)
def test_bad_input_is_refused(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()
