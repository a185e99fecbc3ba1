"""Buggy submissions for ps02_conv_arithmetic: common student mistakes.

Each entry replaces the source of one solution cell (`cell`, a grade_id) with plausible
student code. Graded with the real pipeline, the submission must lose points exactly on the
test cells in `fails`, keep full marks elsewhere, and show `message` in the feedback.
"""

BUGS = [
    {
        "name": 'output_size_no_plus_one',
        "cell": 'ps02_output_size_code',
        "source": '''def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    """Number of window positions along one axis (padding: int or (before, after))."""
    before, after = pair(padding)
    span = dilation * (kernel_size - 1) + 1
    return (n + before + after - span) // stride''',
        "fails": ['ps02_output_size_tests'],
        "message": 'forgot the + 1',
    },
    {
        "name": 'output_size_ceil',
        "cell": 'ps02_output_size_code',
        "source": '''def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    """Number of window positions along one axis (padding: int or (before, after))."""
    before, after = pair(padding)
    span = dilation * (kernel_size - 1) + 1
    return int(np.ceil((n + before + after - span) / stride)) + 1''',
        "fails": ['ps02_output_size_tests'],
        "message": 'you rounded up',
    },
    {
        "name": 'same_padding_odd_pixel_before',
        "cell": 'ps02_same_padding_code',
        "source": '''def same_padding(n, kernel_size, stride=1, dilation=1):
    """Padding (before, after) that gives ceil(n / stride) outputs; an odd pixel goes after."""
    out = -(-n // stride)                                     # ceil(n / stride)
    total = max((out - 1) * stride + dilation * (kernel_size - 1) + 1 - n, 0)
    return total - total // 2, total // 2''',
        "fails": ['ps02_same_padding_tests', 'ps02_conv2d_tests'],
        "message": 'odd padding pixel before',
    },
    {
        "name": 'same_padding_half_kernel',
        "cell": 'ps02_same_padding_code',
        # conv2d keeps full marks: on the tested 'same' cases this padding gives the same windows
        "source": '''def same_padding(n, kernel_size, stride=1, dilation=1):
    """Padding (before, after) that gives ceil(n / stride) outputs; an odd pixel goes after."""
    span = dilation * (kernel_size - 1) + 1
    return (span - 1) // 2, span // 2''',
        "fails": ['ps02_same_padding_tests'],
        "message": 'same padding only at stride 1',
    },
    {
        "name": 'pad2d_reflect_repeats_edge',
        "cell": 'ps02_pad2d_code',
        "source": '''def pad2d(x, padding, mode="zeros"):
    """Pad the last two axes of x; mode is "zeros", "reflect", "replicate" or "circular"."""
    (top, bottom), (left, right) = pad_pairs(padding)
    h, w = x.shape[-2:]
    if mode == "zeros":
        out = np.zeros(x.shape[:-2] + (top + h + bottom, left + w + right), dtype=x.dtype)
        out[..., top:top + h, left:left + w] = x
        return out

    def index_map(i, n):
        if mode == "reflect":       # mirror without repeating the edge: -1 -> 1, n -> n - 2
            return np.where(i < 0, -i - 1, np.where(i >= n, 2 * n - 1 - i, i))
        if mode == "replicate":     # the edge pixel repeated
            return np.clip(i, 0, n - 1)
        if mode == "circular":      # wrap around to the other side
            return i % n
        raise ValueError(f"pad2d: unknown mode {mode!r}")

    rows = index_map(np.arange(-top, h + bottom), h)
    cols = index_map(np.arange(-left, w + right), w)
    return x[..., rows[:, None], cols]''',
        "fails": ['ps02_pad2d_tests'],
        "message": 'repeats the edge pixel',
    },
    {
        "name": 'pad2d_circular_same_side',
        "cell": 'ps02_pad2d_code',
        "source": '''def pad2d(x, padding, mode="zeros"):
    """Pad the last two axes of x; mode is "zeros", "reflect", "replicate" or "circular"."""
    (top, bottom), (left, right) = pad_pairs(padding)
    h, w = x.shape[-2:]
    if mode == "zeros":
        out = np.zeros(x.shape[:-2] + (top + h + bottom, left + w + right), dtype=x.dtype)
        out[..., top:top + h, left:left + w] = x
        return out

    if mode == "circular":
        x = np.concatenate([x[..., :top, :], x, x[..., h - bottom:, :]], axis=-2)
        return np.concatenate([x[..., :left], x, x[..., w - right:]], axis=-1)

    def index_map(i, n):
        if mode == "reflect":       # mirror without repeating the edge: -1 -> 1, n -> n - 2
            return np.where(i < 0, -i, np.where(i >= n, 2 * (n - 1) - i, i))
        if mode == "replicate":     # the edge pixel repeated
            return np.clip(i, 0, n - 1)
        if mode == "circular":      # wrap around to the other side
            return i % n
        raise ValueError(f"pad2d: unknown mode {mode!r}")

    rows = index_map(np.arange(-top, h + bottom), h)
    cols = index_map(np.arange(-left, w + right), w)
    return x[..., rows[:, None], cols]''',
        "fails": ['ps02_pad2d_tests'],
        "message": 'takes the pixels from the same side',
    },
    {
        "name": 'conv2d_flipped_kernel',
        "cell": 'ps02_conv2d_code',
        "source": '''def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """2-D convolution (cross-correlation) of a batch of images.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_out, C_in, kH, kW)
    bias : ndarray, shape (C_out,), or None
    stride, dilation : int or (int, int)
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same"

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
    """
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    kh, kw = weight.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            padding = (same_padding(x.shape[2], kh, sh, dh), same_padding(x.shape[3], kw, sw, dw))
        else:
            raise ValueError(f"conv2d: unknown padding {padding!r}")
    xp = pad2d(x, padding)
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    windows = sliding_window_view(xp, (span_h, span_w), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    out = np.tensordot(windows, weight[:, :, ::-1, ::-1], axes=([1, 4, 5], [1, 2, 3]))   # (N, H_out, W_out, C_out)
    out = out.transpose(0, 3, 1, 2)
    if bias is not None:
        out = out + bias[:, None, None]
    return out''',
        "fails": ['ps02_conv2d_tests'],
        "message": 'flipped the kernel',
    },
    {
        "name": 'conv2d_forgot_bias',
        "cell": 'ps02_conv2d_code',
        "source": '''def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """2-D convolution (cross-correlation) of a batch of images.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_out, C_in, kH, kW)
    bias : ndarray, shape (C_out,), or None
    stride, dilation : int or (int, int)
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same"

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
    """
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    kh, kw = weight.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            padding = (same_padding(x.shape[2], kh, sh, dh), same_padding(x.shape[3], kw, sw, dw))
        else:
            raise ValueError(f"conv2d: unknown padding {padding!r}")
    xp = pad2d(x, padding)
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    windows = sliding_window_view(xp, (span_h, span_w), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    out = np.tensordot(windows, weight, axes=([1, 4, 5], [1, 2, 3]))   # (N, H_out, W_out, C_out)
    out = out.transpose(0, 3, 1, 2)
    return out''',
        "fails": ['ps02_conv2d_tests'],
        "message": 'forgot the bias',
    },
    {
        "name": 'conv2d_padding_one_side',
        "cell": 'ps02_conv2d_code',
        "source": '''def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """2-D convolution (cross-correlation) of a batch of images.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_out, C_in, kH, kW)
    bias : ndarray, shape (C_out,), or None
    stride, dilation : int or (int, int)
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same"

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
    """
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    kh, kw = weight.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            padding = (same_padding(x.shape[2], kh, sh, dh), same_padding(x.shape[3], kw, sw, dw))
        else:
            raise ValueError(f"conv2d: unknown padding {padding!r}")
    (top, bottom), (left, right) = pad_pairs(padding)
    xp = np.zeros(x.shape[:2] + (x.shape[2] + top + bottom, x.shape[3] + left + right), dtype=x.dtype)
    xp[:, :, :x.shape[2], :x.shape[3]] = x
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    windows = sliding_window_view(xp, (span_h, span_w), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    out = np.tensordot(windows, weight, axes=([1, 4, 5], [1, 2, 3]))   # (N, H_out, W_out, C_out)
    out = out.transpose(0, 3, 1, 2)
    if bias is not None:
        out = out + bias[:, None, None]
    return out''',
        "fails": ['ps02_conv2d_tests'],
        "message": 'all the padding on one side',
    },
    {
        "name": 'receptive_field_new_jump',
        "cell": 'ps02_receptive_field_code',
        "source": '''def receptive_field(layers):
    """[(size, jump)] after each layer of the stack, starting with the input's (1, 1)."""
    size, jump = 1, 1
    fields = [(size, jump)]
    for layer in layers:
        k, s = layer[0], layer[1]
        d = layer[3] if len(layer) == 4 else 1
        jump = jump * s
        size = size + (k - 1) * d * jump
        fields.append((size, jump))
    return fields''',
        "fails": ['ps02_receptive_field_tests'],
        "message": 'jump of the layer itself',
    },
    {
        "name": 'sheet39_dropout_rate_is_parameter',
        "cell": 'ps02_sheet39_code',
        "source": '''sheet39 = {
    "Conv2d":    {"parameters": set(), "hyperparameters": set()},
    "MaxPool2d": {"parameters": set(), "hyperparameters": set()},
    "Dense":     {"parameters": set(), "hyperparameters": set()},
    "Dropout":   {"parameters": set(), "hyperparameters": set()},
}
sheet39["Conv2d"] = {"parameters": {"weights", "biases"},
                     "hyperparameters": {"number of filters", "kernel size", "stride", "padding"}}
sheet39["MaxPool2d"] = {"parameters": set(), "hyperparameters": {"kernel size", "stride", "padding"}}
sheet39["Dense"] = {"parameters": {"weights", "biases"}, "hyperparameters": {"units"}}
sheet39["Dropout"] = {"parameters": {"rate"}, "hyperparameters": set()}''',
        "fails": ['ps02_sheet39_tests'],
        "message": 'Dropout has no learnable parameters',
    },
]
