"""Pooling: max, average and power-average (Lp) pooling, global pooling, max-unpooling.

Every window function works the same way: pad the input (with ``-inf`` for a
max, zeros for a sum), then visit the ``kH * kW`` offsets of the window. For
each offset ``(i, j)`` the strided slice ``padded[..., i*dh::sh, j*dw::sw]``
holds that tap of *every* window at once, so a window reduction is a short
loop over kernel offsets of whole-array ``np.maximum`` / ``+`` operations and
there is no loop over pixels.

Output sizes, padding limits and ``ceil_mode`` follow PyTorch::

    O = floor((n + pad_before + pad_after - dilation*(k-1) - 1) / stride) + 1

(``ceil`` instead of ``floor`` with ``ceil_mode=True``, dropping a last window
that would start in the bottom/right padding), and the padding on each side
may be at most ``kernel_size // 2``.
"""

import numbers

import numpy as np

from ._checks import as_bool, as_float_array, as_int, as_pair, check_ndim, check_window_fits, resolve_padding
from .arithmetic import _window_count

__all__ = [
    "max_pool2d",
    "max_pool2d_backward",
    "avg_pool2d",
    "avg_pool2d_backward",
    "lp_pool2d",
    "global_avg_pool2d",
    "global_max_pool2d",
    "max_unpool2d",
]


# --------------------------------------------------------------------------- checks


def _as_nchw(x, name, func):
    """``x`` as a float (N, C, H, W) array with at least one pixel per map."""
    x = check_ndim(as_float_array(x, name, func), 4, name, func, "(N, C, H, W)")
    if x.shape[2] == 0 or x.shape[3] == 0:
        raise ValueError(f"{func}: {name} must have H >= 1 and W >= 1, got shape {x.shape}")
    return x


def _as_indices(indices, shape, of, func):
    """``indices`` as an int64 array with the shape of the array ``of``."""
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{func}: indices must be an integer array, got dtype {indices.dtype}")
    if indices.shape != shape:
        raise ValueError(f"{func}: indices must have the shape {shape} of {of}, got {indices.shape}")
    return indices.astype(np.int64, copy=False)


def _check_indices_range(indices, size, func, what):
    if indices.size and (indices.min() < 0 or indices.max() >= size):
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise ValueError(f"{func}: indices must lie in [0, {size}) ({what}), got {bad}")


# --------------------------------------------------------------------------- window geometry


