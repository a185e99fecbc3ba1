"""Upsampling: making feature maps larger again.

Four ways to go from a small grid to a large one:

* **nearest** -- repeat each value (``upsample_nearest2d``);
* **bilinear** -- blend the two nearest values along each axis
  (``upsample_bilinear2d``), with ``align_corners`` choosing where the output
  grid sits on the input grid;
* **bed of nails** -- put each value in the corner of its block, zeros
  elsewhere (``bed_of_nails2d``);
* **transposed convolution** -- the only *learned* one (``conv_transpose2d``):
  every input pixel stamps a copy of the kernel, scaled by its value, onto
  the output, ``stride`` pixels apart, and overlapping stamps add up. It is
  the gradient of ``conv2d`` with respect to its input (the convolution
  matrix transposed), not an inverse of the convolution -- "deconvolution" is
  a misnomer.

A fixed transposed convolution with the bilinear kernel of ``bilinear_kernel``
reproduces bilinear upsampling (``bilinear_upsample_transposed``), the recipe
used to initialise the upsampling layers of fully convolutional networks.

The interpolation functions give the numbers of
``torch.nn.functional.interpolate(mode="nearest" | "bilinear")``, the
transposed convolution those of ``torch.nn.functional.conv_transpose2d``.
"""

import math
import numbers

import numpy as np

from ._checks import as_bool, as_float_array, as_int, as_pair, check_ndim, resolve_padding, result_dtype

__all__ = [
    "upsample_nearest2d",
    "upsample_bilinear2d",
    "bed_of_nails2d",
    "conv_transpose2d",
    "bilinear_kernel",
    "bilinear_upsample_transposed",
]


# ---------------------------------------------------------------------------
# shared checks
# ---------------------------------------------------------------------------


def _check_image(x, func):
    """``x`` as a float (N, C, H, W) array with at least one row and one column."""
    x = check_ndim(as_float_array(x, "x", func), 4, "x", func, "(N, C, H, W)")
    if x.shape[2] < 1 or x.shape[3] < 1:
        raise ValueError(f"{func}: x must have H >= 1 and W >= 1, got shape {x.shape}")
    return x


def _scale_pair(scale_factor, func):
    """``scale_factor`` as a pair of positive finite floats ``(s_h, s_w)``."""
    what = "a positive number or a pair of positive numbers"
    if isinstance(scale_factor, (tuple, list)) and len(scale_factor) == 2:
        items = tuple(scale_factor)
    else:
        items = (scale_factor, scale_factor)
    for s in items:
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Real):
            raise TypeError(f"{func}: scale_factor must be {what}, got {scale_factor!r}")
        if not (math.isfinite(s) and s > 0):
            raise ValueError(f"{func}: scale_factor must be {what}, got {scale_factor!r}")
    return tuple(float(s) for s in items)


def _output_size(in_hw, scale_factor, size, func):
    """Resolve ``scale_factor`` / ``size`` into ``(out_hw, scales)``.

    Exactly one of the two must be given. With ``size``, ``scales`` is
    ``(None, None)``; with ``scale_factor``, ``out = floor(n * s)`` per axis
    and ``scales`` keeps ``s`` (PyTorch maps output to input with ``1 / s``,
    not with ``n / out``).
    """
    if (scale_factor is None) == (size is None):
        raise ValueError(
            f"{func}: give exactly one of scale_factor and size, got scale_factor={scale_factor!r} "
            f"and size={size!r}"
        )
    if size is not None:
        return as_pair(size, "size", func, minimum=1), (None, None)
    scales = _scale_pair(scale_factor, func)
    out_hw = tuple(math.floor(n * s) for n, s in zip(in_hw, scales))
    if min(out_hw) < 1:
        raise ValueError(
            f"{func}: scale_factor {scale_factor!r} turns the input size {tuple(in_hw)} into "
            f"{out_hw}; every output size must be at least 1"
        )
    return out_hw, scales


# ---------------------------------------------------------------------------
# nearest
# ---------------------------------------------------------------------------


