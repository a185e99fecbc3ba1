"""Buggy submissions for ps06_upsampling: common mistakes with interpolation and transposed convolutions.

Generated from the solution cells of solutions/ps06_upsampling: each entry replaces one
solution cell with a plausible wrong implementation (see tests/test_assignments.py)."""

BUGS = [
    {
        "name": 'nearest_round_instead_of_floor',
        "cell": 'ps06_nearest_code',
        "source": '''def upsample_nearest2d(x, scale_factor=None, size=None):
    """Nearest-neighbour resize of x (N, C, H, W) by scale_factor or to size."""
    x = np.asarray(x)
    if x.dtype != np.float32:
        x = x.astype(np.float64)
    in_hw = x.shape[2:]
    if size is not None:
        out_hw = as_pair(size)
        steps = [n_in / n_out for n_in, n_out in zip(in_hw, out_hw)]
    else:
        scales = as_pair(scale_factor)
        out_hw = [math.floor(n * s) for n, s in zip(in_hw, scales)]
        steps = [1 / s for s in scales]
    rows, cols = (np.minimum(np.round(np.arange(n_out) * step).astype(int), n_in - 1)
                  for n_in, n_out, step in zip(in_hw, out_hw, steps))
    return x.take(rows, axis=2).take(cols, axis=3)''',
        "fails": ['ps06_nearest_tests'],
        "message": 'rounded to the nearest source index',
    },
    {
        "name": 'nearest_size_ratio_for_scale',
        "cell": 'ps06_nearest_code',
        "source": '''def upsample_nearest2d(x, scale_factor=None, size=None):
    """Nearest-neighbour resize of x (N, C, H, W) by scale_factor or to size."""
    x = np.asarray(x)
    if x.dtype != np.float32:
        x = x.astype(np.float64)
    in_hw = x.shape[2:]
    if size is not None:
        out_hw = as_pair(size)
        steps = [n_in / n_out for n_in, n_out in zip(in_hw, out_hw)]
    else:
        scales = as_pair(scale_factor)
        out_hw = [math.floor(n * s) for n, s in zip(in_hw, scales)]
        steps = [n_in / n_out for n_in, n_out in zip(in_hw, out_hw)]
    rows, cols = (np.minimum(np.floor(np.arange(n_out) * step).astype(int), n_in - 1)
                  for n_in, n_out, step in zip(in_hw, out_hw, steps))
    return x.take(rows, axis=2).take(cols, axis=3)''',
        "fails": ['ps06_nearest_tests'],
        "message": 'you used n_in / n_out',
    },
    {
        "name": 'bilinear_align_corners_mixed_up',
        "cell": 'ps06_bilinear_code',
        "source": '''def upsample_bilinear2d(x, scale_factor=None, size=None, align_corners=False):
    """Bilinear resize of x (N, C, H, W) by scale_factor or to size."""
    x = np.asarray(x)
    if x.dtype != np.float32:
        x = x.astype(np.float64)
    in_hw = x.shape[2:]
    if size is not None:
        out_hw = as_pair(size)
        steps = [n_in / n_out for n_in, n_out in zip(in_hw, out_hw)]
    else:
        scales = as_pair(scale_factor)
        out_hw = [math.floor(n * s) for n, s in zip(in_hw, scales)]
        steps = [1 / s for s in scales]
    for axis, n_in, n_out, step in zip((2, 3), in_hw, out_hw, steps):
        d = np.arange(n_out)
        if not align_corners:
            u = d * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
        else:
            u = np.maximum((d + 0.5) * step - 0.5, 0.0)
        i0 = np.minimum(np.floor(u).astype(int), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        lam = (u - i0).astype(x.dtype)
        shape = [1, 1, 1, 1]
        shape[axis] = n_out
        lam = lam.reshape(shape)
        x = x.take(i0, axis=axis) * (1 - lam) + x.take(i1, axis=axis) * lam
    return x''',
        "fails": ['ps06_bilinear_tests'],
        "message": 'mixed up align_corners',
    },
    {
        "name": 'bilinear_no_clamp',
        "cell": 'ps06_bilinear_code',
        "source": '''def upsample_bilinear2d(x, scale_factor=None, size=None, align_corners=False):
    """Bilinear resize of x (N, C, H, W) by scale_factor or to size."""
    x = np.asarray(x)
    if x.dtype != np.float32:
        x = x.astype(np.float64)
    in_hw = x.shape[2:]
    if size is not None:
        out_hw = as_pair(size)
        steps = [n_in / n_out for n_in, n_out in zip(in_hw, out_hw)]
    else:
        scales = as_pair(scale_factor)
        out_hw = [math.floor(n * s) for n, s in zip(in_hw, scales)]
        steps = [1 / s for s in scales]
    for axis, n_in, n_out, step in zip((2, 3), in_hw, out_hw, steps):
        d = np.arange(n_out)
        if align_corners:
            u = d * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
        else:
            u = (d + 0.5) * step - 0.5
        i0 = np.minimum(np.floor(u).astype(int), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        lam = (u - i0).astype(x.dtype)
        shape = [1, 1, 1, 1]
        shape[axis] = n_out
        lam = lam.reshape(shape)
        x = x.take(i0, axis=axis) * (1 - lam) + x.take(i1, axis=axis) * lam
    return x''',
        "fails": ['ps06_bilinear_tests'],
        "message": 'clamped at 0',
    },
    {
        "name": 'bilinear_size_ratio_for_scale',
        "cell": 'ps06_bilinear_code',
        "source": '''def upsample_bilinear2d(x, scale_factor=None, size=None, align_corners=False):
    """Bilinear resize of x (N, C, H, W) by scale_factor or to size."""
    x = np.asarray(x)
    if x.dtype != np.float32:
        x = x.astype(np.float64)
    in_hw = x.shape[2:]
    if size is not None:
        out_hw = as_pair(size)
        steps = [n_in / n_out for n_in, n_out in zip(in_hw, out_hw)]
    else:
        scales = as_pair(scale_factor)
        out_hw = [math.floor(n * s) for n, s in zip(in_hw, scales)]
        steps = [n_in / n_out for n_in, n_out in zip(in_hw, out_hw)]
    for axis, n_in, n_out, step in zip((2, 3), in_hw, out_hw, steps):
        d = np.arange(n_out)
        if align_corners:
            u = d * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
        else:
            u = np.maximum((d + 0.5) * step - 0.5, 0.0)
        i0 = np.minimum(np.floor(u).astype(int), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        lam = (u - i0).astype(x.dtype)
        shape = [1, 1, 1, 1]
        shape[axis] = n_out
        lam = lam.reshape(shape)
        x = x.take(i0, axis=axis) * (1 - lam) + x.take(i1, axis=axis) * lam
    return x''',
        "fails": ['ps06_bilinear_tests'],
        "message": 'you used n_in / n_out',
    },
    {
        "name": 'tconv_flipped_kernel',
        "cell": 'ps06_tconv_code',
        "source": '''def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution (torch.nn.functional.conv_transpose2d)."""
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    n, c_in, h, w = x.shape
    _, c_out_g, kh, kw = weight.shape
    c_out = c_out_g * groups
    c_in_g = c_in // groups
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    oph, opw = as_pair(output_padding)
    dh, dw = as_pair(dilation)
    full_h = (h - 1) * sh + dh * (kh - 1) + 1
    full_w = (w - 1) * sw + dw * (kw - 1) + 1
    canvas = np.zeros((n, c_out, full_h + oph, full_w + opw), dtype=dtype)
    for g in range(groups):
        xg = x[:, g * c_in_g:(g + 1) * c_in_g]
        wg = weight[g * c_in_g:(g + 1) * c_in_g]
        outs = slice(g * c_out_g, (g + 1) * c_out_g)
        for i in range(kh):
            for j in range(kw):
                stamp = np.einsum("nchw,co->nohw", xg, wg[:, :, kh - 1 - i, kw - 1 - j])
                rows = slice(i * dh, i * dh + sh * (h - 1) + 1, sh)
                cols = slice(j * dw, j * dw + sw * (w - 1) + 1, sw)
                canvas[:, outs, rows, cols] += stamp
    out_h = full_h - 2 * ph + oph
    out_w = full_w - 2 * pw + opw
    out = canvas[:, :, ph:ph + out_h, pw:pw + out_w]
    if out.shape[2] < out_h or out.shape[3] < out_w:  # output_padding beyond the canvas
        out = np.pad(out, ((0, 0), (0, 0), (0, out_h - out.shape[2]), (0, out_w - out.shape[3])))
    out = np.ascontiguousarray(out)
    if bias is not None:
        out += np.asarray(bias, dtype=dtype)[None, :, None, None]
    return out''',
        "fails": ['ps06_tconv_tests'],
        "message": 'flipped the kernel',
    },
    {
        "name": 'tconv_output_padding_top_left',
        "cell": 'ps06_tconv_code',
        "source": '''def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution (torch.nn.functional.conv_transpose2d)."""
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    n, c_in, h, w = x.shape
    _, c_out_g, kh, kw = weight.shape
    c_out = c_out_g * groups
    c_in_g = c_in // groups
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    oph, opw = as_pair(output_padding)
    dh, dw = as_pair(dilation)
    full_h = (h - 1) * sh + dh * (kh - 1) + 1
    full_w = (w - 1) * sw + dw * (kw - 1) + 1
    canvas = np.zeros((n, c_out, full_h + oph, full_w + opw), dtype=dtype)
    for g in range(groups):
        xg = x[:, g * c_in_g:(g + 1) * c_in_g]
        wg = weight[g * c_in_g:(g + 1) * c_in_g]
        outs = slice(g * c_out_g, (g + 1) * c_out_g)
        for i in range(kh):
            for j in range(kw):
                stamp = np.einsum("nchw,co->nohw", xg, wg[:, :, i, j])
                rows = slice(i * dh, i * dh + sh * (h - 1) + 1, sh)
                cols = slice(j * dw, j * dw + sw * (w - 1) + 1, sw)
                canvas[:, outs, rows, cols] += stamp
    out_h = full_h - 2 * ph + oph
    out_w = full_w - 2 * pw + opw
    canvas = np.pad(canvas[:, :, :full_h, :full_w], ((0, 0), (0, 0), (oph, 0), (opw, 0)))
    out = canvas[:, :, ph:ph + out_h, pw:pw + out_w]
    if out.shape[2] < out_h or out.shape[3] < out_w:  # output_padding beyond the canvas
        out = np.pad(out, ((0, 0), (0, 0), (0, out_h - out.shape[2]), (0, out_w - out.shape[3])))
    out = np.ascontiguousarray(out)
    if bias is not None:
        out += np.asarray(bias, dtype=dtype)[None, :, None, None]
    return out''',
        "fails": ['ps06_tconv_tests'],
        "message": 'bottom/right only',
    },
    {
        "name": 'tconv_weight_layout',
        "cell": 'ps06_tconv_code',
        "source": '''def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution (torch.nn.functional.conv_transpose2d)."""
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    n, c_in, h, w = x.shape
    _, c_out_g, kh, kw = weight.shape
    c_out = c_out_g * groups
    c_in_g = c_in // groups
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    oph, opw = as_pair(output_padding)
    dh, dw = as_pair(dilation)
    full_h = (h - 1) * sh + dh * (kh - 1) + 1
    full_w = (w - 1) * sw + dw * (kw - 1) + 1
    canvas = np.zeros((n, c_out, full_h + oph, full_w + opw), dtype=dtype)
    for g in range(groups):
        xg = x[:, g * c_in_g:(g + 1) * c_in_g]
        wg = weight[g * c_in_g:(g + 1) * c_in_g]
        outs = slice(g * c_out_g, (g + 1) * c_out_g)
        for i in range(kh):
            for j in range(kw):
                stamp = np.einsum("nchw,oc->nohw", xg, wg[:, :, i, j]) if wg.shape[0] == wg.shape[1] else np.einsum("nchw,co->nohw", xg, wg[:, :, i, j])
                rows = slice(i * dh, i * dh + sh * (h - 1) + 1, sh)
                cols = slice(j * dw, j * dw + sw * (w - 1) + 1, sw)
                canvas[:, outs, rows, cols] += stamp
    out_h = full_h - 2 * ph + oph
    out_w = full_w - 2 * pw + opw
    out = canvas[:, :, ph:ph + out_h, pw:pw + out_w]
    if out.shape[2] < out_h or out.shape[3] < out_w:  # output_padding beyond the canvas
        out = np.pad(out, ((0, 0), (0, 0), (0, out_h - out.shape[2]), (0, out_w - out.shape[3])))
    out = np.ascontiguousarray(out)
    if bias is not None:
        out += np.asarray(bias, dtype=dtype)[None, :, None, None]
    return out''',
        "fails": ['ps06_tconv_tests'],
        "message": 'you read it as (C_out, C_in, kH, kW)',
    },
    {
        "name": 'tconv_forgot_bias',
        "cell": 'ps06_tconv_code',
        "source": '''def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution (torch.nn.functional.conv_transpose2d)."""
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    n, c_in, h, w = x.shape
    _, c_out_g, kh, kw = weight.shape
    c_out = c_out_g * groups
    c_in_g = c_in // groups
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    oph, opw = as_pair(output_padding)
    dh, dw = as_pair(dilation)
    full_h = (h - 1) * sh + dh * (kh - 1) + 1
    full_w = (w - 1) * sw + dw * (kw - 1) + 1
    canvas = np.zeros((n, c_out, full_h + oph, full_w + opw), dtype=dtype)
    for g in range(groups):
        xg = x[:, g * c_in_g:(g + 1) * c_in_g]
        wg = weight[g * c_in_g:(g + 1) * c_in_g]
        outs = slice(g * c_out_g, (g + 1) * c_out_g)
        for i in range(kh):
            for j in range(kw):
                stamp = np.einsum("nchw,co->nohw", xg, wg[:, :, i, j])
                rows = slice(i * dh, i * dh + sh * (h - 1) + 1, sh)
                cols = slice(j * dw, j * dw + sw * (w - 1) + 1, sw)
                canvas[:, outs, rows, cols] += stamp
    out_h = full_h - 2 * ph + oph
    out_w = full_w - 2 * pw + opw
    out = canvas[:, :, ph:ph + out_h, pw:pw + out_w]
    if out.shape[2] < out_h or out.shape[3] < out_w:  # output_padding beyond the canvas
        out = np.pad(out, ((0, 0), (0, 0), (0, out_h - out.shape[2]), (0, out_w - out.shape[3])))
    out = np.ascontiguousarray(out)
    return out''',
        "fails": ['ps06_tconv_tests'],
        "message": 'forgot the bias',
    },
    {
        "name": 'overlap_interior_formula',
        "cell": 'ps06_overlap_code',
        "source": '''def overlap_count(input_hw, kernel_size, stride):
    """Number of kernel stamps covering each pixel of the full transposed-conv output."""
    counts = []
    for i, k, s in zip(as_pair(input_hw), as_pair(kernel_size), as_pair(stride)):
        full = (i - 1) * s + k
        t = np.arange(full)[:, None]
        starts = (np.arange(i) * s)[None, :]
        counts.append(np.full(full, math.ceil(k / s)))
    return np.outer(counts[0], counts[1])


even_pairs = []
for k in range(1, 8):
    for s in range(1, 4):
        c = overlap_count(10, k, s)
        inner = c[k - 1:c.shape[0] - k + 1, k - 1:c.shape[1] - k + 1]
        if inner.min() == inner.max():
            even_pairs.append((k, s))
print(overlap_count(3, 3, 2))
print(even_pairs)''',
        "fails": ['ps06_overlap_tests'],
        "message": 'overlap less',
    },
    {
        "name": 'ambiguity_only_smallest_size',
        "cell": 'ps06_ambiguity_code',
        "source": '''def conv_input_sizes(out_size, kernel_size, stride=1, padding=0, dilation=1):
    """All input sizes that a convolution maps to out_size, ascending."""
    span = dilation * (kernel_size - 1) + 1
    smallest = (out_size - 1) * stride + span - 2 * padding
    return [smallest]


def output_padding_for(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """output_padding with which conv_transpose gives back input_size from the conv's output."""
    span = dilation * (kernel_size - 1) + 1
    return (input_size + 2 * padding - span) % stride''',
        "fails": ['ps06_ambiguity_tests'],
        "message": 'return all of them',
    },
    {
        "name": 'ambiguity_one_size_too_many',
        "cell": 'ps06_ambiguity_code',
        "source": '''def conv_input_sizes(out_size, kernel_size, stride=1, padding=0, dilation=1):
    """All input sizes that a convolution maps to out_size, ascending."""
    span = dilation * (kernel_size - 1) + 1
    smallest = (out_size - 1) * stride + span - 2 * padding
    return [n for n in range(smallest, smallest + stride + 1) if n >= 1]


def output_padding_for(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """output_padding with which conv_transpose gives back input_size from the conv's output."""
    span = dilation * (kernel_size - 1) + 1
    return (input_size + 2 * padding - span) % stride''',
        "fails": ['ps06_ambiguity_tests'],
        "message": 'one size too many',
    },
    {
        "name": 'ambiguity_output_padding_mod_stride',
        "cell": 'ps06_ambiguity_code',
        "source": '''def conv_input_sizes(out_size, kernel_size, stride=1, padding=0, dilation=1):
    """All input sizes that a convolution maps to out_size, ascending."""
    span = dilation * (kernel_size - 1) + 1
    smallest = (out_size - 1) * stride + span - 2 * padding
    return [n for n in range(smallest, smallest + stride) if n >= 1]


def output_padding_for(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """output_padding with which conv_transpose gives back input_size from the conv's output."""
    return input_size % stride''',
        "fails": ['ps06_ambiguity_tests'],
        "message": 'is not input_size mod S',
    },
]
