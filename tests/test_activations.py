"""Tests for convblocks.activations against independent references.

References never call the code under test: scalar formulas from the ``math``
module applied element by element, SciPy (``scipy.special.expit``, ``erf``,
``erfc``, ``ndtr``), central finite differences, identities from the
syllabus (tanh(x) = 2 sigma(2x) - 1, max slope of sigmoid 0.25) and values
worked out by hand.
"""

import math
import warnings

import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st

from convblocks.activations import (
    ACTIVATIONS,
    elu,
    elu_grad,
    erf,
    erfc,
    gelu,
    gelu_grad,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    silu,
    silu_grad,
    softplus,
    softplus_grad,
    tanh,
    tanh_grad,
)

# ---------------------------------------------------------------------------
# scalar references, one Python number at a time
# ---------------------------------------------------------------------------

SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def elementwise(scalar_f, x, **kwargs):
    return np.array([scalar_f(float(v), **kwargs) for v in np.ravel(x)]).reshape(np.shape(x))


def relu_ref(v):
    return v if v > 0 else 0.0


def leaky_relu_ref(v, negative_slope=0.01):
    return v if v > 0 else negative_slope * v


def elu_ref(v, alpha=1.0):
    return v if v > 0 else alpha * math.expm1(v)


def tanh_ref(v):
    return math.tanh(v)


def gelu_tanh_ref(v):
    return 0.5 * v * (1 + math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v**3)))


def softplus_ref(v, beta=1.0, threshold=20.0):
    z = beta * v
    if z > threshold:
        return v
    # log(1 + e^z) without overflow: for z > 0 it equals z + log(1 + e^-z)
    return (z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))) / beta


def sigmoid_ref(x):
    return scipy.special.expit(x)


def gelu_ref(x):
    return x * scipy.special.ndtr(x)  # ndtr = Phi, the standard normal CDF