# PyTorch's CPU kernel for mode="nearest" comes in two versions, picked for
# speed by output size, which round the source index differently: with
# H_out + W_out <= 128 (the "small" kernel) an axis whose output is exactly as
# large as the input (or exactly twice as large) skips the formula, and the
# product dst * step is always float32; above that, the formula is used
# everywhere and the product is taken in the dtype of x (then rounded to
# float32). We reproduce both so that every index matches.
_SMALL_OUTPUT = 128


def _nearest_index(n_in, n_out, scale, small, dtype):
    """Source row (or column) of each output position: ``min(floor(dst * step), n_in - 1)``.

    ``step = 1 / scale``, or ``n_in / n_out`` when no scale was given,
    evaluated in floating point exactly as PyTorch does (see ``_SMALL_OUTPUT``).
    """
    dst = np.arange(n_out)
    if small and n_out == n_in:
        return dst
    if small and n_out == 2 * n_in:
        return dst // 2
    dtype = np.float32 if small else dtype
    step = dtype(1.0 / scale) if scale is not None else dtype(n_in) / dtype(n_out)
    src = (dst.astype(dtype) * step).astype(np.float32)
    return np.minimum(np.floor(src).astype(np.int64), n_in - 1)


def upsample_nearest2d(x, scale_factor=None, size=None):
    """Nearest-neighbour upsampling (``interpolate(mode="nearest")``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    scale_factor : float or (float, float), optional
        Output size ``floor(H * s_h) x floor(W * s_w)``; non-integer and
        downsampling factors (``s < 1``) allowed.
    size : int or (int, int), optional
        Output size ``(H_out, W_out)``. Give exactly one of ``scale_factor``
        and ``size``.

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out), same dtype as ``x``

    Raises
    ------
    ValueError
        Wrong ndim, both or neither of ``scale_factor``/``size``, non-positive
        scale or size, or an output size of 0.
    TypeError
        Non-numeric data or a non-numeric scale/size.

    Notes
    -----
    Each output pixel copies one input pixel:

    .. math::

        y[n, c, h, w] = x[n, c, \\lfloor h\\, \\sigma_h \\rfloor, \\lfloor w\\, \\sigma_w \\rfloor],
        \\qquad \\sigma = \\frac{1}{s} \\text{ (scale given) or } \\frac{n_{in}}{n_{out}} \\text{ (size given)},

    clamped to the last row/column. For an integer factor this repeats every
    row and every column ``s`` times. With a non-integer ``scale_factor`` the
    index uses ``1/s``, not ``H / H_out``. The rounding follows PyTorch's CPU
    kernels, which differ slightly: when ``H_out + W_out <= 128`` an axis
    whose output is exactly as large (twice as large) as the input takes
    ``h`` (``h // 2``) whatever the scale.

    Examples
    --------
    >>> import numpy as np
    >>> upsample_nearest2d(np.array([[[[1, 2], [3, 4]]]]), scale_factor=2)[0, 0]
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    >>> upsample_nearest2d(np.arange(3).reshape(1, 1, 1, 3), size=(1, 5))[0, 0]
    array([[0., 0., 1., 1., 2.]])
    """
    func = "upsample_nearest2d"
    x = _check_image(x, func)
    in_hw = x.shape[2:]
    (out_h, out_w), (scale_h, scale_w) = _output_size(in_hw, scale_factor, size, func)
    small = out_h + out_w <= _SMALL_OUTPUT
    rows = _nearest_index(in_hw[0], out_h, scale_h, small, x.dtype.type)
    columns = _nearest_index(in_hw[1], out_w, scale_w, small, x.dtype.type)
    return x.take(rows, axis=2).take(columns, axis=3)


# ---------------------------------------------------------------------------
# bilinear
# ---------------------------------------------------------------------------


