"""Argument checks shared by every public function.

Each helper takes the calling function's name (``func``) and the argument's
name (``name``) so that every error message says where it came from, what was
received and what was expected, e.g.::

    conv2d: stride must be a positive int or a pair of positive ints, got 0
"""

import numbers

import numpy as np


def as_float_array(x, name, func):
    """Convert ``x`` to a floating ndarray following the dtype rule of the package.

    float32 stays float32, float64 stays float64 (any other floating dtype is
    kept as it is); integer and bool input is converted to float64. Complex,
    string and object data are refused with a ``TypeError``.
    """
    try:
        arr = np.asarray(x)
    except Exception as err:  # ragged lists and the like
        raise TypeError(f"{func}: {name} must be a numeric array, could not convert it ({err})") from None
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise TypeError(
        f"{func}: {name} must hold real numbers (float, int or bool), got dtype {arr.dtype}"
    )


def result_dtype(*arrays):
    """The floating dtype of a computation on several float arrays (NumPy promotion)."""
    return np.result_type(*[a.dtype for a in arrays if a is not None])


def check_ndim(x, ndim, name, func, layout):
    """Refuse an array whose number of dimensions is not ``ndim``.

    ``layout`` is the expected shape written out, e.g. ``"(N, C, H, W)"``.
    """
    if x.ndim != ndim:
        raise ValueError(
            f"{func}: {name} must be {ndim}-D {layout}, got shape {tuple(x.shape)} ({x.ndim}-D)"
        )
    return x


def as_bool(value, name, func):
    """Return ``value`` as a bool; ints (even 0 and 1) and anything else are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{func}: {name} must be True or False, got {value!r}")
    return bool(value)


def as_int(value, name, func, minimum=None):
    """Return ``value`` as a Python int, refusing bools, floats and values below ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: {name} must be an int, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        qualifier = "positive" if minimum == 1 else f">= {minimum}"
        raise ValueError(f"{func}: {name} must be {qualifier}, got {value}")
    return value


def as_real(value, name, func):
    """Return ``value`` as a Python float, refusing bools and non-numbers."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: {name} must be a real number, got {value!r} ({type(value).__name__})")
    return float(value)


def as_tuple(value, n, name, func, minimum=None):
    """Return ``value`` as an ``n``-tuple of ints: an int is repeated, a sequence must have length ``n``.

    ``minimum`` bounds every entry (1 for strides, kernel sizes and dilations,
    0 for paddings).
    """
    if minimum == 1:
        what = "a positive int" if n == 1 else f"a positive int or {n} positive ints"
    elif minimum == 0:
        what = "a non-negative int" if n == 1 else f"a non-negative int or {n} non-negative ints"
    else:
        what = "an int" if n == 1 else f"an int or {n} ints"
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        items = (value,) * n
    elif isinstance(value, (tuple, list, np.ndarray)) and len(value) == n:
        items = tuple(value)
    else:
        raise TypeError(f"{func}: {name} must be {what}, got {value!r}")
    out = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Integral):
            raise TypeError(f"{func}: {name} must be {what}, got {value!r}")
        if minimum is not None and item < minimum:
            raise ValueError(f"{func}: {name} must be {what}, got {value!r}")
        out.append(int(item))
    return tuple(out)


def as_pair(value, name, func, minimum=None):
    """``as_tuple`` for the two spatial axes ``(h, w)``."""
    return as_tuple(value, 2, name, func, minimum)


def resolve_padding(padding, in_size, kernel_size, stride, dilation, func, name="padding", minimum=0):
    """Turn any accepted padding spec into explicit ``(before, after)`` amounts per axis.

    Parameters
    ----------
    padding : int, tuple, or {"valid", "same"}
        An int (all sides), one int per axis, one ``(before, after)`` pair per
        axis, or a string. ``"same"`` follows the TensorFlow rule: the output
        has ``ceil(n / stride)`` entries and an odd pixel of padding goes
        after (bottom/right).
    in_size, kernel_size, stride, dilation : tuple of int
        One entry per spatial axis (already validated).
    minimum : int or None, default 0
        Smallest amount accepted (``None``: any int, for ``pad2d``'s cropping).

    Returns
    -------
    tuple of (int, int)
        One ``(before, after)`` pair per spatial axis.
    """
    ndim = len(in_size)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * ndim
        if padding == "same":
            from .arithmetic import same_padding

            return tuple(
                same_padding(n, k, s, d) for n, k, s, d in zip(in_size, kernel_size, stride, dilation)
            )
        raise ValueError(f"{func}: {name} must be an int, a tuple, 'valid' or 'same', got {padding!r}")
    if (
        isinstance(padding, (tuple, list))
        and len(padding) == ndim
        and all(isinstance(p, (tuple, list)) for p in padding)
    ):
        pairs = tuple(as_tuple(p, 2, name, func, minimum=minimum) for p in padding)
        return pairs
    per_axis = as_tuple(padding, ndim, name, func, minimum=minimum)
    return tuple((p, p) for p in per_axis)


def check_window_fits(padded_size, span, func, what="kernel"):
    """Refuse a window (span = dilation*(k-1)+1 per axis) larger than the padded input."""
    for axis, (n, s) in enumerate(zip(padded_size, span)):
        if s > n:
            raise ValueError(
                f"{func}: {what} spans {tuple(span)} (dilation*(kernel_size-1)+1) but the padded "
                f"input is only {tuple(padded_size)}; the {what} must fit inside the padded input"
            )
