"""Padding: what a convolution sees beyond the border of the image.

A padded image :math:`x_p` of size :math:`(H + P_t + P_b) \\times (W + P_l + P_r)`
equals the input in the middle; the modes differ only in what they put
outside, i.e. in how an out-of-range index :math:`i` is mapped back
(shown for a row of length :math:`H`):

=============  =====================================  ======================
mode           value at index :math:`i < 0`           1-D example ``abcd``
=============  =====================================  ======================
``zeros``      0                                      ``00|abcd|00``
``constant``   ``value``                              ``vv|abcd|vv``
``reflect``    :math:`x[-i]` (mirror, edge once)      ``cb|abcd|cb``
``replicate``  :math:`x[0]` (edge repeated)           ``aa|abcd|dd``
``circular``   :math:`x[i + H]` (wrap around)         ``cd|abcd|ab``
=============  =====================================  ======================
"""

import numpy as np

from ._checks import as_float_array, as_real, resolve_padding

__all__ = ["pad2d", "PAD_MODES"]

#: The padding modes of :func:`pad2d` and the matching ``numpy.pad`` mode.
PAD_MODES = {
    "zeros": "constant",
    "constant": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


def pad2d(x, padding, mode="zeros", value=0.0):
    """Pad the last two (spatial) axes of an image or a batch of images.

    Parameters
    ----------
    x : array_like, shape (..., H, W)
        Input, e.g. ``(N, C, H, W)``; at least 2-D. Integer and bool input is
        converted to float64; float32 and float64 are kept.
    padding : int, (int, int) or ((int, int), (int, int))
        Amount of padding: the same on all four sides, ``(ph, pw)`` per axis,
        or ``((top, bottom), (left, right))``. Non-negative. (The strings
        ``"valid"``/``"same"`` depend on a kernel and are accepted by the
        convolution and pooling functions, not here.)
    mode : {"zeros", "constant", "reflect", "replicate", "circular"}, default "zeros"
        What goes outside the border, with PyTorch's meanings
        (``torch.nn.functional.pad`` and ``Conv2d(padding_mode=...)``):
        zeros; ``value``; a mirror image that does not repeat the edge
        pixel; the edge pixel repeated; the opposite side of the image
        (wrap-around). See the table in the module docstring.
    value : float, default 0.0
        Fill value for ``mode="constant"`` (must stay 0 for the other modes).

    Returns
    -------
    ndarray, shape (..., H + top + bottom, W + left + right)
        The padded array, with the dtype of ``x`` (float64 for integer input).

    Raises
    ------
    TypeError
        If ``x`` is not numeric, ``padding`` is not made of ints (or is a
        string), or ``value`` is not a real number.
    ValueError
        If ``x`` has fewer than 2 dimensions, a padding is negative, ``mode``
        is unknown, ``value`` is non-zero outside ``"constant"`` mode,
        reflect padding is not smaller than the size, circular padding is
        larger than the size, or the input of reflect/replicate padding is
        empty.

    Notes
    -----
    With :math:`(P_t, P_b, P_l, P_r)` the padding,
    :math:`x_p[i, j] = x[m_H(i - P_t), m_W(j - P_l)]` inside the image and
    for the index-mapping modes, where for an axis of length :math:`n`

    .. math::

        m^{\\text{reflect}}(i) = \\begin{cases} -i & i < 0 \\\\
                                               2(n-1) - i & i \\ge n \\end{cases},
        \\quad
        m^{\\text{replicate}}(i) = \\min(\\max(i, 0), n - 1),
        \\quad
        m^{\\text{circular}}(i) = i \\bmod n .

    Reflect needs :math:`P < n` (a mirror of length :math:`P` without the
    edge pixel), circular :math:`P \\le n` (PyTorch's limits).

    Examples
    --------
    >>> x = np.arange(1, 5).reshape(1, 1, 1, 4)
    >>> pad2d(x, ((0, 0), (2, 2)))
    array([[[[0., 0., 1., 2., 3., 4., 0., 0.]]]])
    >>> pad2d(x, ((0, 0), (2, 2)), mode="constant", value=9)
    array([[[[9., 9., 1., 2., 3., 4., 9., 9.]]]])
    >>> pad2d(x, ((0, 0), (2, 2)), mode="reflect")
    array([[[[3., 2., 1., 2., 3., 4., 3., 2.]]]])
    >>> pad2d(x, ((0, 0), (2, 2)), mode="replicate")
    array([[[[1., 1., 1., 2., 3., 4., 4., 4.]]]])
    >>> pad2d(x, ((0, 0), (2, 2)), mode="circular")
    array([[[[3., 4., 1., 2., 3., 4., 1., 2.]]]])
    >>> pad2d(np.ones((2, 3, 5, 5), dtype=np.float32), 1).shape
    (2, 3, 7, 7)
    """
    func = "pad2d"
    x = as_float_array(x, "x", func)
    if x.ndim < 2:
        raise ValueError(
            f"{func}: x must be at least 2-D (..., H, W), got shape {tuple(x.shape)} ({x.ndim}-D)"
        )
    if isinstance(padding, str):
        raise TypeError(
            f"{func}: padding must be an int, (ph, pw) or ((top, bottom), (left, right)), "
            f"got {padding!r}; 'valid' and 'same' depend on a kernel and are accepted by "
            f"conv2d and the pooling functions, not by pad2d"
        )
    if not isinstance(mode, str) or mode not in PAD_MODES:
        raise ValueError(f"{func}: mode must be one of {sorted(PAD_MODES)}, got {mode!r}")
    value = as_real(value, "value", func)
    if mode != "constant" and value != 0:
        raise ValueError(
            f"{func}: value is only used with mode='constant', got value={value!r} with mode={mode!r}"
        )
    size = x.shape[-2:]
    pads = resolve_padding(padding, size, (1, 1), (1, 1), (1, 1), func)
    _check_fits(mode, size, pads, func)
    widths = [(0, 0)] * (x.ndim - 2) + [tuple(p) for p in pads]
    if PAD_MODES[mode] == "constant":
        return np.pad(x, widths, mode="constant", constant_values=x.dtype.type(value))
    return np.pad(x, widths, mode=PAD_MODES[mode])


def _check_fits(mode, size, pads, func):
    """Refuse paddings that ``mode`` cannot fill from an input of spatial ``size``."""
    if mode in ("reflect", "replicate") and 0 in size:
        raise ValueError(
            f"{func}: {mode} padding needs a non-empty input, got spatial size {tuple(size)}"
        )
    for axis, n, (before, after) in zip(("H", "W"), size, pads):
        largest = max(before, after)
        if mode == "reflect" and largest >= n:
            raise ValueError(
                f"{func}: reflect padding must be smaller than the input size, got padding "
                f"({before}, {after}) on axis {axis} of size {n}"
            )
        if mode == "circular" and largest > n:
            raise ValueError(
                f"{func}: circular padding must be at most the input size, got padding "
                f"({before}, {after}) on axis {axis} of size {n}"
            )
