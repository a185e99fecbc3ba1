r"""Convolutions: the sliding dot product, its gradient, and its cheaper cousins.

A note on the name: what deep learning calls "convolution" is, strictly,
**cross-correlation** -- the kernel slides over the input *without being
flipped*:

.. math::

    y[n, o, h, w] = b[o] + \sum_{c, i, j} x_p[n, c, s_h h + d_h i, s_w w + d_w j]\,
                    k[o, c, i, j]

where :math:`x_p` is the zero-padded input. A true (signal-processing)
convolution would use ``k[o, c, kH-1-i, kW-1-j]`` instead. Since the kernel is
learned, the flip makes no difference to what a network can represent, and
every framework (PyTorch, TensorFlow, JAX) computes the unflipped version. So
does this module: ``conv2d(x, k)`` equals ``scipy.signal.correlate``, and equals
``scipy.signal.convolve`` only with the kernel flipped.

How it is computed: ``im2col`` copies every receptive field into a column of a
matrix, so the whole convolution becomes one matrix product (GEMM), the way
the fast libraries do it. ``col2im`` is its adjoint: it scatters columns back,
summing where windows overlap -- exactly what the backward pass (and the
transposed convolution) needs. At stride 1 on large maps ``conv2d`` saves most
of im2col's copying with the same GEMM (see ``_conv_shifts``), and depthwise
kernels, one channel per filter, skip the GEMM altogether.
"""

import os

import numpy as np

from ._checks import (
    as_float_array,
    as_int,
    as_pair,
    as_tuple,
    check_ndim,
    check_window_fits,
    resolve_padding,
    result_dtype,
)

__all__ = [
    "conv1d",
    "conv2d",
    "conv2d_backward",
    "locally_connected2d",
    "depthwise_conv2d",
    "pointwise_conv2d",
    "separable_conv2d",
    "im2col",
    "col2im",
]


# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------


