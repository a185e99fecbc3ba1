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
        or ``((top, bottom), (left, right))``. A negative amount removes
        that many pixels from that side, as in ``torch.nn.functional.pad``.
        (The strings ``"valid"``/``"same"`` depend on a kernel and are
        accepted by the convolution and pooling functions, not here.)
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
        If ``x`` has fewer than 2 dimensions, ``mode`` is unknown, ``value``
        is non-zero outside ``"constant"`` mode, reflect padding is not
        smaller than the size, circular padding is larger than the size, the
        input of reflect/replicate padding is empty, a negative padding
        removes more pixels than the side has, or the result would have a
        negative size.

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
    edge pixel), circular :math:`P \\le n` (PyTorch's limits). Negative
    padding follows PyTorch too: for the zeros, constant, reflect and
    replicate modes the same formula holds (the output starts or stops
    inside the image, and a mirror on the other side may still reach the
    removed pixels); circular padding first crops, then wraps around what is
    left.

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
    pads = resolve_padding(padding, size, (1, 1), (1, 1), (1, 1), func, minimum=None)
    _check_fits(mode, size, pads, func)
    if 0 in size:  # no pixel to copy: only the fill value (or nothing) can come out
        padded = tuple(n + before + after for n, (before, after) in zip(size, pads))
        return np.full(x.shape[:-2] + padded, value, dtype=x.dtype)
    rows, row_inside = _source_index(size[0], *pads[0], mode)
    cols, col_inside = _source_index(size[1], *pads[1], mode)
    out = x.take(rows, axis=-2).take(cols, axis=-1)
    if mode in ("zeros", "constant"):
        out[..., ~row_inside, :] = value
        out[..., :, ~col_inside] = value
    return out


def _source_index(n, before, after, mode):
    """The input index each padded position copies along an axis of length ``n``.

    Returns ``(index, inside)``: ``m(i - before)`` for the ``n + before +
    after`` padded positions (clipped into range for the constant modes, whose
    positions outside the image, ``inside`` False, get the fill value).
    """
    i = np.arange(n + before + after) - before  # input coordinates, possibly out of range
    inside = (i >= 0) & (i < n)
    if mode == "reflect":
        i = np.where(i < 0, -i, np.where(i >= n, 2 * (n - 1) - i, i))
    elif mode == "circular":  # as PyTorch: crop first, then wrap around what is left
        first, kept = max(-before, 0), n - max(-before, 0) - max(-after, 0)
        i = first + (i - first) % max(kept, 1)
    else:  # replicate, and a placeholder pixel for the constant modes
        i = np.clip(i, 0, n - 1)
    return i, inside


def _check_fits(mode, size, pads, func):
    """Refuse paddings that ``mode`` cannot fill from an input of spatial ``size``."""
    if mode in ("reflect", "replicate") and 0 in size:
        raise ValueError(
            f"{func}: {mode} padding needs a non-empty input, got spatial size {tuple(size)}"
        )
    for axis, n, (before, after) in zip(("H", "W"), size, pads):
        if n + before + after < 0:
            raise ValueError(
                f"{func}: padding ({before}, {after}) on axis {axis} of size {n} would leave "
                f"{n + before + after} pixels; negative padding can remove at most the whole axis"
            )
        if mode in ("zeros", "constant") and min(before, after) < -n:
            raise ValueError(
                f"{func}: padding ({before}, {after}) on axis {axis} of size {n} removes more "
                f"pixels than the axis has"
            )
        if mode == "reflect" and max(before, after) >= n:
            raise ValueError(
                f"{func}: reflect padding must be smaller than the input size, got padding "
                f"({before}, {after}) on axis {axis} of size {n}"
            )
        kept = n - max(-before, 0) - max(-after, 0)  # circular wraps around what the crop leaves
        if mode == "circular" and max(before, after) > kept:
            raise ValueError(
                f"{func}: circular padding must be at most the input size (after any negative "
                f"padding has cropped it), got padding ({before}, {after}) on axis {axis} of size {n}"
            )
