"""Convolution arithmetic: output sizes, "same" padding, receptive fields and costs.

Every function here works on plain integers (sizes, channel counts) and
returns Python ints, so the book can put a formula and its numbers side by
side. The size of one spatial axis after a convolution or pooling window is

.. math::

    O = \\left\\lfloor \\frac{N + P_b + P_a - D(K - 1) - 1}{S} \\right\\rfloor + 1

with input size :math:`N`, kernel size :math:`K`, stride :math:`S`, dilation
:math:`D` and padding :math:`P_b` before and :math:`P_a` after; the window
spans :math:`D(K-1)+1` input pixels.
"""

from ._checks import as_bool, as_int, as_pair, as_tuple, resolve_padding

__all__ = [
    "conv_output_size",
    "conv_transpose_output_size",
    "same_padding",
    "receptive_field",
    "conv2d_params",
    "conv2d_macs",
    "locally_connected2d_params",
    "separable_conv2d_params",
    "dense_params",
]


def _span(kernel_size, dilation):
    """Number of input pixels a dilated kernel covers: D(K-1)+1."""
    return dilation * (kernel_size - 1) + 1


def _window_count(n, kernel_size, stride, before, after, dilation, ceil_mode):
    """Window count on one axis for validated arguments (may be < 1 when nothing fits)."""
    padded = n + before + after
    span = _span(kernel_size, dilation)
    if not ceil_mode:
        return (padded - span) // stride + 1
    out = (padded - span + stride - 1) // stride + 1  # rounded up
    # PyTorch's pooling rule: the last window must start inside the input
    # or the left padding, otherwise it is dropped.
    if (out - 1) * stride >= n + before:
        out -= 1
    return out


def _output_size(n, kernel_size, stride, before, after, dilation, ceil_mode, func):
    """Window count on one axis, for already validated arguments; refuses a count below 1."""
    span = _span(kernel_size, dilation)
    padded = n + before + after
    out = _window_count(n, kernel_size, stride, before, after, dilation, ceil_mode)
    if out < 1:
        raise ValueError(
            f"{func}: kernel_size={kernel_size} with dilation={dilation} spans {span} pixels "
            f"(dilation*(kernel_size-1)+1) but the padded input is only {padded} "
            f"(n={n} + padding {before}+{after}); the kernel must fit inside the padded input"
            + (" or, with ceil_mode, leave at least one window" if ceil_mode else "")
        )
    return out


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):
    """Number of window positions along one axis of a convolution or pooling.

    Parameters
    ----------
    n : int
        Input size along the axis (positive).
    kernel_size : int
        Kernel (window) size along the axis (positive).
    stride : int, default 1
        Step between window positions (positive).
    padding : int or (int, int), default 0
        Padding per side, or a ``(before, after)`` pair (non-negative).
    dilation : int, default 1
        Spacing between kernel taps (positive).
    ceil_mode : bool, default False
        Round the window count up instead of down, as PyTorch's pooling
        ``ceil_mode``: a partial window at the end is kept if it starts inside
        the input or the left padding.

    Returns
    -------
    int
        The output size :math:`O`.

    Raises
    ------
    TypeError
        If an argument is not an int (``ceil_mode`` not a bool).
    ValueError
        If a size, stride or dilation is not positive, a padding is negative,
        or the dilated kernel is larger than the padded input.

    Notes
    -----
    With :math:`P_b, P_a` the padding before and after,

    .. math::

        O = \\left\\lfloor \\frac{N + P_b + P_a - D(K-1) - 1}{S} \\right\\rfloor + 1 .

    With ``ceil_mode`` the floor becomes a ceiling, and the last window is
    dropped if it would start at or beyond :math:`N + P_b` (at most one window
    is dropped, as in PyTorch). A ceil-mode window may run past the padded
    input, so there a kernel larger than the padded input is accepted as long
    as one window remains (PyTorch accepts it too).

    Examples
    --------
    A 7x7 input, 3x3 filter, stride 2 gives 3x3 (CS231n); 128 with a 5x5
    filter and no padding gives 124:

    >>> conv_output_size(7, 3, stride=2)
    3
    >>> conv_output_size(128, 5)
    124
    >>> conv_output_size(16, 3, padding=1)
    16
    >>> conv_output_size(5, 2, stride=2), conv_output_size(5, 2, stride=2, ceil_mode=True)
    (2, 3)
    >>> conv_output_size(10, 3, dilation=2, padding=(1, 0))
    7
    """
    func = "conv_output_size"
    n = as_int(n, "n", func, minimum=1)
    kernel_size = as_int(kernel_size, "kernel_size", func, minimum=1)
    stride = as_int(stride, "stride", func, minimum=1)
    before, after = as_tuple(padding, 2, "padding", func, minimum=0)
    dilation = as_int(dilation, "dilation", func, minimum=1)
    ceil_mode = as_bool(ceil_mode, "ceil_mode", func)
    return _output_size(n, kernel_size, stride, before, after, dilation, ceil_mode, func)


