"""Activation functions and their derivatives.

Every activation :math:`f` acts elementwise and comes with its derivative
:math:`f'` as ``<name>_grad``, evaluated at the same input ``x`` and taking the
same extra arguments, so that backpropagation through the layer is

.. math::

    \\frac{\\partial L}{\\partial x} = \\frac{\\partial L}{\\partial y} \\odot f'(x).

The numbers are those of ``torch.nn.functional`` (and of its autograd for the
derivatives, including the value chosen at a kink: ``relu_grad(0) = 0``).
Every function is numerically stable: no overflow for ``|x|`` up to ``1e4``
and beyond (two-sided sigmoid, ``expm1`` on the negative part for ELU, a
log-add-exp form for softplus). ``ACTIVATIONS`` maps each name to its
``(f, f_grad)`` pair.
"""

import math
import numbers

import numpy as np

from ._checks import as_float_array, as_real

__all__ = [
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "gelu",
    "gelu_grad",
    "softplus",
    "softplus_grad",
    "silu",
    "silu_grad",
    "erf",
    "erfc",
    "ACTIVATIONS",
]


# ---------------------------------------------------------------------------
# The error function (NumPy has none): W. J. Cody's rational Chebyshev
# approximations (Math. Comp. 23, 1969; netlib specfun CALERF), accurate to
# double precision, on three intervals of |x|.
# ---------------------------------------------------------------------------

_ERF_SMALL = 0.46875  # |x| <= 0.46875: erf(x) = x P(x^2) / Q(x^2)
_ERF_MID = 4.0  # 0.46875 < |x| <= 4: erfc(|x|) = exp(-x^2) P(|x|) / Q(|x|)
_ERF_BIG = 30.0  # erfc(x) underflows to 0 in float64 beyond x = 27.3

# Coefficients, highest degree first (np.polyval order).
_A = [1.85777706184603153e-1, 3.16112374387056560e00, 1.13864154151050156e02,
      3.77485237685302021e02, 3.20937758913846947e03]
_B = [1.0, 2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03]
_C = [2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
      6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
      1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03]
_D = [1.0, 1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03]
_P = [1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
      1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4]
_Q = [1.0, 2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3]


def _erf_near_zero(x):
    """erf(x) for |x| <= 0.46875 (float64 in, float64 out)."""
    x = np.clip(x, -_ERF_SMALL, _ERF_SMALL)
    x2 = x * x
    return x * np.polyval(_A, x2) / np.polyval(_B, x2)


def _erfc_positive(y):
    """erfc(y) for y >= 0.46875 (float64 in, float64 out)."""
    y = np.clip(y, _ERF_SMALL, _ERF_BIG)
    y_mid = np.minimum(y, _ERF_MID)
    mid = np.polyval(_C, y_mid) / np.polyval(_D, y_mid)
    z = 1.0 / np.maximum(y, _ERF_MID) ** 2
    tail = (1.0 / math.sqrt(math.pi) - z * np.polyval(_P, z) / np.polyval(_Q, z)) / y
    scaled = np.where(y <= _ERF_MID, mid, tail)  # erfc(y) * exp(y^2)
    # exp(-y^2) with y = y16 + d, y16 a multiple of 1/16 so that y16^2 is exact:
    # the rounding error of y^2 is not amplified by exp.
    y16 = np.trunc(16.0 * y) / 16.0
    return np.exp(-y16 * y16) * np.exp(-(y - y16) * (y + y16)) * scaled


