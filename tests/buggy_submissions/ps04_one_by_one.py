"""Buggy submissions for ps04_one_by_one: common student mistakes.

Each entry replaces the source of one solution cell (`cell`, a grade_id) with plausible
student code. Graded with the real pipeline, the submission must lose points exactly on the
test cells in `fails`, keep full marks elsewhere, and show `message` in the feedback.
"""

BUGS = [
    {
        "name": 'pointwise_reshape_without_transpose',
        "cell": 'ps04_pointwise_code',
        "source": '''def pointwise_conv2d(x, weight, bias=None):
    """1x1 convolution: the same dense layer applied to the channel vector of every pixel."""
    w = weight.reshape(weight.shape[0], -1)                 # (C_out, C_in)
    n, c, h, wd = x.shape
    pixels = x.reshape(-1, c)         # one row per pixel: (N*H*W, C_in)
    out = pixels @ w.T                                      # (N*H*W, C_out)
    if bias is not None:
        out = out + bias
    return out.reshape(n, h, wd, -1).transpose(0, 3, 1, 2)''',
        "fails": ['ps04_pointwise_tests'],
        "message": 'without moving the channel axis last',
    },
    {
        "name": 'pointwise_weight_not_transposed',
        "cell": 'ps04_pointwise_code',
        "source": '''def pointwise_conv2d(x, weight, bias=None):
    """1x1 convolution: the same dense layer applied to the channel vector of every pixel."""
    w = weight.reshape(weight.shape[0], -1)                 # (C_out, C_in)
    n, c, h, wd = x.shape
    pixels = x.transpose(0, 2, 3, 1).reshape(-1, c)         # one row per pixel: (N*H*W, C_in)
    out = pixels @ w                                        # (N*H*W, C_out)
    if bias is not None:
        out = out + bias
    return out.reshape(n, h, wd, -1).transpose(0, 3, 1, 2)''',
        "fails": ['ps04_pointwise_tests'],
        "message": 'instead of its transpose',
    },
    {
        "name": 'pointwise_forgot_bias',
        "cell": 'ps04_pointwise_code',
        "source": '''def pointwise_conv2d(x, weight, bias=None):
    """1x1 convolution: the same dense layer applied to the channel vector of every pixel."""
    w = weight.reshape(weight.shape[0], -1)                 # (C_out, C_in)
    n, c, h, wd = x.shape
    pixels = x.transpose(0, 2, 3, 1).reshape(-1, c)         # one row per pixel: (N*H*W, C_in)
    out = pixels @ w.T                                      # (N*H*W, C_out)
    return out.reshape(n, h, wd, -1).transpose(0, 3, 1, 2)''',
        "fails": ['ps04_pointwise_tests'],
        "message": 'forgot the bias',
    },
    {
        "name": 'macs_input_size',
        "cell": 'ps04_macs_code',
        "source": '''def conv2d_macs(input_hw, c_in, c_out, kernel_size, stride=1, padding=0):
    """Multiply-accumulates of one convolution on one image."""
    (h, w), (kh, kw), (sh, sw), (ph, pw) = pair(input_hw), pair(kernel_size), pair(stride), pair(padding)
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    return h * w * c_out * kh * kw * c_in


bottleneck = {"direct": None, "reduce": None, "expand": None, "total": None, "ratio": None}   # replace None
bottleneck["direct"] = conv2d_macs(28, 192, 32, 5, padding=2)   # 120,422,400
bottleneck["reduce"] = conv2d_macs(28, 192, 16, 1)              #   2,408,448
bottleneck["expand"] = conv2d_macs(28, 16, 32, 5, padding=2)    #  10,035,200
bottleneck["total"] = bottleneck["reduce"] + bottleneck["expand"]  #  12,443,648
bottleneck["ratio"] = bottleneck["direct"] / bottleneck["total"]  # about 9.7''',
        "fails": ['ps04_macs_tests'],
        "message": 'you used the input size',
    },
    {
        "name": 'macs_ratio_upside_down',
        "cell": 'ps04_macs_code',
        "source": '''def conv2d_macs(input_hw, c_in, c_out, kernel_size, stride=1, padding=0):
    """Multiply-accumulates of one convolution on one image."""
    (h, w), (kh, kw), (sh, sw), (ph, pw) = pair(input_hw), pair(kernel_size), pair(stride), pair(padding)
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    return h_out * w_out * c_out * kh * kw * c_in


bottleneck = {"direct": None, "reduce": None, "expand": None, "total": None, "ratio": None}   # replace None
bottleneck["direct"] = conv2d_macs(28, 192, 32, 5, padding=2)   # 120,422,400
bottleneck["reduce"] = conv2d_macs(28, 192, 16, 1)              #   2,408,448
bottleneck["expand"] = conv2d_macs(28, 16, 32, 5, padding=2)    #  10,035,200
bottleneck["total"] = bottleneck["reduce"] + bottleneck["expand"]  #  12,443,648
bottleneck["ratio"] = bottleneck["total"] / bottleneck["direct"]  # about 9.7''',
        "fails": ['ps04_macs_tests'],
        "message": 'not total / direct',
    },
    {
        "name": 'fc_reshape_wrong_order',
        "cell": 'ps04_fc_code',
        "source": '''def fc_to_conv_weight(w_fc, input_shape, flatten_order="CHW"):
    """Dense weight (n_out, C*H*W) -> conv weight (n_out, C, H, W)."""
    c, h, w = input_shape
    n_out = w_fc.shape[0]
    if flatten_order == "CHW":
        return w_fc.reshape(n_out, c, h, w)
    if flatten_order == "HWC":
        return w_fc.reshape(n_out, c, h, w)
    raise ValueError(f"fc_to_conv_weight: unknown flatten_order {flatten_order!r}")''',
        "fails": ['ps04_scores_tests'],
        "message": 'you reshaped in the wrong order',
    },
    {
        "name": 'scores_flipped_kernel',
        "cell": 'ps04_scores_code',
        "source": '''def dense_head_scores(features, w_fc, b_fc, head_shape, flatten_order="CHW"):
    """The dense head (trained on head_shape = (C, h, w) volumes) slid over larger feature maps."""
    kernel = fc_to_conv_weight(w_fc, head_shape, flatten_order)                     # (n_out, C, h, w)
    windows = sliding_window_view(features, head_shape[1:], axis=(2, 3))            # (N, C, H', W', h, w)
    return np.einsum("ncyxij,ocij->noyx", windows, kernel[..., ::-1, ::-1]) + b_fc[:, None, None]


vgg_score_maps = {"224x224": None, "384x384": None, "224x320": None}    # replace None by (rows, columns)
vgg_score_maps["224x224"] = (1, 1)                  # 7 x 7 map, 7 x 7 kernel
vgg_score_maps["384x384"] = (6, 6)                  # 12 - 7 + 1
vgg_score_maps["224x320"] = (1, 4)                  # 7 x 10 map -> 1 x 4''',
        "fails": ['ps04_scores_tests'],
        "message": 'you flipped the kernel',
    },
    {
        "name": 'scores_vgg_no_shrink',
        "cell": 'ps04_scores_code',
        "source": '''def dense_head_scores(features, w_fc, b_fc, head_shape, flatten_order="CHW"):
    """The dense head (trained on head_shape = (C, h, w) volumes) slid over larger feature maps."""
    kernel = fc_to_conv_weight(w_fc, head_shape, flatten_order)                     # (n_out, C, h, w)
    windows = sliding_window_view(features, head_shape[1:], axis=(2, 3))            # (N, C, H', W', h, w)
    return np.einsum("ncyxij,ocij->noyx", windows, kernel) + b_fc[:, None, None]


vgg_score_maps = {"224x224": None, "384x384": None, "224x320": None}    # replace None by (rows, columns)
vgg_score_maps["224x224"] = (1, 1)                  # 7 x 7 map, 7 x 7 kernel
vgg_score_maps["384x384"] = (12, 12)                 # 12 - 7 + 1
vgg_score_maps["224x320"] = (1, 4)                  # 7 x 10 map -> 1 x 4''',
        "fails": ['ps04_scores_tests'],
        "message": 'is a valid convolution',
    },
]
