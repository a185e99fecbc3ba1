"""Tests for convblocks.arithmetic.

Every formula is checked three ways: against a brute-force count written here
with plain loops (never calling the code under test), against the *shape* the
real operation produces (conv2d, pooling, transposed convolution), and on the
hand-worked numbers of the course syllabus.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convblocks
from convblocks.arithmetic import (
    conv2d_macs,
    conv2d_params,
    conv_output_size,
    conv_transpose_output_size,
    dense_params,
    locally_connected2d_params,
    receptive_field,
    same_padding,
    separable_conv2d_params,
)


def op(name):
    """A convblocks operation by name; fail clearly if it has not been written yet."""
    func = getattr(convblocks, name, None)
    if func is None:
        pytest.fail(f"convblocks.{name} does not exist (yet)")
    return func


# --------------------------------------------------------------------------- brute force


def window_starts(n, k, s, before, after, d, ceil_mode=False):
    """Start positions (in padded coordinates) of every window, by walking along the axis.

    Without ceil_mode a window is kept when all its taps lie in the padded input.
    With ceil_mode, windows keep coming while the earlier ones leave padded pixels
    uncovered, and a window that starts in the after-padding is dropped.
    """
    padded = n + before + after
    span = d * (k - 1) + 1
    starts = []
    start = 0
    covered = -1  # last padded pixel covered by a window so far
    while start < padded:
        taps = [start + d * j for j in range(k)]
        if not ceil_mode:
            if taps[-1] < padded:
                starts.append(start)
        elif covered < padded - 1 and start < n + before:
            starts.append(start)
            covered = start + span - 1
        start += s
    return starts


def brute_transpose_size(n, k, s, before, after, output_padding, d):
    """Length of a transposed convolution's output, by scattering every input pixel."""
    touched = {i * s + j * d for i in range(n) for j in range(k)}
    full = max(touched) + 1
    return full - before - after + output_padding


def reached(layers, output_index):
    """Input indices (padding included, as negatives/overflow) that reach one output.

    Pushes the index set back through the layers: output ``o`` of a layer reads
    input indices ``o*s - p + j*d`` for ``j`` in ``range(k)``.
    """
    indices = {output_index}
    for layer in reversed(layers):
        k, s, p, d = layer if len(layer) == 4 else (*layer, 0, 1)
        indices = {o * s - p + j * d for o in indices for j in range(k)}
    return indices


def brute_conv_params(c_in, c_out, kh, kw, bias, groups):
    """Count weights by looping over every (output channel, input channel, tap) connection."""
    count = 0
    for o in range(c_out):
        for c in range(c_in):
            same_group = o * groups // c_out == c * groups // c_in
            if same_group:
                count += sum(1 for _ in itertools.product(range(kh), range(kw)))
        if bias:
            count += 1
    return count


def brute_macs(hw, c_in, c_out, kernel, stride, pads, dilation, groups):
    """Count multiply-accumulates by walking over the output positions."""
    positions = 1
    for n, k, s, (before, after), d in zip(hw, kernel, stride, pads, dilation):
        positions *= len(window_starts(n, k, s, before, after, d))
    per_position = 0
    for o in range(c_out):
        for c in range(c_in):
            if o * groups // c_out == c * groups // c_in:
                per_position += kernel[0] * kernel[1]
    return positions * per_position


# --------------------------------------------------------------------------- conv_output_size


@given(
    n=st.integers(1, 12),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    before=st.integers(0, 3),
    after=st.integers(0, 3),
    d=st.integers(1, 3),
)
def test_conv_output_size_counts_windows(n, k, s, before, after, d):
    starts = window_starts(n, k, s, before, after, d)
    if not starts:
        with pytest.raises(ValueError, match="kernel_size"):
            conv_output_size(n, k, s, (before, after), d)
    else:
        assert conv_output_size(n, k, s, (before, after), d) == len(starts)
        if before == after:
            assert conv_output_size(n, k, s, before, d) == len(starts)


