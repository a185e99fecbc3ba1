"""Feature scaling: standardisation, min-max scaling, per-channel image normalisation
and batch normalisation.

Statistics are computed along ``axis`` (the samples, axis 0 for a
``(n_samples, n_features)`` table) and returned, so that the statistics of the
training split can be applied unchanged to the test split::

    train_scaled, mean, std = standardize(train)
    test_scaled, _, _ = standardize(test, mean=mean, std=std)
"""

import numbers

import numpy as np

from ._checks import as_float_array, as_real, check_ndim

__all__ = ["standardize", "min_max_scale", "normalize_channels", "batch_norm2d"]


def _reduction_axes(axis, ndim, func):
    """``axis`` (an int, a tuple of ints or None for all) as a sorted tuple of axes >= 0."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, numbers.Integral) else axis
    if not isinstance(axes, (tuple, list)) or not all(
        isinstance(a, numbers.Integral) and not isinstance(a, (bool, np.bool_)) for a in axes
    ):
        raise TypeError(f"{func}: axis must be an int, a tuple of ints or None, got {axis!r}")
    if not all(-ndim <= a < ndim for a in axes):
        raise ValueError(f"{func}: axis {axis!r} is out of range for x with {ndim} dimensions")
    normalised = sorted(int(a) % ndim for a in axes)
    if len(set(normalised)) != len(normalised):
        raise ValueError(f"{func}: axis {axis!r} repeats an axis")
    return tuple(normalised)


def _reduce_prepare(x, axis, func):
    """Validate ``x`` and ``axis``; return ``x``, the axes and the shape of a per-feature statistic."""
    x = as_float_array(x, "x", func)
    axes = _reduction_axes(axis, x.ndim, func)
    n = int(np.prod([x.shape[a] for a in axes]))
    if n == 0:
        raise ValueError(f"{func}: x of shape {x.shape} has no samples along axis {axis!r}")
    stat_shape = tuple(size for a, size in enumerate(x.shape) if a not in axes)
    return x, axes, stat_shape


def _broadcast_ok(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _given_statistics(first, second, names, stat_shape, func):
    """Validate statistics passed in by the caller (both or neither); return them as arrays or None."""
    if first is None and second is None:
        return None
    if first is None or second is None:
        given, missing = (names[0], names[1]) if second is None else (names[1], names[0])
        raise ValueError(
            f"{func}: {names[0]} and {names[1]} must be given together (statistics of the "
            f"training split), got {given} but {missing}=None"
        )
    stats = []
    for stat, name in zip((first, second), names):
        stat = as_float_array(stat, name, func)
        if not _broadcast_ok(stat.shape, stat_shape):
            raise ValueError(
                f"{func}: {name} has shape {stat.shape} but x reduced over axis has shape "
                f"{stat_shape}; expected that shape (one value per feature) or a scalar"
            )
        stats.append(stat)
    return stats


def _expand(stat, axes, stat_shape):
    """Put the reduced axes back (size 1) so that a per-feature statistic broadcasts against x."""
    return np.expand_dims(np.broadcast_to(stat, stat_shape), axes)


def standardize(x, axis=0, eps=1e-8, mean=None, std=None):
    """Standardise features to zero mean and unit (population) standard deviation.

    Parameters
    ----------
    x : array_like
        Data, e.g. ``(n_samples, n_features)``; float32 stays float32, float64
        stays float64, int/bool become float64.
    axis : int, tuple of int or None, default 0
        Axis (axes) holding the samples, over which the statistics are taken;
        ``None`` means all axes (one mean and one std for the whole array).
    eps : float, default 1e-8
        Added to the standard deviation in the denominator (see Notes). Must be
        ``>= 0``.
    mean, std : array_like, optional
        Statistics to use instead of computing them from ``x`` (e.g. those of
        the training split, applied to the test split). Both or neither; shape
        of ``x`` with ``axis`` removed, e.g. ``(n_features,)``, or a scalar.
        ``std`` must be ``>= 0``.

    Returns
    -------
    scaled : ndarray
        Same shape as ``x``; dtype of ``x`` (promoted with ``mean``/``std`` if
        given).
    mean, std : ndarray
        The statistics used, shape of ``x`` with ``axis`` removed (as given,
        when given).

    Raises
    ------
    TypeError
        If ``x``, ``mean`` or ``std`` is not numeric, ``axis`` is not an int,
        tuple of ints or None, or ``eps`` is not a real number.
    ValueError
        If ``axis`` is out of range or repeated, ``x`` has no samples along
        ``axis``, ``eps < 0``, only one of ``mean``/``std`` is given, their
        shape does not match, ``std`` is negative, or ``std + eps`` is 0
        somewhere (a constant feature with ``eps=0``).

    Notes
    -----
    With :math:`n` samples :math:`x_1, \\dots, x_n` of a feature,

    .. math:: \\mu = \\frac1n \\sum_i x_i, \\qquad
              \\sigma = \\sqrt{\\frac1n \\sum_i (x_i - \\mu)^2}, \\qquad
              z_i = \\frac{x_i - \\mu}{\\sigma + \\varepsilon}.

    :math:`\\sigma` is the population standard deviation (``ddof=0``, as
    scikit-learn's ``StandardScaler``); the returned ``std`` is :math:`\\sigma`
    itself, without :math:`\\varepsilon`, so passing it back gives the same
    scaling. A constant feature (:math:`\\sigma = 0`) maps to 0 (up to the
    rounding error of :math:`\\mu`) instead of dividing by zero; the tiny
    :math:`\\varepsilon` changes other features by a relative
    :math:`\\varepsilon / \\sigma` only. Applied to new data, a feature that
    was constant in training becomes :math:`(x - \\mu) / \\varepsilon`, very
    large wherever :math:`x \\ne \\mu`.

    Examples
    --------
    >>> train = np.array([[1.0, 10.0], [3.0, 10.0]])
    >>> scaled, mean, std = standardize(train)
    >>> mean, std
    (array([ 2., 10.]), array([1., 0.]))
    >>> scaled.round(6)
    array([[-1.,  0.],
           [ 1.,  0.]])
    >>> test_scaled, _, _ = standardize(np.array([[4.0, 10.0]]), mean=mean, std=std)
    >>> test_scaled.round(6)
    array([[2., 0.]])
    """
    func = "standardize"
    x, axes, stat_shape = _reduce_prepare(x, axis, func)
    eps = as_real(eps, "eps", func)
    if eps < 0:
        raise ValueError(f"{func}: eps must be >= 0, got {eps!r}")
    given = _given_statistics(mean, std, ("mean", "std"), stat_shape, func)
    if given is None:
        mean = np.mean(x, axis=axes)
        std = np.std(x, axis=axes)
    else:
        mean, std = given
        if np.any(std < 0):
            raise ValueError(f"{func}: std must be >= 0 everywhere, got a minimum of {std.min()!r}")
    if np.any(std + eps == 0):
        raise ValueError(
            f"{func}: std + eps is 0 for some feature (a constant feature with eps={eps!r}); "
            f"expected eps > 0 to map constant features to 0"
        )
    scaled = (x - _expand(mean, axes, stat_shape)) / (_expand(std, axes, stat_shape) + eps)
    return scaled, mean, std


def _feature_range(feature_range, func):
    """``(low, high)`` as two floats with ``low < high``."""
    if not isinstance(feature_range, (tuple, list)) or len(feature_range) != 2:
        raise TypeError(f"{func}: feature_range must be a pair (min, max), got {feature_range!r}")
    low = as_real(feature_range[0], "feature_range", func)
    high = as_real(feature_range[1], "feature_range", func)
    if not low < high:
        raise ValueError(f"{func}: feature_range must satisfy min < max, got {feature_range!r}")
    return low, high


def min_max_scale(x, feature_range=(0, 1), axis=0, data_min=None, data_max=None):
    """Scale each feature linearly so that its minimum and maximum map to ``feature_range``.

    Parameters
    ----------
    x : array_like
        Data, e.g. ``(n_samples, n_features)``; float32 stays float32, float64
        stays float64, int/bool become float64.
    feature_range : (float, float), default (0, 1)
        ``(min, max)`` of the scaled data, ``min < max``.
    axis : int, tuple of int or None, default 0
        Axis (axes) holding the samples; ``None`` means all axes.
    data_min, data_max : array_like, optional
        Statistics to use instead of computing them from ``x`` (e.g. those of
        the training split). Both or neither; shape of ``x`` with ``axis``
        removed, or a scalar; ``data_min <= data_max``.

    Returns
    -------
    scaled : ndarray
        Same shape as ``x``; dtype of ``x`` (promoted with ``data_min``/``data_max``
        if given). Test data outside the training range map outside
        ``feature_range``.
    data_min, data_max : ndarray
        The statistics used, shape of ``x`` with ``axis`` removed.

    Raises
    ------
    TypeError
        If ``x``, ``data_min`` or ``data_max`` is not numeric, ``axis`` is not an
        int, tuple of ints or None, or ``feature_range`` is not a pair of reals.
    ValueError
        If ``feature_range`` has ``min >= max``, ``axis`` is out of range or
        repeated, ``x`` has no samples along ``axis``, only one of
        ``data_min``/``data_max`` is given, their shape does not match, or
        ``data_min > data_max`` somewhere.

    Notes
    -----
    For a feature with minimum :math:`m`, maximum :math:`M` and target range
    :math:`[a, b]`:

    .. math:: x' = a + (b - a) \\frac{x - m}{M - m}.

    A constant feature (:math:`M = m`) maps to :math:`a` (the range is taken as
    1, as scikit-learn's ``MinMaxScaler`` does) instead of dividing by zero.

    Examples
    --------
    >>> train = np.array([[0.0, 5.0], [10.0, 5.0], [5.0, 5.0]])
    >>> scaled, data_min, data_max = min_max_scale(train)
    >>> scaled
    array([[0. , 0. ],
           [1. , 0. ],
           [0.5, 0. ]])
    >>> data_min, data_max
    (array([0., 5.]), array([10.,  5.]))
    >>> min_max_scale(np.array([[20.0, 5.0]]), (-1, 1), data_min=data_min, data_max=data_max)[0]
    array([[ 3., -1.]])
    """
    func = "min_max_scale"
    x, axes, stat_shape = _reduce_prepare(x, axis, func)
    low, high = _feature_range(feature_range, func)
    given = _given_statistics(data_min, data_max, ("data_min", "data_max"), stat_shape, func)
    if given is None:
        data_min = np.min(x, axis=axes)
        data_max = np.max(x, axis=axes)
    else:
        data_min, data_max = given
        if np.any(data_min > data_max):
            raise ValueError(f"{func}: data_min must be <= data_max for every feature")
    data_range = data_max - data_min
    data_range = np.where(data_range == 0, 1, data_range)
    unit = (x - _expand(data_min, axes, stat_shape)) / _expand(data_range, axes, stat_shape)
    return low + (high - low) * unit, data_min, data_max


def _per_channel(value, name, channels, dtype, func):
    """A scalar or one value per channel, as a ``(C, 1, 1)`` array of ``dtype``."""
    value = as_float_array(value, name, func)
    if value.ndim > 1 or value.size not in (1, channels):
        raise ValueError(
            f"{func}: {name} must be a scalar or hold one value per channel ({channels}), "
            f"got shape {value.shape}"
        )
    return value.astype(dtype, copy=False).reshape(-1, 1, 1)


def normalize_channels(x, mean, std):
    """Normalise each channel of a batch of images with a given mean and standard deviation.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        Images; float32 stays float32, float64 stays float64, int/bool become
        float64.
    mean, std : float or sequence of float, length C
        Per-channel statistics (usually of the training set, e.g. ImageNet's
        ``(0.485, 0.456, 0.406)`` and ``(0.229, 0.224, 0.225)``); a single value
        is used for every channel. They are converted to the dtype of ``x`` (as
        torchvision's ``Normalize`` does), so float32 images stay float32.

    Returns
    -------
    ndarray, shape (N, C, H, W)
        Same dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x``, ``mean`` or ``std`` is not numeric.
    ValueError
        If ``x`` is not 4-D, ``mean``/``std`` do not have 1 or C values, or
        ``std`` has a zero entry.

    Notes
    -----
    .. math:: y_{n,c,h,w} = \\frac{x_{n,c,h,w} - \\mu_c}{\\sigma_c}

    Examples
    --------
    >>> x = np.array([[[[0.5]], [[1.0]]]])  # N=1, C=2, H=W=1
    >>> normalize_channels(x, mean=[0.5, 0.5], std=[0.5, 0.25])
    array([[[[0.]],
    <BLANKLINE>
            [[2.]]]])
    """
    func = "normalize_channels"
    x = check_ndim(as_float_array(x, "x", func), 4, "x", func, "(N, C, H, W)")
    channels = x.shape[1]
    mean = _per_channel(mean, "mean", channels, x.dtype, func)
    std = _per_channel(std, "std", channels, x.dtype, func)
    if np.any(std == 0):
        raise ValueError(
            f"{func}: std has a zero entry (after conversion to {x.dtype}), which would divide by zero"
        )
    return (x - mean) / std


def batch_norm2d(x, gamma, beta, eps=1e-5):
    """Batch normalisation of ``(N, C, H, W)`` activations with the statistics of the batch.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        Activations; float32 stays float32, float64 stays float64, int/bool
        become float64.
    gamma : array_like, shape (C,), or None
        Per-channel scale (``None``: 1, no scaling).
    beta : array_like, shape (C,), or None
        Per-channel shift (``None``: 0, no shift).
    eps : float, default 1e-5
        Added to the variance, ``> 0`` (PyTorch refuses ``eps <= 0`` in training mode).

    Returns
    -------
    ndarray, shape (N, C, H, W)
        Dtype of ``x`` promoted with ``gamma``/``beta``.

    Raises
    ------
    TypeError
        If ``x``, ``gamma`` or ``beta`` is not numeric or ``eps`` is not a real
        number.
    ValueError
        If ``x`` is not 4-D, ``gamma``/``beta`` do not hold C values, ``eps <= 0``,
        or a channel has fewer than 2 values (``N*H*W < 2``; PyTorch refuses 1).

    Notes
    -----
    Training-mode batch normalisation (``F.batch_norm(..., training=True)``):
    for each channel :math:`c`, over the :math:`m = N H W` values of the batch,

    .. math:: \\mu_c = \\frac1m \\sum_{n,h,w} x_{n,c,h,w}, \\qquad
              \\sigma_c^2 = \\frac1m \\sum_{n,h,w} (x_{n,c,h,w} - \\mu_c)^2,

    .. math:: y_{n,c,h,w} = \\gamma_c \\frac{x_{n,c,h,w} - \\mu_c}{\\sqrt{\\sigma_c^2 + \\varepsilon}}
              + \\beta_c.

    The variance is the biased one (divided by :math:`m`), as used for
    normalising in PyTorch (its running variance, not computed here, uses
    :math:`m - 1`).

    Examples
    --------
    >>> x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)  # N=2, C=1: mean 2, variance 1
    >>> batch_norm2d(x, gamma=np.array([2.0]), beta=np.array([10.0]), eps=1e-12).ravel()
    array([ 8., 12.])
    """
    func = "batch_norm2d"
    x = check_ndim(as_float_array(x, "x", func), 4, "x", func, "(N, C, H, W)")
    n, channels, h, w = x.shape
    eps = as_real(eps, "eps", func)
    if eps <= 0:
        raise ValueError(f"{func}: eps must be > 0, got {eps!r}")
    params = []
    for value, name in ((gamma, "gamma"), (beta, "beta")):
        if value is not None:
            value = as_float_array(value, name, func)
            if value.shape != (channels,):
                raise ValueError(
                    f"{func}: {name} must have shape ({channels},) (one value per channel of x), "
                    f"got shape {value.shape}"
                )
            value = value.reshape(1, channels, 1, 1)
        params.append(value)
    gamma, beta = params
    if n * h * w < 2:
        raise ValueError(
            f"{func}: x of shape {x.shape} has {n * h * w} value(s) per channel; "
            f"batch statistics need more than 1"
        )
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = gamma * y
    if beta is not None:
        y = y + beta
    return y
