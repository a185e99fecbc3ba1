"""Buggy submissions for ps03_pooling: common student mistakes.

Each entry replaces the source of one solution cell (`cell`, a grade_id) with plausible
student code. Graded with the real pipeline, the submission must lose points exactly on the
test cells in `fails`, keep full marks elsewhere, and show `message` in the feedback.
"""

BUGS = [
    {
        "name": 'max_pool_zero_padding',
        "cell": 'ps03_max_pool_code',
        "source": '''def pool_output_size(n, k, s, p, ceil_mode=False):
    """Number of pooling windows along one axis (PyTorch's rule)."""
    if not ceil_mode:
        return (n + 2 * p - k) // s + 1
    out = -(-(n + 2 * p - k) // s) + 1          # ceil((n + 2p - k) / s) + 1
    if (out - 1) * s >= n + p:                  # the last window would start in the padding
        out -= 1
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """2-D max pooling of x (N, C, H, W) -> (N, C, H_out, W_out)."""
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(kernel_size if stride is None else stride)
    (ph, pw) = pair(padding)
    h, w = x.shape[2:]
    oh, ow = pool_output_size(h, kh, sh, ph, ceil_mode), pool_output_size(w, kw, sw, pw, ceil_mode)
    extra_h = max((oh - 1) * sh + kh - (h + 2 * ph), 0)     # partial windows of ceil_mode
    extra_w = max((ow - 1) * sw + kw - (w + 2 * pw), 0)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph + extra_h), (pw, pw + extra_w)), constant_values=0)
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :oh, :ow]
    return windows.max(axis=(4, 5))''',
        "fails": ['ps03_max_pool_tests'],
        "message": 'you padded with zeros',
    },
    {
        "name": 'max_pool_ceil_mode_ignored',
        "cell": 'ps03_max_pool_code',
        "source": '''def pool_output_size(n, k, s, p, ceil_mode=False):
    """Number of pooling windows along one axis (PyTorch's rule)."""
    return (n + 2 * p - k) // s + 1
    out = -(-(n + 2 * p - k) // s) + 1          # ceil((n + 2p - k) / s) + 1
    if (out - 1) * s >= n + p:                  # the last window would start in the padding
        out -= 1
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """2-D max pooling of x (N, C, H, W) -> (N, C, H_out, W_out)."""
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(kernel_size if stride is None else stride)
    (ph, pw) = pair(padding)
    h, w = x.shape[2:]
    oh, ow = pool_output_size(h, kh, sh, ph, ceil_mode), pool_output_size(w, kw, sw, pw, ceil_mode)
    extra_h = max((oh - 1) * sh + kh - (h + 2 * ph), 0)     # partial windows of ceil_mode
    extra_w = max((ow - 1) * sw + kw - (w + 2 * pw), 0)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph + extra_h), (pw, pw + extra_w)), constant_values=-np.inf)
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :oh, :ow]
    return windows.max(axis=(4, 5))''',
        "fails": ['ps03_max_pool_tests'],
        "message": 'you ignored ceil_mode',
    },
    {
        "name": 'max_pool_stride_default_1',
        "cell": 'ps03_max_pool_code',
        "source": '''def pool_output_size(n, k, s, p, ceil_mode=False):
    """Number of pooling windows along one axis (PyTorch's rule)."""
    if not ceil_mode:
        return (n + 2 * p - k) // s + 1
    out = -(-(n + 2 * p - k) // s) + 1          # ceil((n + 2p - k) / s) + 1
    if (out - 1) * s >= n + p:                  # the last window would start in the padding
        out -= 1
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """2-D max pooling of x (N, C, H, W) -> (N, C, H_out, W_out)."""
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(1 if stride is None else stride)
    (ph, pw) = pair(padding)
    h, w = x.shape[2:]
    oh, ow = pool_output_size(h, kh, sh, ph, ceil_mode), pool_output_size(w, kw, sw, pw, ceil_mode)
    extra_h = max((oh - 1) * sh + kh - (h + 2 * ph), 0)     # partial windows of ceil_mode
    extra_w = max((ow - 1) * sw + kw - (w + 2 * pw), 0)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph + extra_h), (pw, pw + extra_w)), constant_values=-np.inf)
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :oh, :ow]
    return windows.max(axis=(4, 5))''',
        "fails": ['ps03_max_pool_tests'],
        "message": 'stride equals the window size',
    },
    {
        "name": 'avg_pool_always_real_pixels',
        "cell": 'ps03_avg_pool_code',
        "source": '''def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    """2-D average pooling of x (N, C, H, W) -> (N, C, H_out, W_out)."""
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(kernel_size if stride is None else stride)
    (ph, pw) = pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    sums = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw].sum(axis=(4, 5))
    real = np.pad(np.ones(x.shape[2:], dtype=x.dtype), ((ph, ph), (pw, pw)))   # 1 = a real pixel
    counts = sliding_window_view(real, (kh, kw))[::sh, ::sw].sum(axis=(2, 3))
    return sums / counts''',
        "fails": ['ps03_avg_pool_tests'],
        "message": 'you mixed up count_include_pad',
    },
    {
        "name": 'avg_pool_include_pad_reversed',
        "cell": 'ps03_avg_pool_code',
        "source": '''def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    """2-D average pooling of x (N, C, H, W) -> (N, C, H_out, W_out)."""
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(kernel_size if stride is None else stride)
    (ph, pw) = pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    sums = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw].sum(axis=(4, 5))
    if not count_include_pad:
        return sums / x.dtype.type(kh * kw)
    real = np.pad(np.ones(x.shape[2:], dtype=x.dtype), ((ph, ph), (pw, pw)))   # 1 = a real pixel
    counts = sliding_window_view(real, (kh, kw))[::sh, ::sw].sum(axis=(2, 3))
    return sums / counts''',
        "fails": ['ps03_avg_pool_tests'],
        "message": 'you mixed up count_include_pad',
    },
    {
        "name": 'sizes_round_up',
        "cell": 'ps03_sizes_code',
        "source": '''def feature_map_sizes(h, w, layers):
    """[(h, w)] of the input and after each (kernel_size, stride, padding) layer."""
    sizes = [(h, w)]
    for k, s, p in layers:
        h = int(np.ceil((h + 2 * p - k) / s)) + 1
        w = int(np.ceil((w + 2 * p - k) / s)) + 1
        sizes.append((h, w))
    return sizes


BACKBONE = [(3, 1, 1), (2, 2, 0)] * 5       # five stages: 3x3 conv (padding 1), 2x2 max pool
train_map = None                              # replace every None by your answer
new_map = None
head_inputs = {"flatten_train": None, "flatten_new": None, "gap_train": None, "gap_new": None}
train_map = feature_map_sizes(256, 256, BACKBONE)[-1]          # (8, 8)
new_map = feature_map_sizes(320, 360, BACKBONE)[-1]            # (10, 11): 360 / 32 = 11.25 rounds down
head_inputs["flatten_train"] = train_map[0] * train_map[1] * 32   # 2,048
head_inputs["flatten_new"] = new_map[0] * new_map[1] * 32         # 3,520: the dense layer no longer fits
head_inputs["gap_train"] = 32                                     # one value per channel
head_inputs["gap_new"] = 32                                       # whatever the input size''',
        "fails": ['ps03_sizes_tests'],
        "message": 'you rounded up',
    },
    {
        "name": 'sizes_gap_grows_with_input',
        "cell": 'ps03_sizes_code',
        "source": '''def feature_map_sizes(h, w, layers):
    """[(h, w)] of the input and after each (kernel_size, stride, padding) layer."""
    sizes = [(h, w)]
    for k, s, p in layers:
        h = (h + 2 * p - k) // s + 1
        w = (w + 2 * p - k) // s + 1
        sizes.append((h, w))
    return sizes


BACKBONE = [(3, 1, 1), (2, 2, 0)] * 5       # five stages: 3x3 conv (padding 1), 2x2 max pool
train_map = None                              # replace every None by your answer
new_map = None
head_inputs = {"flatten_train": None, "flatten_new": None, "gap_train": None, "gap_new": None}
train_map = feature_map_sizes(256, 256, BACKBONE)[-1]          # (8, 8)
new_map = feature_map_sizes(320, 360, BACKBONE)[-1]            # (10, 11): 360 / 32 = 11.25 rounds down
head_inputs["flatten_train"] = train_map[0] * train_map[1] * 32   # 2,048
head_inputs["flatten_new"] = new_map[0] * new_map[1] * 32         # 3,520: the dense layer no longer fits
head_inputs["gap_train"] = 32                                     # one value per channel
head_inputs["gap_new"] = new_map[0] * new_map[1] * 32                                       # whatever the input size''',
        "fails": ['ps03_sizes_tests'],
        "message": 'one value per channel, whatever the input size',
    },
    {
        "name": 'shift_along_height',
        "cell": 'ps03_shift_code',
        "source": '''def shift_change(x, shift, kernel_size, mode="max"):
    """Relative change of the pooled x when x is rolled `shift` pixels to the right."""
    def pool(z):
        if mode == "max":
            return max_pool2d(z, kernel_size, stride=kernel_size)
        return avg_pool2d(z, kernel_size, stride=kernel_size)

    base = pool(x)
    moved = pool(np.roll(x, shift, axis=-2))
    return float(np.abs(moved - base).mean() / np.abs(base).mean())''',
        "fails": ['ps03_shift_tests'],
        "message": 'along the height',
    },
    {
        "name": 'shift_change_not_relative',
        "cell": 'ps03_shift_code',
        "source": '''def shift_change(x, shift, kernel_size, mode="max"):
    """Relative change of the pooled x when x is rolled `shift` pixels to the right."""
    def pool(z):
        if mode == "max":
            return max_pool2d(z, kernel_size, stride=kernel_size)
        return avg_pool2d(z, kernel_size, stride=kernel_size)

    base = pool(x)
    moved = pool(np.roll(x, shift, axis=-1))
    return float(np.abs(moved - base).mean())''',
        "fails": ['ps03_shift_tests'],
        "message": 'divide it by mean |pool(x)|',
    },
]