@given(
    n=st.integers(1, 12),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
)
def test_conv_output_size_ceil_mode_counts_windows(n, k, s, p, d):
    span = d * (k - 1) + 1
    assume(n + 2 * p >= span)  # the degenerate overhang case is tested by hand below
    # PyTorch drops at most one window; this agrees with dropping every window that
    # starts in the after-padding as long as that padding is shorter than a window
    # (pooling allows at most half a kernel)
    assume(p <= span // 2)
    starts = window_starts(n, k, s, p, p, d, ceil_mode=True)
    assert conv_output_size(n, k, s, p, d, ceil_mode=True) == len(starts)
    floor = conv_output_size(n, k, s, p, d)
    assert floor <= len(starts) <= floor + 1


@pytest.mark.parametrize(
    "args, expected",
    [
        # 5 with a 2-window, stride 2: windows at 0, 2 and a partial one at 4
        ((5, 2, 2, 0, 1), 3),
        # 6 with 3/2, padding 1: padded 8, windows at 0, 2, 4 full, 6 starts in the
        # input (6 < 6 + 1) and overhangs by one: kept
        ((6, 3, 2, 1, 1), 4),
        # 5 with 3/2, padding 1: padded 7, windows at 0, 2, 4 cover everything
        ((5, 3, 2, 1, 1), 3),
        # a 2-window on a 1-pixel input with stride 2 overhangs by one: PyTorch keeps it
        ((1, 2, 2, 0, 1), 1),
    ],
)
def test_conv_output_size_ceil_mode_hand_worked(args, expected):
    assert conv_output_size(*args, ceil_mode=True) == expected


def test_conv_output_size_ceil_mode_drops_window_starting_in_padding():
    # n=4, k=2, s=2, p=1: padded 6, windows at 0, 2, 4 (= 3 outputs floor); ceil adds
    # nothing. n=3, k=2, s=2, p=1: padded 5, floor gives 0, 2; ceil would add one at 4,
    # which starts at 4 = n + p: in the after-padding, so dropped.
    assert conv_output_size(4, 2, 2, 1, ceil_mode=True) == 3
    assert conv_output_size(3, 2, 2, 1, ceil_mode=True) == 2


def test_conv_output_size_ceil_mode_window_overhanging_too_far():
    # a 4-window on 1 pixel, stride 2: even the first window would overhang by 3 > s-1
    with pytest.raises(ValueError, match="ceil_mode"):
        conv_output_size(1, 4, 2, ceil_mode=True)


@pytest.mark.parametrize(
    "args, kwargs, expected",
    [
        ((7, 3), dict(stride=2), 3),  # CS231n: 7x7 input, 3x3 filter, stride 2 -> 3x3
        ((7, 3), dict(stride=1), 5),
        ((128, 5), {}, 124),  # syllabus: 256 filters 5x5 on 128x128 -> 124x124
        ((16, 3), dict(padding=1), 16),  # syllabus: 16x16x20, stride 1, padding 1
        ((26, 2), dict(stride=2), 13),  # syllabus: 2x2/2 pooling 26x26 -> 13x13
        ((28, 5), dict(padding=2), 28),  # bottleneck 5x5 "same"
        ((5, 3), dict(padding=2), 7),  # full padding: W + K - 1
        ((7, 3), dict(dilation=2), 3),  # dilation 2 spans 5
        ((4, 3), dict(stride=3, padding=(2, 0)), 2),  # padded 6: windows at 0, 3
    ],
)
def test_conv_output_size_hand_worked(args, kwargs, expected):
    assert conv_output_size(*args, **kwargs) == expected
    assert type(conv_output_size(*args, **kwargs)) is int


def test_conv_output_size_accepts_numpy_ints():
    assert conv_output_size(np.int64(7), np.int32(3), stride=np.int64(2)) == 3


def test_syllabus_misconception_divide_by_s_plus_one():
    """O = (W - F + 2P)/S + 1, not (W - F + 2P)/(S + 1): 7, 3, S=2 gives 3 (not 4/3)."""
    assert conv_output_size(7, 3, stride=2) == (7 - 3) // 2 + 1 != (7 - 3) // (2 + 1)


def test_syllabus_same_size_at_stride_two_needs_half_the_image():
    """Solving floor((W - K + 2P)/2) + 1 = W gives P ~ (W + K)/2 - 1: about half the image."""
    w, k = 32, 3
    p = math.ceil((w + k) / 2 - 1)  # the least P with floor((W - K + 2P)/2) + 1 >= W
    assert conv_output_size(w, k, stride=2, padding=p) == w
    assert conv_output_size(w, k, stride=2, padding=p - 1) < w


# --------------------------------------------------------------------------- conv_transpose_output_size


@given(
    n=st.integers(1, 8),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    before=st.integers(0, 4),
    after=st.integers(0, 4),
    op_=st.integers(0, 3),
    d=st.integers(1, 3),
)
def test_conv_transpose_output_size_scatter(n, k, s, before, after, op_, d):
    expected = brute_transpose_size(n, k, s, before, after, op_, d)
    if op_ >= max(s, d):
        with pytest.raises(ValueError, match="output_padding"):
            conv_transpose_output_size(n, k, s, (before, after), op_, d)
    elif expected < 1:
        with pytest.raises(ValueError, match="output would have size"):
            conv_transpose_output_size(n, k, s, (before, after), op_, d)
    else:
        assert conv_transpose_output_size(n, k, s, (before, after), op_, d) == expected


@given(
    n=st.integers(1, 8),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
    data=st.data(),
)
def test_conv_transpose_output_size_inverts_conv(n, k, s, p, d, data):
    """A convolution with the same arguments maps the transposed output back to n."""
    op_ = data.draw(st.integers(0, s - 1))
    try:
        out = conv_transpose_output_size(n, k, s, p, op_, d)
    except ValueError:
        assume(False)
    assert conv_output_size(out, k, s, p, d) == n


@pytest.mark.parametrize(
    "args, kwargs, expected",
    [
        ((2, 3), {}, 4),  # Dumoulin & Visin fig. 4.1: 2x2 -> 4x4
        ((4, 4), dict(stride=2, padding=1), 8),  # DCGAN upsampling layer
        ((3, 3), dict(stride=2, padding=1), 5),
        ((3, 3), dict(stride=2, padding=1, output_padding=1), 6),
        ((2, 3), dict(stride=2), 5),
        ((3, 3), dict(dilation=2, output_padding=1), 8),  # op < dilation is allowed
    ],
)
def test_conv_transpose_output_size_hand_worked(args, kwargs, expected):
    assert conv_transpose_output_size(*args, **kwargs) == expected


# --------------------------------------------------------------------------- same_padding


@given(n=st.integers(1, 20), k=st.integers(1, 6), s=st.integers(1, 4), d=st.integers(1, 3))
def test_same_padding_gives_ceil_n_over_s(n, k, s, d):
    before, after = same_padding(n, k, s, d)
    assert len(window_starts(n, k, s, before, after, d)) == math.ceil(n / s)
    assert after - before in (0, 1)  # the odd pixel goes after
    total = before + after
    if total > 0:  # and it is the least padding that does it
        smaller = window_starts(n, k, s, (total - 1) // 2, total - 1 - (total - 1) // 2, d)
        assert len(smaller) < math.ceil(n / s)


@pytest.mark.parametrize("k", [1, 3, 5, 7])
@pytest.mark.parametrize("n", [1, 6, 9])
def test_same_padding_odd_kernel_stride_one_is_half(n, k):
    """Syllabus: same size at S=1 and odd K is P = (K-1)/2 on each side."""
    assert same_padding(n, k) == ((k - 1) // 2, (k - 1) // 2)


@pytest.mark.parametrize(
    "args, expected",
    [
        ((16, 4), (1, 2)),  # even kernel: asymmetric
        ((7, 3, 2), (1, 1)),  # out 4, total 3*2 + 3 - 7 = 2
        ((8, 3, 2), (0, 1)),  # out 4, total 6 + 3 - 8 = 1
        ((10, 1, 3), (0, 0)),  # 1x1 never needs padding
        ((5, 7, 2), (3, 3)),  # out 3, total 4 + 7 - 5 = 6
        ((9, 3, 1, 3), (3, 3)),  # dilation 3 spans 7
    ],
)
def test_same_padding_hand_worked(args, expected):
    assert same_padding(*args) == expected
    assert all(type(p) is int for p in same_padding(*args))


# --------------------------------------------------------------------------- receptive_field

layer_strategy = st.one_of(
    st.tuples(st.integers(1, 5), st.integers(1, 3)),
    st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2), st.integers(1, 3)),
)


@given(layers=st.lists(layer_strategy, min_size=0, max_size=4))
def test_receptive_field_matches_index_propagation(layers):
    fields = receptive_field(layers)
    assert len(fields) == len(layers) + 1
    assert fields[0] == (1, 1, 0.0)
    for depth in range(len(layers) + 1):
        first = reached(layers[:depth], 0)
        second = reached(layers[:depth], 1)
        size, jump, start = fields[depth]
        assert size == max(first) - min(first) + 1
        assert start == (max(first) + min(first)) / 2
        assert jump == (max(second) + min(second)) / 2 - start
        assert type(size) is int and type(jump) is int and type(start) is float


def test_receptive_field_padding_pair_uses_before():
    assert receptive_field([(3, 1, (2, 0), 1)]) == receptive_field([(3, 1, 2, 1)])


@pytest.mark.parametrize(
    "layers, expected",
    [
        # syllabus: two stacked 3x3 convs see 5x5, three see 7x7
        ([(3, 1), (3, 1)], (5, 1, 2.0)),
        ([(3, 1), (3, 1), (3, 1)], (7, 1, 3.0)),
        # 3x3/1 pad 1, then 2x2/2 pool: size 3 + 1 = 4, jump 2, centre between 0 and 1
        ([(3, 1, 1, 1), (2, 2)], (4, 2, 0.5)),
        # VGG-like block: conv3 p1, conv3 p1, pool2/2: r = 1+2+2+1 = 6, j = 2
        ([(3, 1, 1, 1), (3, 1, 1, 1), (2, 2)], (6, 2, 0.5)),
        # WaveNet-style dilations 1, 2, 4 with k=2: r = 1 + 1 + 2 + 4 = 8
        ([(2, 1, 0, 1), (2, 1, 0, 2), (2, 1, 0, 4)], (8, 1, 3.5)),
        # 7x7/2 pad 3 then 3x3/2 pad 1 (ResNet stem): r = 7 + 2*2 = 11, j = 4,
        # start = 0 + (3 - 3)*1 + (1 - 1)*2 = 0
        ([(7, 2, 3, 1), (3, 2, 1, 1)], (11, 4, 0.0)),
    ],
)
def test_receptive_field_hand_worked(layers, expected):
    assert receptive_field(layers)[-1] == expected


def test_receptive_field_empty_stack_is_one_pixel():
    assert receptive_field([]) == [(1, 1, 0.0)]


@pytest.mark.parametrize(
    "layers",
    [
        [(3, 1), (3, 1)],
        [(3, 2, 1, 1), (3, 1, 0, 2)],
        [(2, 2), (3, 1, 1, 1), (2, 2)],
        [(5, 1, 2, 1), (3, 3, 0, 1)],
    ],
)
def test_receptive_field_on_real_conv2d(layers):
    """Which input pixels change output 0 of a stack of real conv2d layers with positive weights.

    Each of the n images in the batch is a one-hot row; the layers are (1, k)
    convolutions of ones, so output 0 of image i is positive exactly when input
    pixel i reaches it. Inside the input, that set must span the receptive field.
    """
    conv2d = op("conv2d")
    n = 24
    x = np.eye(n).reshape(n, 1, 1, n)
    for layer in layers:
        k, s, p, d = layer if len(layer) == 4 else (*layer, 0, 1)
        x = conv2d(x, np.ones((1, 1, 1, k)), stride=(1, s), padding=((0, 0), (p, p)), dilation=(1, d))
    hits = {i for i in range(n) if x[i, 0, 0, 0] > 0}
    expected = {i for i in reached(layers, 0) if 0 <= i < n}
    assert hits == expected
    size, _, start = receptive_field(layers)[-1]
    lowest = start - (size - 1) / 2
    assert min(hits) == max(lowest, 0)


# --------------------------------------------------------------------------- parameter and MAC counts


@given(
    c_in_per=st.integers(1, 4),
    c_out_per=st.integers(1, 4),
    groups=st.integers(1, 3),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    bias=st.booleans(),
)
def test_conv2d_params_counts_connections(c_in_per, c_out_per, groups, kh, kw, bias):
    c_in, c_out = c_in_per * groups, c_out_per * groups
    expected = brute_conv_params(c_in, c_out, kh, kw, bias, groups)
    assert conv2d_params(c_in, c_out, (kh, kw), bias=bias, groups=groups) == expected
    if kh == kw:
        assert conv2d_params(c_in, c_out, kh, bias=bias, groups=groups) == expected


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_conv2d_params_matches_arrays_conv2d_accepts(groups):
    conv2d = op("conv2d")
    c_in, c_out, kernel = 4, 8, (3, 2)
    weight = np.ones((c_out, c_in // groups, *kernel))
    bias = np.zeros(c_out)
    out = conv2d(np.ones((1, c_in, 5, 5)), weight, bias, groups=groups)  # shapes accepted
    assert out.shape == (1, c_out, 3, 4)
    assert conv2d_params(c_in, c_out, kernel, groups=groups) == weight.size + bias.size


@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    c_in_per=st.integers(1, 3),
    c_out_per=st.integers(1, 3),
    groups=st.integers(1, 2),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    s=st.integers(1, 3),
    p=st.integers(0, 2),
    d=st.integers(1, 2),
)
def test_conv2d_macs_counts_loops(h, w, c_in_per, c_out_per, groups, kh, kw, s, p, d):
    c_in, c_out = c_in_per * groups, c_out_per * groups
    pads = ((p, p), (p, p))
    expected = brute_macs((h, w), c_in, c_out, (kh, kw), (s, s), pads, (d, d), groups)
    assume(expected > 0)
    got = conv2d_macs((h, w), c_in, c_out, (kh, kw), stride=s, padding=p, dilation=d, groups=groups)
    assert got == expected


@pytest.mark.parametrize(
    "hw, kernel, stride, padding, dilation, groups",
    [
        ((6, 7), (3, 3), 1, 0, 1, 1),
        ((6, 7), (3, 2), 2, 1, 1, 2),
        ((9, 5), (2, 3), (2, 1), ((1, 0), (0, 2)), (2, 1), 1),
        ((8, 8), (3, 3), 2, "same", 1, 4),
        ((5, 5), (5, 5), 1, "valid", 1, 1),
    ],
)
def test_conv2d_macs_is_weights_times_real_output_positions(hw, kernel, stride, padding, dilation, groups):
    conv2d = op("conv2d")
    c_in, c_out = 4, 4
    weight = np.ones((c_out, c_in // groups, *kernel))
    x = np.ones((1, c_in, *hw))
    out = conv2d(x, weight, stride=stride, padding=padding, dilation=dilation, groups=groups)
    h_out, w_out = out.shape[2:]
    expected = weight.size * h_out * w_out
    assert conv2d_macs(hw, c_in, c_out, kernel, stride, padding, dilation, groups) == expected


@given(
    h=st.integers(1, 8),
    w=st.integers(1, 8),
    c_in=st.integers(1, 3),
    c_out=st.integers(1, 3),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    s=st.integers(1, 3),
    p=st.integers(0, 1),
    bias=st.booleans(),
)
def test_locally_connected2d_params_counts_loops(h, w, c_in, c_out, kh, kw, s, p, bias):
    rows = window_starts(h, kh, s, p, p, 1)
    cols = window_starts(w, kw, s, p, p, 1)
    assume(rows and cols)
    expected = 0
    for _ in itertools.product(rows, cols):  # one private filter bank per output position
        for _o in range(c_out):
            expected += c_in * kh * kw + (1 if bias else 0)
    got = locally_connected2d_params((h, w), c_in, c_out, (kh, kw), stride=s, padding=p, bias=bias)
    assert got == expected


@pytest.mark.parametrize(
    "hw, kernel, stride, padding",
    [((6, 7), (3, 3), 1, 0), ((7, 5), (2, 3), 2, 1), ((5, 6), 3, (2, 1), ((1, 0), (2, 1)))],
)
def test_locally_connected2d_params_matches_arrays_the_layer_accepts(hw, kernel, stride, padding):
    locally_connected2d = op("locally_connected2d")
    conv2d = op("conv2d")
    c_in, c_out = 2, 3
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x = np.ones((1, c_in, *hw))
    h_out, w_out = conv2d(x, np.ones((c_out, c_in, kh, kw)), stride=stride, padding=padding).shape[2:]
    weight = np.ones((h_out, w_out, c_out, c_in, kh, kw))
    bias = np.zeros((c_out, h_out, w_out))
    out = locally_connected2d(np.ones((1, c_in, *hw)), weight, bias, stride=stride, padding=padding)
    assert out.shape == (1, c_out, h_out, w_out)
    assert locally_connected2d_params(hw, c_in, c_out, kernel, stride, padding) == weight.size + bias.size
    assert locally_connected2d_params(hw, c_in, c_out, kernel, stride, padding, bias=False) == weight.size


@given(
    c=st.integers(1, 5),
    c_out=st.integers(1, 5),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    m=st.integers(1, 3),
    bias=st.booleans(),
)
def test_separable_conv2d_params_counts_both_steps(c, c_out, kh, kw, m, bias):
    depthwise = sum(kh * kw for _channel in range(c) for _copy in range(m))
    pointwise = sum(1 for _o in range(c_out) for _i in range(c * m))
    expected = depthwise + pointwise + (c_out if bias else 0)
    assert separable_conv2d_params(c, c_out, (kh, kw), depth_multiplier=m, bias=bias) == expected
    # the same as a grouped conv (groups = C, no bias) followed by a 1x1 conv
    depthwise_conv = conv2d_params(c, c * m, (kh, kw), bias=False, groups=c)
    as_convs = depthwise_conv + conv2d_params(c * m, c_out, 1, bias=bias)
    assert separable_conv2d_params(c, c_out, (kh, kw), depth_multiplier=m, bias=bias) == as_convs


@pytest.mark.parametrize("m", [1, 2])
def test_separable_conv2d_params_matches_arrays_the_layer_accepts(m):
    separable_conv2d = op("separable_conv2d")
    c, c_out, k = 3, 5, 3
    depthwise = np.ones((c * m, 1, k, k))
    pointwise = np.ones((c_out, c * m))
    bias = np.zeros(c_out)
    out = separable_conv2d(np.ones((1, c, 6, 6)), depthwise, pointwise, bias)
    assert out.shape == (1, c_out, 4, 4)
    expected = depthwise.size + pointwise.size + bias.size
    assert separable_conv2d_params(c, c_out, k, depth_multiplier=m) == expected


@given(n_in=st.integers(1, 20), n_out=st.integers(1, 20), bias=st.booleans())
def test_dense_params_counts_connections(n_in, n_out, bias):
    expected = sum(1 for _i in range(n_in) for _o in range(n_out)) + (n_out if bias else 0)
    assert dense_params(n_in, n_out, bias=bias) == expected


def test_dense_on_1x1_input_is_a_1x1_conv():
    """Syllabus ch. 4: a 1x1 conv C -> C' has C*C' + C' parameters, as a dense layer."""
    for c, c_prime in [(3, 8), (192, 16), (1, 1)]:
        assert dense_params(c, c_prime) == conv2d_params(c, c_prime, 1) == c * c_prime + c_prime


def test_dense_on_a_volume_is_a_full_size_conv():
    """A dense layer on an HxWxC volume has the parameters of an HxW (valid) conv."""
    assert dense_params(7 * 7 * 64, 10) == conv2d_params(64, 10, 7)


# --------------------------------------------------------------------------- the syllabus, by hand


def test_syllabus_chapter1_one_filter_on_16x16x20():
    # 3*3*20 = 180 connections per output, + 1 bias = 181 parameters per filter
    assert conv2d_params(20, 1, 3) == 181
    assert conv2d_params(20, 1, 3, bias=False) == 180
    # stride 1, padding 1: 16*16 = 256 positions; unshared: 256 * 181 = 46,336
    assert conv_output_size(16, 3, padding=1) == 16
    assert locally_connected2d_params((16, 16), 20, 1, 3, padding=1) == 46_336


def test_syllabus_chapter1_256_filters_on_128x128():
    assert conv_output_size(128, 5) == 124
    # shared: 5*5*256 weights + 256 biases = 6,656
    assert conv2d_params(1, 256, 5) == 6_656
    # unshared: 5*5*256*124*124 = 98,406,400 weights (plus 256*124*124 biases)
    assert locally_connected2d_params(128, 1, 256, 5, bias=False) == 98_406_400
    assert locally_connected2d_params(128, 1, 256, 5) == 98_406_400 + 256 * 124 * 124


def test_syllabus_chapter2_stacked_3x3_weights():
    """Two 3x3 convs see 5x5 with 18 vs 25 weights per channel pair; three see 7x7, 27 vs 49."""
    assert receptive_field([(3, 1)] * 2)[-1][0] == 5
    assert 2 * conv2d_params(1, 1, 3, bias=False) == 18 < conv2d_params(1, 1, 5, bias=False) == 25
    assert receptive_field([(3, 1)] * 3)[-1][0] == 7
    assert 3 * conv2d_params(1, 1, 3, bias=False) == 27 < conv2d_params(1, 1, 7, bias=False) == 49


def test_syllabus_chapter2_corner_pixel_reach():
    """Without padding a corner pixel reaches one output; with same padding ((K+1)/2)^2."""
    for k in (3, 5, 7):
        n = 9
        for padding, expected in ((0, 1), (same_padding(n, k)[0], ((k + 1) // 2) ** 2)):
            out = conv_output_size(n, k, padding=padding)
            # output (i, j) reads rows i - p .. i - p + k - 1; count those holding row 0
            rows = sum(1 for i in range(out) if i - padding <= 0 <= i - padding + k - 1)
            assert rows * rows == expected


def test_syllabus_chapter3_pooling_shrinks_dense_layer():
    """2x2/2 pooling: 26x26 -> 13x13; a following dense layer has 75% fewer weights."""
    assert conv_output_size(26, 2, stride=2) == 13
    before = dense_params(26 * 26, 10, bias=False)
    after = dense_params(13 * 13, 10, bias=False)
    assert after * 4 == before


def test_syllabus_chapter4_bottleneck_macs():
    direct = conv2d_macs((28, 28), 192, 32, 5, padding="same")
    assert direct == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    reduce = conv2d_macs((28, 28), 192, 16, 1)
    expand = conv2d_macs((28, 28), 16, 32, 5, padding=2)
    assert (reduce, expand) == (2_408_448, 10_035_200)
    assert reduce + expand == 12_443_648
    assert round(direct / (reduce + expand), 1) == 9.7


def test_syllabus_chapter5_separable_32_to_64():
    standard = conv2d_params(32, 64, 3, bias=False)
    separable = separable_conv2d_params(32, 64, 3, bias=False)
    assert standard == 18_432
    assert separable == 288 + 2_048 == 2_336
    assert round(standard / separable, 1) == 7.9
    # ratio 1/C' + 1/K^2
    assert separable / standard == pytest.approx(1 / 64 + 1 / 9)
    # MACs shrink by the same ratio
    hw = (32, 32)
    full = conv2d_macs(hw, 32, 64, 3, padding=1)
    split = conv2d_macs(hw, 32, 32, 3, padding=1, groups=32) + conv2d_macs(hw, 32, 64, 1)
    assert split / full == pytest.approx(separable / standard)


# --------------------------------------------------------------------------- shapes of the real operations

SWEEP = [
    (n, k, s, p, d)
    for n in (1, 2, 3, 5, 8)
    for k in (1, 2, 3, 4)
    for s in (1, 2, 3)
    for p in (0, 1, 2)
    for d in (1, 2)
]


@pytest.mark.parametrize("n, k, s, p, d", SWEEP)
def test_conv_output_size_is_conv2d_shape(n, k, s, p, d):
    conv2d = op("conv2d")
    x, w = np.ones((1, 1, n, n + 1)), np.ones((1, 1, k, k))
    try:
        expected = conv2d(x, w, stride=s, padding=p, dilation=d).shape[2:]
    except ValueError:
        with pytest.raises(ValueError):
            conv_output_size(n, k, s, p, d)
        return
    assert expected == (conv_output_size(n, k, s, p, d), conv_output_size(n + 1, k, s, p, d))


@pytest.mark.parametrize("n, k, s, p, d", SWEEP)
def test_conv_output_size_asymmetric_padding_is_conv2d_shape(n, k, s, p, d):
    conv2d = op("conv2d")
    x, w = np.ones((1, 1, n, n)), np.ones((1, 1, k, k))
    pads = ((p, 0), (0, p + 1))
    try:
        expected = conv2d(x, w, stride=s, padding=pads, dilation=d).shape[2:]
    except ValueError:
        with pytest.raises(ValueError):
            conv_output_size(n, k, s, pads[0], d)
        return
    assert expected == (conv_output_size(n, k, s, pads[0], d), conv_output_size(n, k, s, pads[1], d))


# pooling allows at most half a kernel of padding (PyTorch's limit)
POOL_SWEEP = [(n, k, s, p, d) for n, k, s, p, d in SWEEP if p <= k // 2]


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("n, k, s, p, d", POOL_SWEEP)
def test_conv_output_size_is_max_pool2d_shape(n, k, s, p, d, ceil_mode):
    max_pool2d = op("max_pool2d")
    x = np.ones((1, 1, n, n + 2))
    try:
        expected = max_pool2d(x, k, s, p, d, ceil_mode=ceil_mode).shape[2:]
    except ValueError:
        with pytest.raises(ValueError):
            conv_output_size(n, k, s, p, d, ceil_mode=ceil_mode)
        return
    got = (conv_output_size(n, k, s, p, d, ceil_mode), conv_output_size(n + 2, k, s, p, d, ceil_mode))
    assert expected == got


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("n, k, s, p", sorted({(n, k, s, p) for n, k, s, p, _ in POOL_SWEEP}))
def test_conv_output_size_is_avg_pool2d_shape(n, k, s, p, ceil_mode):
    avg_pool2d = op("avg_pool2d")
    x = np.ones((1, 1, n + 1, n))
    try:
        expected = avg_pool2d(x, k, s, p, ceil_mode=ceil_mode).shape[2:]
    except ValueError:
        with pytest.raises(ValueError):
            conv_output_size(n, k, s, p, ceil_mode=ceil_mode)
        return
    got = (conv_output_size(n + 1, k, s, p, 1, ceil_mode), conv_output_size(n, k, s, p, 1, ceil_mode))
    assert expected == got


@pytest.mark.parametrize("output_padding", [0, 1, 2])
@pytest.mark.parametrize("n, k, s, p, d", SWEEP)
def test_conv_transpose_output_size_is_conv_transpose2d_shape(n, k, s, p, d, output_padding):
    conv_transpose2d = op("conv_transpose2d")
    x, w = np.ones((1, 1, n, n + 1)), np.ones((1, 1, k, k))
    try:
        out = conv_transpose2d(x, w, stride=s, padding=p, output_padding=output_padding, dilation=d)
        expected = out.shape[2:]
    except ValueError:
        with pytest.raises(ValueError):
            conv_transpose_output_size(n, k, s, p, output_padding, d)
        return
    got = tuple(conv_transpose_output_size(m, k, s, p, output_padding, d) for m in (n, n + 1))
    assert expected == got


@pytest.mark.parametrize("n, k, s, p, d", [c for c in SWEEP if c[2] == 1 or c[0] > 1])
def test_same_padding_is_conv2d_same_shape(n, k, s, p, d):
    conv2d = op("conv2d")
    pads = (same_padding(n, k, s, d), same_padding(n + 3, k, s, d))
    out = conv2d(np.ones((1, 1, n, n + 3)), np.ones((1, 1, k, k)), stride=s, padding=pads, dilation=d)
    assert out.shape[2:] == (math.ceil(n / s), math.ceil((n + 3) / s))


# --------------------------------------------------------------------------- bad input

BAD = [
    # conv_output_size
    (conv_output_size, (0, 3), {}, ValueError, "n must be positive"),
    (conv_output_size, (2.5, 3), {}, TypeError, "n must be an int"),
    (conv_output_size, (True, 3), {}, TypeError, "n must be an int"),
    (conv_output_size, (5, 0), {}, ValueError, "kernel_size must be positive"),
    (conv_output_size, (5, 3), dict(stride=0), ValueError, "stride must be positive"),
    (conv_output_size, (5, 3), dict(dilation=0), ValueError, "dilation must be positive"),
    (conv_output_size, (5, 3), dict(padding=-1), ValueError, "padding"),
    (conv_output_size, (5, 3), dict(padding=(1, 2, 3)), TypeError, "padding"),
    (conv_output_size, (5, 3), dict(padding="same"), TypeError, "padding"),
    (conv_output_size, (5, 3), dict(ceil_mode=1), TypeError, "ceil_mode must be True or False"),
    (conv_output_size, (3, 5), {}, ValueError, r"kernel_size=5 .* padded input is only 3"),
    (conv_output_size, (3, 3), dict(dilation=2, padding=(0, 1)), ValueError, r"spans 5 .* only 4"),
    # conv_transpose_output_size
    (conv_transpose_output_size, (0, 3), {}, ValueError, "n must be positive"),
    (conv_transpose_output_size, (3, 0), {}, ValueError, "kernel_size must be positive"),
    (conv_transpose_output_size, (3, 3), dict(stride=0), ValueError, "stride must be positive"),
    (conv_transpose_output_size, (3, 3), dict(padding=-1), ValueError, "padding"),
    (conv_transpose_output_size, (3, 3), dict(output_padding=-1), ValueError, "output_padding"),
    (conv_transpose_output_size, (3, 3), dict(stride=2, output_padding=2), ValueError, "output_padding=2"),
    (conv_transpose_output_size, (3, 3), dict(output_padding=1), ValueError, "output_padding must be smaller"),
    (conv_transpose_output_size, (1, 1), dict(padding=1), ValueError, "output would have size -1"),
    (conv_transpose_output_size, (3, 3), dict(dilation=1.0), TypeError, "dilation must be an int"),
    # same_padding
    (same_padding, (0, 3), {}, ValueError, "n must be positive"),
    (same_padding, (5, 0), {}, ValueError, "kernel_size must be positive"),
    (same_padding, (5, 3, 0), {}, ValueError, "stride must be positive"),
    (same_padding, (5, 3, 1, 0), {}, ValueError, "dilation must be positive"),
    (same_padding, (5, "3"), {}, TypeError, "kernel_size must be an int"),
    # receptive_field
    (receptive_field, ("abc",), {}, TypeError, "layers must be a sequence"),
    (receptive_field, (5,), {}, TypeError, "layers must be a sequence"),
    (receptive_field, ([3],), {}, TypeError, r"layers\[0\] must be a tuple"),
    (receptive_field, ([(3, 1), (3,)],), {}, ValueError, r"layers\[1\] must have 2 entries"),
    (receptive_field, ([(3, 1, 0)],), {}, ValueError, r"layers\[0\] must have 2 entries .* got 3"),
    (receptive_field, ([(0, 1)],), {}, ValueError, r"layers\[0\] kernel_size must be positive"),
    (receptive_field, ([(3, 0)],), {}, ValueError, r"layers\[0\] stride must be positive"),
    (receptive_field, ([(3, 1, -1, 1)],), {}, ValueError, r"layers\[0\] padding"),
    (receptive_field, ([(3, 1, 0, 0)],), {}, ValueError, r"layers\[0\] dilation must be positive"),
    (receptive_field, ([(3.0, 1)],), {}, TypeError, r"layers\[0\] kernel_size must be an int"),
    # conv2d_params
    (conv2d_params, (0, 4, 3), {}, ValueError, "c_in must be positive"),
    (conv2d_params, (4, 0, 3), {}, ValueError, "c_out must be positive"),
    (conv2d_params, (4, 4, 0), {}, ValueError, "kernel_size"),
    (conv2d_params, (4, 4, (3,)), {}, TypeError, "kernel_size"),
    (conv2d_params, (4, 4, 3), dict(bias=1), TypeError, "bias must be True or False"),
    (conv2d_params, (4, 6, 3), dict(groups=4), ValueError, "groups=4 must divide c_out=6"),
    (conv2d_params, (6, 4, 3), dict(groups=4), ValueError, "groups=4 must divide c_in=6"),
    (conv2d_params, (4, 4, 3), dict(groups=0), ValueError, "groups must be positive"),
    # conv2d_macs
    (conv2d_macs, (0, 3, 4, 3), {}, ValueError, "input_hw"),
    (conv2d_macs, ((5, 5, 5), 3, 4, 3), {}, TypeError, "input_hw"),
    (conv2d_macs, (5, 0, 4, 3), {}, ValueError, "c_in must be positive"),
    (conv2d_macs, (5, 4, 4, 3), dict(groups=3), ValueError, "groups=3 must divide c_in=4"),
    (conv2d_macs, (5, 3, 4, 7), {}, ValueError, r"conv2d_macs: kernel_size=7 .* only 5"),
    (conv2d_macs, (5, 3, 4, 3), dict(stride=0), ValueError, "stride"),
    (conv2d_macs, (5, 3, 4, 3), dict(dilation=(1, 0)), ValueError, "dilation"),
    (conv2d_macs, (5, 3, 4, 3), dict(padding="full"), ValueError, "padding"),
    (conv2d_macs, (5, 3, 4, 3), dict(padding=-1), ValueError, "padding"),
    # locally_connected2d_params
    (locally_connected2d_params, (5, 0, 4, 3), {}, ValueError, "c_in must be positive"),
    (locally_connected2d_params, (5, 2, 0, 3), {}, ValueError, "c_out must be positive"),
    (locally_connected2d_params, (5, 2, 4, 3), dict(bias="yes"), TypeError, "bias must be True or False"),
    (locally_connected2d_params, (5, 2, 4, 6), {}, ValueError, "kernel_size=6"),
    (locally_connected2d_params, ((5, 0), 2, 4, 3), {}, ValueError, "input_hw"),
    (locally_connected2d_params, (5, 2, 4, 3), dict(stride=-1), ValueError, "stride"),
    # separable_conv2d_params
    (separable_conv2d_params, (0, 4, 3), {}, ValueError, "c_in must be positive"),
    (separable_conv2d_params, (4, 0, 3), {}, ValueError, "c_out must be positive"),
    (separable_conv2d_params, (4, 4, 0), {}, ValueError, "kernel_size"),
    (separable_conv2d_params, (4, 4, 3), dict(depth_multiplier=0), ValueError, "depth_multiplier must be positive"),
    (separable_conv2d_params, (4, 4, 3), dict(bias=None), TypeError, "bias must be True or False"),
    # dense_params
    (dense_params, (0, 4), {}, ValueError, "n_in must be positive"),
    (dense_params, (4, 1.5), {}, TypeError, "n_out must be an int"),
    (dense_params, (4, 4), dict(bias=1), TypeError, "bias must be True or False"),
]


@pytest.mark.parametrize(
    "func, args, kwargs, error, message",
    BAD,
    ids=[f"{case[0].__name__}-{i}" for i, case in enumerate(BAD)],
)
def test_bad_input(func, args, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        func(*args, **kwargs)
    assert str(info.value).startswith(f"{func.__name__}: ")


def test_bias_accepts_numpy_bool():
    assert dense_params(3, 2, bias=np.bool_(False)) == 6