def _window_geometry(func, x, kernel_size, stride, padding, dilation, ceil_mode):
    """Validate the window arguments; return kernel, stride, pads, dilation and output size."""
    kernel = as_pair(kernel_size, "kernel_size", func, minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", func, minimum=1)
    dilation = as_pair(dilation, "dilation", func, minimum=1)
    ceil_mode = as_bool(ceil_mode, "ceil_mode", func)
    in_size = x.shape[2:]
    pads = resolve_padding(padding, in_size, kernel, stride, dilation, func)
    half = tuple(k // 2 for k in kernel)
    if any(p > h for (before, after), h in zip(pads, half) for p in (before, after)):
        raise ValueError(
            f"{func}: padding must be at most half the kernel size on every side "
            f"(kernel_size // 2 = {half}), got {padding!r}"
        )
    out = tuple(
        _window_count(n, k, s, before, after, d, ceil_mode)
        for n, k, s, (before, after), d in zip(in_size, kernel, stride, pads, dilation)
    )
    if min(out) < 1:
        span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        padded = tuple(n + a + b for n, (a, b) in zip(in_size, pads))
        if not ceil_mode:
            check_window_fits(padded, span, func)  # raises
        raise ValueError(
            f"{func}: kernel spans {span} (dilation*(kernel_size-1)+1) but the padded input is only "
            f"{padded}; with ceil_mode=True a window may overhang the padded input by at most "
            f"stride - 1 = {tuple(s - 1 for s in stride)}"
        )
    return kernel, stride, pads, dilation, out


def _pad(x, pads, kernel, stride, dilation, out, fill):
    """Pad with ``fill``, plus the overhang of ceil_mode windows past the bottom/right border."""
    widths = [(0, 0), (0, 0)]
    for n, (before, after), k, s, d, o in zip(x.shape[2:], pads, kernel, stride, dilation, out):
        needed = (o - 1) * s + d * (k - 1) + 1
        widths.append((before, max(after, needed - n - before)))
    if all(w == (0, 0) for w in widths):
        return x
    return np.pad(x, widths, constant_values=fill)


def _taps(padded, kernel, stride, dilation, out):
    """Yield ``(i, j, tap)``: tap[..., oh, ow] = padded[..., oh*sh + i*dh, ow*sw + j*dw]."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    for i in range(kh):
        rows = slice(i * dh, i * dh + (oh - 1) * sh + 1, sh)
        for j in range(kw):
            cols = slice(j * dw, j * dw + (ow - 1) * sw + 1, sw)
            yield i, j, padded[..., rows, cols]


# --------------------------------------------------------------------------- max pooling


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r"""2-D max pooling: the largest value of each (dilated) window.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input maps; float32/float64 kept, int/bool computed in float64.
    kernel_size : int or (int, int)
        Window size ``(kH, kW)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same"
        ``-inf`` padding added to each side; at most ``kernel_size // 2`` per side.
    dilation : int or (int, int)
        Spacing between the taps of a window.
    ceil_mode : bool
        Round the number of windows up: a last, partial window is kept when it
        starts inside the input or the top/left padding.
    return_indices : bool
        Also return where each maximum came from.

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out), dtype of ``x``
    indices : ndarray of int64, shape (N, C, H_out, W_out)
        Only with ``return_indices=True``: the position ``h * W + w`` of each
        maximum, flat over the H·W pixels of its channel (as PyTorch). The first
        maximum in row-major window order wins a tie; a NaN wins over numbers.

    Raises
    ------
    ValueError
        ``x`` not 4-D, non-positive kernel/stride/dilation, padding larger than
        half the kernel, or no window fitting in the padded input.
    TypeError
        Non-numeric ``x``, non-integer sizes, non-bool flags.

    Notes
    -----
    .. math::

        \text{out}[n, c, i, j] = \max_{0 \le a < k_H,\ 0 \le b < k_W}
            x_{pad}[n, c,\ i s_H + a d_H,\ j s_W + b d_W]

    with ``H_out = floor((H + p_top + p_bottom - d_H (k_H - 1) - 1) / s_H) + 1``
    (``ceil`` with ``ceil_mode``). Max pooling has no parameters. A window lying
    entirely in the padding (possible with dilation) gives ``-inf`` and, as in
    PyTorch, an index that is not a pixel of the input.

    Examples
    --------
    >>> x = np.array([[[[1, 3, 2, 1],
    ...                 [4, 6, 5, 0],
    ...                 [7, 2, 9, 8],
    ...                 [1, 0, 3, 4]]]])
    >>> out, idx = max_pool2d(x, 2, return_indices=True)
    >>> out
    array([[[[6., 5.],
             [7., 9.]]]])
    >>> idx
    array([[[[ 5,  6],
             [ 8, 10]]]])
    >>> max_pool2d(np.zeros((1, 8, 26, 26)), 2).shape
    (1, 8, 13, 13)
    """
    func = "max_pool2d"
    x = _as_nchw(x, "x", func)
    kernel, stride, pads, dilation, out = _window_geometry(
        func, x, kernel_size, stride, padding, dilation, ceil_mode
    )
    return_indices = as_bool(return_indices, "return_indices", func)
    padded = _pad(x, pads, kernel, stride, dilation, out, fill=-np.inf)
    taps = _taps(padded, kernel, stride, dilation, out)
    if not return_indices:
        _, _, first = next(taps)
        result = first.copy()
        for _, _, tap in taps:
            np.maximum(result, tap, out=result)
        return result
    return _max_with_indices(taps, x, pads, stride, dilation, out)


def _ceil_div(a, b):
    return -(-a // b)


def _max_with_indices(taps, x, pads, stride, dilation, out):
    """Running maximum over the taps, remembering the flat input position of the winner.

    Follows PyTorch's loop: the index starts at the first tap of the window
    inside the input, and a later tap takes over when it is larger, or NaN.
    """
    width = x.shape[3]
    # input row (column) of tap 0 of every window, and of its first tap inside the input
    row0 = np.arange(out[0]) * stride[0] - pads[0][0]
    col0 = np.arange(out[1]) * stride[1] - pads[1][0]
    first_row = row0 + dilation[0] * _ceil_div(np.maximum(-row0, 0), dilation[0])
    first_col = col0 + dilation[1] * _ceil_div(np.maximum(-col0, 0), dilation[1])
    _, _, first = next(taps)  # inside the input or -inf padding: no change to the index
    best = first.copy()
    indices = np.broadcast_to(first_row[:, None] * width + first_col, best.shape).copy()
    has_nan = bool(np.isnan(x).any())
    wins = np.empty(best.shape, dtype=bool)
    for i, j, tap in taps:
        np.greater(tap, best, out=wins)
        if has_nan:
            wins |= np.isnan(tap)
        np.maximum(best, tap, out=best)
        position = (row0[:, None] + i * dilation[0]) * width + (col0 + j * dilation[1])
        np.copyto(indices, position, where=wins)
    return best, indices


def max_pool2d_backward(grad_out, indices, input_shape):
    r"""Gradient of :func:`max_pool2d` with respect to its input.

    Parameters
    ----------
    grad_out : ndarray, shape (N, C, H_out, W_out)
        Gradient of the loss with respect to the pooled output.
    indices : ndarray of int, shape (N, C, H_out, W_out)
        The ``indices`` returned by ``max_pool2d(..., return_indices=True)``.
    input_shape : tuple of 4 ints
        ``(N, C, H, W)``, the shape of the pooled input.

    Returns
    -------
    grad_x : ndarray, shape ``input_shape``, dtype of ``grad_out``

    Raises
    ------
    ValueError
        Wrong ndim, ``indices`` of another shape, ``input_shape`` not matching
        N and C of ``grad_out``, or an index outside ``[0, H*W)``.
    TypeError
        Non-numeric ``grad_out``, non-integer ``indices`` or ``input_shape``.

    Notes
    -----
    Each output is routed back to the pixel it came from; a pixel that is the
    maximum of several overlapping windows collects the sum:

    .. math::

        \frac{\partial L}{\partial x[n, c, p]} =
            \sum_{(i, j):\ \text{indices}[n, c, i, j] = p} \text{grad\_out}[n, c, i, j]

    Examples
    --------
    >>> grad = np.array([[[[1, 2],
    ...                    [3, 4]]]])
    >>> max_pool2d_backward(grad, np.array([[[[5, 6], [8, 10]]]]), (1, 1, 4, 4))
    array([[[[0., 0., 0., 0.],
             [0., 1., 2., 0.],
             [3., 0., 4., 0.],
             [0., 0., 0., 0.]]]])
    """
    func = "max_pool2d_backward"
    grad_out = check_ndim(as_float_array(grad_out, "grad_out", func), 4, "grad_out", func, "(N, C, H_out, W_out)")
    indices = _as_indices(indices, grad_out.shape, "grad_out", func)
    n, c, h, w = _as_input_shape(input_shape, grad_out, func)
    _check_indices_range(indices, h * w, func, f"H*W of input_shape {tuple(input_shape)}")
    channel_start = (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    flat = (indices + channel_start).ravel()  # positions in grad_x.ravel()
    grad_x = np.bincount(flat, weights=grad_out.ravel(), minlength=n * c * h * w)
    return grad_x.astype(grad_out.dtype).reshape(n, c, h, w)


def _as_input_shape(input_shape, grad_out, func):
    """``input_shape`` as 4 ints ``(N, C, H, W)`` whose N and C are those of ``grad_out``."""
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 4:
        raise TypeError(f"{func}: input_shape must be a tuple (N, C, H, W) of 4 ints, got {input_shape!r}")
    n, c, h, w = (as_int(v, "input_shape", func, minimum=m) for v, m in zip(input_shape, (0, 0, 1, 1)))
    if (n, c) != grad_out.shape[:2]:
        raise ValueError(
            f"{func}: input_shape {tuple(input_shape)} must have the N and C of grad_out "
            f"{grad_out.shape[:2]}"
        )
    return n, c, h, w


# --------------------------------------------------------------------------- average pooling


def _window_counts(n, k, s, pad, out, count_include_pad):
    """Divisor of each window along one axis, as PyTorch counts it.

    A window ``[start, start + k)`` is first clipped to the padded input
    ``[-pad_before, n + pad_after)`` (the ceil_mode overhang never counts);
    without ``count_include_pad`` it is clipped to the input ``[0, n)``.
    """
    start = np.arange(out) * s - pad[0]
    end = np.minimum(start + k, n + pad[1])
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, n)
    return end - start


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    r"""2-D average pooling: the mean of each window.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input maps; float32/float64 kept, int/bool computed in float64.
    kernel_size : int or (int, int)
        Window size ``(kH, kW)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same"
        Zero padding added to each side; at most ``kernel_size // 2`` per side.
    ceil_mode : bool
        Round the number of windows up (see :func:`max_pool2d`).
    count_include_pad : bool
        Divide by the window size including padded zeros (True) or by the
        number of input pixels in the window (False).

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out), dtype of ``x``

    Raises
    ------
    ValueError
        ``x`` not 4-D, non-positive kernel/stride, padding larger than half
        the kernel, or no window fitting in the padded input.
    TypeError
        Non-numeric ``x``, non-integer sizes, non-bool flags.

    Notes
    -----
    .. math::

        \text{out}[n, c, i, j] = \frac{1}{|W_{ij}|}
            \sum_{(a, b) \in W_{ij}} x_{pad}[n, c, a, b]

    where ``W_ij`` is the window ``[i s_H - p_top, i s_H - p_top + k_H) x [...]``.
    As in PyTorch, ``|W_ij|`` counts the window clipped to the padded input
    (so a ``ceil_mode`` window running past the bottom/right padding is divided
    by its clipped size), or, with ``count_include_pad=False``, clipped to the
    input itself.

    Examples
    --------
    >>> x = np.array([[[[1, 3, 2, 0],
    ...                 [4, 8, 6, 0],
    ...                 [7, 1, 9, 3],
    ...                 [0, 0, 3, 1]]]])
    >>> avg_pool2d(x, 2)
    array([[[[4., 2.],
             [2., 4.]]]])
    >>> avg_pool2d(np.ones((1, 1, 3, 3)), 2, padding=1)
    array([[[[0.25, 0.5 ],
             [0.5 , 1.  ]]]])
    >>> avg_pool2d(np.ones((1, 1, 3, 3)), 2, padding=1, count_include_pad=False)
    array([[[[1., 1.],
             [1., 1.]]]])
    """
    func = "avg_pool2d"
    x = _as_nchw(x, "x", func)
    kernel, stride, pads, dilation, out = _window_geometry(func, x, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = as_bool(count_include_pad, "count_include_pad", func)
    padded = _pad(x, pads, kernel, stride, dilation, out, fill=0)
    taps = _taps(padded, kernel, stride, dilation, out)
    _, _, first = next(taps)
    total = first.copy()
    for _, _, tap in taps:
        total += tap
    rows, cols = (
        _window_counts(*args, count_include_pad) for args in zip(x.shape[2:], kernel, stride, pads, out)
    )
    return total / (rows[:, None] * cols).astype(x.dtype)


def avg_pool2d_backward(grad_out, input_shape, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True):
    r"""Gradient of :func:`avg_pool2d` with respect to its input.

    Parameters
    ----------
    grad_out : ndarray, shape (N, C, H_out, W_out)
        Gradient of the loss with respect to the pooled output.
    input_shape : tuple of 4 ints
        ``(N, C, H, W)``, the shape of the pooled input.
    kernel_size, stride, padding, ceil_mode, count_include_pad
        As given to :func:`avg_pool2d`.

    Returns
    -------
    grad_x : ndarray, shape ``input_shape``, dtype of ``grad_out``

    Raises
    ------
    ValueError
        Anything :func:`avg_pool2d` refuses for an input of ``input_shape``,
        ``grad_out`` not shaped like the forward output, or ``input_shape`` not
        matching N and C of ``grad_out``.
    TypeError
        Non-numeric ``grad_out``, non-integer sizes, non-bool flags.

    Notes
    -----
    Average pooling is linear, ``out[i, j] = \sum_{(a, b) \in W_{ij}} x[a, b] / |W_{ij}|``,
    so its gradient is its adjoint: every output spreads its gradient evenly
    over the pixels of its window, and a pixel in several windows collects the sum

    .. math::

        \frac{\partial L}{\partial x[a, b]} =
            \sum_{(i, j):\ (a, b) \in W_{ij}} \frac{\text{grad\_out}[i, j]}{|W_{ij}|}.

    Shares that land on padding are dropped.

    Examples
    --------
    >>> avg_pool2d_backward(np.array([[[[4.0, 8.0]]]]), (1, 1, 2, 4), 2)
    array([[[[1., 1., 2., 2.],
             [1., 1., 2., 2.]]]])
    >>> avg_pool2d_backward(np.ones((1, 1, 2, 2)), (1, 1, 3, 3), 2, stride=1)
    array([[[[0.25, 0.5 , 0.25],
             [0.5 , 1.  , 0.5 ],
             [0.25, 0.5 , 0.25]]]])
    """
    func = "avg_pool2d_backward"
    grad_out = check_ndim(as_float_array(grad_out, "grad_out", func), 4, "grad_out", func, "(N, C, H_out, W_out)")
    shape = _as_input_shape(input_shape, grad_out, func)
    blank = np.zeros(shape, dtype=grad_out.dtype)
    kernel, stride, pads, dilation, out = _window_geometry(func, blank, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = as_bool(count_include_pad, "count_include_pad", func)
    if grad_out.shape != shape[:2] + out:
        raise ValueError(
            f"{func}: grad_out must have the shape of the forward output {shape[:2] + out}, got {grad_out.shape}"
        )
    rows, cols = (_window_counts(*args, count_include_pad) for args in zip(shape[2:], kernel, stride, pads, out))
    share = grad_out / (rows[:, None] * cols).astype(grad_out.dtype)
    grad_padded = _pad(blank, pads, kernel, stride, dilation, out, fill=0)
    for _, _, tap in _taps(grad_padded, kernel, stride, dilation, out):
        tap += share  # tap is a view into grad_padded
    (top, _), (left, _) = pads
    return grad_padded[..., top:top + shape[2], left:left + shape[3]].copy()


def lp_pool2d(x, norm_type, kernel_size, stride=None, ceil_mode=False):
    r"""2-D power-average (Lp) pooling: the p-norm of each window (L2 pooling for p = 2).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input maps; float32/float64 kept, int/bool computed in float64.
    norm_type : float
        The power ``p`` (non-zero); ``inf`` gives the max of ``|x|`` and
        ``-inf`` the min of ``|x|`` over each window.
    kernel_size : int or (int, int)
        Window size ``(kH, kW)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    ceil_mode : bool
        Round the number of windows up (see :func:`max_pool2d`).

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out), dtype of ``x``

    Raises
    ------
    ValueError
        ``norm_type`` zero or NaN, or as :func:`avg_pool2d`.
    TypeError
        ``norm_type`` not a real number, or as :func:`avg_pool2d`.

    Notes
    -----
    .. math::

        \text{out}[n, c, i, j] = \Big(\sum_{(a, b) \in W_{ij}} x[n, c, a, b]^p\Big)^{1/p}

    computed as PyTorch does, ``(k_H k_W \cdot \text{avg\_pool2d}(x^p))^{1/p}``,
    with no absolute value: for odd ``p`` a negative window sum gives NaN (a
    negative number to the power ``1/p``), and a partial ``ceil_mode`` window
    is scaled from its mean to the full window size ``k_H k_W``.

    Examples
    --------
    >>> x = np.array([[[[3, 4, 1, 1],
    ...                 [0, 0, 1, 1],
    ...                 [2, 2, 0, 0],
    ...                 [2, 2, 0, 5]]]])
    >>> lp_pool2d(x, 2, 2)
    array([[[[5., 2.],
             [4., 5.]]]])
    >>> lp_pool2d(x, 1, 2)
    array([[[[7., 4.],
             [8., 5.]]]])
    """
    func = "lp_pool2d"
    x = _as_nchw(x, "x", func)
    if isinstance(norm_type, (bool, np.bool_)) or not isinstance(norm_type, numbers.Real):
        raise TypeError(f"{func}: norm_type must be a real number, got {norm_type!r}")
    p = float(norm_type)
    if p == 0 or np.isnan(p):
        raise ValueError(f"{func}: norm_type must be a non-zero number (the power p), got {norm_type!r}")
    kernel, stride, _, _, _ = _window_geometry(func, x, kernel_size, stride, 0, 1, ceil_mode)
    if p == np.inf:
        return max_pool2d(np.abs(x), kernel, stride, 0, 1, ceil_mode)
    if p == -np.inf:
        return -max_pool2d(-np.abs(x), kernel, stride, 0, 1, ceil_mode)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        mean_power = avg_pool2d(x**p, kernel, stride, 0, ceil_mode)
        return (mean_power * (kernel[0] * kernel[1])) ** (1 / p)


# --------------------------------------------------------------------------- global pooling


def global_avg_pool2d(x):
    r"""Mean of each whole feature map: (N, C, H, W) -> (N, C, 1, 1).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input maps; float32/float64 kept, int/bool computed in float64.

    Returns
    -------
    out : ndarray, shape (N, C, 1, 1), dtype of ``x``

    Raises
    ------
    ValueError
        ``x`` not 4-D or with an empty map.
    TypeError
        Non-numeric ``x``.

    Notes
    -----
    :math:`\text{out}[n, c] = \frac{1}{HW} \sum_{h, w} x[n, c, h, w]`. The
    output size does not depend on H and W, which is why a classification
    head after global average pooling accepts images of any size.

    Examples
    --------
    >>> global_avg_pool2d(np.arange(8).reshape(1, 2, 2, 2))
    array([[[[1.5]],
    <BLANKLINE>
            [[5.5]]]])
    """
    x = _as_nchw(x, "x", "global_avg_pool2d")
    return x.mean(axis=(2, 3), keepdims=True)


def global_max_pool2d(x):
    r"""Maximum of each whole feature map: (N, C, H, W) -> (N, C, 1, 1).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input maps; float32/float64 kept, int/bool computed in float64.

    Returns
    -------
    out : ndarray, shape (N, C, 1, 1), dtype of ``x``

    Raises
    ------
    ValueError
        ``x`` not 4-D or with an empty map.
    TypeError
        Non-numeric ``x``.

    Notes
    -----
    :math:`\text{out}[n, c] = \max_{h, w} x[n, c, h, w]` (NaN if the map holds a NaN).

    Examples
    --------
    >>> global_max_pool2d(np.arange(8).reshape(1, 2, 2, 2))
    array([[[[3.]],
    <BLANKLINE>
            [[7.]]]])
    """
    x = _as_nchw(x, "x", "global_max_pool2d")
    return x.max(axis=(2, 3), keepdims=True)


# --------------------------------------------------------------------------- max-unpooling


def _unpool_size(func, in_size, kernel, stride, padding, output_size):
    """Output (H, W) of max_unpool2d: the default ``(n-1)*s - 2p + k`` or a checked ``output_size``."""
    default = tuple((n - 1) * s - 2 * p + k for n, k, s, p in zip(in_size, kernel, stride, padding))
    if output_size is None:
        size = default
    else:
        if not isinstance(output_size, (tuple, list)) or len(output_size) not in (2, 4):
            raise TypeError(
                f"{func}: output_size must be (H, W) or (N, C, H, W), got {output_size!r}"
            )
        size = tuple(as_int(v, "output_size", func) for v in output_size[-2:])
        for o, d, s in zip(size, default, stride):
            if not d - s < o < d + s:
                raise ValueError(
                    f"{func}: output_size {tuple(output_size)} is not reachable from input size "
                    f"{tuple(in_size)}: each of H, W must lie strictly between "
                    f"(n-1)*stride - 2*padding + kernel_size -/+ stride, i.e. in "
                    f"({default[0] - stride[0]}, {default[0] + stride[0]}) x "
                    f"({default[1] - stride[1]}, {default[1] + stride[1]})"
                )
    if min(size) < 0:
        raise ValueError(
            f"{func}: the output would be {size}; kernel_size, stride and padding must give a "
            f"non-negative output size ((n-1)*stride - 2*padding + kernel_size >= 0)"
        )
    return size


def max_unpool2d(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    r"""Partial inverse of :func:`max_pool2d`: each value back at its argmax, zeros elsewhere.

    Parameters
    ----------
    x : ndarray, shape (N, C, H_in, W_in)
        Pooled values; float32/float64 kept, int/bool computed in float64.
    indices : ndarray of int, shape (N, C, H_in, W_in)
        The ``indices`` returned by ``max_pool2d(..., return_indices=True)``,
        flat positions ``h * W_out + w`` in each output channel.
    kernel_size : int or (int, int)
        Window size of the pooling being undone.
    stride : int or (int, int), optional
        Its stride; defaults to ``kernel_size``.
    padding : int or (int, int)
        Its padding.
    output_size : (int, int) or (int, int, int, int), optional
        ``(H_out, W_out)`` (or a full shape, of which the last two are used),
        needed when the pooling dropped rows or columns, e.g. an odd input
        under 2×2/2 pooling. Each must lie strictly between ``default - stride``
        and ``default + stride``.

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out), dtype of ``x``
        By default ``H_out = (H_in - 1) * stride - 2 * padding + kernel_size``.

    Raises
    ------
    ValueError
        Wrong ndim, ``indices`` of another shape, an unreachable or
        negative output size, or an index outside ``[0, H_out*W_out)``.
    TypeError
        Non-numeric ``x``, non-integer ``indices`` or sizes.

    Notes
    -----
    :math:`\text{out}[n, c, \text{indices}[n, c, i, j]] = x[n, c, i, j]`, all
    other entries 0 (when two windows share an argmax, one value is kept).

    Examples
    --------
    >>> out = max_unpool2d(np.array([[[[6, 5], [7, 9]]]]),
    ...                    np.array([[[[5, 6], [8, 10]]]]), 2)
    >>> out
    array([[[[0., 0., 0., 0.],
             [0., 6., 5., 0.],
             [7., 0., 9., 0.],
             [0., 0., 0., 0.]]]])
    """
    func = "max_unpool2d"
    x = _as_nchw(x, "x", func)
    indices = _as_indices(indices, x.shape, "x", func)
    kernel = as_pair(kernel_size, "kernel_size", func, minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", func, minimum=1)
    padding = as_pair(padding, "padding", func, minimum=0)
    h, w = _unpool_size(func, x.shape[2:], kernel, stride, padding, output_size)
    n, c, h_in, w_in = x.shape
    if h * w == 0:  # as PyTorch: an empty output (e.g. kernel_size = 2 * padding on 1 pixel) holds nothing
        return np.zeros((n, c, h, w), dtype=x.dtype)
    _check_indices_range(indices, h * w, func, f"H_out*W_out for output size {(h, w)}")
    out = np.zeros((n, c, h * w), dtype=x.dtype)
    np.put_along_axis(out, indices.reshape(n, c, h_in * w_in), x.reshape(n, c, h_in * w_in), axis=2)
    return out.reshape(n, c, h, w)