def erf(x):
    """The error function, elementwise.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32 (computed in float64 and rounded),
        float64 stays float64, int/bool become float64.

    Returns
    -------
    ndarray
        ``erf(x)``, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\operatorname{erf}(x) = \\frac{2}{\\sqrt{\\pi}} \\int_0^x e^{-t^2}\\, dt

    NumPy has no ``erf``; this uses W. J. Cody's rational approximations
    (relative error near the float64 rounding error): ``x P(x^2)/Q(x^2)``
    for ``|x| <= 0.46875``, otherwise ``sign(x) (1 - erfc(|x|))``.

    Examples
    --------
    >>> erf(np.array([-np.inf, 0.0, np.inf]))
    array([-1.,  0.,  1.])
    >>> round(float(erf(1.0)), 10)
    0.8427007929
    """
    x = as_float_array(x, "x", "erf")
    x64 = x.astype(np.float64)
    far = np.sign(x64) * (1.0 - _erfc_positive(np.abs(x64)))
    out = np.where(np.abs(x64) <= _ERF_SMALL, _erf_near_zero(x64), far)
    return out.astype(x.dtype, copy=False)


def erfc(x):
    """The complementary error function ``1 - erf(x)``, accurate where erf is close to 1.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32 (computed in float64 and rounded),
        float64 stays float64, int/bool become float64.

    Returns
    -------
    ndarray
        ``erfc(x)``, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\operatorname{erfc}(x) = 1 - \\operatorname{erf}(x)
              = \\frac{2}{\\sqrt{\\pi}} \\int_x^\\infty e^{-t^2}\\, dt

    For ``x > 0.46875`` it is computed directly (Cody's ``exp(-x^2) P/Q``), so
    that small values keep their relative accuracy; ``erfc(-x) = 2 - erfc(x)``.

    Examples
    --------
    >>> erfc(np.array([-np.inf, 0.0, np.inf]))
    array([2., 1., 0.])
    >>> float(erfc(10.0)) > 0
    True
    """
    x = as_float_array(x, "x", "erfc")
    x64 = x.astype(np.float64)
    tail = _erfc_positive(np.abs(x64))
    far = np.where(x64 > 0, tail, 2.0 - tail)
    out = np.where(np.abs(x64) <= _ERF_SMALL, 1.0 - _erf_near_zero(x64), far)
    return out.astype(x.dtype, copy=False)


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------


def relu(x):
    """Rectified linear unit, elementwise.

    Parameters
    ----------
    x : array_like
        Any shape, e.g. ``(N, C, H, W)``; float32 stays float32, float64 stays
        float64, int/bool become float64.

    Returns
    -------
    ndarray
        ``max(x, 0)``, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\operatorname{relu}(x) = \\max(x, 0)

    Examples
    --------
    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    x = as_float_array(x, "x", "relu")
    return np.maximum(x, 0)


def relu_grad(x):
    """Derivative of :func:`relu` at ``x`` (0 at the kink ``x = 0``, as PyTorch).

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.

    Returns
    -------
    ndarray
        1 where ``x > 0``, else 0; same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\operatorname{relu}'(x) = [x > 0]

    Examples
    --------
    >>> relu_grad(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 1.])
    """
    x = as_float_array(x, "x", "relu_grad")
    return (x > 0).astype(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU: the identity for positive inputs, a small slope for negative ones.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.
    negative_slope : float, default 0.01
        Slope for ``x <= 0``.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data or ``negative_slope`` is not a real number.

    Notes
    -----
    .. math:: \\operatorname{leaky\\_relu}(x) = \\begin{cases} x & x > 0 \\\\
              \\alpha x & x \\le 0 \\end{cases}, \\quad \\alpha = \\text{negative\\_slope}

    Examples
    --------
    >>> leaky_relu(np.array([-2.0, 0.0, 3.0]), negative_slope=0.5)
    array([-1.,  0.,  3.])
    """
    x = as_float_array(x, "x", "leaky_relu")
    negative_slope = as_real(negative_slope, "negative_slope", "leaky_relu")
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x, negative_slope=0.01):
    """Derivative of :func:`leaky_relu` at ``x`` (``negative_slope`` at ``x = 0``, as PyTorch).

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.
    negative_slope : float, default 0.01
        Slope for ``x <= 0``.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data or ``negative_slope`` is not a real number.

    Notes
    -----
    .. math:: \\operatorname{leaky\\_relu}'(x) = \\begin{cases} 1 & x > 0 \\\\
              \\alpha & x \\le 0 \\end{cases}

    Examples
    --------
    >>> leaky_relu_grad(np.array([-2.0, 0.0, 3.0]), negative_slope=0.5)
    array([0.5, 0.5, 1. ])
    """
    x = as_float_array(x, "x", "leaky_relu_grad")
    negative_slope = as_real(negative_slope, "negative_slope", "leaky_relu_grad")
    return np.where(x > 0, 1.0, negative_slope).astype(x.dtype)


