"""Four ways to compute ``conv2d``: the loops, im2col + GEMM, the FFT, and Winograd's trick.

All three compute exactly what :func:`convblocks.conv2d` computes -- the
cross-correlation of the deep-learning frameworks,

.. math::

    y[n, o, h, w] = b[o] + \\sum_{c, i, j} x_p[n, g C_g + c, s_h h + d_h i, s_w w + d_w j]\\,
                    k[o, c, i, j]

(``x_p`` the zero-padded input, ``C_g = C_in / groups`` channels per group,
``g`` the group of output channel ``o``) -- and take the same arguments. They
differ in how much arithmetic and memory they spend on it:

* :func:`conv2d_naive` -- the definition as nested loops, one multiply-add at a
  time: ``N * C_out * H_out * W_out * C_g * kH * kW`` products. Slow in Python;
  the version the book teaches from and the reference of the tests.
* :func:`conv2d_im2col` -- every receptive field unfolded into a column
  (:func:`convblocks.im2col`), then one matrix product: the same products,
  done by BLAS, paid for with ``kH * kW`` copies of the input.
* :func:`conv2d_fft` -- the correlation theorem: a correlation is a product of
  Fourier transforms. Cost ``O(H W log(H W))`` per map, *independent of the
  kernel size*: it wins for large kernels.
* :func:`conv2d_winograd` -- Winograd's minimal filtering F(2x2, 3x3) (Lavin &
  Gray, 2016): a 2x2 block of outputs of a 3x3 kernel from 16 multiplications
  instead of 36 (2.25x fewer), paid for with additions and a little accuracy.
  :func:`winograd_matrices` builds the transforms of any F(m, r).
"""

from fractions import Fraction

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_int
from .conv import _check_conv, _pad_zeros, im2col

__all__ = ["conv2d_naive", "conv2d_im2col", "conv2d_fft", "conv2d_winograd", "winograd_matrices"]


# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------


def _add_bias(y, bias):
    """``y[n, o] += bias[o]`` (in place; ``bias`` may be None)."""
    if bias is not None:
        y += bias[:, None, None]
    return y


# ---------------------------------------------------------------------------
# the loops
# ---------------------------------------------------------------------------


