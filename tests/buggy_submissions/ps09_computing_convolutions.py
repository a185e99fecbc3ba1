"""Buggy submissions for ps09_computing_convolutions: the usual mistakes with im2col, FFT and Winograd.

Each entry replaces one solution cell of solutions/ps09_computing_convolutions with a plausible
wrong implementation (see tests/test_assignments.py); it must lose points exactly on the
`fails` items and show its `message` there."""

BUGS = [
    {
        "name": 'im2col_rows_ijc',
        "cell": 'ps09_im2col_code',
        "source": '''def im2col(x, kernel_size, stride=1, padding=0):
    """Unfold the receptive fields of x (N, C, H, W) into columns.

    Returns (N, C * kH * kW, H_out * W_out): rows ordered (c, i, j), columns ordered (h, w).
    """
    dtype = float_dtype(x)
    x = np.asarray(x, dtype=dtype)
    n, c, h, w = x.shape
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    (top, bottom), (left, right) = as_pads(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    h_out = (h + top + bottom - kh) // sh + 1
    w_out = (w + left + right - kw) // sw + 1
    cols = np.empty((n, kh, kw, c, h_out, w_out), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, i, j] = xp[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
    return cols.reshape(n, c * kh * kw, h_out * w_out)''',
        "fails": ['ps09_im2col_tests', 'ps09_gemm_tests'],
        "message": 'ordered (c, i, j)',
    },
    {
        "name": 'im2col_windows_by_column',
        "cell": 'ps09_im2col_code',
        "source": '''def im2col(x, kernel_size, stride=1, padding=0):
    """Unfold the receptive fields of x (N, C, H, W) into columns.

    Returns (N, C * kH * kW, H_out * W_out): rows ordered (c, i, j), columns ordered (h, w).
    """
    dtype = float_dtype(x)
    x = np.asarray(x, dtype=dtype)
    n, c, h, w = x.shape
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    (top, bottom), (left, right) = as_pads(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    h_out = (h + top + bottom - kh) // sh + 1
    w_out = (w + left + right - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, h_out, w_out), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
    return cols.transpose(0, 1, 2, 3, 5, 4).reshape(n, c * kh * kw, h_out * w_out)''',
        "fails": ['ps09_im2col_tests', 'ps09_gemm_tests'],
        "message": 'row by row',
    },
    {
        "name": 'gemm_weight_order_mismatch',
        "cell": 'ps09_gemm_code',
        "source": '''def conv2d_im2col(x, weight, bias=None, stride=1, padding=0):
    """Cross-correlation of x (N, C_in, H, W) with weight (C_out, C_in, kH, kW) via im2col + GEMM.

    Returns (N, C_out, H_out, W_out).
    """
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    sh, sw = as_pair(stride)
    (top, bottom), (left, right) = as_pads(padding)
    h_out = (h + top + bottom - kh) // sh + 1
    w_out = (w + left + right - kw) // sw + 1
    cols = im2col(x, (kh, kw), stride=stride, padding=padding)     # (N, C kH kW, L)
    out = (weight.transpose(0, 2, 3, 1).reshape(c_out, -1) @ cols).reshape(n, c_out, h_out, w_out)
    if bias is not None:
        out += np.asarray(bias, dtype=dtype)[None, :, None, None]
    return out''',
        "fails": ['ps09_gemm_tests'],
        "message": "not in the order of im2col's rows",
    },
    {
        "name": 'gemm_no_bias',
        "cell": 'ps09_gemm_code',
        "source": '''def conv2d_im2col(x, weight, bias=None, stride=1, padding=0):
    """Cross-correlation of x (N, C_in, H, W) with weight (C_out, C_in, kH, kW) via im2col + GEMM.

    Returns (N, C_out, H_out, W_out).
    """
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=dtype)
    weight = np.asarray(weight, dtype=dtype)
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    sh, sw = as_pair(stride)
    (top, bottom), (left, right) = as_pads(padding)
    h_out = (h + top + bottom - kh) // sh + 1
    w_out = (w + left + right - kw) // sw + 1
    cols = im2col(x, (kh, kw), stride=stride, padding=padding)     # (N, C kH kW, L)
    out = (weight.reshape(c_out, -1) @ cols).reshape(n, c_out, h_out, w_out)
    return out''',
        "fails": ['ps09_gemm_tests'],
        "message": 'forgot the bias',
    },
    {
        "name": 'fft_no_padding_wraps_around',
        "cell": 'ps09_fft_code',
        "source": '''def conv2d_fft(x, weight, bias=None, padding=0):
    """Cross-correlation of x (N, C_in, H, W) with weight (C_out, C_in, kH, kW), stride 1, through the FFT.

    Returns (N, C_out, H_out, W_out), real.
    """
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    (top, bottom), (left, right) = as_pads(padding)
    xp = x  # transform the map as it is; the roll below puts the padding offset back
    hp, wp = xp.shape[2] + top + bottom, xp.shape[3] + left + right
    kh, kw = weight.shape[2:]
    h_out, w_out = hp - kh + 1, wp - kw + 1
    # the kept outputs h < h_out read xp[h + i] with h + i <= hp - 1: a frame of hp x wp never wraps them
    size = xp.shape[2:]
    x_hat = np.fft.rfft2(xp, s=size)                        # (N, C_in, Hp, Wp // 2 + 1)
    k_hat = np.conj(np.fft.rfft2(weight, s=size))           # (C_out, C_in, Hp, Wp // 2 + 1)
    y_hat = np.einsum("ncuv,ocuv->nouv", x_hat, k_hat)      # sum over input channels
    y = np.roll(np.fft.irfft2(y_hat, s=size), (top, left), axis=(2, 3))[:, :, :h_out, :w_out]
    if bias is not None:
        y = y + np.asarray(bias, dtype=np.float64)[None, :, None, None]
    return y.astype(dtype)''',
        "fails": ['ps09_fft_tests'],
        "message": 'wrap-around',
    },
    {
        "name": 'fft_no_conjugate',
        "cell": 'ps09_fft_code',
        "source": '''def conv2d_fft(x, weight, bias=None, padding=0):
    """Cross-correlation of x (N, C_in, H, W) with weight (C_out, C_in, kH, kW), stride 1, through the FFT.

    Returns (N, C_out, H_out, W_out), real.
    """
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    (top, bottom), (left, right) = as_pads(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    hp, wp = xp.shape[2:]
    kh, kw = weight.shape[2:]
    h_out, w_out = hp - kh + 1, wp - kw + 1
    # the kept outputs h < h_out read xp[h + i] with h + i <= hp - 1: a frame of hp x wp never wraps them
    size = (hp, wp)
    x_hat = np.fft.rfft2(xp, s=size)                        # (N, C_in, Hp, Wp // 2 + 1)
    k_hat = np.fft.rfft2(weight, s=size)           # (C_out, C_in, Hp, Wp // 2 + 1)
    y_hat = np.einsum("ncuv,ocuv->nouv", x_hat, k_hat)      # sum over input channels
    y = np.fft.irfft2(y_hat, s=size)[:, :, :h_out, :w_out]
    if bias is not None:
        y = y + np.asarray(bias, dtype=np.float64)[None, :, None, None]
    return y.astype(dtype)''',
        "fails": ['ps09_fft_tests'],
        "message": 'conjugate',
    },
    {
        "name": 'f23_G_without_halves',
        "cell": 'ps09_f23_code',
        "source": '''# The three transforms of F(2, 3) as NumPy float arrays: BT (4, 4), G (4, 3), AT (2, 4).
BT = np.array([[1.0, 0.0, -1.0, 0.0],
               [0.0, 1.0, 1.0, 0.0],
               [0.0, -1.0, 1.0, 0.0],
               [0.0, 1.0, 0.0, -1.0]])
G = np.array([[1.0, 0.0, 0.0],
              [1.0, 1.0, 1.0],
              [1.0, -1.0, 1.0],
              [0.0, 0.0, 1.0]])
AT = np.array([[1.0, 1.0, 1.0, 0.0],
               [0.0, 1.0, -1.0, -1.0]])


def winograd_f23(d, w):
    """F(2, 3): T tiles d (T, 4) and a 3-tap filter w (3,) -> (T, 2) outputs sum_j d[t + j] w[j]."""
    d = np.asarray(d, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    u = G @ w                      # (4,), once per filter
    v = d @ BT.T                   # (T, 4): B^T d for every tile
    return (u * v) @ AT.T          # 4 products per tile, then A^T''',
        "fails": ['ps09_f23_tests', 'ps09_tile_tests', 'ps09_layer_tests'],
        "message": 'wrong G matrix',
    },
    {
        "name": 'tile_B_instead_of_BT',
        "cell": 'ps09_tile_code',
        "source": '''def winograd_tile(d, w):
    """F(2x2, 3x3): a 4x4 tile d and a 3x3 kernel w -> the 2x2 block of outputs."""
    d = np.asarray(d, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    u = G @ w @ G.T                # 4x4, once per kernel
    v = BT.T @ d @ BT              # 4x4, once per tile
    return AT @ (u * v) @ AT.T     # 16 products''',
        "fails": ['ps09_tile_tests'],
        "message": 'B instead of B^T',
    },
    {
        "name": 'layer_disjoint_tiles',
        "cell": 'ps09_layer_code',
        "source": '''def conv2d_winograd(x, weight, bias=None, padding=0):
    """3x3 cross-correlation of x (N, C_in, H, W) with weight (C_out, C_in, 3, 3), stride 1, by F(2x2, 3x3)."""
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    p = int(padding)
    n, c, h, w = x.shape
    c_out = weight.shape[0]
    h_out, w_out = h + 2 * p - 2, w + 2 * p - 2
    th, tw = (h_out + 1) // 2, (w_out + 1) // 2              # 2x2 blocks per axis, rounded up
    xp = np.pad(x, ((0, 0), (0, 0), (p, 4 * th + 4 - h - p), (p, 4 * tw + 4 - w - p)))
    u = np.einsum("ai,ocij,bj->ocab", G, weight, G)          # G w G^T for every kernel
    out = np.zeros((n, c_out, 2 * th, 2 * tw))
    for t in range(th):
        for s in range(tw):
            d = xp[:, :, 4 * t:4 * t + 4, 4 * s:4 * s + 4]        # overlapping 4x4 tiles, (N, C_in, 4, 4)
            v = np.einsum("ai,ncij,bj->ncab", BT, d, BT)          # B^T d B
            m = np.einsum("ocab,ncab->noab", u, v)                # 16 products per pair, summed over C_in
            out[:, :, 2 * t:2 * t + 2, 2 * s:2 * s + 2] = np.einsum("ia,noab,jb->noij", AT, m, AT)
    out = out[:, :, :h_out, :w_out]
    if bias is not None:
        out = out + np.asarray(bias, dtype=np.float64)[None, :, None, None]
    return out.astype(dtype)''',
        "fails": ['ps09_layer_tests'],
        "message": 'overlap',
    },
    {
        "name": 'layer_odd_size_dropped',
        "cell": 'ps09_layer_code',
        "source": '''def conv2d_winograd(x, weight, bias=None, padding=0):
    """3x3 cross-correlation of x (N, C_in, H, W) with weight (C_out, C_in, 3, 3), stride 1, by F(2x2, 3x3)."""
    dtype = float_dtype(x, weight, bias)
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    p = int(padding)
    n, c, h, w = x.shape
    c_out = weight.shape[0]
    h_out, w_out = h + 2 * p - 2, w + 2 * p - 2
    th, tw = h_out // 2, w_out // 2              # 2x2 blocks per axis, rounded up
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    u = np.einsum("ai,ocij,bj->ocab", G, weight, G)          # G w G^T for every kernel
    out = np.zeros((n, c_out, 2 * th, 2 * tw))
    for t in range(th):
        for s in range(tw):
            d = xp[:, :, 2 * t:2 * t + 4, 2 * s:2 * s + 4]        # overlapping 4x4 tiles, (N, C_in, 4, 4)
            v = np.einsum("ai,ncij,bj->ncab", BT, d, BT)          # B^T d B
            m = np.einsum("ocab,ncab->noab", u, v)                # 16 products per pair, summed over C_in
            out[:, :, 2 * t:2 * t + 2, 2 * s:2 * s + 2] = np.einsum("ia,noab,jb->noij", AT, m, AT)
    out = out[:, :, :h_out, :w_out]
    if bias is not None:
        out = out + np.asarray(bias, dtype=np.float64)[None, :, None, None]
    return out.astype(dtype)''',
        "fails": ['ps09_layer_tests'],
        "message": 'odd output size needs one more',
    },
]
