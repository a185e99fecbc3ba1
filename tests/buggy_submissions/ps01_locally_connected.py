"""Buggy submissions for ps01_locally_connected: common student mistakes.

Each entry replaces the source of one solution cell (`cell`, a grade_id) with plausible
student code. Graded with the real pipeline, the submission must lose points exactly on the
test cells in `fails`, keep full marks elsewhere, and show `message` in the feedback.
"""

BUGS = [
    {
        "name": 'lc_flipped_kernel',
        "cell": 'ps01_locally_connected2d_code',
        "source": '''def locally_connected2d(x, weight, bias=None, stride=1, padding=0):
    """Locally connected layer: a convolution without weight sharing.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (H_out, W_out, C_out, C_in, kH, kW)
        One filter bank per output position.
    bias : ndarray, shape (C_out, H_out, W_out), or None
        One bias per output unit.
    stride : int or (int, int)
    padding : int or (int, int)
        Zeros added on both sides of each axis.

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
    """
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    kh, kw = weight.shape[-2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, H_out, W_out, kH, kW)
    out = np.einsum("nchwij,hwocij->nohw", windows, weight[..., ::-1, ::-1])  # convolution flips the kernel
    if bias is not None:
        out = out + bias
    return out''',
        "fails": ['ps01_locally_connected2d_tests'],
        "message": 'flipped the kernel',
    },
    {
        "name": 'lc_forgot_bias',
        "cell": 'ps01_locally_connected2d_code',
        "source": '''def locally_connected2d(x, weight, bias=None, stride=1, padding=0):
    """Locally connected layer: a convolution without weight sharing.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (H_out, W_out, C_out, C_in, kH, kW)
        One filter bank per output position.
    bias : ndarray, shape (C_out, H_out, W_out), or None
        One bias per output unit.
    stride : int or (int, int)
    padding : int or (int, int)
        Zeros added on both sides of each axis.

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
    """
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    kh, kw = weight.shape[-2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, H_out, W_out, kH, kW)
    out = np.einsum("nchwij,hwocij->nohw", windows, weight)
    return out''',
        "fails": ['ps01_locally_connected2d_tests'],
        "message": 'forgot the bias',
    },
    {
        "name": 'lc_shared_weights',
        "cell": 'ps01_locally_connected2d_code',
        "source": '''def locally_connected2d(x, weight, bias=None, stride=1, padding=0):
    """Locally connected layer: a convolution without weight sharing.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (H_out, W_out, C_out, C_in, kH, kW)
        One filter bank per output position.
    bias : ndarray, shape (C_out, H_out, W_out), or None
        One bias per output unit.
    stride : int or (int, int)
    padding : int or (int, int)
        Zeros added on both sides of each axis.

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
    """
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    kh, kw = weight.shape[-2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, H_out, W_out, kH, kW)
    out = np.einsum("nchwij,ocij->nohw", windows, weight[0, 0])
    if bias is not None:
        out = out + bias
    return out''',
        "fails": ['ps01_locally_connected2d_tests'],
        "message": 'used one filter for every position',
    },
    {
        "name": 'params_forgot_biases',
        "cell": 'ps01_params_code',
        "source": '''def locally_connected2d_params(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, bias=True):
    """Parameters of a locally connected layer (one filter bank per output position)."""
    (h, w), (kh, kw), (sh, sw), (ph, pw) = pair(input_hw), pair(kernel_size), pair(stride), pair(padding)
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    return h_out * w_out * conv2d_params(c_in, c_out, (kh, kw), False)''',
        "fails": ['ps01_params_tests'],
        "message": 'forgot the biases',
    },
    {
        "name": 'params_bias_per_channel',
        "cell": 'ps01_params_code',
        "source": '''def locally_connected2d_params(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, bias=True):
    """Parameters of a locally connected layer (one filter bank per output position)."""
    (h, w), (kh, kw), (sh, sw), (ph, pw) = pair(input_hw), pair(kernel_size), pair(stride), pair(padding)
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    return h_out * w_out * conv2d_params(c_in, c_out, (kh, kw), False) + (c_out if bias else 0)''',
        "fails": ['ps01_params_tests'],
        "message": 'one bias per output unit',
    },
    {
        "name": 'params_input_positions',
        "cell": 'ps01_params_code',
        "source": '''def locally_connected2d_params(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, bias=True):
    """Parameters of a locally connected layer (one filter bank per output position)."""
    (h, w), (kh, kw), (sh, sw), (ph, pw) = pair(input_hw), pair(kernel_size), pair(stride), pair(padding)
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    return h * w * conv2d_params(c_in, c_out, (kh, kw), bias)''',
        "fails": ['ps01_params_tests'],
        "message": 'input positions H*W instead of the output positions',
    },
    {
        "name": 'shift_wraps_around',
        "cell": 'ps01_shift_code',
        "source": '''def shift2d(x, dy, dx):
    """Shift the last two axes of x by dy rows down and dx columns right, filling with zeros."""
    return np.roll(x, (dy, dx), axis=(-2, -1))


def equivariance_error(y, y_shifted, dy, dx, margin=0):
    """max |f(shift2d(x)) - shift2d(f(x))| without `margin` pixels at each border."""
    diff = np.abs(y_shifted - shift2d(y, dy, dx))
    h, w = diff.shape[-2:]
    return float(diff[..., margin:h - margin, margin:w - margin].max())''',
        "fails": ['ps01_shift_tests'],
        "message": 'wrapped around',
    },
    {
        "name": 'shift_no_crop',
        "cell": 'ps01_shift_code',
        "source": '''def shift2d(x, dy, dx):
    """Shift the last two axes of x by dy rows down and dx columns right, filling with zeros."""
    h, w = x.shape[-2:]
    out = np.zeros_like(x)
    if abs(dy) < h and abs(dx) < w:                   # otherwise everything is shifted out
        out[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] =             x[..., max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def equivariance_error(y, y_shifted, dy, dx, margin=0):
    """max |f(shift2d(x)) - shift2d(f(x))| without `margin` pixels at each border."""
    diff = np.abs(y_shifted - shift2d(y, dy, dx))
    h, w = diff.shape[-2:]
    return float(diff.max())''',
        "fails": ['ps01_shift_tests'],
        "message": 'did not crop',
    },
    {
        "name": 'text_reshape_not_transpose',
        "cell": 'ps01_text_code',
        "source": '''def text_conv1d(tokens, embedding, weight, bias=None):
    """1-D convolution (stride 1, no padding) over the word vectors of token sequences.

    tokens (N, L) ints, embedding (V, D), weight (C_out, D, k), bias (C_out,) or None
    -> (N, C_out, L - k + 1)
    """
    x = embedding[tokens].reshape(len(tokens), embedding.shape[1], -1)          # (N, D, L): the embedding is the channel axis
    k = weight.shape[-1]
    windows = sliding_window_view(x, k, axis=2)       # (N, D, L - k + 1, k)
    out = np.einsum("nctk,ock->not", windows, weight)
    if bias is not None:
        out = out + bias[:, None]
    return out


channels_embedding = None     # replace None by your answers
channels_one_hot = None
channels_embedding = 100      # one channel per embedding dimension; the 50 words are the spatial axis
channels_one_hot = 20_000     # a one-hot vector has one entry per vocabulary word''',
        "fails": ['ps01_text_tests'],
        "message": 'instead of transposing',
    },
    {
        "name": 'text_channels_sequence_length',
        "cell": 'ps01_text_code',
        "source": '''def text_conv1d(tokens, embedding, weight, bias=None):
    """1-D convolution (stride 1, no padding) over the word vectors of token sequences.

    tokens (N, L) ints, embedding (V, D), weight (C_out, D, k), bias (C_out,) or None
    -> (N, C_out, L - k + 1)
    """
    x = embedding[tokens].transpose(0, 2, 1)          # (N, D, L): the embedding is the channel axis
    k = weight.shape[-1]
    windows = sliding_window_view(x, k, axis=2)       # (N, D, L - k + 1, k)
    out = np.einsum("nctk,ock->not", windows, weight)
    if bias is not None:
        out = out + bias[:, None]
    return out


channels_embedding = None     # replace None by your answers
channels_one_hot = None
channels_embedding = 50      # one channel per embedding dimension; the 50 words are the spatial axis
channels_one_hot = 20_000     # a one-hot vector has one entry per vocabulary word''',
        "fails": ['ps01_text_tests'],
        "message": 'the spatial axis of a text convolution',
    },
    {
        "name": 'params_filter_one_channel_deep',
        "cell": 'ps01_params_code',
        "source": '''def locally_connected2d_params(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, bias=True):
    """Parameters of a locally connected layer (one filter bank per output position)."""
    (h, w), (kh, kw), (sh, sw), (ph, pw) = pair(input_hw), pair(kernel_size), pair(stride), pair(padding)
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    return h_out * w_out * c_out * (kh * kw + (1 if bias else 0))''',
        "fails": ['ps01_params_tests'],
        "message": 'each filter spans all C_in input channels',
    },
    {
        "name": 'equivariance_output_not_shifted',
        "cell": 'ps01_shift_code',
        "source": '''def shift2d(x, dy, dx):
    """Shift the last two axes of x by dy rows down and dx columns right, filling with zeros."""
    h, w = x.shape[-2:]
    out = np.zeros_like(x)
    if abs(dy) < h and abs(dx) < w:                   # otherwise everything is shifted out
        out[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] =             x[..., max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def equivariance_error(y, y_shifted, dy, dx, margin=0):
    """max |f(shift2d(x)) - shift2d(f(x))| without `margin` pixels at each border."""
    diff = np.abs(y_shifted - y)
    h, w = diff.shape[-2:]
    return float(diff[..., margin:h - margin, margin:w - margin].max())''',
        "fails": ['ps01_shift_tests'],
        "message": 'shift the output of the unshifted input too',
    },
]
