"""Weight initialisation: Xavier/Glorot and Kaiming/He, with PyTorch's fans and gains.

A weight of shape ``(C_out, C_in, kH, kW)`` (or ``(n_out, n_in)`` for a dense
layer) connects each output to ``fan_in = C_in * kH * kW`` inputs, and each
input to ``fan_out = C_out * kH * kW`` outputs. The initialisers choose the
variance of the weights from these fans so that the variance of the
activations (Kaiming, ``fan_in``) or of the gradients (``fan_out``), or a
compromise of both (Xavier), stays the same from layer to layer.

Every initialiser takes a ``numpy.random.Generator`` (``np.random.default_rng(seed)``),
so that a draw is reproducible, and returns a new array of ``shape``.
"""

import math
import numbers

import numpy as np

from ._checks import as_real

__all__ = [
    "calculate_gain",
    "fan_in_and_fan_out",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
]

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (``torch.nn.init.calculate_gain``).

    Parameters
    ----------
    nonlinearity : str
        ``"linear"``, ``"conv1d"``, ``"conv2d"``, ``"conv3d"``,
        ``"conv_transpose1d"``, ``"conv_transpose2d"``, ``"conv_transpose3d"``,
        ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"`` or ``"selu"``.
    param : float, optional
        The negative slope of ``"leaky_relu"`` (default 0.01); ignored otherwise.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``nonlinearity`` is unknown or ``param`` is not a number (for
        ``"leaky_relu"``).

    Notes
    -----
    ======================  ================================
    nonlinearity            gain
    ======================  ================================
    linear, conv, sigmoid   :math:`1`
    tanh                    :math:`5/3`
    relu                    :math:`\\sqrt{2}`
    leaky_relu              :math:`\\sqrt{2 / (1 + a^2)}`, slope :math:`a`
    selu                    :math:`3/4`
    ======================  ================================

    Examples
    --------
    >>> calculate_gain("relu") == math.sqrt(2)
    True
    >>> calculate_gain("leaky_relu", 1.0)
    1.0
    """
    return _gain(nonlinearity, param, "calculate_gain")


def _gain(nonlinearity, param, func):
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            param = 0.01
        if isinstance(param, (bool, np.bool_)) or not isinstance(param, numbers.Real):
            raise ValueError(
                f"{func}: param (the negative slope of leaky_relu) must be a number, got {param!r}"
            )
        return math.sqrt(2.0 / (1 + param**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"{func}: nonlinearity must be one of {', '.join(_LINEAR)}, tanh, relu, leaky_relu, selu; "
        f"got {nonlinearity!r}"
    )


def _check_shape(shape, func):
    """``shape`` as a tuple of positive ints with at least 2 entries."""
    what = "a tuple of at least 2 positive ints such as (C_out, C_in, kH, kW)"
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(size, numbers.Integral) and not isinstance(size, (bool, np.bool_)) for size in shape
    ):
        raise TypeError(f"{func}: shape must be {what}, got {shape!r}")
    if len(shape) < 2:
        raise ValueError(
            f"{func}: shape must have at least 2 dimensions (n_out, n_in, ...) to define fan_in and "
            f"fan_out, got {tuple(shape)}"
        )
    if any(size < 1 for size in shape):
        raise ValueError(f"{func}: shape must be {what}, got {tuple(shape)}")
    return tuple(int(size) for size in shape)


def fan_in_and_fan_out(shape):
    """Fan-in and fan-out of a weight of the given shape, as PyTorch computes them.

    Parameters
    ----------
    shape : tuple of int
        ``(n_out, n_in)`` for a dense layer, ``(C_out, C_in, *kernel_size)`` for a
        convolution; at least 2 entries, all positive.

    Returns
    -------
    fan_in, fan_out : int

    Raises
    ------
    TypeError
        If ``shape`` is not a tuple/list of ints.
    ValueError
        If ``shape`` has fewer than 2 entries (PyTorch refuses them too) or a
        non-positive entry.

    Notes
    -----
    With the receptive field :math:`r = \\prod_{i \\ge 2} \\text{shape}[i]`
    (1 for a dense layer):

    .. math:: \\text{fan\\_in} = \\text{shape}[1] \\cdot r, \\qquad
              \\text{fan\\_out} = \\text{shape}[0] \\cdot r.

    For a transposed convolution, whose weight is ``(C_in, C_out, kH, kW)``, the
    two are swapped with respect to the layer's data flow, as in PyTorch.

    Examples
    --------
    >>> fan_in_and_fan_out((64, 32, 3, 3))  # conv 32 -> 64 channels, 3x3
    (288, 576)
    >>> fan_in_and_fan_out((10, 784))  # dense 784 -> 10
    (784, 10)
    """
    shape = _check_shape(shape, "fan_in_and_fan_out")
    return _fans(shape)


def _fans(shape):
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _check_common(shape, rng, dtype, func):
    shape = _check_shape(shape, func)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{func}: rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != "f":
        raise TypeError(f"{func}: dtype must be a floating dtype such as np.float32 or np.float64")
    return shape, dtype


def _kaiming_std(shape, a, mode, nonlinearity, func):
    """gain / sqrt(fan) for the Kaiming initialisers."""
    a = as_real(a, "a", func)
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(f"{func}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(shape)
    fan = fan_in if mode.lower() == "fan_in" else fan_out
    return _gain(nonlinearity, a, func) / math.sqrt(fan)


def xavier_uniform(shape, rng, gain=1.0, dtype=np.float64):
    """Xavier/Glorot uniform initialisation (``torch.nn.init.xavier_uniform_``).

    Parameters
    ----------
    shape : tuple of int
        Weight shape, ``(n_out, n_in)`` or ``(C_out, C_in, kH, kW)``; at least 2-D.
    rng : numpy.random.Generator
        Source of randomness, e.g. ``np.random.default_rng(0)``.
    gain : float, default 1.0
        Scaling factor, e.g. ``calculate_gain("tanh")``.
    dtype : floating dtype, default np.float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``
        Samples of :math:`U(-b, b)`.

    Raises
    ------
    TypeError
        If ``shape`` is not a tuple of ints, ``rng`` is not a ``Generator``,
        ``gain`` is not a number or ``dtype`` is not floating.
    ValueError
        If ``shape`` has fewer than 2 dimensions or a non-positive size.

    Notes
    -----
    .. math:: b = \\text{gain} \\sqrt{\\frac{6}{\\text{fan\\_in} + \\text{fan\\_out}}},
              \\qquad \\operatorname{Var}(w) = \\frac{b^2}{3}
              = \\text{gain}^2 \\frac{2}{\\text{fan\\_in} + \\text{fan\\_out}}

    Examples
    --------
    >>> w = xavier_uniform((3, 5), np.random.default_rng(0))
    >>> w.shape, bool(np.all(np.abs(w) <= math.sqrt(6 / 8)))
    ((3, 5), True)
    """
    func = "xavier_uniform"
    shape, dtype = _check_common(shape, rng, dtype, func)
    gain = as_real(gain, "gain", func)
    fan_in, fan_out = _fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def xavier_normal(shape, rng, gain=1.0, dtype=np.float64):
    """Xavier/Glorot normal initialisation (``torch.nn.init.xavier_normal_``).

    Parameters
    ----------
    shape : tuple of int
        Weight shape, ``(n_out, n_in)`` or ``(C_out, C_in, kH, kW)``; at least 2-D.
    rng : numpy.random.Generator
        Source of randomness, e.g. ``np.random.default_rng(0)``.
    gain : float, default 1.0
        Scaling factor, e.g. ``calculate_gain("tanh")``.
    dtype : floating dtype, default np.float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``
        Samples of :math:`N(0, \\text{std}^2)`.

    Raises
    ------
    TypeError
        If ``shape`` is not a tuple of ints, ``rng`` is not a ``Generator``,
        ``gain`` is not a number or ``dtype`` is not floating.
    ValueError
        If ``shape`` has fewer than 2 dimensions or a non-positive size.

    Notes
    -----
    .. math:: \\text{std} = \\text{gain} \\sqrt{\\frac{2}{\\text{fan\\_in} + \\text{fan\\_out}}}

    Examples
    --------
    >>> w = xavier_normal((64, 32, 3, 3), np.random.default_rng(0), dtype=np.float32)
    >>> w.shape, w.dtype
    ((64, 32, 3, 3), dtype('float32'))
    """
    func = "xavier_normal"
    shape, dtype = _check_common(shape, rng, dtype, func)
    gain = as_real(gain, "gain", func)
    fan_in, fan_out = _fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=shape).astype(dtype)


def kaiming_uniform(shape, rng, a=0, mode="fan_in", nonlinearity="leaky_relu", dtype=np.float64):
    """Kaiming/He uniform initialisation (``torch.nn.init.kaiming_uniform_``).

    Parameters
    ----------
    shape : tuple of int
        Weight shape, ``(n_out, n_in)`` or ``(C_out, C_in, kH, kW)``; at least 2-D.
    rng : numpy.random.Generator
        Source of randomness, e.g. ``np.random.default_rng(0)``.
    a : float, default 0
        Negative slope of the leaky ReLU that follows (used only with
        ``nonlinearity="leaky_relu"``); with the defaults the gain is
        :math:`\\sqrt 2`, the ReLU gain.
    mode : {"fan_in", "fan_out"}, default "fan_in"
        ``"fan_in"`` keeps the variance of the activations in the forward pass,
        ``"fan_out"`` that of the gradients in the backward pass
        (case-insensitive, as PyTorch).
    nonlinearity : str, default "leaky_relu"
        Passed to :func:`calculate_gain` with ``param=a``; ``"relu"`` or
        ``"leaky_relu"`` are the intended ones.
    dtype : floating dtype, default np.float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``
        Samples of :math:`U(-b, b)`.

    Raises
    ------
    TypeError
        If ``shape`` is not a tuple of ints, ``rng`` is not a ``Generator``,
        ``a`` is not a number or ``dtype`` is not floating.
    ValueError
        If ``shape`` has fewer than 2 dimensions or a non-positive size, or
        ``mode``/``nonlinearity`` is unknown.

    Notes
    -----
    .. math:: \\text{std} = \\frac{\\text{gain}}{\\sqrt{\\text{fan}}}, \\qquad
              b = \\sqrt{3}\\, \\text{std}, \\qquad
              \\operatorname{Var}(w) = \\frac{b^2}{3} = \\frac{\\text{gain}^2}{\\text{fan}}

    so for ReLU :math:`\\operatorname{Var}(w) = 2 / \\text{fan\\_in}`.

    Examples
    --------
    >>> w = kaiming_uniform((16, 8, 3, 3), np.random.default_rng(0), nonlinearity="relu")
    >>> bound = math.sqrt(3) * math.sqrt(2) / math.sqrt(8 * 3 * 3)  # = 1/3
    >>> w.shape, bool(np.all(np.abs(w) <= bound))
    ((16, 8, 3, 3), True)
    """
    func = "kaiming_uniform"
    shape, dtype = _check_common(shape, rng, dtype, func)
    bound = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity, func)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def kaiming_normal(shape, rng, a=0, mode="fan_in", nonlinearity="leaky_relu", dtype=np.float64):
    """Kaiming/He normal initialisation (``torch.nn.init.kaiming_normal_``).

    Parameters
    ----------
    shape : tuple of int
        Weight shape, ``(n_out, n_in)`` or ``(C_out, C_in, kH, kW)``; at least 2-D.
    rng : numpy.random.Generator
        Source of randomness, e.g. ``np.random.default_rng(0)``.
    a : float, default 0
        Negative slope of the leaky ReLU that follows (used only with
        ``nonlinearity="leaky_relu"``); with the defaults the gain is
        :math:`\\sqrt 2`, the ReLU gain.
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan sets the variance (case-insensitive, as PyTorch).
    nonlinearity : str, default "leaky_relu"
        Passed to :func:`calculate_gain` with ``param=a``.
    dtype : floating dtype, default np.float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``
        Samples of :math:`N(0, \\text{std}^2)`.

    Raises
    ------
    TypeError
        If ``shape`` is not a tuple of ints, ``rng`` is not a ``Generator``,
        ``a`` is not a number or ``dtype`` is not floating.
    ValueError
        If ``shape`` has fewer than 2 dimensions or a non-positive size, or
        ``mode``/``nonlinearity`` is unknown.

    Notes
    -----
    .. math:: \\text{std} = \\frac{\\text{gain}}{\\sqrt{\\text{fan}}}

    so for ReLU with ``mode="fan_in"``, :math:`\\operatorname{Var}(w) = 2 / \\text{fan\\_in}`.

    Examples
    --------
    >>> w = kaiming_normal((10, 784), np.random.default_rng(0), mode="fan_out")
    >>> w.shape, w.dtype
    ((10, 784), dtype('float64'))
    """
    func = "kaiming_normal"
    shape, dtype = _check_common(shape, rng, dtype, func)
    std = _kaiming_std(shape, a, mode, nonlinearity, func)
    return rng.normal(0.0, std, size=shape).astype(dtype)
