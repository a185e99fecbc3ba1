"""Gradient checking: central finite differences and the relative error that compares them.

Every backward pass of the package (and of the course's assignments) is checked the
same way: perturb one input entry by ``±eps``, watch the scalar loss, and compare the
slope with the analytic gradient::

    dL/dx[i] ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)

The central difference has an error of order ``eps**2``; in float64 ``eps = 1e-6``
leaves a relative error around 1e-8 or less for smooth functions, while a wrong
gradient is off by order 1.
"""

import numpy as np

from ._checks import as_float_array, as_real

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f, x, eps=1e-6):
    r"""Central finite-difference gradient of a scalar function of an array.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``: the scalar (a loss) as a function of an array shaped
        like ``x``. It is called ``2 * x.size`` times.
    x : array_like, any shape
        The point at which to differentiate; computed in float64.
    eps : float, default 1e-6
        The step. Positive.

    Returns
    -------
    grad : ndarray of float64, shape of ``x``

    Raises
    ------
    TypeError
        ``f`` not callable, ``x`` not numeric, or ``f`` not returning a real
        number.
    ValueError
        ``eps`` not positive.

    Notes
    -----
    .. math::

        \frac{\partial f}{\partial x_i} \approx
            \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon}

    ``x`` itself is never modified: each call gets a fresh copy.

    Examples
    --------
    >>> g = numerical_gradient(lambda a: np.sum(a ** 2), np.array([1.0, -2.0, 3.0]))
    >>> np.round(g, 6)
    array([ 2., -4.,  6.])
    """
    func = "numerical_gradient"
    if not callable(f):
        raise TypeError(f"{func}: f must be a function of x returning a number, got {type(f).__name__}")
    x = as_float_array(x, "x", func).astype(np.float64)
    eps = as_real(eps, "eps", func)
    if not eps > 0:
        raise ValueError(f"{func}: eps must be positive, got {eps}")
    grad = np.empty_like(x)
    for i in np.ndindex(*x.shape):
        values = []
        for step in (eps, -eps):
            moved = x.copy()
            moved[i] += step
            value = f(moved)
            if isinstance(value, np.ndarray) and value.size == 1:
                value = value.reshape(())[()]
            values.append(as_real(value, "f(x)", func))
        grad[i] = (values[0] - values[1]) / (2 * eps)
    return grad


def relative_error(a, b):
    r"""Relative distance between two gradients: ``||a - b|| / (||a|| + ||b||)``.

    Parameters
    ----------
    a, b : array_like, same shape
        Typically the analytic and the numerical gradient.

    Returns
    -------
    float
        Between 0 (equal) and 1 (opposite, or one of them zero); 0 when both
        are zero.

    Raises
    ------
    ValueError
        ``a`` and ``b`` of different shapes.
    TypeError
        Non-numeric data.

    Notes
    -----
    .. math:: e(a, b) = \frac{\lVert a - b \rVert_2}{\lVert a \rVert_2 + \lVert b \rVert_2}

    Dividing by the sizes makes the number independent of the scale of the
    loss; summing them (rather than taking one) keeps it finite when one
    gradient is zero. In float64 a correct backward pass checked with
    :func:`numerical_gradient` gives about 1e-7 or less; a mistake gives more
    than 1e-2.

    Examples
    --------
    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    >>> round(relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])), 4)
    0.7071
    """
    func = "relative_error"
    a = as_float_array(a, "a", func).astype(np.float64)
    b = as_float_array(b, "b", func).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"{func}: a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / scale)