def conv_transpose_output_size(n, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """Output size along one axis of a transposed convolution.

    Parameters
    ----------
    n : int
        Input size along the axis (positive).
    kernel_size : int
        Kernel size (positive).
    stride : int, default 1
        Stride of the convolution being transposed (positive).
    padding : int or (int, int), default 0
        Padding of the convolution being transposed, per side or as a
        ``(before, after)`` pair: it is *removed* from the output.
    output_padding : int, default 0
        Extra rows/columns added at the end (after) of the output, to pick one
        of the ``stride`` input sizes that a strided convolution maps to the
        same output size. Must be smaller than ``stride`` or ``dilation``
        (PyTorch's rule).
    dilation : int, default 1
        Dilation of the kernel (positive).

    Returns
    -------
    int
        The output size :math:`O`.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If a size, stride or dilation is not positive, a padding is negative,
        ``output_padding >= max(stride, dilation)``, or the output would be
        empty.

    Notes
    -----
    .. math::

        O = (N - 1) S - P_b - P_a + D(K - 1) + P_{out} + 1 .

    It inverts :func:`conv_output_size`: a convolution with the same
    arguments maps an input of size :math:`O` back to :math:`N`.

    Examples
    --------
    Upsampling 4 -> 8 with a 4x4 kernel, stride 2, padding 1 (the usual DCGAN
    layer), and 3 -> 5 vs 3 -> 6 with ``output_padding``:

    >>> conv_transpose_output_size(4, 4, stride=2, padding=1)
    8
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1)
    5
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)
    6
    """
    func = "conv_transpose_output_size"
    n = as_int(n, "n", func, minimum=1)
    kernel_size = as_int(kernel_size, "kernel_size", func, minimum=1)
    stride = as_int(stride, "stride", func, minimum=1)
    before, after = as_tuple(padding, 2, "padding", func, minimum=0)
    output_padding = as_int(output_padding, "output_padding", func, minimum=0)
    dilation = as_int(dilation, "dilation", func, minimum=1)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"{func}: output_padding must be smaller than stride or dilation, got "
            f"output_padding={output_padding}, stride={stride}, dilation={dilation}"
        )
    out = (n - 1) * stride - before - after + _span(kernel_size, dilation) + output_padding
    if out < 1:
        raise ValueError(
            f"{func}: the output would have size {out} (n={n}, kernel_size={kernel_size}, "
            f"stride={stride}, padding={before}+{after}, dilation={dilation}, "
            f"output_padding={output_padding}); padding removes more than the output has"
        )
    return out