def _linear_taps(n_in, n_out, scale, align_corners, dtype):
    """The two source indices ``i0, i1`` and the weight ``lam`` of ``i1`` along one axis.

    ``align_corners=True`` maps the corner pixel centres onto each other,
    ``src = dst (n_in - 1) / (n_out - 1)``; otherwise pixel *areas* are
    aligned, ``src = (dst + 1/2) step - 1/2`` (clamped at 0) with
    ``step = 1 / scale`` or ``n_in / n_out``. Then ``i0 = floor(src)``,
    ``i1 = min(i0 + 1, n_in - 1)`` and ``lam = src - i0``. ``step`` and
    ``src`` are rounded to ``dtype`` where PyTorch rounds them.
    """
    dst = np.arange(n_out)
    if n_out == n_in:  # PyTorch copies such an axis whatever the scale
        return dst, dst, np.zeros(n_out, dtype)
    if align_corners:
        step = dtype(n_in - 1) / dtype(n_out - 1) if n_out > 1 else dtype(0)
        src = dst.astype(dtype) * step
    else:
        step = dtype(1.0 / scale) if scale is not None else dtype(n_in) / dtype(n_out)
        src = np.maximum(float(step) * (dst + 0.5) - 0.5, 0.0).astype(dtype)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, src - i0.astype(dtype)


def _interpolate_axis(x, axis, i0, i1, lam):
    """``(1 - lam) * x[i0] + lam * x[i1]`` along ``axis`` (a gather and a blend)."""
    shape = [1] * x.ndim
    shape[axis] = -1
    lam = lam.reshape(shape)
    return x.take(i0, axis=axis) * (1 - lam) + x.take(i1, axis=axis) * lam


def upsample_bilinear2d(x, scale_factor=None, size=None, align_corners=False):
    """Bilinear interpolation (``interpolate(mode="bilinear")``), up or down.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    scale_factor : float or (float, float), optional
        Output size ``floor(H * s_h) x floor(W * s_w)``; non-integer and
        downsampling factors allowed.
    size : int or (int, int), optional
        Output size ``(H_out, W_out)``. Give exactly one of ``scale_factor``
        and ``size``.
    align_corners : bool, default False
        True: the centres of the corner pixels of input and output coincide
        (``scale_factor`` then only sets the size). False: the pixel *areas*
        are aligned, as in PyTorch's default.

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out), same dtype as ``x``

    Raises
    ------
    ValueError
        Wrong ndim, both or neither of ``scale_factor``/``size``, non-positive
        scale or size, or an output size of 0.
    TypeError
        Non-numeric data, a non-numeric scale/size, or a non-bool
        ``align_corners``.

    Notes
    -----
    Along each axis an output position ``d`` reads the source coordinate

    .. math::

        u = \\begin{cases} d\\, \\dfrac{n_{in} - 1}{n_{out} - 1} & \\text{align\\_corners} \\\\
            \\max\\!\\left(0, (d + \\tfrac12)\\, \\sigma - \\tfrac12\\right) & \\text{otherwise,}
            \\quad \\sigma = 1/s \\text{ or } n_{in}/n_{out} \\end{cases}

    and blends its two neighbours,
    ``(1 - (u - i)) x[i] + (u - i) x[min(i + 1, n_in - 1)]`` with
    ``i = floor(u)``. Doing this along H, then along W, gives the bilinear
    value (the product weights of the four neighbours). Downsampling does not
    low-pass filter first (no antialiasing), as in PyTorch.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[[0, 4], [8, 12]]]])
    >>> upsample_bilinear2d(x, size=3, align_corners=True)[0, 0]
    array([[ 0.,  2.,  4.],
           [ 4.,  6.,  8.],
           [ 8., 10., 12.]])
    >>> upsample_bilinear2d(x, scale_factor=2)[0, 0]
    array([[ 0.,  1.,  3.,  4.],
           [ 2.,  3.,  5.,  6.],
           [ 6.,  7.,  9., 10.],
           [ 8.,  9., 11., 12.]])
    """
    func = "upsample_bilinear2d"
    x = _check_image(x, func)
    align_corners = as_bool(align_corners, "align_corners", func)
    in_hw = x.shape[2:]
    out_hw, scales = _output_size(in_hw, scale_factor, size, func)
    for axis, n_in, n_out, scale in zip((2, 3), in_hw, out_hw, scales):
        x = _interpolate_axis(x, axis, *_linear_taps(n_in, n_out, scale, bool(align_corners), x.dtype.type))
    return x