def normal_pdf(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def central_difference(f, x, h=1e-6, **kwargs):
    return (f(x + h, **kwargs) - f(x - h, **kwargs)) / (2 * h)


# Every activation with a few hyperparameter settings: (name, kwargs).
SETTINGS = [
    ("relu", {}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.2}),
    ("leaky_relu", {"negative_slope": -0.5}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": -2.0}),
    ("sigmoid", {}),
    ("tanh", {}),
    ("gelu", {}),
    ("gelu", {"approximate": "tanh"}),
    ("softplus", {}),
    ("softplus", {"beta": 2.0, "threshold": 5.0}),
    ("softplus", {"beta": -1.5}),
    ("silu", {}),
]
SETTING_IDS = [f"{name}-{kw}" for name, kw in SETTINGS]


def test_registry_names_and_pairs():
    assert set(ACTIVATIONS) == {"relu", "leaky_relu", "elu", "sigmoid", "tanh", "gelu", "softplus", "silu"}
    for name, (f, df) in ACTIVATIONS.items():
        assert f.__name__ == name
        assert df.__name__ == f"{name}_grad"


# ---------------------------------------------------------------------------
# values against the references
# ---------------------------------------------------------------------------

X = np.concatenate([np.linspace(-12, 12, 481), [-700.0, -40.0, -1e-9, 0.0, 1e-9, 40.0, 700.0]])


@pytest.mark.parametrize(
    "f, ref, kwargs",
    [
        (relu, relu_ref, {}),
        (leaky_relu, leaky_relu_ref, {}),
        (leaky_relu, leaky_relu_ref, {"negative_slope": 0.3}),
        (leaky_relu, leaky_relu_ref, {"negative_slope": -1.0}),
        (elu, elu_ref, {}),
        (elu, elu_ref, {"alpha": 0.7}),
        (elu, elu_ref, {"alpha": -2.0}),
        (tanh, tanh_ref, {}),
        (softplus, softplus_ref, {}),
        (softplus, softplus_ref, {"beta": 3.0, "threshold": 4.0}),
        (softplus, softplus_ref, {"beta": -2.0, "threshold": 1.0}),
        (softplus, softplus_ref, {"beta": 0.5, "threshold": -3.0}),
    ],
)
def test_against_scalar_formulas(f, ref, kwargs):
    np.testing.assert_allclose(f(X, **kwargs), elementwise(ref, X, **kwargs), rtol=1e-14, atol=1e-300)


def test_gelu_tanh_against_scalar_formula():
    x = np.linspace(-12, 12, 481)
    # same formula, so the cancellation in 1 + tanh(u) for x << 0 is shared: compare absolutely
    expected = elementwise(gelu_tanh_ref, x)
    np.testing.assert_allclose(gelu(x, approximate="tanh"), expected, rtol=1e-14, atol=1e-15)


def test_sigmoid_silu_gelu_against_scipy():
    np.testing.assert_allclose(sigmoid(X), sigmoid_ref(X), rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(silu(X), X * sigmoid_ref(X), rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(gelu(X), gelu_ref(X), rtol=1e-13, atol=1e-300)


def test_hand_worked_values():
    assert relu(-2.0) == 0 and relu(3.0) == 3
    assert leaky_relu(-2.0, negative_slope=0.1) == pytest.approx(-0.2, rel=1e-15)
    assert elu(-math.log(2), alpha=2.0) == pytest.approx(-1.0, rel=1e-15)  # 2 (1/2 - 1)
    assert sigmoid(0.0) == 0.5
    assert sigmoid(math.log(3)) == pytest.approx(0.75, rel=1e-15)  # 3 / (1 + 3)
    assert tanh(math.log(2)) == pytest.approx(0.6, rel=1e-15)  # (2 - 1/2) / (2 + 1/2)
    assert gelu(0.0) == 0 and gelu_grad(0.0) == 0.5  # Phi(0) + 0
    assert softplus(0.0) == pytest.approx(math.log(2), rel=1e-15)
    assert softplus(0.0, beta=2.0) == pytest.approx(math.log(2) / 2, rel=1e-15)
    assert silu(math.log(3)) == pytest.approx(0.75 * math.log(3), rel=1e-15)
    assert softplus_grad(0.0) == 0.5 and silu_grad(0.0) == 0.5 and tanh_grad(0.0) == 1


def test_gelu_left_tail_keeps_relative_accuracy():
    # x Phi(x) for x << 0 is tiny but not zero: e.g. Phi(-10) = 7.6198530241605e-24
    x = np.array([-5.0, -10.0, -20.0, -37.0])
    np.testing.assert_allclose(gelu(x), x * scipy.special.ndtr(x), rtol=1e-12)
    assert gelu(-10.0) == pytest.approx(-10 * 7.6198530241605e-24, rel=1e-12)


def test_softplus_threshold_rule():
    # beta x > threshold: the input itself, exactly; otherwise the log formula
    assert softplus(20.5) == 20.5
    assert softplus(20.0) == pytest.approx(math.log1p(math.exp(20.0)), rel=1e-15)
    assert softplus(20.0) != 20.0
    assert softplus(3.0, beta=2.0, threshold=5.0) == 3.0
    assert softplus(2.0, beta=2.0, threshold=5.0) == pytest.approx(math.log1p(math.exp(4.0)) / 2, rel=1e-15)
    assert softplus_grad(20.5) == 1.0
    assert softplus_grad(2.0, beta=2.0, threshold=5.0) == pytest.approx(sigmoid_ref(4.0), rel=1e-15)
    # negative beta: beta x > threshold happens for negative x
    assert softplus(-30.0, beta=-1.0) == -30.0


# ---------------------------------------------------------------------------
# derivatives: analytic formulas, finite differences, PyTorch's kink values
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "df, ref, atol",
    [
        (relu_grad, lambda x: (x > 0).astype(float), 0),
        (leaky_relu_grad, lambda x: np.where(x > 0, 1.0, 0.01), 0),
        (elu_grad, lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))), 1e-300),
        (sigmoid_grad, lambda x: sigmoid_ref(x) * sigmoid_ref(-x), 1e-300),
        # 1 - tanh^2 (PyTorch's form) is accurate in absolute terms only where tanh^2 is close to 1
        (tanh_grad, lambda x: 1 / np.cosh(np.clip(x, -300, 300)) ** 2, 4e-16),
        (gelu_grad, lambda x: scipy.special.ndtr(x) + x * normal_pdf(x), 1e-300),
        (softplus_grad, lambda x: np.where(x > 20, 1.0, sigmoid_ref(x)), 1e-300),
        (silu_grad, lambda x: sigmoid_ref(x) + x * sigmoid_ref(x) * sigmoid_ref(-x), 1e-300),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_grads_against_analytic_formulas(df, ref, atol):
    np.testing.assert_allclose(df(X), ref(X), rtol=1e-12, atol=atol)


@pytest.mark.parametrize("name, kwargs", SETTINGS, ids=SETTING_IDS)
def test_grads_against_central_differences(name, kwargs, rng):
    f, df = ACTIVATIONS[name]
    x = rng.uniform(-6, 6, size=400)
    beta, threshold = kwargs.get("beta", 1.0), kwargs.get("threshold", 20.0)
    x = x[np.abs(x) > 1e-3]  # away from the kinks at 0
    x = x[np.abs(beta * x - threshold) > 1e-3]  # and from softplus's switch
    numeric = central_difference(f, x, **kwargs)
    np.testing.assert_allclose(df(x, **kwargs), numeric, rtol=1e-6, atol=1e-8)


def test_grads_at_the_kink_follow_pytorch():
    assert relu_grad(0.0) == 0
    assert leaky_relu_grad(0.0, negative_slope=0.3) == pytest.approx(0.3)
    assert elu_grad(0.0, alpha=0.5) == 0.5  # the x <= 0 branch: alpha e^0


def test_sigmoid_max_slope_is_a_quarter():
    x = np.linspace(-10, 10, 20001)  # contains 0
    slope = sigmoid_grad(x)
    assert slope.max() == 0.25
    assert x[np.argmax(slope)] == 0
    assert np.all(slope <= 0.25)


def test_tanh_is_a_rescaled_sigmoid(rng):
    x = rng.normal(0, 5, size=1000)
    np.testing.assert_allclose(tanh(x), 2 * sigmoid(2 * x) - 1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(tanh_grad(x), 4 * sigmoid_grad(2 * x), rtol=1e-10, atol=1e-15)


def test_gelu_tanh_approximates_the_exact_form():
    x = np.linspace(-6, 6, 1201)
    assert np.max(np.abs(gelu(x, approximate="tanh") - gelu(x))) < 1e-3
    assert np.max(np.abs(gelu_grad(x, approximate="tanh") - gelu_grad(x))) < 5e-3


# ---------------------------------------------------------------------------
# numerical stability: no overflow warning anywhere up to |x| = 1e4
# ---------------------------------------------------------------------------

LIMITS = {  # f(-1e4), f(1e4), f'(-1e4), f'(1e4)
    "relu": (0, 1e4, 0, 1),
    "leaky_relu": (-100, 1e4, 0.01, 1),
    "elu": (-1, 1e4, 0, 1),
    "sigmoid": (0, 1, 0, 0),
    "tanh": (-1, 1, 0, 0),
    "gelu": (0, 1e4, 0, 1),
    "softplus": (0, 1e4, 0, 1),
    "silu": (0, 1e4, 0, 1),
}


@pytest.mark.parametrize("name, kwargs", SETTINGS, ids=SETTING_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_at_large_inputs(name, kwargs, dtype):
    f, df = ACTIVATIONS[name]
    x = np.array([-1e4, -1e3, -100.0, -30.0, 30.0, 100.0, 1e3, 1e4], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        y, dy = f(x, **kwargs), df(x, **kwargs)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dy))
    if not kwargs:
        expected = LIMITS[name]
        assert [y[0], y[-1], dy[0], dy[-1]] == pytest.approx(expected, rel=1e-6, abs=1e-30)


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, kwargs", SETTINGS, ids=SETTING_IDS)
def test_dtypes(name, kwargs):
    f, df = ACTIVATIONS[name]
    x32 = np.linspace(-5, 5, 11, dtype=np.float32)
    for g in (f, df):
        assert g(x32, **kwargs).dtype == np.float32
        assert g(x32.astype(np.float64), **kwargs).dtype == np.float64
        assert g(np.arange(-5, 6), **kwargs).dtype == np.float64
        assert g(np.array([True, False]), **kwargs).dtype == np.float64
        assert g([[-1, 2], [3, -4]], **kwargs).shape == (2, 2)
    assert erf(x32).dtype == np.float32 and erfc(np.arange(3)).dtype == np.float64


@pytest.mark.parametrize("name, kwargs", SETTINGS, ids=SETTING_IDS)
def test_float32_is_accurate(name, kwargs, rng):
    f, df = ACTIVATIONS[name]
    x32 = rng.uniform(-8, 8, size=500).astype(np.float32)
    x = x32.astype(np.float64)  # the same numbers, exactly
    for g in (f, df):
        # relative to the float32 unit roundoff (and absolute near 0, where 1 - t^2 style cancellations occur)
        np.testing.assert_allclose(g(x32, **kwargs), g(x, **kwargs), rtol=2e-6, atol=2e-6)


# ---------------------------------------------------------------------------
# erf and erfc against SciPy
# ---------------------------------------------------------------------------


def test_erf_against_scipy():
    x = np.concatenate(
        [np.linspace(-8, 8, 16001), np.logspace(-300, 1.5, 2000), [0.46875, 4.0, np.nextafter(0.46875, 1)]]
    )
    x = np.concatenate([x, -x])
    np.testing.assert_allclose(erf(x), scipy.special.erf(x), rtol=2e-15, atol=1e-300)
    np.testing.assert_array_equal(erf(-x), -erf(x))
    assert erf(np.inf) == 1 and erf(-np.inf) == -1 and np.isnan(erf(np.nan))


def test_erfc_against_scipy_including_the_tail():
    x = np.concatenate([np.linspace(-8, 26, 34001), np.logspace(-300, 1, 2000)])
    expected = scipy.special.erfc(x)
    # the relative condition number of erfc is about 2 x^2 for large x (a one-ulp
    # change of x moves erfc(x) by 2 x^2 ulp), so the tolerance grows with x^2
    rtol = 4e-16 * (8 + 2 * x**2)
    assert np.all(np.abs(erfc(x) - expected) <= rtol * expected)
    assert erfc(27.0) == pytest.approx(scipy.special.erfc(27.0), rel=1e-6)  # subnormal, ~5e-319
    assert erfc(28.0) == 0 and erfc(1e4) == 0 and erfc(-1e4) == 2
    assert erfc(np.inf) == 0 and erfc(-np.inf) == 2


def test_erf_float32_against_scipy(rng):
    x = rng.uniform(-6, 6, size=2000).astype(np.float32)
    expected = scipy.special.erf(x.astype(np.float64)).astype(np.float32)  # correctly rounded
    np.testing.assert_array_max_ulp(erf(x), expected, maxulp=1)


# ---------------------------------------------------------------------------
# property tests
# ---------------------------------------------------------------------------

finite_arrays = st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=30).map(np.array)


@given(x=finite_arrays, slope=st.floats(-3, 3), alpha=st.floats(-3, 3))
def test_piecewise_properties(x, slope, alpha):
    np.testing.assert_array_equal(relu(x), elementwise(relu_ref, x))
    np.testing.assert_allclose(leaky_relu(x, slope), elementwise(leaky_relu_ref, x, negative_slope=slope))
    np.testing.assert_allclose(elu(x, alpha), elementwise(elu_ref, x, alpha=alpha), rtol=1e-14, atol=1e-300)
    np.testing.assert_array_equal(relu_grad(x), (x > 0))
    np.testing.assert_array_equal(leaky_relu_grad(x, slope), np.where(x > 0, 1.0, slope))
    # ELU is continuous at 0 and its negative branch tends to -alpha
    assert np.all(np.abs(elu(x, alpha)) <= np.maximum(np.abs(x), abs(alpha)))


@given(x=finite_arrays, beta=st.floats(0.1, 10), threshold=st.floats(-30, 30))
def test_softplus_properties(x, beta, threshold):
    np.testing.assert_allclose(
        softplus(x, beta, threshold), elementwise(softplus_ref, x, beta=beta, threshold=threshold), rtol=1e-14
    )
    # a smooth upper bound of relu, within log(2)/beta of it (with a threshold >= 0)
    y = softplus(x, beta, abs(threshold))
    assert np.all(y >= relu(x))
    assert np.all(y - relu(x) <= math.log(2) / beta * (1 + 1e-12))
    expected_grad = np.where(beta * x > threshold, 1, sigmoid_ref(beta * x))
    np.testing.assert_allclose(softplus_grad(x, beta, threshold), expected_grad)


@given(x=finite_arrays)
def test_sigmoid_family_properties(x):
    s = sigmoid(x)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s + sigmoid(-x), 1, rtol=1e-15)
    np.testing.assert_allclose(silu(x), x * sigmoid_ref(x), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(gelu(x), gelu_ref(x), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(tanh(x), -tanh(-x))


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

ALL_FUNCTIONS = [f for pair in ACTIVATIONS.values() for f in pair] + [erf, erfc]


@pytest.mark.parametrize("f", ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([1 + 2j]), [[1.0, 2.0], [3.0]], None])
def test_non_numeric_x_is_refused(f, bad):
    with pytest.raises(TypeError, match=rf"{f.__name__}: x"):
        f(bad)


@pytest.mark.parametrize(
    "f, kwargs, error, fragment",
    [
        (leaky_relu, {"negative_slope": "0.1"}, TypeError, "leaky_relu: negative_slope"),
        (leaky_relu, {"negative_slope": True}, TypeError, "leaky_relu: negative_slope"),
        (leaky_relu_grad, {"negative_slope": None}, TypeError, "leaky_relu_grad: negative_slope"),
        (elu, {"alpha": [1.0]}, TypeError, "elu: alpha"),
        (elu_grad, {"alpha": "1"}, TypeError, "elu_grad: alpha"),
        (gelu, {"approximate": "erf"}, ValueError, "gelu: approximate"),
        (gelu, {"approximate": None}, ValueError, "gelu: approximate"),
        (gelu_grad, {"approximate": "Tanh"}, ValueError, "gelu_grad: approximate"),
        (softplus, {"beta": 0.0}, ValueError, "softplus: beta"),
        (softplus, {"beta": "1"}, TypeError, "softplus: beta"),
        (softplus, {"threshold": None}, TypeError, "softplus: threshold"),
        (softplus_grad, {"beta": 0}, ValueError, "softplus_grad: beta"),
        (softplus_grad, {"threshold": "20"}, TypeError, "softplus_grad: threshold"),
    ],
)
def test_bad_hyperparameters_are_refused(f, kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        f(np.array([1.0, -1.0]), **kwargs)