def conv2d_naive(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) written as its defining loops.

    Seven nested Python loops: over the batch, then the six of the definition
    (output channel, output row, output column; input channel, kernel row,
    kernel column). Very slow -- use it on small inputs, to read, and to check
    faster versions against.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    weight : ndarray, shape (C_out, C_in / groups, kH, kW)
        Filters.
    bias : ndarray, shape (C_out,), optional
        Added to every output position of channel ``o``.
    stride : int or (int, int), default 1
        Step between windows.
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same", default 0
        Zero padding: per side, per axis, or ``((top, bottom), (left, right))``;
        ``"same"`` gives ``ceil(H / stride)`` rows (extra pixel bottom/right).
    dilation : int or (int, int), default 1
        Spacing between kernel taps.
    groups : int, default 1
        Channels are split into ``groups`` independent convolutions; must
        divide ``C_in`` and ``C_out``.

    Returns
    -------
    y : ndarray, shape (N, C_out, H_out, W_out)
        In the common dtype of ``x``, ``weight`` and ``bias``;
        ``H_out = floor((H + p_t + p_b - d_h (kH - 1) - 1) / s_h) + 1``
        (same for ``W_out``).

    Raises
    ------
    ValueError
        Wrong ndim, channel mismatch, ``groups`` not dividing the channels,
        non-positive stride/dilation/kernel, negative padding, unknown padding
        string, bias of the wrong shape, or a kernel larger than the padded input.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    .. math::

        y[n, o, h, w] = b[o] + \\sum_{c=0}^{C_g - 1} \\sum_{i=0}^{kH - 1} \\sum_{j=0}^{kW - 1}
            x_p[n, g C_g + c, s_h h + d_h i, s_w w + d_w j]\\, k[o, c, i, j]

    with ``C_g = C_in / groups`` and ``g = o // (C_out / groups)``, the group
    output channel ``o`` belongs to. ``N * C_out * H_out * W_out * C_g * kH * kW``
    multiply-adds, one per pass through the innermost loop.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 3, 3))
    >>> conv2d_naive(x, w)            # each output is the sum of a 3x3 window
    array([[[[45., 54.],
             [81., 90.]]]])
    >>> conv2d_naive(x, w, padding=1, stride=2).shape
    (1, 1, 2, 2)
    """
    x, weight, bias, (sh, sw), pads, (dh, dw), groups, (out_h, out_w) = _check_conv(
        x, weight, bias, stride, padding, dilation, groups, "conv2d_naive"
    )
    xp = _pad_zeros(x, pads)
    c_out, c_per_group, kh, kw = weight.shape
    out_per_group = c_out // groups
    y = np.zeros((x.shape[0], c_out, out_h, out_w), dtype=x.dtype)
    for n in range(x.shape[0]):
        for o in range(c_out):
            g = o // out_per_group  # the group of filter o sees channels g*C_g ... (g+1)*C_g - 1
            for h in range(out_h):
                for w in range(out_w):
                    total = 0.0 if bias is None else bias[o]
                    for c in range(c_per_group):
                        for i in range(kh):
                            for j in range(kw):
                                total += xp[n, g * c_per_group + c, sh * h + dh * i, sw * w + dw * j] * weight[o, c, i, j]
                    y[n, o, h, w] = total
    return y


# ---------------------------------------------------------------------------
# im2col + GEMM
# ---------------------------------------------------------------------------


def conv2d_im2col(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    r"""2-D convolution (cross-correlation) as one matrix product on the im2col matrix.

    The textbook GEMM method, for the whole batch at once: unfold every
    receptive field into a column with :func:`convblocks.im2col`, reshape the
    filters into rows, multiply. Same arguments and result as
    :func:`convblocks.conv2d` (which picks among several equivalent methods;
    this one always builds the full column matrix).

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    weight : ndarray, shape (C_out, C_in / groups, kH, kW)
        Filters.
    bias : ndarray, shape (C_out,), optional
        Added to every output position of channel ``o``.
    stride : int or (int, int), default 1
        Step between windows.
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same", default 0
        Zero padding: per side, per axis, or ``((top, bottom), (left, right))``.
    dilation : int or (int, int), default 1
        Spacing between kernel taps.
    groups : int, default 1
        Channels are split into ``groups`` independent convolutions.

    Returns
    -------
    y : ndarray, shape (N, C_out, H_out, W_out)
        In the common dtype of ``x``, ``weight`` and ``bias``.

    Raises
    ------
    ValueError
        Wrong ndim, channel mismatch, ``groups`` not dividing the channels,
        non-positive stride/dilation/kernel, negative padding, unknown padding
        string, bias of the wrong shape, or a kernel larger than the padded input.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    With ``cols = im2col(x)`` of shape ``(N, C_in kH kW, H_out W_out)``, rows
    ordered ``(c, i, j)`` exactly as ``weight.reshape(C_out, C_in * kH * kW)``
    orders its columns,

    .. math::

        Y_n = W\, \text{cols}_n, \qquad
        (C_\text{out} \times C_\text{in} k_H k_W)\,(C_\text{in} k_H k_W \times H_\text{out} W_\text{out})

    (one such product per group). The products are those of
    :func:`conv2d_naive`; the column matrix holds every input pixel up to
    ``kH * kW`` times.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 3, 3))
    >>> conv2d_im2col(x, w)
    array([[[[45., 54.],
             [81., 90.]]]])
    >>> conv2d_im2col(np.ones((2, 4, 9, 9)), np.ones((6, 2, 3, 3)), groups=2, stride=2).shape
    (2, 6, 4, 4)
    """
    x, weight, bias, stride, pads, dilation, groups, (out_h, out_w) = _check_conv(
        x, weight, bias, stride, padding, dilation, groups, "conv2d_im2col"
    )
    n = x.shape[0]
    c_out = weight.shape[0]
    cols = im2col(x, weight.shape[2:], stride=stride, padding=pads, dilation=dilation)  # (N, C_in kH kW, L)
    cols = cols.reshape(n, groups, cols.shape[1] // groups, out_h * out_w)  # group g's rows are contiguous (c slowest)
    rows = weight.reshape(groups, c_out // groups, cols.shape[2])  # (G, C_out / G, C_g kH kW)
    y = (rows @ cols).reshape(n, c_out, out_h, out_w)  # (N, G, C_out / G, L)
    return _add_bias(y, bias)


# ---------------------------------------------------------------------------
# the FFT
# ---------------------------------------------------------------------------


def _fast_len(n):
    """Smallest ``m >= n`` with no prime factor but 2, 3 and 5 (a fast FFT length)."""
    m = n
    while True:
        rest = m
        for p in (2, 3, 5):
            while rest % p == 0:
                rest //= p
        if rest == 1:
            return m
        m += 1


def _kernel_dft(weight, dilation, size):
    """``rfft2`` of the dilated kernels placed in an ``L_h x L_w`` frame of zeros, tap by tap.

    .. math::

        \\hat k[u, v] = \\sum_{i, j} k[i, j]\\, e^{-2 \\pi \\mathrm{i} (u d_h i / L_h + v d_w j / L_w)},
        \\qquad v = 0, \\dots, L_w / 2

    as two small matrix products (taps to frequencies along each axis): a
    kernel has only ``kH * kW`` non-zero taps, so summing over them is cheaper
    than an FFT of a frame that is almost all zeros. Shape (..., L_h, L_w // 2 + 1).
    """
    (lh, lw), (dh, dw) = size, dilation
    kh, kw = weight.shape[-2:]
    complex_type = np.result_type(weight.dtype, np.complex64)
    rows = np.exp(-2j * np.pi * np.outer(np.arange(lh), dh * np.arange(kh)) / lh)  # (L_h, kH)
    cols = np.exp(-2j * np.pi * np.outer(dw * np.arange(kw), np.arange(lw // 2 + 1)) / lw)  # (kW, L_w // 2 + 1)
    return rows.astype(complex_type) @ (weight @ cols.astype(complex_type))


def conv2d_fft(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) through the fast Fourier transform.

    Same arguments and result as :func:`convblocks.conv2d`. The cost per
    (input map, output map) pair is a pointwise product of transforms, whatever
    the kernel size: the FFT wins when kernels are large.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    weight : ndarray, shape (C_out, C_in / groups, kH, kW)
        Filters.
    bias : ndarray, shape (C_out,), optional
        Added to every output position of channel ``o``.
    stride : int or (int, int), default 1
        Step between windows (applied by keeping every ``stride``-th output).
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same", default 0
        Zero padding: per side, per axis, or ``((top, bottom), (left, right))``.
    dilation : int or (int, int), default 1
        Spacing between kernel taps (free: the taps are placed ``dilation`` apart in the transform).
    groups : int, default 1
        Channels are split into ``groups`` independent convolutions.

    Returns
    -------
    y : ndarray, shape (N, C_out, H_out, W_out)
        In the common dtype of ``x``, ``weight`` and ``bias`` (the transforms
        run in complex64 for float32 input, complex128 for float64).

    Raises
    ------
    ValueError
        Wrong ndim, channel mismatch, ``groups`` not dividing the channels,
        non-positive stride/dilation/kernel, negative padding, unknown padding
        string, bias of the wrong shape, or a kernel larger than the padded input.
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    The correlation theorem: with :math:`\\mathcal{F}` the 2-D DFT of length
    :math:`L_h \\times L_w` and :math:`\\tilde k` the (dilated) kernel padded
    with zeros to that size,

    .. math::

        \\mathcal{F}^{-1}\\big[\\mathcal{F}[x_p] \\cdot \\overline{\\mathcal{F}[\\tilde k]}\\big][h, w]
            = \\sum_{i, j} x_p[(h + i) \\bmod L_h, (w + j) \\bmod L_w]\\, \\tilde k[i, j]

    is the *circular* cross-correlation, and summing over input channels
    before the inverse transform gives

    .. math::

        y[n, o, h, w] = b[o] + \\mathcal{F}^{-1}\\Big[\\sum_{c} \\mathcal{F}[x_p[n, c]]\\,
            \\overline{\\mathcal{F}[\\tilde k[o, c]]}\\Big][s_h h, s_w w].

    Wrap-around: the index :math:`(h + i) \\bmod L_h` wraps past the end for
    :math:`h + i \\ge L_h`. A full correlation would need
    :math:`L_h \\ge H_p + \\text{span} - 1`; ``conv2d`` keeps only the positions
    where the window lies inside the padded map, :math:`h \\le H_p - \\text{span}`,
    for which :math:`h + i \\le H_p - 1`. So :math:`L_h \\ge H_p` (the map with
    conv2d's padding, rounded up to a length of factors 2, 3, 5 for speed) is
    enough, and the wrapped positions are cropped. The stride is applied by
    keeping every ``s``-th output: the FFT computes all of them anyway.

    Cost, with ``L = L_h L_w``: ``O((N C_in + N C_out) L log L)`` for the
    forward and inverse FFTs of the maps, ``C_out C_g kH L`` for the kernels'
    transforms (a sum over their taps), and ``N C_out C_g L / 2`` complex
    products, against ``N C_out C_g H_out W_out kH kW`` multiply-adds directly:
    no factor ``kH kW`` on the big terms. Rounding errors
    are spread evenly over the output (of order ``eps * log L`` relative to the
    largest values), so small outputs next to large ones lose relative accuracy.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 3, 3))
    >>> conv2d_fft(x, w).round(9)
    array([[[[45., 54.],
             [81., 90.]]]])
    >>> conv2d_fft(np.ones((2, 4, 9, 9), np.float32), np.ones((6, 2, 5, 5)), groups=2,
    ...            padding="same", stride=2).shape
    (2, 6, 5, 5)
    """
    x, weight, bias, (sh, sw), pads, dilation, groups, (out_h, out_w) = _check_conv(
        x, weight, bias, stride, padding, dilation, groups, "conv2d_fft"
    )
    xp = _pad_zeros(x, pads)
    size = (_fast_len(xp.shape[2]), _fast_len(xp.shape[3]))

    x_hat = np.fft.rfft2(xp, size)  # (N, C_in, L_h, L_w // 2 + 1)
    k_hat = np.conj(_kernel_dft(weight, dilation, size))  # (C_out, C_g, L_h, L_w // 2 + 1)
    y_hat = _sum_over_channels(x_hat, k_hat, groups)  # (N, C_out, L_h, L_w // 2 + 1)
    y = np.fft.irfft2(y_hat, size)  # circular correlation, (N, C_out, L_h, L_w)

    y = y[:, :, : sh * (out_h - 1) + 1 : sh, : sw * (out_w - 1) + 1 : sw]
    return _add_bias(y.astype(x.dtype), bias)


def _sum_over_channels(x_hat, k_hat, groups):
    """``y[n, o, f] = sum_c x[n, g C_g + c, f] * k[o, c, f]`` per frequency ``f``, by group.

    One matrix product per (group, frequency): ``(N, C_g) @ (C_g, C_out / groups)``.
    """
    n, c_in = x_hat.shape[:2]
    c_out, c_per_group = k_hat.shape[:2]
    freq = x_hat.shape[2:]
    f = freq[0] * freq[1]
    x_g = x_hat.reshape(n, groups, c_per_group, f).transpose(1, 3, 0, 2)  # (G, F, N, C_g)
    k_g = k_hat.reshape(groups, c_out // groups, c_per_group, f).transpose(0, 3, 2, 1)  # (G, F, C_g, O_g)
    y = x_g @ k_g  # (G, F, N, O_g)
    return y.transpose(2, 0, 3, 1).reshape(n, c_out, *freq)


# ---------------------------------------------------------------------------
# Winograd F(2x2, 3x3)
# ---------------------------------------------------------------------------

#: Input transform :math:`B^T` of F(2, 3): a 4-sample tile ``d`` becomes ``B^T d``.
BT = np.array(
    [
        [1, 0, -1, 0],
        [0, 1, 1, 0],
        [0, -1, 1, 0],
        [0, 1, 0, -1],
    ],
    dtype=np.float64,
)
#: Filter transform :math:`G` of F(2, 3): a 3-tap filter ``g`` becomes ``G g``.
G = np.array(
    [
        [1.0, 0.0, 0.0],
        [0.5, 0.5, 0.5],
        [0.5, -0.5, 0.5],
        [0.0, 0.0, 1.0],
    ]
)
#: Output transform :math:`A^T` of F(2, 3): 4 products give 2 outputs ``A^T m``.
AT = np.array(
    [
        [1, 1, 1, 0],
        [0, 1, -1, -1],
    ],
    dtype=np.float64,
)


def _transform(matrix, tiles):
    """``matrix @ t @ matrix.T`` for every tile ``t``, the tile axes *first*.

    ``tiles`` has shape ``(a, b, ...)``; the result ``(r, r, ...)`` with
    ``r = matrix.shape[0]``. Written as two matrix products over the leading
    axes, so each is one large GEMM however many tiles there are.
    """
    r, a = matrix.shape
    rest = tiles.shape[2:]
    rows = (matrix @ tiles.reshape(a, -1)).reshape(r, a, -1)  # sum_i M[p, i] t[i, j]
    both = matrix @ rows  # sum_j M[q, j] rows[p, j]  (one product per p)
    return both.reshape(r, r, *rest)


def _winograd_tiles(xp, tiles_hw):
    """Overlapping 4x4 tiles of ``xp`` (N, C, H_p, W_p), step 2, tile axes first.

    Returns shape ``(4, 4, C, N, T_h, T_w)``: ``d[i, j, c, n, t, s] = xp[n, c, 2t + i, 2s + j]``.
    ``xp`` must be at least ``2 T + 2`` high and wide.
    """
    th, tw = tiles_hw
    windows = sliding_window_view(xp, (4, 4), axis=(2, 3))[:, :, : 2 * th : 2, : 2 * tw : 2]
    return np.ascontiguousarray(windows.transpose(4, 5, 1, 0, 2, 3))


def conv2d_winograd(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3x3 convolution (cross-correlation) with Winograd's minimal filtering F(2x2, 3x3).

    Same arguments and result as :func:`convblocks.conv2d`, restricted to 3x3
    kernels, stride 1 and dilation 1. Each 2x2 block of outputs comes from a
    4x4 input tile with 16 multiplications per (input, output) channel pair
    instead of the 2 * 2 * 3 * 3 = 36 of the direct method.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
        Input batch; float32/float64 kept, int/bool computed in float64.
    weight : ndarray, shape (C_out, C_in / groups, 3, 3)
        Filters; only 3x3.
    bias : ndarray, shape (C_out,), optional
        Added to every output position of channel ``o``.
    stride : 1 or (1, 1), default 1
        Only 1 (the algorithm produces every output of a tile).
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same", default 0
        Zero padding: per side, per axis, or ``((top, bottom), (left, right))``.
    dilation : 1 or (1, 1), default 1
        Only 1.
    groups : int, default 1
        Channels are split into ``groups`` independent convolutions.

    Returns
    -------
    y : ndarray, shape (N, C_out, H_p - 2, W_p - 2)
        In the common dtype of ``x``, ``weight`` and ``bias`` (``H_p``, ``W_p``:
        the padded size).

    Raises
    ------
    ValueError
        A kernel other than 3x3, a stride or dilation other than 1, and
        everything :func:`convblocks.conv2d` refuses (wrong ndim, channel
        mismatch, bad groups, negative padding, input smaller than the kernel...).
    TypeError
        Non-numeric data or non-integer hyperparameters.

    Notes
    -----
    In one dimension, two outputs of a 3-tap correlation of ``d0..d3`` with
    ``g0..g2`` need 6 products directly; Winograd's F(2, 3) needs 4:

    .. math::

        m_1 = (d_0 - d_2) g_0, \\quad m_2 = (d_1 + d_2) \\tfrac{g_0 + g_1 + g_2}{2}, \\quad
        m_3 = (d_2 - d_1) \\tfrac{g_0 - g_1 + g_2}{2}, \\quad m_4 = (d_1 - d_3) g_2,

        y_0 = m_1 + m_2 + m_3, \\qquad y_1 = m_2 - m_3 - m_4,

    i.e. :math:`y = A^T[(G g) \\odot (B^T d)]` with the matrices ``AT``, ``G``
    and ``BT`` of this module. Nesting it in two dimensions:

    .. math::

        Y = A^T \\Big[\\sum_c (G\\, g_{o,c}\\, G^T) \\odot (B^T d_c\\, B)\\Big] A

    for every 4x4 tile ``d_c`` (rows and columns ``2t .. 2t+3``) and 2x2
    output block ``Y``: the element-wise product has 4 x 4 = 16 entries. The
    filter transform ``U = G g G^T`` is computed once per filter; the input
    transform once per tile and channel; the channel sum is 16 matrix
    products ``(C_out, C_in) @ (C_in, tiles)``, one per transform-domain
    position. An odd output size is handled by padding the last tile with
    zeros and cropping.

    The transforms are exact in exact arithmetic (their entries are 0, ±1 and
    ±1/2) but add rounding: in float32 expect errors a few times those of the
    direct method.

    References: A. Lavin and S. Gray, "Fast Algorithms for Convolutional
    Neural Networks", CVPR 2016.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 3, 3))
    >>> conv2d_winograd(x, w)
    array([[[[45., 54.],
             [81., 90.]]]])
    >>> conv2d_winograd(np.ones((1, 2, 7, 5)), np.ones((4, 2, 3, 3)), padding=1).shape
    (1, 4, 7, 5)
    """
    func = "conv2d_winograd"
    x, weight, bias, stride, pads, dilation, groups, out_hw = _check_conv(
        x, weight, bias, stride, padding, dilation, groups, func
    )
    if weight.shape[2:] != (3, 3):
        raise ValueError(
            f"{func}: weight must hold 3x3 kernels (F(2x2, 3x3) is for 3x3 only), "
            f"got kernel size {weight.shape[2:]} (weight shape {weight.shape}); use conv2d or conv2d_fft"
        )
    if stride != (1, 1):
        raise ValueError(
            f"{func}: stride must be 1 (F(2x2, 3x3) computes every output), got {stride}; "
            f"use conv2d or conv2d_fft"
        )
    if dilation != (1, 1):
        raise ValueError(f"{func}: dilation must be 1 for F(2x2, 3x3), got {dilation}; use conv2d or conv2d_fft")
    y = _winograd(_pad_zeros(x, pads), weight, groups, out_hw)
    return _add_bias(y, bias)


def _winograd(xp, weight, groups, out_hw):
    """F(2x2, 3x3) on an already padded ``xp`` (N, C_in, H_p, W_p); no bias."""
    n, c_in = xp.shape[:2]
    c_out, c_per_group = weight.shape[:2]
    out_h, out_w = out_hw
    th, tw = -(-out_h // 2), -(-out_w // 2)  # 2x2 output tiles per axis, rounded up
    xp = np.pad(xp, ((0, 0), (0, 0), (0, 2 * th + 2 - xp.shape[2]), (0, 2 * tw + 2 - xp.shape[3])))

    bt, g, at = (m.astype(xp.dtype) for m in (BT, G, AT))
    d = _winograd_tiles(xp, (th, tw))  # (4, 4, C_in, N, T_h, T_w)
    v = _transform(bt, d)  # B^T d B,  (4, 4, C_in, N, T_h, T_w)
    u = _transform(g, weight.transpose(2, 3, 0, 1))  # G g G^T, (4, 4, C_out, C_g)

    # the 16 element-wise products, summed over input channels: one GEMM per (position, group)
    o_g = c_out // groups
    u = u.reshape(16, groups, o_g, c_per_group)
    v = v.reshape(16, groups, c_per_group, n * th * tw)
    m = (u @ v).reshape(4, 4, c_out, n, th, tw)

    y = _transform(at, m)  # A^T m A, (2, 2, C_out, N, T_h, T_w)
    y = y.transpose(3, 2, 4, 0, 5, 1).reshape(n, c_out, 2 * th, 2 * tw)
    return y[:, :, :out_h, :out_w]


# ---------------------------------------------------------------------------
# the transforms of any F(m, r)
# ---------------------------------------------------------------------------


def _default_points(count):
    """0, 1, -1, 2, -2, 1/2, -1/2, 3, -3, 1/3, -1/3, ...: the first ``count`` (small, exact)."""
    points = [Fraction(0)]
    k = 1
    while len(points) < count:
        points += [Fraction(k), Fraction(-k)]
        if k > 1:
            points += [Fraction(1, k), Fraction(-1, k)]
        k += 1
    return points[:count]


def _vandermonde(points, columns):
    """Rows ``[p^0, ..., p^(columns-1)]`` for every finite point, then the point at infinity ``[0, ..., 0, 1]``."""
    rows = [[p**j for j in range(columns)] for p in points]
    rows.append([Fraction(0)] * (columns - 1) + [Fraction(1)])
    return rows


def _inverse(matrix):
    """Exact inverse of a square matrix of Fractions (Gauss-Jordan)."""
    n = len(matrix)
    a = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if a[r][col] != 0)
        a[col], a[pivot] = a[pivot], a[col]
        a[col] = [v / a[col][col] for v in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0:
                a[r] = [v - a[r][col] * u for v, u in zip(a[r], a[col])]
    return [row[n:] for row in a]


def winograd_matrices(m, r, points=None, exact=False):
    r"""The transforms ``(AT, G, BT)`` of Winograd's minimal filtering F(m, r).

    ``m`` outputs of an ``r``-tap cross-correlation from ``n = m + r - 1``
    inputs ``d`` with ``n`` multiplications instead of ``m r``:

    .. math::

        y = A^T \big[(G w) \odot (B^T d)\big], \qquad
        y[t] = \sum_{j=0}^{r-1} d[t + j]\, w[j], \quad t = 0, \dots, m - 1.

    Built by the Toom-Cook construction at ``n - 1`` finite points and the
    point at infinity (Lavin & Gray, 2016; S. Winograd, 1980): the 2-D
    version F(m x m, r x r) nests it, ``Y = A^T [(G w G^T) * (B^T d B)] A``.

    Parameters
    ----------
    m : int
        Outputs per tile (>= 1).
    r : int
        Filter taps (>= 1).
    points : sequence of ``m + r - 2`` distinct numbers, optional
        The finite interpolation points; default ``0, 1, -1, 2, -2, 1/2, -1/2, 3, ...``
        (floats are taken exactly, as :class:`fractions.Fraction`).
    exact : bool, default False
        Return object arrays of :class:`fractions.Fraction` (for exact
        arithmetic) instead of float64.

    Returns
    -------
    AT : ndarray, shape (m, n)
        Output transform.
    G : ndarray, shape (n, r)
        Filter transform.
    BT : ndarray, shape (n, n)
        Input transform.

    Raises
    ------
    ValueError
        ``m`` or ``r`` below 1, the wrong number of points, or repeated points.
    TypeError
        Non-integer ``m`` or ``r``, or points that are not real numbers.

    Notes
    -----
    With :math:`V_k` the ``n x k`` matrix of the rows :math:`[1, p, \dots, p^{k-1}]`
    (one per finite point) and :math:`[0, \dots, 0, 1]` (infinity), the linear
    convolution of an ``m``-vector ``a`` with ``w`` is
    :math:`V_n^{-1}[(V_m a) \odot (V_r w)]` (evaluate both polynomials at the
    points, multiply, interpolate). The cross-correlation is its transpose, so
    :math:`A^T = V_m^T`, :math:`G = V_r` and :math:`B^T = V_n^{-T}`. These differ
    from the matrices of Lavin & Gray (``AT``, ``G``, ``BT`` of this module for
    F(2, 3)) only by how the constant of each of the ``n`` products is split
    between ``G`` and ``B^T``. Larger ``n`` needs larger (or smaller) points:
    the entries of the transforms grow and so do rounding errors.

    Examples
    --------
    >>> AT, G, BT = winograd_matrices(2, 3)
    >>> AT.shape, G.shape, BT.shape
    ((2, 4), (4, 3), (4, 4))
    >>> d, w = np.array([1.0, 2, 3, 4]), np.array([1.0, 0, -1])
    >>> AT @ ((G @ w) * (BT @ d))               # [1 - 3, 2 - 4]
    array([-2., -2.])
    """
    func = "winograd_matrices"
    m = as_int(m, "m", func, minimum=1)
    r = as_int(r, "r", func, minimum=1)
    n = m + r - 1
    if points is None:
        points = _default_points(n - 1)
    else:
        try:
            points = [Fraction(p) for p in points]
        except (TypeError, ValueError):
            raise TypeError(f"{func}: points must be real numbers, got {points!r}") from None
        if len(points) != n - 1:
            raise ValueError(f"{func}: F({m}, {r}) needs m + r - 2 = {n - 1} finite points, got {len(points)}")
        if len(set(points)) != len(points):
            raise ValueError(f"{func}: the points must be distinct, got {[str(p) for p in points]}")
    at = np.array(_vandermonde(points, m), dtype=object).T
    g = np.array(_vandermonde(points, r), dtype=object)
    bt = np.array(_inverse(_vandermonde(points, n)), dtype=object).T
    if exact:
        return at, g, bt
    return at.astype(np.float64), g.astype(np.float64), bt.astype(np.float64)