# ---------------------------------------------------------------------------
# bed of nails
# ---------------------------------------------------------------------------


def bed_of_nails2d(x, scale_factor):
    """Bed-of-nails upsampling: each value in the top-left corner of its block, zeros elsewhere.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    scale_factor : int or (int, int)
        Positive integer factors ``(s_h, s_w)``.

    Returns
    -------
    out : ndarray, shape (N, C, s_h H, s_w W), same dtype as ``x``

    Raises
    ------
    ValueError
        Wrong ndim or a non-positive factor.
    TypeError
        Non-numeric data or a non-integer factor.

    Notes
    -----
    .. math::

        y[n, c, h, w] = \\begin{cases} x[n, c, h / s_h, w / s_w] & s_h \\mid h
        \\text{ and } s_w \\mid w \\\\ 0 & \\text{otherwise} \\end{cases}

    The sum of every channel is preserved; it is ``max_unpool2d`` with every
    maximum assumed to sit in the top-left corner.

    Examples
    --------
    >>> import numpy as np
    >>> bed_of_nails2d(np.array([[[[1, 2], [3, 4]]]]), 2)[0, 0]
    array([[1., 0., 2., 0.],
           [0., 0., 0., 0.],
           [3., 0., 4., 0.],
           [0., 0., 0., 0.]])
    """
    func = "bed_of_nails2d"
    x = check_ndim(as_float_array(x, "x", func), 4, "x", func, "(N, C, H, W)")
    s_h, s_w = as_pair(scale_factor, "scale_factor", func, minimum=1)
    n, c, h, w = x.shape
    out = np.zeros((n, c, h * s_h, w * s_w), dtype=x.dtype)
    out[:, :, ::s_h, ::s_w] = x
    return out


# ---------------------------------------------------------------------------
# transposed convolution
# ---------------------------------------------------------------------------


def _transposed_padding(padding, kernel, stride, dilation, func):
    """``((top, bottom), (left, right))``: how much of the full output is cropped away."""
    if isinstance(padding, str):
        raise ValueError(
            f"{func}: padding must be an int, (int, int) or ((top, bottom), (left, right)) -- "
            f"the rows/columns cropped from the output -- got the string {padding!r}"
        )
    # the input size only matters for "same", refused above
    return resolve_padding(padding, (0, 0), kernel, stride, dilation, func)


def _check_output_padding(output_padding, stride, dilation, func):
    """PyTorch's rule: each ``output_padding`` smaller than the stride or the dilation."""
    output_padding = as_pair(output_padding, "output_padding", func, minimum=0)
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise ValueError(
                f"{func}: output_padding must be smaller than the stride or the dilation, got "
                f"output_padding={output_padding} with stride={stride} and dilation={dilation}"
            )
    return output_padding