def elu(x, alpha=1.0):
    """Exponential linear unit.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.
    alpha : float, default 1.0
        Value approached as ``x -> -inf`` is ``-alpha``.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data or ``alpha`` is not a real number.

    Notes
    -----
    .. math:: \\operatorname{elu}(x) = \\begin{cases} x & x > 0 \\\\
              \\alpha (e^x - 1) & x \\le 0 \\end{cases}

    ``e^x - 1`` is computed with ``expm1`` on ``min(x, 0)``: accurate near 0 and
    never overflowing for large positive ``x``.

    Examples
    --------
    >>> elu(np.array([-np.inf, 0.0, 3.0]), alpha=2.0)
    array([-2.,  0.,  3.])
    """
    x = as_float_array(x, "x", "elu")
    alpha = as_real(alpha, "alpha", "elu")
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    """Derivative of :func:`elu` at ``x`` (``alpha`` at ``x = 0``, as PyTorch).

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.
    alpha : float, default 1.0
        As in :func:`elu`.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data or ``alpha`` is not a real number.

    Notes
    -----
    .. math:: \\operatorname{elu}'(x) = \\begin{cases} 1 & x > 0 \\\\
              \\alpha e^x & x \\le 0 \\end{cases}

    Examples
    --------
    >>> elu_grad(np.array([-np.inf, 0.0, 3.0]), alpha=2.0)
    array([0., 2., 1.])
    """
    x = as_float_array(x, "x", "elu_grad")
    alpha = as_real(alpha, "alpha", "elu_grad")
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)


def sigmoid(x):
    """Logistic sigmoid, computed in the two-sided form that never overflows.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.

    Returns
    -------
    ndarray
        Values in ``[0, 1]``, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\sigma(x) = \\frac{1}{1 + e^{-x}} = \\frac{e^{x}}{1 + e^{x}}

    The first form is used for ``x >= 0`` and the second for ``x < 0``, both
    written with ``e^{-|x|} <= 1``, so ``exp`` never overflows.

    Examples
    --------
    >>> sigmoid(np.array([-np.inf, 0.0, np.inf]))
    array([0. , 0.5, 1. ])
    """
    x = as_float_array(x, "x", "sigmoid")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    """Derivative of :func:`sigmoid` at ``x``; its maximum is 0.25 at ``x = 0``.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\sigma'(x) = \\sigma(x) (1 - \\sigma(x)) = \\sigma(x) \\sigma(-x)

    The second form is used: :math:`1 - \\sigma(x)` would lose all its digits to
    cancellation for large positive ``x``.

    Examples
    --------
    >>> sigmoid_grad(np.array([-np.inf, 0.0, np.inf]))
    array([0.  , 0.25, 0.  ])
    """
    x = as_float_array(x, "x", "sigmoid_grad")
    return sigmoid(x) * sigmoid(-x)


def tanh(x):
    """Hyperbolic tangent, elementwise.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.

    Returns
    -------
    ndarray
        Values in ``[-1, 1]``, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\tanh(x) = \\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2 \\sigma(2x) - 1

    Examples
    --------
    >>> tanh(np.array([-np.inf, 0.0, np.inf]))
    array([-1.,  0.,  1.])
    """
    x = as_float_array(x, "x", "tanh")
    return np.tanh(x)


def tanh_grad(x):
    """Derivative of :func:`tanh` at ``x``; its maximum is 1 at ``x = 0``.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\tanh'(x) = 1 - \\tanh^2(x)

    Examples
    --------
    >>> tanh_grad(np.array([-np.inf, 0.0, np.inf]))
    array([0., 1., 0.])
    """
    t = tanh(as_float_array(x, "x", "tanh_grad"))
    return 1 - t * t