def _geometry(in_hw, kernel, stride, padding, dilation, func):
    """Validate the window hyperparameters and return ``(pads, out_hw)``.

    ``pads`` is ``((top, bottom), (left, right))`` and ``out_hw`` the output
    size ``floor((n + before + after - span) / s) + 1`` per axis, where
    ``span = d (k - 1) + 1``.
    """
    pads = resolve_padding(padding, in_hw, kernel, stride, dilation, func)
    padded = tuple(n + before + after for n, (before, after) in zip(in_hw, pads))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    check_window_fits(padded, span, func)
    out_hw = tuple((p - sp) // s + 1 for p, sp, s in zip(padded, span, stride))
    return pads, out_hw


def _pad_zeros(x, pads):
    """Zero-pad the last two axes of ``x`` by ``((top, bottom), (left, right))``."""
    if not any(before or after for before, after in pads):
        return x
    return np.pad(x, ((0, 0),) * (x.ndim - 2) + tuple(pads))


def _window_slice(offset, dilation, stride, n_out):
    """Rows (or columns) of the padded input that kernel tap ``offset`` meets.

    Output position ``h`` reads padded row ``stride * h + dilation * offset``.
    """
    start = dilation * offset
    return slice(start, start + stride * (n_out - 1) + 1, stride)


def _inside(offset, dilation, stride, pad_before, n_in, n_out):
    """For kernel tap ``offset``: the outputs whose input row lies inside the image, and those rows.

    Output ``o`` reads input row ``stride * o + dilation * offset - pad_before``;
    returns ``(output slice, input slice)`` covering exactly the ``o`` with
    that row in ``[0, n_in)`` (both empty when there is none).
    """
    shift = dilation * offset - pad_before
    first = max(0, -(shift // stride))  # smallest o with stride * o + shift >= 0
    last = min(n_out - 1, (n_in - 1 - shift) // stride)  # largest o with the row < n_in
    if last < first:
        return slice(0, 0), slice(0, 0)
    start = stride * first + shift
    return slice(first, last + 1), slice(start, start + stride * (last - first) + 1, stride)


def _fill_cols(xp, cols, stride, dilation):
    """Copy the windows of the padded ``xp`` (..., C, Hp, Wp) into ``cols``.

    ``cols`` has shape (..., C, kH, kW, H_out, W_out); one strided copy per
    kernel offset ``(i, j)`` (kH*kW copies, each as large as the output).
    """
    kh, kw, out_h, out_w = cols.shape[-4:]
    for i in range(kh):
        rows = _window_slice(i, dilation[0], stride[0], out_h)
        for j in range(kw):
            columns = _window_slice(j, dilation[1], stride[1], out_w)
            cols[..., i, j, :, :] = xp[..., rows, columns]
    return cols


# ---------------------------------------------------------------------------
# im2col / col2im
# ---------------------------------------------------------------------------


def im2col(x, kernel_size, stride=1, padding=0, dilation=1):
    r"""Unfold every receptive field of ``x`` into a column (``torch.nn.functional.unfold``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    kernel_size : int or (int, int)
        Window size ``(kH, kW)``.
    stride : int or (int, int), default 1
        Step between windows.
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same", default 0
        Zero padding: per side, per axis, or ``((top, bottom), (left, right))``.
    dilation : int or (int, int), default 1
        Spacing between kernel taps.

    Returns
    -------
    cols : ndarray, shape (N, C * kH * kW, L), same dtype as ``x``
        ``L = H_out * W_out`` windows in row-major order; rows are ordered
        by ``(c, i, j)`` (channel slowest, kernel column fastest).

    Raises
    ------
    ValueError
        Wrong ndim, non-positive kernel/stride/dilation, negative padding, or a
        window larger than the padded input.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    .. math::

        \text{cols}[n, (c, i, j), (h, w)] = x_p[n, c, s_h h + d_h i, s_w w + d_w j]

    with ``H_out = floor((H + p_t + p_b - d_h (kH - 1) - 1) / s_h) + 1`` (same
    for ``W_out``). A convolution is then ``weight.reshape(C_out, -1) @ cols``.
    The matrix holds every input pixel up to ``kH * kW`` times.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(9).reshape(1, 1, 3, 3)
    >>> im2col(x, 2)
    array([[[0., 1., 3., 4.],
            [1., 2., 4., 5.],
            [3., 4., 6., 7.],
            [4., 5., 7., 8.]]])
    """
    func = "im2col"
    x = check_ndim(as_float_array(x, "x", func), 4, "x", func, "(N, C, H, W)")
    kernel = as_pair(kernel_size, "kernel_size", func, minimum=1)
    stride = as_pair(stride, "stride", func, minimum=1)
    dilation = as_pair(dilation, "dilation", func, minimum=1)
    n, c, h, w = x.shape
    if c < 1:
        raise ValueError(f"im2col: x must have at least one channel, got shape {x.shape}")
    pads, (out_h, out_w) = _geometry((h, w), kernel, stride, padding, dilation, func)
    cols = np.empty((n, c, *kernel, out_h, out_w), dtype=x.dtype)
    _fill_cols(_pad_zeros(x, pads), cols, stride, dilation)
    return cols.reshape(n, c * kernel[0] * kernel[1], out_h * out_w)


def col2im(cols, output_size, kernel_size, stride=1, padding=0, dilation=1):
    r"""Fold columns back into an image, summing overlaps (``torch.nn.functional.fold``).

    The adjoint of :func:`im2col`: ``<im2col(x), y> == <x, col2im(y)>``.

    Parameters
    ----------
    cols : ndarray, shape (N, C * kH * kW, L)
        One column per window, rows ordered ``(c, i, j)`` as ``im2col`` makes them.
    output_size : int or (int, int)
        ``(H, W)`` of the *unpadded* image to rebuild.
    kernel_size : int or (int, int)
        Window size ``(kH, kW)``.
    stride : int or (int, int), default 1
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same", default 0
        The padding ``im2col`` used; the padded border is cropped away.
    dilation : int or (int, int), default 1

    Returns
    -------
    x : ndarray, shape (N, C, H, W), same dtype as ``cols``

    Raises
    ------
    ValueError
        Wrong ndim, ``cols.shape[1]`` not a multiple of ``kH * kW``, ``L`` not
        equal to the number of windows ``H_out * W_out``, or bad hyperparameters.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    .. math::

        x_p[n, c, s_h h + d_h i, s_w w + d_w j] \mathrel{+}= \text{cols}[n, (c, i, j), (h, w)]

    then ``x = x_p`` without its padding. Computed as one strided, vectorised
    addition per kernel offset ``(i, j)``.

    Examples
    --------
    >>> import numpy as np
    >>> col2im(np.ones((1, 4, 4)), (3, 3), 2)[0, 0]   # how many windows cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    func = "col2im"
    cols = check_ndim(as_float_array(cols, "cols", func), 3, "cols", func, "(N, C * kH * kW, L)")
    size = as_pair(output_size, "output_size", func, minimum=1)
    kernel = as_pair(kernel_size, "kernel_size", func, minimum=1)
    stride = as_pair(stride, "stride", func, minimum=1)
    dilation = as_pair(dilation, "dilation", func, minimum=1)
    n, rows, length = cols.shape
    kh, kw = kernel
    if rows < 1 or rows % (kh * kw):
        raise ValueError(
            f"col2im: cols has {rows} rows (shape {cols.shape}) but it must be a positive multiple of "
            f"kH * kW = {kh * kw} (C * kH * kW)"
        )
    pads, (out_h, out_w) = _geometry(size, kernel, stride, padding, dilation, func)
    if length != out_h * out_w:
        raise ValueError(
            f"col2im: cols has {length} columns (shape {cols.shape}) but output_size {size}, "
            f"kernel_size {kernel}, stride {stride}, padding {pads} and dilation {dilation} "
            f"give {out_h} * {out_w} = {out_h * out_w} windows"
        )
    c = rows // (kh * kw)
    cols = cols.reshape(n, c, kh, kw, out_h, out_w)
    return _fold(cols, size, pads, stride, dilation)


def _fold(cols, size, pads, stride, dilation):
    """Sum ``cols`` (..., C, kH, kW, H_out, W_out) into the padded image, crop the padding."""
    kh, kw, out_h, out_w = cols.shape[-4:]
    (top, bottom), (left, right) = pads
    padded = np.zeros(cols.shape[:-4] + (size[0] + top + bottom, size[1] + left + right), cols.dtype)
    for i in range(kh):
        rows = _window_slice(i, dilation[0], stride[0], out_h)
        for j in range(kw):
            columns = _window_slice(j, dilation[1], stride[1], out_w)
            padded[..., rows, columns] += cols[..., i, j, :, :]
    return padded[..., top : top + size[0], left : left + size[1]]


# ---------------------------------------------------------------------------
# argument checks shared by the convolutions
# ---------------------------------------------------------------------------


def _check_bias(bias, shape, func):
    """Return ``bias`` as a float array of exactly ``shape`` (or None)."""
    if bias is None:
        return None
    bias = as_float_array(bias, "bias", func)
    if bias.shape != tuple(shape):
        raise ValueError(f"{func}: bias must have shape {tuple(shape)}, got shape {bias.shape}")
    return bias


def _check_conv(x, weight, bias, stride, padding, dilation, groups, func, nd=2):
    """Validate the arguments of an ``nd``-D convolution.

    Returns ``(x, weight, bias, stride, pads, dilation, groups, out_size)`` with
    the three arrays cast to their common floating dtype.
    """
    axes = "L" if nd == 1 else "H, W"
    taps = "k" if nd == 1 else "kH, kW"
    x = check_ndim(as_float_array(x, "x", func), nd + 2, "x", func, f"(N, C, {axes})")
    weight = as_float_array(weight, "weight", func)
    check_ndim(weight, nd + 2, "weight", func, f"(C_out, C_in / groups, {taps})")
    stride = as_tuple(stride, nd, "stride", func, minimum=1)
    dilation = as_tuple(dilation, nd, "dilation", func, minimum=1)
    groups = as_int(groups, "groups", func, minimum=1)
    c_out, c_in_per_group, *kernel = weight.shape
    channels = x.shape[1]
    if channels < 1:
        raise ValueError(f"{func}: x must have at least one channel, got shape {x.shape}")
    if min(weight.shape) < 1:
        raise ValueError(
            f"{func}: weight must have at least one output channel, one input channel per group and a "
            f"non-empty kernel (a positive size on every axis of (C_out, C_in / groups, {taps})), got shape {weight.shape}"
        )
    if channels % groups:
        raise ValueError(f"{func}: groups={groups} must divide the number of input channels, x has {channels}")
    if c_out % groups:
        raise ValueError(
            f"{func}: groups={groups} must divide the number of output channels, weight has {c_out} "
            f"(weight.shape[0])"
        )
    if channels != c_in_per_group * groups:
        raise ValueError(
            f"{func}: x has {channels} channels but weight expects {c_in_per_group * groups} "
            f"(weight.shape[1] * groups = {c_in_per_group} * {groups})"
        )
    bias = _check_bias(bias, (c_out,), func)
    pads, out_size = _geometry(x.shape[2:], tuple(kernel), stride, padding, dilation, func)
    dtype = result_dtype(x, weight, bias)
    x, weight = x.astype(dtype, copy=False), weight.astype(dtype, copy=False)
    bias = None if bias is None else bias.astype(dtype, copy=False)
    return x, weight, bias, stride, pads, dilation, groups, out_size


# ---------------------------------------------------------------------------
# the three ways of computing a convolution
# ---------------------------------------------------------------------------


def _conv2d(x, weight, bias, stride, pads, dilation, groups, out_hw):
    """Convolution on validated arrays; picks the fastest of three equivalent methods."""
    c_out, c_in_per_group, kh, kw = weight.shape
    if c_in_per_group == 1:
        out = _conv_depthwise(x, weight, pads, stride, dilation, out_hw)
    elif kh == kw == 1:
        out = _conv_1x1(_pad_zeros(x, pads), weight, stride, groups, out_hw)
    elif stride == (1, 1) and _shifts_pay(x.shape[2:], (kh, kw), pads, out_hw):
        out = _conv_shifts(x, weight, pads, dilation, groups, out_hw)
    else:
        out = _conv_gemm(x, weight, pads, stride, dilation, groups, out_hw)
    if bias is not None:
        out += bias[:, None, None]
    return out


def _conv_gemm(x, weight, pads, stride, dilation, groups, out_hw):
    """im2col + matrix product, one image at a time.

    Per image, ``cols`` (C * kH * kW, L) is kH*kW times the image; building it
    for the whole batch at once costs more memory traffic than it saves, so
    the batch is walked image by image with one GEMM each (per group, as one
    stacked matmul). The padding is never materialised: ``cols`` starts as
    zeros and each tap copies only the windows that fall inside the image.
    """
    n, c = x.shape[:2]
    c_out, _, kh, kw = weight.shape
    length = out_hw[0] * out_hw[1]
    w = weight.reshape(groups, c_out // groups, -1)  # (g, C_out/g, C_in/g * kH * kW)
    if groups == 1:
        w = w[0]  # a plain 2-D GEMM is a little faster than a stack of one
    stack = w.shape[:-2]  # (g,) or ()
    cols = np.zeros((c, kh, kw, *out_hw), dtype=x.dtype)
    out = np.empty((n, c_out, *out_hw), dtype=x.dtype)
    taps = [
        (i, j, _inside(i, dilation[0], stride[0], pads[0][0], x.shape[2], out_hw[0]),
         _inside(j, dilation[1], stride[1], pads[1][0], x.shape[3], out_hw[1]))
        for i in range(kh)
        for j in range(kw)
    ]
    for image in range(n):
        for i, j, (out_rows, in_rows), (out_cols, in_cols) in taps:
            cols[:, i, j, out_rows, out_cols] = x[image, :, in_rows, in_cols]
        np.matmul(w, cols.reshape(*stack, -1, length), out=out[image].reshape(*w.shape[:-1], length))
    return out


def _shifts_pay(in_hw, kernel, pads, out_hw):
    """Whether :func:`_conv_shifts` beats im2col for this geometry.

    Its GEMM covers every padded pixel (``H_p W_p`` columns) where only
    ``H_out W_out`` are outputs, while it copies the image ``kW`` times
    instead of ``kH kW`` times. The copies saved grow with the number of
    taps, so the spare columns it may afford do too: measured break-even is
    about 14% spare columns for 3x3 kernels and more than 60% for 5x5 and
    7x7 ones, which ``1 + kH kW / 64`` follows (on the safe side).
    """
    padded = [n + before + after for n, (before, after) in zip(in_hw, pads)]
    return padded[0] * padded[1] <= (1 + kernel[0] * kernel[1] / 64) * out_hw[0] * out_hw[1]


def _conv_shifts(x, weight, pads, dilation, groups, out_hw):
    """Stride-1 convolution from kW shifted copies of each image and one GEMM.

    Write the zero-padded image flat, row after row (``P = H_p R`` entries;
    the zeros between two rows are the right padding of one and the left
    padding of the next, so ``R = W + max(p_l, p_r)`` is enough, as long as it
    holds the ``W_out`` outputs of a row). In that flat index, kernel tap
    ``(i, j)`` reads ``d_h i R + d_w j`` entries further on than tap
    ``(0, 0)``. So, per image:

    1. ``z[c, j, p] = x_flat[c, p + d_w j]``: the image copied ``kW`` times,
       shifted by one column tap each (kW copies instead of im2col's kH kW);
    2. one GEMM, ``y[i, o, p] = sum_{c, j} k[o, c, i, j] z[c, j, p]``, treats
       every row tap ``i`` as ``C_out`` more output rows;
    3. the row taps are shifts of ``y``: ``out[o, p] = sum_i y[i, o, p + d_h i R]``.

    Output position ``(h, w)`` is flat entry ``h R + w``; the last ``R -
    W_out`` entries of each row mix two image rows and are dropped. Entries
    the data never fills (the padding) stay zero in ``z`` from image to image.
    Same result as :func:`_conv_gemm` to float rounding, with about a third
    of its memory traffic for 3x3 kernels.
    """
    n, c, h, w = x.shape
    c_out, c_per_group, kh, kw = weight.shape
    (top, bottom), (left, right) = pads
    span_w = dilation[1] * (kw - 1) + 1
    # R: one gap of zeros between two image rows is the right padding of one and the left padding of the
    # next, so it needs max(p_l, p_r) entries -- and room for the W_out outputs of a row
    row = w + max(left, right, left + right - span_w + 1)
    flat = (h + top + bottom) * row  # P
    margin = (kw - 1) * dilation[1]  # room for the shift of the last column tap
    z = np.zeros((c, kw, margin + flat + row), dtype=x.dtype)
    # where image pixel (r, col) goes in z[:, j]: flat entry (r + top) R + col + left, minus the shift
    image_in_z = []
    for j in range(kw):
        start = margin + top * row + left - dilation[1] * j
        image_in_z.append(z[:, j, start:start + h * row].reshape(c, h, row)[:, :, :w])

    o_g = c_out // groups
    taps = weight.reshape(groups, o_g, c_per_group, kh, kw).transpose(0, 3, 1, 2, 4)
    taps = taps.reshape(groups, kh * o_g, c_per_group * kw)  # rows (i, o), columns (c, j)
    z_cols = z.reshape(groups, c_per_group * kw, -1)[:, :, margin:margin + flat]
    y = np.empty((groups, kh * o_g, flat), dtype=x.dtype)
    if groups == 1:  # a plain 2-D GEMM is a little faster than a stack of one
        taps, z_cols, y_out = taps[0], z_cols[0], y[0]
    else:
        y_out = y
    y = y.reshape(groups, kh, o_g, flat)

    out_h, out_w = out_hw
    length = out_h * row
    out = np.empty((n, c_out, out_h, out_w), dtype=x.dtype)
    for image in range(n):
        for shifted in image_in_z:
            shifted[...] = x[image]
        np.matmul(taps, z_cols, out=y_out)
        total = out[image].reshape(groups, o_g, out_h, out_w)
        for i in range(kh):
            start = dilation[0] * i * row
            tap_rows = y[:, i, :, start:start + length].reshape(groups, o_g, out_h, row)[..., :out_w]
            if i == 0:
                total[...] = tap_rows
            else:
                np.add(total, tap_rows, out=total)
    return out


def _conv_1x1(xp, weight, stride, groups, out_hw):
    """A 1x1 kernel mixes channels pixel by pixel: a batched matrix product, no im2col."""
    n = xp.shape[0]
    c_out, c_in_per_group = weight.shape[:2]
    rows = _window_slice(0, 1, stride[0], out_hw[0])
    columns = _window_slice(0, 1, stride[1], out_hw[1])
    pixels = xp[:, :, rows, columns].reshape(n, groups, c_in_per_group, out_hw[0] * out_hw[1])
    w = weight.reshape(groups, c_out // groups, c_in_per_group)
    return np.matmul(w, pixels).reshape(n, c_out, *out_hw)


def _conv_depthwise(x, weight, pads, stride, dilation, out_hw, tile_size=1 << 17):
    """One input channel per filter: multiply-add one shifted slice per kernel tap.

    Output channel ``c * m + k`` (``m`` the depth multiplier) filters input
    channel ``c`` with ``weight[c * m + k, 0]``. The ``N * C`` image planes
    are cut into tiles of about ``tile_size`` pixels, which stay in a core's
    cache from padding through all the taps (measured best at 2^17 for maps
    from 14x14 to 224x224); the tiles are independent, so they are shared
    among the CPU cores (NumPy releases the GIL in these loops).

    At stride 1 each padded plane is written flat, row after row (row length
    ``W_p``): tap ``(i, j)`` then reads one contiguous run that starts
    ``d_h i W_p + d_w j`` entries in, which NumPy streams much faster than
    ``H_out`` separate short rows. The last ``W_p - W_out`` entries of each
    output row mix two image rows and are dropped at the end.
    """
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    m = c_out // c
    out_h, out_w = out_hw
    (top, bottom), (left, right) = pads
    row = w + left + right
    planes = x.reshape(n * c, 1, h, w)
    filters = np.broadcast_to(weight.reshape(1, c, m, kh, kw), (n, c, m, kh, kw)).reshape(n * c, m, kh, kw)
    out = np.empty((n * c, m, out_h, out_w), dtype=x.dtype)
    block = max(1, tile_size // ((h + top + bottom) * row))  # planes per tile

    flat = stride == (1, 1)
    if flat:
        length = out_h * row  # output rows keep their W_p - W_out spare entries until the end
        windows = [
            (i, j, (Ellipsis, slice(offset, offset + length)))
            for i in range(kh)
            for j in range(kw)
            for offset in [dilation[0] * i * row + dilation[1] * j]  # where tap (i, j) starts reading
        ]
        sum_shape = (length,)
    else:
        windows = [
            (i, j, (Ellipsis, _window_slice(i, dilation[0], stride[0], out_h), _window_slice(j, dilation[1], stride[1], out_w)))
            for i in range(kh)
            for j in range(kw)
        ]
        sum_shape = out_hw
    per_plane = (slice(None), slice(None)) + (None,) * len(sum_shape)  # weights broadcast over the pixels

    def padded(tile):
        """The tile's planes with their zero border: flat rows (b, 1, H_p W_p + room) at stride 1."""
        if not flat:
            return _pad_zeros(tile, pads)
        room = (kw - 1) * dilation[1]  # the last tap reads this far past the last padded row
        xp = np.zeros((len(tile), 1, (h + top + bottom) * row + room), dtype=x.dtype)
        xp[:, :, top * row:(top + h) * row].reshape(len(tile), 1, h, row)[..., left:left + w] = tile
        return xp

    def filter_tile(start):
        tile, w_tile, out_tile = padded(planes[start:start + block]), filters[start:start + block], out[start:start + block]
        total = np.empty((len(tile), m, *sum_shape), dtype=x.dtype) if flat else out_tile
        term = np.empty_like(total)
        (i, j, window), *rest = windows
        np.multiply(tile[window], w_tile[:, :, i, j][per_plane], out=total)
        for i, j, window in rest:
            np.multiply(tile[window], w_tile[:, :, i, j][per_plane], out=term)
            np.add(total, term, out=total)
        if flat:
            out_tile[...] = total.reshape(*total.shape[:2], out_h, row)[..., :out_w]

    starts = range(0, n * c, block)
    if len(starts) > 1 and out.size >= 1 << 16:
        list(_tile_pool().map(filter_tile, starts))
    else:
        for start in starts:
            filter_tile(start)
    return out.reshape(n, c_out, *out_hw)


_POOL = []


def _tile_pool():
    """One thread per core, created on first use and shared by every call."""
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor

        _POOL.append(ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="convblocks"))
    return _POOL[0]


# ---------------------------------------------------------------------------
# public convolutions
# ---------------------------------------------------------------------------


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    r"""2-D convolution (cross-correlation) of a batch of images (``torch.nn.functional.conv2d``).

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    weight : ndarray, shape (C_out, C_in / groups, kH, kW)
        Filters.
    bias : ndarray, shape (C_out,), optional
    stride : int or (int, int), default 1
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same", default 0
        Zero padding per side, per axis, ``((top, bottom), (left, right))``, or a
        string. ``"same"`` follows TensorFlow at any stride: ``H_out =
        ceil(H / s_h)``, an odd pixel of padding going bottom/right.
    dilation : int or (int, int), default 1
        Spacing between kernel taps (the kernel spans ``d (k - 1) + 1`` pixels).
    groups : int, default 1
        Split the channels into ``groups`` independent convolutions; must
        divide ``C_in`` and ``C_out``.

    Returns
    -------
    y : ndarray, shape (N, C_out, H_out, W_out), dtype of ``x``/``weight``/``bias``
        ``H_out = floor((H + p_t + p_b - d_h (kH - 1) - 1) / s_h) + 1``, same for ``W_out``.

    Raises
    ------
    ValueError
        Wrong ndim, channel mismatch, ``groups`` not dividing the channels,
        non-positive stride/dilation, bias of the wrong shape, unknown padding
        string, or a kernel larger than the padded input.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    For output channel ``o`` in group ``g = o // (C_out / groups)``:

    .. math::

        y[n, o, h, w] = b[o] + \sum_{c=0}^{C_{in}/G - 1} \sum_{i, j}
            k[o, c, i, j]\; x_p[n, g C_{in}/G + c, s_h h + d_h i, s_w w + d_w j]

    No kernel flip (cross-correlation). Computed as im2col + one matrix
    product per image; at stride 1 on large maps, from ``kW`` shifted copies
    of each image instead of ``kH kW`` (the same GEMM, a third of the copying
    for 3x3 kernels). A 1x1 kernel is a plain batched matrix product and a
    depthwise kernel (one input channel per filter) a multiply-add per tap.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16).reshape(1, 1, 4, 4)
    >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2)          # sums of 2x2 blocks
    array([[[[10., 18.],
             [42., 50.]]]])
    >>> conv2d(np.ones((1, 3, 5, 5)), np.ones((8, 3, 3, 3)), padding="same").shape
    (1, 8, 5, 5)
    """
    x, weight, bias, stride, pads, dilation, groups, out_hw = _check_conv(
        x, weight, bias, stride, padding, dilation, groups, "conv2d"
    )
    return _conv2d(x, weight, bias, stride, pads, dilation, groups, out_hw)


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    r"""1-D convolution (cross-correlation) of a batch of sequences (``torch.nn.functional.conv1d``).

    Parameters
    ----------
    x : ndarray, shape (N, C_in, L)
    weight : ndarray, shape (C_out, C_in / groups, k)
    bias : ndarray, shape (C_out,), optional
    stride : int or (int,), default 1
    padding : int, (int,), ((int, int),), "valid" or "same", default 0
        Zeros on each side, or ``((left, right),)``; ``"same"`` gives
        ``ceil(L / stride)`` outputs, an odd pixel of padding on the right.
    dilation : int or (int,), default 1
    groups : int, default 1

    Returns
    -------
    y : ndarray, shape (N, C_out, L_out)
        ``L_out = floor((L + p_l + p_r - d (k - 1) - 1) / s) + 1``.

    Raises
    ------
    ValueError, TypeError
        As :func:`conv2d`.

    Notes
    -----
    .. math::

        y[n, o, t] = b[o] + \sum_{c, i} k[o, c, i]\; x_p[n, c, s t + d i]

    Computed as :func:`conv2d` on images of height 1 (a text convolution
    over word embeddings is this with ``C_in`` = embedding size).

    Examples
    --------
    >>> conv1d([[[1, 2, 3, 4, 5]]], [[[1, 0, -1]]])       # x[t] - x[t + 2]
    array([[[-2., -2., -2.]]])
    """
    x, weight, bias, stride, pads, dilation, groups, (length,) = _check_conv(
        x, weight, bias, stride, padding, dilation, groups, "conv1d", nd=1
    )
    out = _conv2d(
        x[:, :, None, :],
        weight[:, :, None, :],
        bias,
        (1,) + stride,
        ((0, 0),) + pads,
        (1,) + dilation,
        groups,
        (1, length),
    )
    return out[:, :, 0, :]


def conv2d_backward(grad_out, x, weight, stride=1, padding=0, dilation=1, groups=1):
    r"""Gradients of :func:`conv2d` with respect to its input, weight and bias.

    Parameters
    ----------
    grad_out : ndarray, shape (N, C_out, H_out, W_out)
        Upstream gradient dL/dy, shaped like the forward output.
    x : ndarray, shape (N, C_in, H, W)
        The forward input.
    weight : ndarray, shape (C_out, C_in / groups, kH, kW)
        The forward weight.
    stride, padding, dilation, groups
        As given to :func:`conv2d`.

    Returns
    -------
    grad_x : ndarray, shape (N, C_in, H, W)
    grad_weight : ndarray, shape (C_out, C_in / groups, kH, kW)
    grad_bias : ndarray, shape (C_out,)

    Raises
    ------
    ValueError
        Anything :func:`conv2d` refuses, or ``grad_out`` not shaped like the
        forward output.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    With ``cols = im2col(x)`` and ``W = weight.reshape(C_out, -1)`` (per group)
    the forward pass is ``y = W @ cols + b``, so

    .. math::

        \frac{\partial L}{\partial b_o} = \sum_{n, h, w} g[n, o, h, w], \qquad
        \frac{\partial L}{\partial W} = \sum_n g_n\, \text{cols}_n^T, \qquad
        \frac{\partial L}{\partial x} = \text{col2im}(W^T g).

    ``col2im`` sums the contributions of overlapping windows: the input
    gradient is a transposed convolution of ``grad_out``.

    Examples
    --------
    >>> import numpy as np
    >>> x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    >>> gx, gw, gb = conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
    >>> gx[0, 0]                       # windows covering each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> gw[0, 0], gb
    (array([[4., 4.],
           [4., 4.]]), array([4.]))
    """
    func = "conv2d_backward"
    x, weight, _, stride, pads, dilation, groups, out_hw = _check_conv(
        x, weight, None, stride, padding, dilation, groups, func
    )
    grad_out = check_ndim(
        as_float_array(grad_out, "grad_out", func), 4, "grad_out", func, "(N, C_out, H_out, W_out)"
    )
    n, c, height, width = x.shape
    c_out, c_in_per_group, kh, kw = weight.shape
    expected = (n, c_out, *out_hw)
    if grad_out.shape != expected:
        raise ValueError(
            f"{func}: grad_out must have the shape of the forward output {expected}, got {grad_out.shape}"
        )
    dtype = result_dtype(grad_out, x)
    x, weight, grad_out = (a.astype(dtype, copy=False) for a in (x, weight, grad_out))

    length = out_hw[0] * out_hw[1]
    g = grad_out.reshape(n, groups, c_out // groups, length)
    w = weight.reshape(groups, c_out // groups, -1)

    grad_bias = grad_out.sum(axis=(0, 2, 3))

    xp = _pad_zeros(x, pads)
    cols = np.empty((c, kh, kw, *out_hw), dtype=dtype)
    grad_w = np.zeros_like(w)
    for image in range(n):
        _fill_cols(xp[image], cols, stride, dilation)
        grad_w += g[image] @ cols.reshape(groups, -1, length).transpose(0, 2, 1)

    grad_cols = np.matmul(w.transpose(0, 2, 1), g)  # (N, g, C_in/g * kH * kW, L)
    grad_x = _fold(grad_cols.reshape(n, c, kh, kw, *out_hw), (height, width), pads, stride, dilation)
    return grad_x, grad_w.reshape(weight.shape), grad_bias


def locally_connected2d(x, weight, bias=None, stride=1, padding=0):
    r"""A convolution *without* weight sharing: a different filter at every output position.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (H_out, W_out, C_out, C_in, kH, kW)
        One filter bank per output position.
    bias : ndarray, shape (C_out, H_out, W_out), optional
        One bias per output unit.
    stride : int or (int, int), default 1
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same", default 0

    Returns
    -------
    y : ndarray, shape (N, C_out, H_out, W_out)

    Raises
    ------
    ValueError
        Wrong ndim, channel mismatch, ``weight.shape[:2]`` not the output size
        the stride and padding give, bias of the wrong shape, kernel larger
        than the padded input.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    .. math::

        y[n, o, h, w] = b[o, h, w] + \sum_{c, i, j} k[h, w, o, c, i, j]\;
            x_p[n, c, s_h h + i, s_w w + j]

    :func:`conv2d` is the special case ``k[h, w] = k`` for every ``(h, w)``.
    Parameters: ``H_out W_out C_out (C_in kH kW + 1)`` against
    ``C_out (C_in kH kW + 1)`` for the shared version.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.ones((1, 1, 3, 3))
    >>> k = np.arange(4).reshape(2, 2, 1, 1, 1, 1)      # a 1x1 "filter" per position
    >>> locally_connected2d(x, k, stride=2)   # 2x2 output -> windows at rows/cols 0 and 2
    array([[[[0., 1.],
             [2., 3.]]]])
    """
    func = "locally_connected2d"
    x = check_ndim(as_float_array(x, "x", func), 4, "x", func, "(N, C_in, H, W)")
    weight = as_float_array(weight, "weight", func)
    check_ndim(weight, 6, "weight", func, "(H_out, W_out, C_out, C_in, kH, kW)")
    stride = as_pair(stride, "stride", func, minimum=1)
    out_h, out_w, c_out, c_in, kh, kw = weight.shape
    if min(weight.shape) < 1:
        raise ValueError(
            f"{func}: weight must have at least one output channel, one input channel and a non-empty "
            f"kernel at every position, got shape {weight.shape}"
        )
    if x.shape[1] != c_in:
        raise ValueError(f"{func}: x has {x.shape[1]} channels but weight expects {c_in} (weight.shape[3])")
    pads, out_hw = _geometry(x.shape[2:], (kh, kw), stride, padding, (1, 1), func)
    if (out_h, out_w) != out_hw:
        raise ValueError(
            f"{func}: weight has {(out_h, out_w)} positions (weight.shape[:2]) but x, the kernel, "
            f"stride and padding give an output of {out_hw}"
        )
    bias = _check_bias(bias, (c_out, *out_hw), func)
    dtype = result_dtype(x, weight, bias)
    xp = _pad_zeros(x.astype(dtype, copy=False), pads)
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))
    windows = windows[:, :, :: stride[0], :: stride[1]]  # (N, C, H_out, W_out, kH, kW)
    # A plain einsum loop: with optimize=True NumPy reorders this contraction
    # into a transpose-and-GEMM that is 3-30x slower for these shapes.
    out = np.einsum("nchwij,hwocij->nohw", windows, weight.astype(dtype, copy=False))
    if bias is not None:
        out += bias
    return out


def depthwise_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    r"""Filter every channel separately: ``conv2d`` with ``groups = C``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    weight : ndarray, shape (C * multiplier, 1, kH, kW)
        ``multiplier`` filters per input channel; output channel ``c * multiplier + k``
        is channel ``c`` filtered by ``weight[c * multiplier + k, 0]``.
    bias : ndarray, shape (C * multiplier,), optional
    stride, padding, dilation
        As :func:`conv2d`.

    Returns
    -------
    y : ndarray, shape (N, C * multiplier, H_out, W_out)

    Raises
    ------
    ValueError
        ``weight.shape[1] != 1`` or ``weight.shape[0]`` not a positive multiple
        of ``C``, plus everything :func:`conv2d` refuses.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    .. math::

        y[n, c m + k, h, w] = b[c m + k] + \sum_{i, j} k[c m + k, 0, i, j]\;
            x_p[n, c, s_h h + d_h i, s_w w + d_w j]

    ``C m kH kW`` weights instead of ``C_out C kH kW``: the depth is never
    mixed (that is the pointwise step's job). Computed as one vectorised
    multiply-add per kernel tap.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.stack([np.ones((3, 3)), 2 * np.ones((3, 3))])[None]   # (1, 2, 3, 3)
    >>> depthwise_conv2d(x, np.ones((2, 1, 3, 3)))                    # channels kept apart
    array([[[[ 9.]],
            [[18.]]]])
    """
    func = "depthwise_conv2d"
    x, weight = _check_depthwise_weight(x, weight, "weight", func)
    x, weight, bias, stride, pads, dilation, groups, out_hw = _check_conv(
        x, weight, bias, stride, padding, dilation, x.shape[1], func
    )
    return _conv2d(x, weight, bias, stride, pads, dilation, groups, out_hw)


def _check_depthwise_weight(x, weight, name, func):
    """``x`` must be 4-D, ``weight`` (C * multiplier, 1, kH, kW) with multiplier >= 1."""
    x = check_ndim(as_float_array(x, "x", func), 4, "x", func, "(N, C, H, W)")
    weight = as_float_array(weight, name, func)
    check_ndim(weight, 4, name, func, "(C * multiplier, 1, kH, kW)")
    c = x.shape[1]
    if c < 1 or weight.shape[1] != 1 or weight.shape[0] < 1 or weight.shape[0] % c:
        raise ValueError(
            f"{func}: {name} must have shape (C * multiplier, 1, kH, kW) with C = {c} channels of x "
            f"and multiplier >= 1, got shape {weight.shape}"
        )
    return x, weight


def pointwise_conv2d(x, weight, bias=None):
    r"""1x1 convolution: a dense layer across channels applied at every pixel.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_out, C_in) or (C_out, C_in, 1, 1)
    bias : ndarray, shape (C_out,), optional

    Returns
    -------
    y : ndarray, shape (N, C_out, H, W)

    Raises
    ------
    ValueError
        Wrong ndim, a 4-D weight that is not 1x1, channel mismatch, bias of the
        wrong shape.
    TypeError
        Non-numeric data.

    Notes
    -----
    .. math::

        y[n, o, h, w] = b[o] + \sum_c k[o, c]\; x[n, c, h, w]

    ``C_in C_out + C_out`` parameters; it changes the depth and keeps ``H x W``.

    Examples
    --------
    >>> import numpy as np
    >>> rgb = np.array([1, 2, 3]).reshape(1, 3, 1, 1)
    >>> pointwise_conv2d(rgb, [[1, 1, 1], [1, 0, -1]])[:, :, 0, 0]   # sum and R - B
    array([[ 6., -2.]])
    """
    func = "pointwise_conv2d"
    x = check_ndim(as_float_array(x, "x", func), 4, "x", func, "(N, C_in, H, W)")
    weight = _check_pointwise_weight(weight, x.shape[1], "weight", "x", func)
    bias = _check_bias(bias, weight.shape[:1], func)
    return _pointwise(x, weight, bias)


def _check_pointwise_weight(weight, channels, name, source, func):
    """Return ``weight`` as (C_out, C_in), refusing shapes that are not 1x1 or do not match."""
    weight = as_float_array(weight, name, func)
    if weight.ndim == 4 and weight.shape[2:] == (1, 1):
        weight = weight[:, :, 0, 0]
    if weight.ndim != 2 or min(weight.shape) < 1:
        raise ValueError(
            f"{func}: {name} must have shape (C_out, C_in) or (C_out, C_in, 1, 1) with C_out, C_in >= 1, "
            f"got shape {weight.shape}"
        )
    if weight.shape[1] != channels:
        raise ValueError(
            f"{func}: {source} has {channels} channels but {name} expects {weight.shape[1]} ({name}.shape[1])"
        )
    return weight


def _pointwise(x, weight, bias):
    """``y[n] = weight @ x[n]`` over the flattened pixels, as one batched matmul."""
    dtype = result_dtype(x, weight, bias)
    n, c, h, w = x.shape
    out = np.matmul(weight.astype(dtype, copy=False), x.astype(dtype, copy=False).reshape(n, c, h * w))
    out = out.reshape(n, weight.shape[0], h, w)
    if bias is not None:
        out += bias.astype(dtype, copy=False)[:, None, None]
    return out


def separable_conv2d(x, depthwise_weight, pointwise_weight, bias=None, stride=1, padding=0, dilation=1):
    r"""Depthwise separable convolution: depthwise ``kH x kW`` then pointwise ``1x1``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    depthwise_weight : ndarray, shape (C * multiplier, 1, kH, kW)
    pointwise_weight : ndarray, shape (C_out, C * multiplier) or (C_out, C * multiplier, 1, 1)
    bias : ndarray, shape (C_out,), optional
        Added once, after the pointwise step.
    stride, padding, dilation
        Of the depthwise step, as :func:`conv2d`.

    Returns
    -------
    y : ndarray, shape (N, C_out, H_out, W_out)

    Raises
    ------
    ValueError
        Anything :func:`depthwise_conv2d` or :func:`pointwise_conv2d` refuses;
        ``pointwise_weight.shape[1]`` must equal ``C * multiplier``.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    .. math::

        y = \text{pointwise}(\text{depthwise}(x, k_d), k_p) + b

    ``C m kH kW + C m C_out`` weights instead of ``C kH kW C_out``, a ratio of
    about ``1 / C_out + 1 / (kH kW)`` (for ``m = 1``). Equals :func:`conv2d`
    with the rank-structured kernel ``k[o, c, i, j] = k_p[o, c] k_d[c, 0, i, j]``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.ones((1, 2, 4, 4))
    >>> separable_conv2d(x, np.ones((2, 1, 3, 3)), np.ones((5, 2)), bias=np.arange(5)).shape
    (1, 5, 2, 2)
    >>> separable_conv2d(x, np.ones((2, 1, 3, 3)), np.ones((1, 2)))   # 2 channels x 9 taps
    array([[[[18., 18.],
             [18., 18.]]]])
    """
    func = "separable_conv2d"
    x, depthwise_weight = _check_depthwise_weight(x, depthwise_weight, "depthwise_weight", func)
    pointwise_weight = _check_pointwise_weight(
        pointwise_weight, depthwise_weight.shape[0], "pointwise_weight",
        "depthwise_weight (C * multiplier)", func,
    )
    bias = _check_bias(bias, pointwise_weight.shape[:1], func)
    x, depthwise_weight, _, stride, pads, dilation, groups, out_hw = _check_conv(
        x, depthwise_weight, None, stride, padding, dilation, x.shape[1], func
    )
    depthwise = _conv2d(x, depthwise_weight, None, stride, pads, dilation, groups, out_hw)
    return _pointwise(depthwise, pointwise_weight, bias)