def same_padding(n, kernel_size, stride=1, dilation=1):
    """Padding ``(before, after)`` that gives ``ceil(n / stride)`` outputs ("same").

    Parameters
    ----------
    n : int
        Input size along the axis (positive).
    kernel_size : int
        Kernel size (positive).
    stride : int, default 1
        Stride (positive).
    dilation : int, default 1
        Dilation (positive).

    Returns
    -------
    (int, int)
        Padding before (top/left) and after (bottom/right); an odd pixel goes
        after.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If an argument is not positive.

    Notes
    -----
    The TensorFlow rule: with :math:`O = \\lceil N / S \\rceil`,

    .. math::

        P = \\max\\big((O - 1) S + D(K - 1) + 1 - N,\\ 0\\big), \\quad
        P_b = \\lfloor P / 2 \\rfloor, \\quad P_a = P - P_b .

    At stride 1 and odd :math:`K` this is :math:`(K-1)/2` on each side.

    Examples
    --------
    >>> same_padding(16, 3)
    (1, 1)
    >>> same_padding(16, 4)
    (1, 2)
    >>> same_padding(7, 3, stride=2)
    (1, 1)
    >>> same_padding(8, 3, stride=2)
    (0, 1)
    >>> same_padding(28, 5, dilation=2)
    (4, 4)
    """
    func = "same_padding"
    n = as_int(n, "n", func, minimum=1)
    kernel_size = as_int(kernel_size, "kernel_size", func, minimum=1)
    stride = as_int(stride, "stride", func, minimum=1)
    dilation = as_int(dilation, "dilation", func, minimum=1)
    out = -(-n // stride)
    total = max((out - 1) * stride + _span(kernel_size, dilation) - n, 0)
    before = total // 2
    return before, total - before


def receptive_field(layers):
    """Receptive field size, jump and centre after each layer of a stack (along one axis).

    Parameters
    ----------
    layers : sequence of tuples
        One tuple of ints per layer (convolution or pooling), input first:
        ``(kernel_size, stride)`` or ``(kernel_size, stride, padding,
        dilation)``; ``padding`` is an int per side or a ``(before, after)``
        pair (only ``before`` moves the centre).

    Returns
    -------
    list of (int, int, float)
        ``len(layers) + 1`` triples ``(size, jump, start)``, the first for the
        input itself, ``(1, 1, 0.0)``: ``size`` is how many input pixels one
        output of that layer spans (gaps of a dilated kernel included),
        ``jump`` the distance in input pixels between neighbouring outputs, and
        ``start`` the centre of the first output's receptive field in input
        *pixel indices* (pixel ``i`` is centred at ``i``; a negative value lies
        in the padding, a half-integer between two pixels).

    Raises
    ------
    TypeError
        If ``layers`` is not a sequence of tuples of ints.
    ValueError
        If a tuple does not have 2 or 4 entries, or a kernel size, stride or
        dilation is not positive, or a padding negative.

    Notes
    -----
    For layer :math:`l` with kernel :math:`k_l`, stride :math:`s_l`, padding
    :math:`p_l` (before) and dilation :math:`d_l`, starting from
    :math:`(r_0, j_0, c_0) = (1, 1, 0)`:

    .. math::

        r_l = r_{l-1} + (k_l - 1) d_l j_{l-1}, \\qquad j_l = j_{l-1} s_l, \\qquad
        c_l = c_{l-1} + \\Big(\\frac{(k_l - 1) d_l}{2} - p_l\\Big) j_{l-1} .

    Output :math:`i` of layer :math:`l` is centred on input index
    :math:`c_l + i\\,j_l` and sees the input indices
    :math:`c_l + i\\,j_l \\pm (r_l - 1)/2`. (Some texts measure positions
    from the pixel's left edge, starting at :math:`c_0 = 0.5`; add 0.5 to
    every ``start`` to convert.)

    Examples
    --------
    Two stacked 3x3 convolutions see 5x5, three see 7x7:

    >>> receptive_field([(3, 1), (3, 1), (3, 1)])
    [(1, 1, 0.0), (3, 1, 1.0), (5, 1, 2.0), (7, 1, 3.0)]

    A 3x3 conv with padding 1, then a 2x2 stride-2 pool:

    >>> receptive_field([(3, 1, 1, 1), (2, 2)])
    [(1, 1, 0.0), (3, 1, 0.0), (4, 2, 0.5)]
    """
    func = "receptive_field"
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(
            f"{func}: layers must be a sequence of (kernel_size, stride[, padding, dilation]) "
            f"tuples, got {layers!r}"
        )
    size, jump, start = 1, 1, 0.0
    fields = [(size, jump, start)]
    for index, layer in enumerate(layers):
        name = f"layers[{index}]"
        if not isinstance(layer, (tuple, list)):
            raise TypeError(
                f"{func}: {name} must be a tuple (kernel_size, stride) or "
                f"(kernel_size, stride, padding, dilation), got {layer!r}"
            )
        if len(layer) == 2:
            (kernel_size, stride), padding, dilation = layer, 0, 1
        elif len(layer) == 4:
            kernel_size, stride, padding, dilation = layer
        else:
            raise ValueError(
                f"{func}: {name} must have 2 entries (kernel_size, stride) or 4 "
                f"(kernel_size, stride, padding, dilation), got {len(layer)}: {layer!r}"
            )
        kernel_size = as_int(kernel_size, f"{name} kernel_size", func, minimum=1)
        stride = as_int(stride, f"{name} stride", func, minimum=1)
        before, _ = as_tuple(padding, 2, f"{name} padding", func, minimum=0)
        dilation = as_int(dilation, f"{name} dilation", func, minimum=1)
        reach = (kernel_size - 1) * dilation
        start = start + (reach / 2 - before) * jump
        size = size + reach * jump
        jump = jump * stride
        fields.append((size, jump, float(start)))
    return fields


def _channels_per_group(c_in, c_out, groups, func):
    """Check that ``groups`` divides both channel counts; return ``c_in // groups``."""
    for name, c in (("c_in", c_in), ("c_out", c_out)):
        if c % groups:
            raise ValueError(f"{func}: groups={groups} must divide {name}={c}")
    return c_in // groups


def conv2d_params(c_in, c_out, kernel_size, bias=True, groups=1):
    """Number of learnable parameters of a 2-D convolution layer.

    Parameters
    ----------
    c_in, c_out : int
        Input and output channels (positive).
    kernel_size : int or (int, int)
        Kernel size ``(kH, kW)``.
    bias : bool, default True
        Count one bias per output channel.
    groups : int, default 1
        Channel groups; must divide ``c_in`` and ``c_out``.

    Returns
    -------
    int
        :math:`C_{out} \\cdot (C_{in}/g) \\cdot k_H k_W` (+ :math:`C_{out}`).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a count is not positive or ``groups`` does not divide the channels.

    Notes
    -----
    The weight has shape ``(C_out, C_in/groups, kH, kW)``, the bias
    ``(C_out,)``. The parameters do not depend on the input size, stride,
    padding or dilation.

    Examples
    --------
    A 3x3 filter on a 20-channel input has 3*3*20 + 1 = 181 parameters;
    256 5x5 filters on a 1-channel image 6,656; a 3x3 conv 32 -> 64 18,432
    weights:

    >>> conv2d_params(20, 1, 3)
    181
    >>> conv2d_params(1, 256, 5)
    6656
    >>> conv2d_params(32, 64, 3, bias=False)
    18432
    >>> conv2d_params(32, 32, 3, bias=False, groups=32)  # depthwise
    288
    """
    func = "conv2d_params"
    c_in = as_int(c_in, "c_in", func, minimum=1)
    c_out = as_int(c_out, "c_out", func, minimum=1)
    kh, kw = as_pair(kernel_size, "kernel_size", func, minimum=1)
    bias = as_bool(bias, "bias", func)
    groups = as_int(groups, "groups", func, minimum=1)
    c_per_group = _channels_per_group(c_in, c_out, groups, func)
    return c_out * c_per_group * kh * kw + (c_out if bias else 0)


def _output_hw(input_hw, kernel_size, stride, padding, dilation, func):
    """Validate 2-D arguments and return ``(H_out, W_out)``."""
    hw = as_pair(input_hw, "input_hw", func, minimum=1)
    kernel = as_pair(kernel_size, "kernel_size", func, minimum=1)
    stride = as_pair(stride, "stride", func, minimum=1)
    dilation = as_pair(dilation, "dilation", func, minimum=1)
    pads = resolve_padding(padding, hw, kernel, stride, dilation, func)
    return tuple(
        _output_size(n, k, s, before, after, d, False, func)
        for n, k, s, (before, after), d in zip(hw, kernel, stride, pads, dilation)
    )


def conv2d_macs(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, dilation=1, groups=1):
    """Multiply-accumulate operations of one 2-D convolution (one image).

    Parameters
    ----------
    input_hw : int or (int, int)
        Input height and width ``(H, W)``.
    c_in, c_out : int
        Input and output channels.
    kernel_size, stride, dilation : int or (int, int)
        As in :func:`convblocks.conv2d`.
    padding : int, (int, int), ((int, int), (int, int)) or {"valid", "same"}
        As in :func:`convblocks.conv2d`.
    groups : int, default 1
        Channel groups; must divide ``c_in`` and ``c_out``.

    Returns
    -------
    int
        :math:`H_{out} W_{out} \\cdot C_{out} \\cdot (C_{in}/g) \\cdot k_H k_W`.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a count is not positive, ``groups`` does not divide the channels,
        or the kernel does not fit the padded input.

    Notes
    -----
    Every output value is one dot product of length
    :math:`(C_{in}/g)\\,k_H k_W`; bias additions are not counted. Multiply by
    the batch size for a batch.

    Examples
    --------
    The Inception bottleneck on a 28x28x192 input ("same" padding): a 5x5 conv
    to 32 maps directly, versus a 1x1 conv to 16 maps followed by the 5x5:

    >>> conv2d_macs(28, 192, 32, 5, padding="same")
    120422400
    >>> conv2d_macs(28, 192, 16, 1), conv2d_macs(28, 16, 32, 5, padding=2)
    (2408448, 10035200)
    """
    func = "conv2d_macs"
    c_in = as_int(c_in, "c_in", func, minimum=1)
    c_out = as_int(c_out, "c_out", func, minimum=1)
    groups = as_int(groups, "groups", func, minimum=1)
    c_per_group = _channels_per_group(c_in, c_out, groups, func)
    kh, kw = as_pair(kernel_size, "kernel_size", func, minimum=1)
    h_out, w_out = _output_hw(input_hw, kernel_size, stride, padding, dilation, func)
    return h_out * w_out * c_out * c_per_group * kh * kw


def locally_connected2d_params(input_hw, c_in, c_out, kernel_size, stride=1, padding=0, bias=True):
    """Number of parameters of a locally connected layer (a conv without weight sharing).

    Parameters
    ----------
    input_hw : int or (int, int)
        Input height and width ``(H, W)``.
    c_in, c_out : int
        Input and output channels.
    kernel_size, stride : int or (int, int)
        Window size and step.
    padding : int, (int, int), ((int, int), (int, int)) or {"valid", "same"}
        As in :func:`convblocks.locally_connected2d`.
    bias : bool, default True
        Count one bias per output unit.

    Returns
    -------
    int
        :math:`H_{out} W_{out} C_{out} (C_{in} k_H k_W + 1)` with bias,
        :math:`H_{out} W_{out} C_{out} C_{in} k_H k_W` without.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a count is not positive or the kernel does not fit the padded input.

    Notes
    -----
    Every output position has its own filter: the weight has shape
    ``(H_out, W_out, C_out, C_in, kH, kW)`` and the bias ``(C_out, H_out,
    W_out)``, as :func:`convblocks.locally_connected2d` takes them. That is
    :math:`H_{out} W_{out}` times the parameters of the convolution with the
    same window.

    Examples
    --------
    A 16x16x20 input, 3x3 windows, stride 1, padding 1, one output channel:
    256 positions times 181 = 46,336 parameters; 256 unshared 5x5 filters on a
    128x128 image (124x124 positions) need 98,406,400 weights:

    >>> locally_connected2d_params(16, 20, 1, 3, padding=1)
    46336
    >>> locally_connected2d_params(128, 1, 256, 5, bias=False)
    98406400
    """
    func = "locally_connected2d_params"
    c_in = as_int(c_in, "c_in", func, minimum=1)
    c_out = as_int(c_out, "c_out", func, minimum=1)
    bias = as_bool(bias, "bias", func)
    kh, kw = as_pair(kernel_size, "kernel_size", func, minimum=1)
    h_out, w_out = _output_hw(input_hw, kernel_size, stride, padding, 1, func)
    per_position = c_out * c_in * kh * kw + (c_out if bias else 0)
    return h_out * w_out * per_position


def separable_conv2d_params(c_in, c_out, kernel_size, depth_multiplier=1, bias=True):
    """Number of parameters of a depthwise separable convolution.

    Parameters
    ----------
    c_in, c_out : int
        Input channels :math:`C` and output channels :math:`C'`.
    kernel_size : int or (int, int)
        Depthwise kernel size ``(kH, kW)``.
    depth_multiplier : int, default 1
        Depthwise filters per input channel :math:`m`.
    bias : bool, default True
        Count one bias per output channel, on the pointwise step only (as
        Keras ``SeparableConv2D``; the depthwise step has no bias).

    Returns
    -------
    int
        :math:`C m k_H k_W + C m C'` (+ :math:`C'`).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a count is not positive.

    Notes
    -----
    Depthwise: weight ``(C m, 1, kH, kW)``, :math:`C m k_H k_W` parameters.
    Pointwise 1x1: weight ``(C', C m)``, :math:`C m C'` parameters, plus the
    bias ``(C',)``. A standard convolution has :math:`k_H k_W C C'`; the ratio
    (``m = 1``, no bias) is :math:`1/C' + 1/(k_H k_W)`.

    Examples
    --------
    32 -> 64 channels with 3x3 kernels: 288 + 2,048 = 2,336 weights instead of
    the 18,432 of a standard convolution:

    >>> separable_conv2d_params(32, 64, 3, bias=False)
    2336
    >>> separable_conv2d_params(32, 64, 3)
    2400
    >>> separable_conv2d_params(3, 8, 3, depth_multiplier=2)
    110
    """
    func = "separable_conv2d_params"
    c_in = as_int(c_in, "c_in", func, minimum=1)
    c_out = as_int(c_out, "c_out", func, minimum=1)
    kh, kw = as_pair(kernel_size, "kernel_size", func, minimum=1)
    m = as_int(depth_multiplier, "depth_multiplier", func, minimum=1)
    bias = as_bool(bias, "bias", func)
    depthwise = c_in * m * kh * kw
    pointwise = c_in * m * c_out + (c_out if bias else 0)
    return depthwise + pointwise


def dense_params(n_in, n_out, bias=True):
    """Number of parameters of a dense (fully connected) layer.

    Parameters
    ----------
    n_in, n_out : int
        Input and output features (positive).
    bias : bool, default True
        Count one bias per output.

    Returns
    -------
    int
        :math:`n_{in} n_{out}` (+ :math:`n_{out}`).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a count is not positive.

    Notes
    -----
    The weight has shape ``(n_out, n_in)``, the bias ``(n_out,)``. A dense
    layer on a 1x1xC input is a 1x1 convolution with the same count.

    Examples
    --------
    A dense layer on a flattened 13x13x16 map to 10 classes, and the 1x1
    convolution C -> C' (C*C' + C'):

    >>> dense_params(13 * 13 * 16, 10)
    27050
    >>> dense_params(192, 16) == conv2d_params(192, 16, 1)
    True
    """
    func = "dense_params"
    n_in = as_int(n_in, "n_in", func, minimum=1)
    n_out = as_int(n_out, "n_out", func, minimum=1)
    bias = as_bool(bias, "bias", func)
    return n_in * n_out + (n_out if bias else 0)