_GELU_MODES = ("none", "tanh")
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_KAPPA = 0.044715


def _check_approximate(approximate, func):
    if not isinstance(approximate, str) or approximate not in _GELU_MODES:
        raise ValueError(f"{func}: approximate must be 'none' or 'tanh', got {approximate!r}")


def _normal_cdf(x):
    """Phi(x) for float64 ``x``, through erfc so that the left tail keeps its accuracy."""
    return 0.5 * erfc(-x / math.sqrt(2.0))


def gelu(x, approximate="none"):
    """Gaussian error linear unit: the input weighted by the standard normal CDF.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.
    approximate : {"none", "tanh"}, default "none"
        ``"none"``: the exact form with the error function; ``"tanh"``: the
        tanh approximation of Hendrycks & Gimpel (2016).

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.
    ValueError
        If ``approximate`` is not ``"none"`` or ``"tanh"``.

    Notes
    -----
    .. math:: \\operatorname{gelu}(x) = x\\, \\Phi(x)
              = \\frac{x}{2} \\left(1 + \\operatorname{erf}\\frac{x}{\\sqrt 2}\\right)

    .. math:: \\operatorname{gelu}_{\\tanh}(x) = \\frac{x}{2} \\left(1 + \\tanh\\left(
              \\sqrt{2/\\pi}\\, (x + 0.044715\\, x^3)\\right)\\right)

    The exact form is computed in float64 as ``x erfc(-x/sqrt 2) / 2`` (see
    :func:`erfc`), which keeps the tiny negative values for ``x << 0``.

    Examples
    --------
    >>> gelu(np.array([0.0, 1e4]))
    array([    0., 10000.])
    >>> round(float(gelu(1.0)), 6)  # 1 * Phi(1)
    0.841345
    >>> gelu(np.array([0.0, 100.0]), approximate="tanh")
    array([  0., 100.])
    """
    x = as_float_array(x, "x", "gelu")
    _check_approximate(approximate, "gelu")
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + _GELU_KAPPA * x**3)
        return 0.5 * x * (1 + np.tanh(inner))
    x64 = x.astype(np.float64)
    return (x64 * _normal_cdf(x64)).astype(x.dtype, copy=False)


def gelu_grad(x, approximate="none"):
    """Derivative of :func:`gelu` at ``x``.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.
    approximate : {"none", "tanh"}, default "none"
        As in :func:`gelu`.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.
    ValueError
        If ``approximate`` is not ``"none"`` or ``"tanh"``.

    Notes
    -----
    With the standard normal density :math:`\\varphi(x) = e^{-x^2/2} / \\sqrt{2\\pi}`:

    .. math:: \\operatorname{gelu}'(x) = \\Phi(x) + x\\, \\varphi(x)

    and with :math:`u = \\sqrt{2/\\pi}\\,(x + 0.044715\\, x^3)`:

    .. math:: \\operatorname{gelu}_{\\tanh}'(x) = \\tfrac12 (1 + \\tanh u)
              + \\tfrac{x}{2} (1 - \\tanh^2 u)\\, \\sqrt{2/\\pi}\\, (1 + 3 \\cdot 0.044715\\, x^2)

    Examples
    --------
    >>> gelu_grad(np.array([-1e4, 0.0, 1e4]))
    array([0. , 0.5, 1. ])
    >>> gelu_grad(np.array([0.0]), approximate="tanh")
    array([0.5])
    """
    x = as_float_array(x, "x", "gelu_grad")
    _check_approximate(approximate, "gelu_grad")
    if approximate == "tanh":
        t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_KAPPA * x**3))
        du_dx = _SQRT_2_OVER_PI * (1 + 3 * _GELU_KAPPA * x * x)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du_dx
    x64 = x.astype(np.float64)
    pdf = np.exp(-0.5 * x64 * x64) / math.sqrt(2.0 * math.pi)
    return (_normal_cdf(x64) + x64 * pdf).astype(x.dtype, copy=False)