def _stamp_by_phase(x, weight, groups, stride, dilation, pads, out_hw):
    """``conv_transpose2d`` of validated arrays, without bias: one GEMM per image, then the stamps.

    The full output (before ``padding`` is cut off) splits into ``s_h s_w``
    stride phases: pixel ``(r, q)`` lies on phase ``(r mod s_h, q mod s_w)``,
    at row ``r // s_h``, column ``q // s_w`` of that phase's grid. Tap ``(i,
    j)`` of input pixel ``(h, w)`` lands at ``(s_h h + d_h i, s_w w + d_w
    j)``: on phase ``(d_h i mod s_h, d_w j mod s_w)``, shifted by ``(d_h i //
    s_h, d_w j // s_w)`` grid cells from ``(h, w)``. So every phase is a sum
    of whole-cell shifts of the GEMM's columns ``cols = W^T x``. With the
    columns written in rows of the grid's width (zero past column ``W``),
    each shift is one flat offset and each tap one long contiguous add,
    where ``col2im`` adds ``H`` short strided rows per tap. (Each phase is an
    ordinary small convolution of the input: the "sub-pixel" view of a
    transposed convolution.)
    """
    n, c_in, h, w = x.shape
    _, c_out_g, kh, kw = weight.shape
    c_out = c_out_g * groups
    (sh, sw), (dh, dw) = stride, dilation
    (top, _), (left, _) = pads
    out_h, out_w = out_hw
    # each phase grid holds every stamp and every output pixel on it (output_padding can reach past the stamps)
    grid_h = max(h + dh * (kh - 1) // sh, (top + out_h - 1) // sh + 1)
    grid_w = max(w + dw * (kw - 1) // sw, (left + out_w - 1) // sw + 1)
    length = h * grid_w

    c_in_g = c_in // groups
    w_t = np.ascontiguousarray(weight.reshape(groups, c_in_g, c_out_g * kh * kw).transpose(0, 2, 1))
    x_rows = np.zeros((groups, c_in_g, length), dtype=x.dtype)  # one image, rows grid_w long
    image = x_rows.reshape(c_in, h, grid_w)[:, :, :w]
    cols = np.empty((groups, c_out_g * kh * kw, length), dtype=x.dtype)
    if groups == 1:  # a plain 2-D GEMM is a little faster than a stack of one
        w_t, x_rows, cols = w_t[0], x_rows[0], cols[0]
    stamps = cols.reshape(c_out, kh, kw, length)
    grid = np.empty((c_out, (grid_h + 1) * grid_w), dtype=x.dtype)  # a spare row for the widest shift
    cells = grid[:, : grid_h * grid_w].reshape(c_out, grid_h, grid_w)

    phases = []
    for a in range(sh):
        for b in range(sw):
            shifts = [
                (i, j, (dh * i // sh) * grid_w + dw * j // sw)
                for i in range(kh)
                if dh * i % sh == a
                for j in range(kw)
                if dw * j % sw == b
            ]
            # output pixel (y, x) is full-output pixel (y + top, x + left)
            y0, x0 = (a - top) % sh, (b - left) % sw
            u0, v0 = (y0 + top) // sh, (x0 + left) // sw
            rows, columns = range(y0, out_h, sh), range(x0, out_w, sw)
            phases.append((
                shifts,
                (slice(None), slice(y0, None, sh), slice(x0, None, sw)),
                (slice(None), slice(u0, u0 + len(rows)), slice(v0, v0 + len(columns))),
            ))

    out = np.empty((n, c_out, out_h, out_w), dtype=x.dtype)
    for index in range(n):
        image[...] = x[index]
        np.matmul(w_t, x_rows, out=cols)
        for shifts, in_output, in_grid in phases:
            grid.fill(0)
            for i, j, offset in shifts:
                np.add(grid[:, offset:offset + length], stamps[:, i, j], out=grid[:, offset:offset + length])
            out[index][in_output] = cells[in_grid]
    return out


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed convolution (``torch.nn.functional.conv_transpose2d``).

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    weight : ndarray, shape (C_in, C_out / groups, kH, kW)
        Kernels, laid out as PyTorch does (input channels first).
    bias : ndarray, shape (C_out,), optional
    stride : int or (int, int), default 1
        Distance between the stamps of neighbouring input pixels.
    padding : int, (int, int) or ((int, int), (int, int)), default 0
        Rows/columns cropped from each border of the full output (the
        padding of the convolution this one transposes).
    output_padding : int or (int, int), default 0
        Extra rows/columns added at the bottom/right, each smaller than the
        stride or the dilation (it picks among the input sizes that a strided
        convolution maps to the same output size).
    groups : int, default 1
        Channel groups; must divide ``C_in``.
    dilation : int or (int, int), default 1
        Spacing between kernel taps.

    Returns
    -------
    out : ndarray, shape (N, C_out, H_out, W_out), dtype of ``x``/``weight``/``bias`` promoted

    Raises
    ------
    ValueError
        Wrong ndim, channel mismatch, ``groups`` not dividing ``C_in``, a bias
        of the wrong shape, non-positive stride/dilation, negative padding,
        ``output_padding`` not below the stride or the dilation, or an output
        size below 1.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    Every input pixel stamps its kernel, scaled by its value, onto the output:

    .. math::

        y_p[n, o, s_h h + d_h i, s_w w + d_w j] \\mathrel{+}= x[n, c, h, w]\\, k[c, o', i, j]

    for every ``c`` in the group of output channel ``o`` (``o'`` its index
    inside the group); ``y`` is ``y_p`` with ``padding`` cropped away, plus
    ``bias``. The output size is

    .. math::

        O = (I - 1) S - 2P + D (K - 1) + \\text{output\\_padding} + 1 .

    It is the adjoint of ``conv2d``: ``<conv2d(x, k), y> = <x, conv_transpose2d(y, k)>``.
    Computed per group as one matrix product ``cols = W_g^T x_g`` (shape
    ``(C_out/groups * kH * kW, H * W)`` for every image), whose columns are
    then added into place -- ``col2im``, done one stride phase at a time.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.ones((1, 1, 2, 2))
    >>> w = np.ones((1, 1, 3, 3))
    >>> conv_transpose2d(x, w, stride=2)[0, 0]   # overlapping stamps add up
    array([[1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.],
           [2., 2., 4., 2., 2.],
           [1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.]])
    >>> conv_transpose2d(np.ones((2, 4, 5, 5)), np.ones((4, 3, 3, 3)), stride=2, padding=1,
    ...                  output_padding=1).shape
    (2, 3, 10, 10)
    """
    func = "conv_transpose2d"
    x = check_ndim(as_float_array(x, "x", func), 4, "x", func, "(N, C_in, H, W)")
    weight = check_ndim(as_float_array(weight, "weight", func), 4, "weight", func, "(C_in, C_out / groups, kH, kW)")
    if min(weight.shape) < 1:
        raise ValueError(f"{func}: weight must not be empty, got shape {weight.shape}")
    if x.shape[2] < 1 or x.shape[3] < 1:
        raise ValueError(f"{func}: x must have H >= 1 and W >= 1, got shape {x.shape}")
    groups = as_int(groups, "groups", func, minimum=1)
    stride = as_pair(stride, "stride", func, minimum=1)
    dilation = as_pair(dilation, "dilation", func, minimum=1)
    n, c_in, h, w = x.shape
    c_in_w, c_out_g, kh, kw = weight.shape
    if c_in != c_in_w:
        raise ValueError(
            f"{func}: x has {c_in} channels but weight expects {c_in_w} (weight.shape[0] = C_in)"
        )
    if c_in % groups:
        raise ValueError(f"{func}: groups={groups} must divide the {c_in} input channels")
    c_out = c_out_g * groups
    if bias is not None:
        bias = check_ndim(as_float_array(bias, "bias", func), 1, "bias", func, "(C_out,)")
        if bias.shape[0] != c_out:
            raise ValueError(
                f"{func}: bias has shape {bias.shape} but there are {c_out} output channels "
                f"(weight.shape[1] * groups); expected ({c_out},)"
            )
    pads = _transposed_padding(padding, (kh, kw), stride, dilation, func)
    output_padding = _check_output_padding(output_padding, stride, dilation, func)

    # full output (nothing cropped): every stamp fits
    full_hw = tuple((i - 1) * s + d * (k - 1) + 1 for i, s, d, k in zip((h, w), stride, dilation, (kh, kw)))
    out_hw = tuple(f - before - after + op for f, (before, after), op in zip(full_hw, pads, output_padding))
    if min(out_hw) < 1:
        raise ValueError(
            f"{func}: the output size (I - 1) * stride - (padding before + after) + dilation * (K - 1) "
            f"+ output_padding + 1 is {out_hw} for input {(h, w)}, kernel {(kh, kw)}, stride {stride}, "
            f"padding {pads}, output_padding {output_padding}, dilation {dilation}; it must be at least 1"
        )

    dtype = result_dtype(x, weight, bias)
    out = _stamp_by_phase(
        x.astype(dtype, copy=False), weight.astype(dtype, copy=False), groups, stride, dilation, pads, out_hw
    )
    if bias is not None:
        out += bias.astype(dtype, copy=False)[:, None, None]
    return out


# ---------------------------------------------------------------------------
# bilinear upsampling as a fixed transposed convolution
# ---------------------------------------------------------------------------


def bilinear_kernel(factor):
    """The bilinear upsampling kernel for an integer ``factor`` (the Caffe/FCN recipe).

    Parameters
    ----------
    factor : int
        Positive upsampling factor ``f``.

    Returns
    -------
    kernel : ndarray, shape (K, K), float64
        ``K = 2f - (f mod 2)``.

    Raises
    ------
    ValueError
        A non-positive factor.
    TypeError
        A non-integer factor.

    Notes
    -----
    With the centre :math:`c = (K - 1) / 2`,

    .. math::

        k[i, j] = \\left(1 - \\frac{|i - c|}{f}\\right)\\left(1 - \\frac{|j - c|}{f}\\right),

    the tent function of bilinear interpolation sampled every ``1/f`` of an
    input pixel. Used in ``conv_transpose2d`` with stride ``f`` and padding
    ``ceil((f - 1) / 2)`` it reproduces ``upsample_bilinear2d`` with
    ``align_corners=False`` away from the border.

    Examples
    --------
    >>> bilinear_kernel(2) * 16
    array([[1., 3., 3., 1.],
           [3., 9., 9., 3.],
           [3., 9., 9., 3.],
           [1., 3., 3., 1.]])
    >>> bilinear_kernel(3) * 9
    array([[1., 2., 3., 2., 1.],
           [2., 4., 6., 4., 2.],
           [3., 6., 9., 6., 3.],
           [2., 4., 6., 4., 2.],
           [1., 2., 3., 2., 1.]])
    """
    f = as_int(factor, "factor", "bilinear_kernel", minimum=1)
    size = 2 * f - f % 2
    centre = (size - 1) / 2
    tent = 1 - np.abs(np.arange(size) - centre) / f
    return np.outer(tent, tent)


def bilinear_upsample_transposed(x, factor):
    """Bilinear upsampling by ``factor`` as a fixed (not learned) transposed convolution.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    factor : int
        Positive upsampling factor ``f``.

    Returns
    -------
    out : ndarray, shape (N, C, f H, f W), same dtype as ``x``

    Raises
    ------
    ValueError
        Wrong ndim, no channels or a non-positive factor.
    TypeError
        Non-numeric data or a non-integer factor.

    Notes
    -----
    ``conv_transpose2d(x, k, stride=f, padding=ceil((f - 1) / 2), groups=C)``
    with ``k = bilinear_kernel(f)`` for every channel: kernel size
    ``K = 2f - (f mod 2)`` gives the output size
    ``(H - 1) f - 2 ceil((f - 1) / 2) + K = f H``. Inside, it equals
    ``upsample_bilinear2d(x, scale_factor=f)``; within about ``f / 2`` pixels
    of the border the missing neighbours count as zeros, so the values fall
    off there instead of being clamped.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[[0, 4, 8], [4, 8, 12]]]])
    >>> y = bilinear_upsample_transposed(x, 2)
    >>> y[0, 0, 1:-1, 1:-1]   # inside: the bilinear values
    array([[ 2.,  4.,  6.,  8.],
           [ 4.,  6.,  8., 10.]])
    >>> bool(np.all(y[..., 1:-1, 1:-1] == upsample_bilinear2d(x, scale_factor=2)[..., 1:-1, 1:-1]))
    True
    >>> y[0, 0, 0]   # the top row: the missing row above counts as zeros
    array([0.  , 0.75, 2.25, 3.75, 5.25, 4.5 ])
    """
    func = "bilinear_upsample_transposed"
    x = _check_image(x, func)
    f = as_int(factor, "factor", func, minimum=1)
    c = x.shape[1]
    if c < 1:
        raise ValueError(f"{func}: x must have at least one channel, got shape {x.shape}")
    kernel = bilinear_kernel(f).astype(x.dtype)
    weight = np.broadcast_to(kernel, (c, 1) + kernel.shape)
    return conv_transpose2d(x, weight, stride=f, padding=math.ceil((f - 1) / 2), groups=c)
