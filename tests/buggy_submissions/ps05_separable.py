"""Buggy submissions for ps05_separable: common mistakes with depthwise/separable convolutions.

Generated from the solution cells of solutions/ps05_separable: each entry replaces one
solution cell with a plausible wrong implementation (see tests/test_assignments.py)."""

BUGS = [
    {
        "name": 'depthwise_flipped_kernel',
        "cell": 'ps05_depthwise_code',
        "source": '''def depthwise_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Depthwise 2-D cross-correlation (conv2d with groups = C).

    x: (N, C, H, W); weight: (C * m, 1, kH, kW); bias: (C * m,) or None.
    Returns (N, C * m, H_out, W_out), float32 if all inputs are float32.
    """
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    m = c_out // c
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)
    (top, bottom), (left, right) = as_pads(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    h_out = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    xr = np.repeat(xp, m, axis=1)  # output channel c*m + k reads input channel c
    out = np.zeros((n, c_out, h_out, w_out), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (h_out - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (w_out - 1) + 1, sw)
            out += xr[:, :, rows, cols] * weight[:, 0, kh - 1 - i, kw - 1 - j][None, :, None, None]
    if bias is not None:
        out += np.asarray(bias, dtype=dtype)[None, :, None, None]
    return out''',
        "fails": ['ps05_depthwise_tests', 'ps05_separable_tests'],
        "message": 'flipped the kernel',
    },
    {
        "name": 'depthwise_channel_order',
        "cell": 'ps05_depthwise_code',
        "source": '''def depthwise_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Depthwise 2-D cross-correlation (conv2d with groups = C).

    x: (N, C, H, W); weight: (C * m, 1, kH, kW); bias: (C * m,) or None.
    Returns (N, C * m, H_out, W_out), float32 if all inputs are float32.
    """
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    m = c_out // c
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)
    (top, bottom), (left, right) = as_pads(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    h_out = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    xr = np.tile(xp, (1, m, 1, 1))  # output channel c*m + k reads input channel c
    out = np.zeros((n, c_out, h_out, w_out), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (h_out - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (w_out - 1) + 1, sw)
            out += xr[:, :, rows, cols] * weight[:, 0, i, j][None, :, None, None]
    if bias is not None:
        out += np.asarray(bias, dtype=dtype)[None, :, None, None]
    return out''',
        "fails": ['ps05_depthwise_tests', 'ps05_separable_tests'],
        "message": 'must read input channel c = o // m',
    },
    {
        "name": 'depthwise_sums_channels',
        "cell": 'ps05_depthwise_code',
        "source": '''def depthwise_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Depthwise 2-D cross-correlation (conv2d with groups = C).

    x: (N, C, H, W); weight: (C * m, 1, kH, kW); bias: (C * m,) or None.
    Returns (N, C * m, H_out, W_out), float32 if all inputs are float32.
    """
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    m = c_out // c
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)
    (top, bottom), (left, right) = as_pads(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    h_out = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    xr = np.repeat(xp, m, axis=1)  # output channel c*m + k reads input channel c
    out = np.zeros((n, c_out, h_out, w_out), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (h_out - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (w_out - 1) + 1, sw)
            out += xp[:, :, rows, cols].sum(axis=1, keepdims=True) * weight[:, 0, i, j][None, :, None, None]
    if bias is not None:
        out += np.asarray(bias, dtype=dtype)[None, :, None, None]
    return out''',
        "fails": ['ps05_depthwise_tests', 'ps05_separable_tests'],
        "message": 'summed over all input channels',
    },
    {
        "name": 'pointwise_bias_last_axis',
        "cell": 'ps05_pointwise_code',
        "source": '''def pointwise_conv2d(x, weight, bias=None):
    """1x1 convolution. x: (N, C_in, H, W); weight: (C_out, C_in) or (C_out, C_in, 1, 1).

    Returns (N, C_out, H, W).
    """
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    if weight.ndim == 4:
        weight = weight[:, :, 0, 0]
    n, c, h, w = x.shape
    out = np.matmul(weight, x.reshape(n, c, h * w)).reshape(n, weight.shape[0], h, w)
    if bias is not None:
        out = out + np.asarray(bias, dtype=dtype)
    return out''',
        "fails": ['ps05_pointwise_tests', 'ps05_separable_tests'],
        "message": 'added the bias along the last axis',
    },
    {
        "name": 'separable_forgot_bias',
        "cell": 'ps05_separable_code',
        "source": '''def separable_conv2d(x, depthwise_weight, pointwise_weight, bias=None, stride=1, padding=0, dilation=1):
    """Depthwise (kH x kW, with stride/padding/dilation) then pointwise (1x1, with the bias)."""
    depth = depthwise_conv2d(x, depthwise_weight, None, stride=stride, padding=padding, dilation=dilation)
    return pointwise_conv2d(depth, pointwise_weight)''',
        "fails": ['ps05_separable_tests'],
        "message": 'forgot the bias',
    },
    {
        "name": 'params_forgot_groups',
        "cell": 'ps05_params_code',
        "source": '''def conv2d_params(c_in, c_out, kernel_size, bias=True, groups=1):
    """Parameters of a conv2d layer: kH * kW * (c_in / groups) * c_out (+ c_out biases)."""
    kh, kw = as_pair(kernel_size)
    return kh * kw * c_in * c_out + (c_out if bias else 0)


def separable_conv2d_params(c_in, c_out, kernel_size, depth_multiplier=1, bias=True):
    """Parameters of a depthwise separable conv: c_in*m*kH*kW + c_in*m*c_out (+ c_out)."""
    kh, kw = as_pair(kernel_size)
    m = depth_multiplier
    return c_in * m * kh * kw + c_in * m * c_out + (c_out if bias else 0)


standard_32_64 = conv2d_params(32, 64, 3, bias=False)
separable_32_64 = separable_conv2d_params(32, 64, 3, bias=False)
ratio_32_64 = separable_32_64 / standard_32_64
print(standard_32_64, separable_32_64, round(ratio_32_64, 4))''',
        "fails": ['ps05_macs_tests'],
        "message": 'forgot to divide the input channels by groups',
    },
    {
        "name": 'separable_params_depthwise_bias',
        "cell": 'ps05_params_code',
        "source": '''def conv2d_params(c_in, c_out, kernel_size, bias=True, groups=1):
    """Parameters of a conv2d layer: kH * kW * (c_in / groups) * c_out (+ c_out biases)."""
    kh, kw = as_pair(kernel_size)
    return kh * kw * (c_in // groups) * c_out + (c_out if bias else 0)


def separable_conv2d_params(c_in, c_out, kernel_size, depth_multiplier=1, bias=True):
    """Parameters of a depthwise separable conv: c_in*m*kH*kW + c_in*m*c_out (+ c_out)."""
    kh, kw = as_pair(kernel_size)
    m = depth_multiplier
    return c_in * m * kh * kw + c_in * m * c_out + ((c_in * m + c_out) if bias else 0)


standard_32_64 = conv2d_params(32, 64, 3, bias=False)
separable_32_64 = separable_conv2d_params(32, 64, 3, bias=False)
ratio_32_64 = separable_32_64 / standard_32_64
print(standard_32_64, separable_32_64, round(ratio_32_64, 4))''',
        "fails": ['ps05_macs_tests'],
        "message": 'bias in the depthwise step too',
    },
    {
        "name": 'macs_input_size',
        "cell": 'ps05_macs_code',
        "source": '''def conv2d_macs(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, dilation=1, groups=1):
    """Multiply-accumulates of one conv2d on one image."""
    h, w = as_pair(input_hw)
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)
    (top, bottom), (left, right) = as_pads(padding)
    h_out = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    return h * w * c_out * (c_in // groups) * kh * kw


def separable_conv2d_macs(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, dilation=1,
                          depth_multiplier=1):
    """Multiply-accumulates of a depthwise separable conv (depthwise + pointwise) on one image."""
    m = depth_multiplier
    kh, kw = as_pair(kernel_size)
    depthwise = conv2d_macs(input_hw, c_in, c_in * m, kernel_size, stride, padding, dilation, groups=c_in)
    h, w = as_pair(input_hw)
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)
    (top, bottom), (left, right) = as_pads(padding)
    h_out = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    return depthwise + conv2d_macs((h_out, w_out), c_in * m, c_out, 1)


macs_standard = conv2d_macs(112, 32, 64, 3, padding=1)
macs_separable = separable_conv2d_macs(112, 32, 64, 3, padding=1)
print(f"{macs_standard:,} vs {macs_separable:,}: {macs_standard / macs_separable:.2f}x fewer")''',
        "fails": ['ps05_macs_tests'],
        "message": 'input size instead of the output size',
    },
    {
        "name": 'separable_macs_pointwise_on_input',
        "cell": 'ps05_macs_code',
        "source": '''def conv2d_macs(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, dilation=1, groups=1):
    """Multiply-accumulates of one conv2d on one image."""
    h, w = as_pair(input_hw)
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)
    (top, bottom), (left, right) = as_pads(padding)
    h_out = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    return h_out * w_out * c_out * (c_in // groups) * kh * kw


def separable_conv2d_macs(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, dilation=1,
                          depth_multiplier=1):
    """Multiply-accumulates of a depthwise separable conv (depthwise + pointwise) on one image."""
    m = depth_multiplier
    kh, kw = as_pair(kernel_size)
    depthwise = conv2d_macs(input_hw, c_in, c_in * m, kernel_size, stride, padding, dilation, groups=c_in)
    h, w = as_pair(input_hw)
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)
    (top, bottom), (left, right) = as_pads(padding)
    h_out = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    return depthwise + conv2d_macs((h, w), c_in * m, c_out, 1)


macs_standard = conv2d_macs(112, 32, 64, 3, padding=1)
macs_separable = separable_conv2d_macs(112, 32, 64, 3, padding=1)
print(f"{macs_standard:,} vs {macs_separable:,}: {macs_standard / macs_separable:.2f}x fewer")''',
        "fails": ['ps05_macs_tests'],
        "message": 'runs on the depthwise output',
    },
    {
        "name": 'rank_absolute_tolerance',
        "cell": 'ps05_rank_code',
        "source": '''def kernel_rank(kernel, tol=1e-8):
    """Number of singular values of the 2-D kernel larger than tol * the largest."""
    s = np.linalg.svd(np.asarray(kernel, dtype=float), compute_uv=False)
    if s[0] == 0:
        return 0
    return int(np.sum(s > tol))


def rank1_factors(kernel):
    """(u, v) with np.outer(u, v) ~ kernel, from the largest singular triple."""
    U, s, Vt = np.linalg.svd(np.asarray(kernel, dtype=float))
    scale = np.sqrt(s[0])
    return U[:, 0] * scale, Vt[0] * scale''',
        "fails": ['ps05_rank_tests'],
        "message": 'relative',
    },
    {
        "name": 'rank1_forgot_sigma',
        "cell": 'ps05_rank_code',
        "source": '''def kernel_rank(kernel, tol=1e-8):
    """Number of singular values of the 2-D kernel larger than tol * the largest."""
    s = np.linalg.svd(np.asarray(kernel, dtype=float), compute_uv=False)
    if s[0] == 0:
        return 0
    return int(np.sum(s > tol * s[0]))


def rank1_factors(kernel):
    """(u, v) with np.outer(u, v) ~ kernel, from the largest singular triple."""
    U, s, Vt = np.linalg.svd(np.asarray(kernel, dtype=float))
    scale = 1.0
    return U[:, 0] * scale, Vt[0] * scale''',
        "fails": ['ps05_rank_tests'],
        "message": 'forgot the singular value',
    },
    {
        "name": 'twopass_np_convolve',
        "cell": 'ps05_twopass_code',
        "source": '''def separable_filter2d(x, col, row, padding=0):
    """Cross-correlate every channel of x with np.outer(col, row), as two 1-D passes."""
    dtype = float_dtype(x, col, row)
    x = np.asarray(x, dtype=dtype)
    col = np.asarray(col, dtype=dtype)
    row = np.asarray(row, dtype=dtype)
    pad_h, pad_w = as_pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)))
    kh, kw = len(col), len(row)
    h_out = xp.shape[2] - kh + 1
    w_out = xp.shape[3] - kw + 1
    t = sum(col[kh - 1 - i] * xp[:, :, i:i + h_out, :] for i in range(kh))
    return sum(row[kw - 1 - j] * t[:, :, :, j:j + w_out] for j in range(kw))''',
        "fails": ['ps05_twopass_tests'],
        "message": 'flipped the 1-D kernels',
    },
    {
        "name": 'twopass_swapped_axes',
        "cell": 'ps05_twopass_code',
        "source": '''def separable_filter2d(x, col, row, padding=0):
    """Cross-correlate every channel of x with np.outer(col, row), as two 1-D passes."""
    dtype = float_dtype(x, col, row)
    x = np.asarray(x, dtype=dtype)
    col = np.asarray(col, dtype=dtype)
    row = np.asarray(row, dtype=dtype)
    pad_h, pad_w = as_pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)))
    kh, kw = len(col), len(row)
    h_out = xp.shape[2] - kw + 1
    w_out = xp.shape[3] - kh + 1
    t = sum(row[i] * xp[:, :, i:i + h_out, :] for i in range(kw))
    return sum(col[j] * t[:, :, :, j:j + w_out] for j in range(kh))''',
        "fails": ['ps05_twopass_tests'],
        "message": 'swapped the passes',
    },
]