def _softplus_args(beta, threshold, func):
    beta = as_real(beta, "beta", func)
    threshold = as_real(threshold, "threshold", func)
    if beta == 0:
        raise ValueError(f"{func}: beta must be non-zero (the formula divides by beta), got {beta!r}")
    return beta, threshold


def softplus(x, beta=1.0, threshold=20.0):
    """Softplus: a smooth ReLU, ``log(1 + e^{beta x}) / beta``.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.
    beta : float, default 1.0
        Sharpness; larger ``beta`` is closer to ReLU. Must be non-zero.
    threshold : float, default 20.0
        Where ``beta * x > threshold`` the output is ``x`` itself (PyTorch's rule).

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data or ``beta``/``threshold`` is not a real
        number.
    ValueError
        If ``beta`` is 0.

    Notes
    -----
    .. math:: \\operatorname{softplus}(x) = \\begin{cases}
              x & \\beta x > \\text{threshold} \\\\
              \\frac{1}{\\beta} \\log\\left(1 + e^{\\beta x}\\right) & \\text{otherwise}
              \\end{cases}

    With :math:`z = \\beta x`, :math:`\\log(1 + e^{z})` is computed as
    :math:`\\max(z, 0) + \\log(1 + e^{-|z|})`, which never overflows.

    Examples
    --------
    >>> softplus(np.array([-np.inf, 30.0]))
    array([ 0., 30.])
    >>> bool(softplus(0.0) == np.log(2.0))
    True
    """
    x = as_float_array(x, "x", "softplus")
    beta, threshold = _softplus_args(beta, threshold, "softplus")
    z = beta * x
    soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > threshold, x, soft)


def softplus_grad(x, beta=1.0, threshold=20.0):
    """Derivative of :func:`softplus` at ``x``: the sigmoid of ``beta x``.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.
    beta : float, default 1.0
        As in :func:`softplus`; must be non-zero.
    threshold : float, default 20.0
        Where ``beta * x > threshold`` the derivative is 1 (the linear branch).

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data or ``beta``/``threshold`` is not a real
        number.
    ValueError
        If ``beta`` is 0.

    Notes
    -----
    .. math:: \\operatorname{softplus}'(x) = \\begin{cases}
              1 & \\beta x > \\text{threshold} \\\\
              \\sigma(\\beta x) & \\text{otherwise} \\end{cases}

    Examples
    --------
    >>> softplus_grad(np.array([-np.inf, 0.0, 30.0]))
    array([0. , 0.5, 1. ])
    """
    x = as_float_array(x, "x", "softplus_grad")
    beta, threshold = _softplus_args(beta, threshold, "softplus_grad")
    z = beta * x
    return np.where(z > threshold, 1.0, sigmoid(z)).astype(x.dtype)


def silu(x):
    """Sigmoid linear unit (swish): the input weighted by its sigmoid.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\operatorname{silu}(x) = x\\, \\sigma(x)

    Examples
    --------
    >>> silu(np.array([0.0, 1e4]))
    array([    0., 10000.])
    """
    x = as_float_array(x, "x", "silu")
    return x * sigmoid(x)


def silu_grad(x):
    """Derivative of :func:`silu` at ``x``.

    Parameters
    ----------
    x : array_like
        Any shape; float32 stays float32, float64 stays float64, int/bool become
        float64.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Notes
    -----
    .. math:: \\operatorname{silu}'(x) = \\sigma(x) + x \\sigma(x)(1 - \\sigma(x))
              = \\sigma(x) \\left(1 + x\\, \\sigma(-x)\\right)

    Examples
    --------
    >>> silu_grad(np.array([0.0, 1e4]))
    array([0.5, 1. ])
    """
    x = as_float_array(x, "x", "silu_grad")
    return sigmoid(x) * (1 + x * sigmoid(-x))


ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "gelu": (gelu, gelu_grad),
    "softplus": (softplus, softplus_grad),
    "silu": (silu, silu_grad),
}
"""Name -> ``(f, f_grad)`` for every activation of this module."""
