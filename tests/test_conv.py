"""Tests for convblocks.conv against independent references.

References used here never call the code under test: brute-force loops
written below, scipy.signal.correlate / convolve, and small examples worked
out by hand in the comments.
"""

import math

import numpy as np
import pytest
import scipy.signal
from hypothesis import assume, given
from hypothesis import strategies as st

from convblocks import conv
from convblocks.conv import (
    col2im,
    conv1d,
    conv2d,
    conv2d_backward,
    depthwise_conv2d,
    im2col,
    locally_connected2d,
    pointwise_conv2d,
    separable_conv2d,
)

# ---------------------------------------------------------------------------
# brute-force references (loops, written from the formulas)
# ---------------------------------------------------------------------------


def zero_pad(x, pads):
    """Zero-pad the last two axes by ((top, bottom), (left, right)) without np.pad."""
    (top, bottom), (left, right) = pads
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (h + top + bottom, w + left + right))
    out[..., top : top + h, left : left + w] = x
    return out


def tf_same_pads(n, k, s, d):
    """TensorFlow's "same": ceil(n / s) outputs, the odd padding pixel after."""
    n_out = -(-n // s)
    total = max((n_out - 1) * s + d * (k - 1) + 1 - n, 0)
    return (total // 2, total - total // 2)


def conv2d_loops(x, w, b, stride, pads, dilation, groups):
    """The seven loops: y[n,o,h,w] = b[o] + sum_{c,i,j} k[o,c,i,j] xp[n, g*Cg + c, s h + d i, s w + d j]."""
    (sh, sw), (dh, dw) = stride, dilation
    xp = zero_pad(x, pads)
    n_img, _, hp, wp = xp.shape
    c_out, c_per_group, kh, kw = w.shape
    out_h = (hp - dh * (kh - 1) - 1) // sh + 1
    out_w = (wp - dw * (kw - 1) - 1) // sw + 1
    out_per_group = c_out // groups
    y = np.zeros((n_img, c_out, out_h, out_w))
    for n in range(n_img):
        for o in range(c_out):
            group = o // out_per_group
            for h in range(out_h):
                for ww in range(out_w):
                    total = 0.0 if b is None else b[o]
                    for c in range(c_per_group):
                        for i in range(kh):
                            for j in range(kw):
                                pixel = xp[n, group * c_per_group + c, sh * h + dh * i, sw * ww + dw * j]
                                total += w[o, c, i, j] * pixel
                    y[n, o, h, ww] = total
    return y


def im2col_loops(x, k, stride, pads, dilation):
    """cols[n, (c, i, j), (h, w)] = xp[n, c, s h + d i, s w + d j], filled one entry at a time."""
    (kh, kw), (sh, sw), (dh, dw) = k, stride, dilation
    xp = zero_pad(x, pads)
    n_img, c_in, hp, wp = xp.shape
    out_h = (hp - dh * (kh - 1) - 1) // sh + 1
    out_w = (wp - dw * (kw - 1) - 1) // sw + 1
    cols = np.zeros((n_img, c_in * kh * kw, out_h * out_w))
    for n in range(n_img):
        for c in range(c_in):
            for i in range(kh):
                for j in range(kw):
                    for h in range(out_h):
                        for ww in range(out_w):
                            cols[n, (c * kh + i) * kw + j, h * out_w + ww] = xp[n, c, sh * h + dh * i, sw * ww + dw * j]
    return cols


def col2im_loops(cols, size, k, stride, pads, dilation):
    """xp[n, c, s h + d i, s w + d j] += cols[n, (c, i, j), (h, w)], then crop the padding."""
    (kh, kw), (sh, sw), (dh, dw) = k, stride, dilation
    (top, bottom), (left, right) = pads
    hp, wp = size[0] + top + bottom, size[1] + left + right
    out_h = (hp - dh * (kh - 1) - 1) // sh + 1
    out_w = (wp - dw * (kw - 1) - 1) // sw + 1
    n_img, rows, _ = cols.shape
    c_in = rows // (kh * kw)
    xp = np.zeros((n_img, c_in, hp, wp))
    for n in range(n_img):
        for c in range(c_in):
            for i in range(kh):
                for j in range(kw):
                    for h in range(out_h):
                        for ww in range(out_w):
                            row, column = (c * kh + i) * kw + j, h * out_w + ww
                            xp[n, c, sh * h + dh * i, sw * ww + dw * j] += cols[n, row, column]
    return xp[:, :, top : top + size[0], left : left + size[1]]


def locally_connected_loops(x, w, b, stride, pads):
    """y[n,o,h,w] = b[o,h,w] + sum_{c,i,j} k[h,w,o,c,i,j] xp[n, c, s h + i, s w + j]."""
    xp = zero_pad(x, pads)
    out_h, out_w, c_out, c_in, kh, kw = w.shape
    y = np.zeros((x.shape[0], c_out, out_h, out_w))
    for n in range(x.shape[0]):
        for o in range(c_out):
            for h in range(out_h):
                for ww in range(out_w):
                    total = 0.0 if b is None else b[o, h, ww]
                    for c in range(c_in):
                        for i in range(kh):
                            for j in range(kw):
                                total += w[h, ww, o, c, i, j] * xp[n, c, stride[0] * h + i, stride[1] * ww + j]
                    y[n, o, h, ww] = total
    return y


# ---------------------------------------------------------------------------
# hypothesis strategies
# ---------------------------------------------------------------------------


@st.composite
def axis_geometry(draw, max_kernel=3, max_stride=3, max_dilation=3):
    """(size, kernel, stride, dilation, (before, after)) for one axis, window fitting the padded input."""
    k = draw(st.integers(1, max_kernel))
    s = draw(st.integers(1, max_stride))
    d = draw(st.integers(1, max_dilation))
    before, after = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    span = d * (k - 1) + 1
    n = draw(st.integers(max(1, span - before - after), max(1, span - before - after) + 6))
    return n, k, s, d, (before, after)


@st.composite
def conv_case(draw, max_groups=3, max_stride=3):
    """A random, valid conv2d problem with its explicit padding and the padding spec to pass."""
    axis = axis_geometry(max_stride=max_stride)
    (h, kh, sh, dh, ph), (w, kw, sw, dw, pw) = draw(axis), draw(axis)
    groups = draw(st.integers(1, max_groups))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    n = draw(st.integers(1, 2))
    form = draw(st.sampled_from(["pairs", "int", "per_axis", "valid", "same"]))
    if form == "int":
        ph = pw = (ph[0], ph[0])
        spec = ph[0]
    elif form == "per_axis":
        ph, pw = (ph[0], ph[0]), (pw[0], pw[0])
        spec = (ph[0], pw[0])
    elif form == "valid":
        ph = pw = (0, 0)
        spec = "valid"
    elif form == "same":
        ph, pw = tf_same_pads(h, kh, sh, dh), tf_same_pads(w, kw, sw, dw)
        spec = "same"
    else:
        spec = (ph, pw)
    assume(h + sum(ph) >= dh * (kh - 1) + 1 and w + sum(pw) >= dw * (kw - 1) + 1)
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in, h, w))
    weight = rng.standard_normal((c_out, c_in // groups, kh, kw))
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return dict(
        x=x, weight=weight, bias=bias, stride=(sh, sw), dilation=(dh, dw), groups=groups,
        pads=(ph, pw), padding=spec,
    )


# ---------------------------------------------------------------------------
# conv2d
# ---------------------------------------------------------------------------


@given(conv_case())
def test_conv2d_matches_seven_loops(case):
    x, w, b, stride, dilation, groups = (case[k] for k in ("x", "weight", "bias", "stride", "dilation", "groups"))
    got = conv2d(x, w, b, stride, case["padding"], dilation, groups)
    ref = conv2d_loops(x, w, b, stride, case["pads"], dilation, groups)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)


@given(conv_case(max_stride=1))
def test_shifted_copies_method_matches_seven_loops(case):
    """conv2d's stride-1 method for large maps (kW shifted copies, one GEMM), here forced on small ones."""
    x, w, b, dilation, groups = (case[k] for k in ("x", "weight", "bias", "dilation", "groups"))
    ref = conv2d_loops(x, w, b, (1, 1), case["pads"], dilation, groups)
    got = conv._conv_shifts(x, w, case["pads"], dilation, groups, ref.shape[2:])
    if b is not None:
        got += b[:, None, None]
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)


def correlate_reference(x, w, pads, dilation, groups):
    """conv2d from scipy.signal.correlate: one 2-D valid correlation per (image, filter, channel)."""
    xp = zero_pad(x, pads)
    c_out, c_per_group, kh, kw = w.shape
    dilated = np.zeros((c_out, c_per_group, dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1))
    dilated[:, :, :: dilation[0], :: dilation[1]] = w
    per_group = c_out // groups
    return np.stack([
        np.stack([
            sum(
                scipy.signal.correlate(xp[n, o // per_group * c_per_group + c], dilated[o, c], mode="valid")
                for c in range(c_per_group)
            )
            for o in range(c_out)
        ])
        for n in range(x.shape[0])
    ])


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
@pytest.mark.parametrize(
    "kernel, pads, dilation, groups",
    [
        ((3, 3), ((1, 1), (1, 1)), (1, 1), 1),
        ((5, 5), ((2, 2), (2, 2)), (1, 1), 2),
        ((3, 5), ((0, 2), (3, 1)), (2, 1), 1),
        ((1, 3), ((0, 0), (0, 1)), (1, 1), 3),
        ((4, 2), ((2, 1), (0, 1)), (1, 2), 1),
    ],
)
def test_conv2d_on_large_maps_matches_scipy(kernel, pads, dilation, groups, dtype, tol):
    """Maps large enough that conv2d picks the shifted-copies method (checked first)."""
    rng = np.random.default_rng(sum(kernel) + groups)
    x = rng.standard_normal((2, 2 * groups, 47, 44)).astype(dtype)
    w = rng.standard_normal((3 * groups, 2, *kernel)).astype(dtype)
    ref = correlate_reference(x.astype(np.float64), w.astype(np.float64), pads, dilation, groups)
    assert conv._shifts_pay(x.shape[2:], kernel, pads, ref.shape[2:]), "case too small for the method it is meant to test"
    got = conv2d(x, w, padding=pads, dilation=dilation, groups=groups)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol)


def test_conv2d_cs231n_example_7x7_stride_2():
    # Input 7x7 with x[r, c] = 10 r + c, filter 3x3 with k[1, 1] = 1, k[2, 2] = 2, zero
    # elsewhere, stride 2, no padding: O = (7 - 3) / 2 + 1 = 3.
    # y[h, w] = x[2h+1, 2w+1] + 2 x[2h+2, 2w+2] + bias
    #         = (20h + 10 + 2w + 1) + 2 (20h + 20 + 2w + 2) + 1 = 60 h + 6 w + 56.
    # (A flipped kernel would give x[2h+1, 2w+1] + 2 x[2h, 2w] + 1 = 60 h + 6 w + 12.)
    x = (10 * np.arange(7)[:, None] + np.arange(7)[None, :]).reshape(1, 1, 7, 7)
    k = np.zeros((1, 1, 3, 3))
    k[0, 0, 1, 1], k[0, 0, 2, 2] = 1, 2
    expected = [[56, 62, 68], [116, 122, 128], [176, 182, 188]]
    np.testing.assert_array_equal(conv2d(x, k, bias=[1], stride=2)[0, 0], expected)


def test_conv2d_cs231n_example_5x5_pad_1_stride_2():
    # 5x5 ones, padded by 1 to 7x7, 3x3 ones filter, stride 2 -> 3x3 outputs counting the
    # real pixels under each window: corners see 2x2 = 4, edge centres 2x3 = 6, the centre 9.
    y = conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=2, padding=1)
    np.testing.assert_array_equal(y[0, 0], [[4, 6, 4], [6, 9, 6], [4, 6, 4]])


def test_conv2d_two_channels_two_filters_by_hand():
    # x channel 0 = [[1, 2], [3, 4]], channel 1 = all 10; 2x2 kernels, valid -> one pixel.
    # filter 0: channel 0 weights [[1, 0], [0, -1]], channel 1 weights 0.5 -> 1 - 4 + 0.5*40 = 17
    # filter 1: channel 0 zero, channel 1 [[1, 0], [0, 0]]                  -> 10, bias 3 -> 13
    x = np.array([[[1, 2], [3, 4]], [[10, 10], [10, 10]]])[None]
    k = np.zeros((2, 2, 2, 2))
    k[0, 0] = [[1, 0], [0, -1]]
    k[0, 1] = 0.5
    k[1, 1, 0, 0] = 1
    np.testing.assert_array_equal(conv2d(x, k, bias=[0, 3])[0, :, 0, 0], [17, 13])


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**16))
def test_conv2d_single_channel_equals_scipy_correlate(dh, dw, kh, kw, seed):
    rng = np.random.default_rng(seed)
    img = rng.standard_normal((kh + dh, kw + dw))
    k = rng.standard_normal((kh, kw))
    got = conv2d(img[None, None], k[None, None])[0, 0]
    np.testing.assert_allclose(got, scipy.signal.correlate(img, k, mode="valid"), rtol=1e-10, atol=1e-10)
    # a "real" convolution is the same sliding product with the kernel flipped
    flipped = conv2d(img[None, None], k[::-1, ::-1][None, None])[0, 0]
    np.testing.assert_allclose(flipped, scipy.signal.convolve(img, k, mode="valid"), rtol=1e-10, atol=1e-10)


@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**16))
def test_conv2d_multichannel_equals_scipy_correlate(c, c_out, k, seed):
    # a filter as deep as the input: a 3-D valid correlation collapses the channel axis
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, c, 6, 5))
    w = rng.standard_normal((c_out, c, k, k))
    got = conv2d(x, w)[0]
    ref = np.stack([scipy.signal.correlate(x[0], w[o], mode="valid")[0] for o in range(c_out)])
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)


@given(
    st.integers(1, 12), st.integers(1, 12), st.integers(1, 4), st.integers(1, 4),
    st.integers(1, 3), st.integers(1, 2), st.integers(0, 2**16),
)
def test_same_padding_gives_ceil_n_over_s_with_odd_pixel_after(h, w, k, s, d, c, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, c, h, w))
    weight = rng.standard_normal((2, c, k, k))
    y = conv2d(x, weight, stride=s, dilation=d, padding="same")
    assert y.shape == (1, 2, math.ceil(h / s), math.ceil(w / s))
    # the padding used must be TensorFlow's split, the extra pixel bottom/right
    pads = (tf_same_pads(h, k, s, d), tf_same_pads(w, k, s, d))
    assert pads[0][1] - pads[0][0] in (0, 1)
    np.testing.assert_allclose(y, conv2d_loops(x, weight, None, (s, s), pads, (d, d), 1), atol=1e-10)


def test_same_padding_even_kernel_puts_the_odd_pixel_bottom_right():
    # 3x3 image of ones, 2x2 ones kernel, "same": total padding 1 per axis, all of it after,
    # so the last row/column of windows hangs over the zero border: sums 4, 2, 2, 1.
    y = conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), padding="same")[0, 0]
    np.testing.assert_array_equal(y, [[4, 4, 2], [4, 4, 2], [2, 2, 1]])


@given(conv_case(max_groups=1), st.integers(0, 2), st.integers(0, 2))
def test_conv2d_shift_equivariance_away_from_borders(case, a, b):
    # shifting the input by (s_h a, s_w b) pixels shifts the output by (a, b) outputs
    x, w = case["x"], case["weight"]
    (sh, sw), (dh, dw) = case["stride"], case["dilation"]
    n, c, h, width = x.shape
    # surround the signal with a margin of zeros so that the shift never reaches a border
    big = np.zeros((n, c, h + 2 * sh * 2 + 8, width + 2 * sw * 2 + 8))
    big[:, :, :h, :width] = x
    shifted = np.roll(big, (sh * a, sw * b), axis=(2, 3))
    y = conv2d(big, w, None, case["stride"], 0, case["dilation"])
    y_shifted = conv2d(shifted, w, None, case["stride"], 0, case["dilation"])
    rows = y.shape[2] - a
    cols = y.shape[3] - b
    np.testing.assert_allclose(y_shifted[:, :, a:, b:], y[:, :, :rows, :cols], atol=1e-10)


def test_conv2d_one_by_one_with_stride_and_padding():
    # 1x1 kernel of weight 2 on a 3x3 image padded by 1 (5x5) with stride 2: picks padded
    # rows/cols 0, 2, 4 -> real pixels at (1, 1) only through index 2 = x[1, 1]; rest zero.
    x = np.arange(1, 10).reshape(1, 1, 3, 3)
    y = conv2d(x, 2 * np.ones((1, 1, 1, 1)), stride=2, padding=1)[0, 0]
    np.testing.assert_array_equal(y, [[0, 0, 0], [0, 10, 0], [0, 0, 0]])


def test_conv2d_empty_batch():
    x = np.zeros((0, 3, 5, 5))
    assert conv2d(x, np.ones((4, 3, 3, 3))).shape == (0, 4, 3, 3)
    assert conv2d(x, np.ones((4, 3, 1, 1))).shape == (0, 4, 5, 5)
    assert conv2d(x, np.ones((6, 1, 3, 3)), groups=3).shape == (0, 6, 3, 3)


# ---------------------------------------------------------------------------
# conv1d
# ---------------------------------------------------------------------------


@given(conv_case())
def test_conv1d_equals_conv2d_on_height_one(case):
    x = case["x"][:, :, 0, :]
    w = case["weight"][:, :, 0, :]
    pad_lr = case["pads"][1]
    assume(x.shape[-1] + sum(pad_lr) >= case["dilation"][1] * (w.shape[-1] - 1) + 1)
    s, d = case["stride"][1], case["dilation"][1]
    got = conv1d(x, w, case["bias"], s, (pad_lr,), d, case["groups"])
    ref = conv2d_loops(x[:, :, None], w[:, :, None], case["bias"], (1, s), ((0, 0), pad_lr), (1, d), case["groups"])
    np.testing.assert_allclose(got, ref[:, :, 0], atol=1e-10)
    same = conv2d(x[:, :, None], w[:, :, None], case["bias"], (1, s), ((0, 0), pad_lr), (1, d), case["groups"])
    np.testing.assert_allclose(got, same[:, :, 0], atol=1e-10)


@given(st.integers(1, 10), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**16))
def test_conv1d_equals_scipy_correlate(extra, k, c, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, c, k + extra))
    w = rng.standard_normal((1, c, k))
    np.testing.assert_allclose(conv1d(x, w)[0], scipy.signal.correlate(x[0], w[0], mode="valid"), atol=1e-10)


@given(st.integers(1, 15), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))
def test_conv1d_padding_strings(n, k, s, d):
    x = np.arange(n, dtype=float)[None, None]
    w = np.ones((1, 1, k))
    assert conv1d(x, w, stride=s, dilation=d, padding="same").shape[-1] == math.ceil(n / s)
    pads = tf_same_pads(n, k, s, d)
    ref = conv2d_loops(x[:, :, None], w[:, :, None], None, (1, s), ((0, 0), pads), (1, d), 1)[:, :, 0]
    np.testing.assert_allclose(conv1d(x, w, stride=s, dilation=d, padding="same"), ref)
    if n >= d * (k - 1) + 1:
        np.testing.assert_array_equal(conv1d(x, w, padding="valid"), conv1d(x, w, padding=0))


def test_conv1d_hand_example():
    # x = [1, 2, 3, 4, 5], k = [1, 0, -1], padding 1 -> xp = [0, 1, 2, 3, 4, 5, 0]
    # y[t] = xp[t] - xp[t+2] = [0-2, 1-3, 2-4, 3-5, 4-0] = [-2, -2, -2, -2, 4]; stride 2 keeps t = 0, 2, 4.
    x = [[[1, 2, 3, 4, 5]]]
    np.testing.assert_array_equal(conv1d(x, [[[1, 0, -1]]], padding=1)[0, 0], [-2, -2, -2, -2, 4])
    np.testing.assert_array_equal(conv1d(x, [[[1, 0, -1]]], padding=1, stride=2)[0, 0], [-2, -2, 4])
    np.testing.assert_array_equal(conv1d(x, [[[1, 0, -1]]], padding=((0, 2),))[0, 0], [-2, -2, -2, 4, 5])


# ---------------------------------------------------------------------------
# im2col / col2im
# ---------------------------------------------------------------------------


@st.composite
def window_case(draw):
    (h, kh, sh, dh, ph), (w, kw, sw, dw, pw) = draw(axis_geometry()), draw(axis_geometry())
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    form = draw(st.sampled_from(["pairs", "int", "per_axis"]))
    if form == "int":
        ph = pw = (ph[0], ph[0])
        spec = ph[0]
    elif form == "per_axis":
        ph, pw = (ph[0], ph[0]), (pw[0], pw[0])
        spec = (ph[0], pw[0])
    else:
        spec = (ph, pw)
    assume(h + sum(ph) >= dh * (kh - 1) + 1 and w + sum(pw) >= dw * (kw - 1) + 1)
    kernel = draw(st.sampled_from([(kh, kw), kh])) if kh == kw else (kh, kw)
    return dict(shape=(n, c, h, w), kernel=kernel, stride=(sh, sw), padding=spec, pads=(ph, pw), dilation=(dh, dw))


def _pair(v):
    return (v, v) if isinstance(v, int) else v


@given(window_case(), st.integers(0, 2**16))
def test_im2col_matches_loops(case, seed):
    x = np.random.default_rng(seed).standard_normal(case["shape"])
    got = im2col(x, case["kernel"], case["stride"], case["padding"], case["dilation"])
    ref = im2col_loops(x, _pair(case["kernel"]), case["stride"], case["pads"], case["dilation"])
    assert got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


@given(window_case(), st.integers(0, 2**16))
def test_col2im_matches_loops(case, seed):
    n, c, h, w = case["shape"]
    k = _pair(case["kernel"])
    length = im2col_loops(np.zeros(case["shape"]), k, case["stride"], case["pads"], case["dilation"]).shape[2]
    cols = np.random.default_rng(seed).standard_normal((n, c * k[0] * k[1], length))
    got = col2im(cols, (h, w), case["kernel"], case["stride"], case["padding"], case["dilation"])
    ref = col2im_loops(cols, (h, w), k, case["stride"], case["pads"], case["dilation"])
    np.testing.assert_allclose(got, ref, atol=1e-12)


@given(window_case(), st.integers(0, 2**16))
def test_col2im_is_the_adjoint_of_im2col(case, seed):
    # <im2col(x), y> == <x, col2im(y)> for every x, y
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(case["shape"])
    args = (case["kernel"], case["stride"], case["padding"], case["dilation"])
    cols = im2col(x, *args)
    y = rng.standard_normal(cols.shape)
    back = col2im(y, case["shape"][2:], *args)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(cols * y), np.sum(x * back), rtol=1e-10, atol=1e-10)


def test_im2col_hand_example():
    # 1x1x3x3 image 1..9, 2x2 windows at stride 1: columns are the four 2x2 blocks read
    # row by row: [1,2,4,5], [2,3,5,6], [4,5,7,8], [5,6,8,9]; rows are taps (0,0),(0,1),(1,0),(1,1).
    cols = im2col(np.arange(1, 10).reshape(1, 1, 3, 3), 2)
    np.testing.assert_array_equal(cols[0].T, [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]])


def test_im2col_rows_ordered_channel_then_taps():
    # two channels (ones and twos), 1x2 kernel, one window: rows (c=0, j=0), (c=0, j=1), (c=1, ...)
    x = np.stack([np.ones((1, 2)), 2 * np.ones((1, 2))])[None]
    x[0, 0, 0, 1] = 5
    np.testing.assert_array_equal(im2col(x, (1, 2))[0, :, 0], [1, 5, 2, 2])


def test_col2im_counts_overlaps_with_padding():
    # 3x3 image, 3x3 kernel, padding 1, stride 1: each pixel is covered by as many windows
    # as its 3x3 neighbourhood has pixels inside the image: 4 at corners, 6 at edges, 9 inside.
    ones = np.ones((1, 9, 9))
    np.testing.assert_array_equal(col2im(ones, (3, 3), 3, padding=1)[0, 0], [[4, 6, 4], [6, 9, 6], [4, 6, 4]])


def test_col2im_leaves_uncovered_pixels_zero():
    # 4x4 image, 2x2 windows at stride 3: only rows/cols 0, 1 are covered, 2 and 3 are not
    y = col2im(np.ones((1, 4, 1)), (4, 4), 2, stride=3)[0, 0]
    expected = np.zeros((4, 4))
    expected[:2, :2] = 1
    np.testing.assert_array_equal(y, expected)


# ---------------------------------------------------------------------------
# conv2d_backward
# ---------------------------------------------------------------------------


def _numeric_gradient(f, a, eps=1e-6):
    """Central finite differences of the scalar f() with respect to every entry of a."""
    grad = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        old = a[index]
        a[index] = old + eps
        plus = f()
        a[index] = old - eps
        minus = f()
        a[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@given(conv_case())
def test_conv2d_backward_matches_finite_differences(case):
    x, w = case["x"].copy(), case["weight"].copy()
    b = np.zeros(w.shape[0]) if case["bias"] is None else case["bias"].copy()
    geometry = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"], groups=case["groups"])
    y = conv2d(x, w, b, **geometry)
    g = np.random.default_rng(1).standard_normal(y.shape)

    def loss():
        return np.sum(g * conv2d(x, w, b, **geometry))

    gx, gw, gb = conv2d_backward(g, x, w, **geometry)
    assert gx.shape == x.shape and gw.shape == w.shape and gb.shape == b.shape
    np.testing.assert_allclose(gx, _numeric_gradient(loss, x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw, _numeric_gradient(loss, w), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gb, _numeric_gradient(loss, b), rtol=1e-5, atol=1e-6)


def test_conv2d_backward_hand_example():
    # x 3x3 = 1..9, w 2x2 ones, grad_out = [[1, 0], [0, 2]] (output 2x2).
    # grad_b = 1 + 2 = 3.
    # grad_w[i, j] = sum_{h,w} g[h, w] x[h + i, w + j] = x[i, j] + 2 x[i + 1, j + 1]
    #             = [[1 + 2*5, 2 + 2*6], [4 + 2*8, 5 + 2*9]] = [[11, 14], [20, 23]].
    # grad_x = g placed under each window: 1 on x[0:2, 0:2], 2 on x[1:3, 1:3]
    #        = [[1, 1, 0], [1, 3, 2], [0, 2, 2]].
    x = np.arange(1, 10).reshape(1, 1, 3, 3)
    gx, gw, gb = conv2d_backward(np.array([[[[1, 0], [0, 2]]]]), x, np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(gx[0, 0], [[1, 1, 0], [1, 3, 2], [0, 2, 2]])
    np.testing.assert_array_equal(gw[0, 0], [[11, 14], [20, 23]])
    np.testing.assert_array_equal(gb, [3])


def test_conv2d_backward_depthwise_and_one_by_one():
    # the fast paths of the forward pass must agree with the general backward formulas
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 4))
    for w, groups in [(rng.standard_normal((6, 1, 3, 3)), 3), (rng.standard_normal((4, 3, 1, 1)), 1)]:
        y = conv2d(x, w, groups=groups, stride=2, padding=1)
        g = rng.standard_normal(y.shape)
        gx, gw, _ = conv2d_backward(g, x, w, stride=2, padding=1, groups=groups)
        xc, wc = x.copy(), w.copy()

        def loss():
            return np.sum(g * conv2d(xc, wc, groups=groups, stride=2, padding=1))

        np.testing.assert_allclose(gx, _numeric_gradient(loss, xc), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(gw, _numeric_gradient(loss, wc), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------
# depthwise, pointwise, separable, locally connected
# ---------------------------------------------------------------------------


@given(conv_case(max_groups=1), st.integers(1, 3))
def test_depthwise_equals_conv2d_with_groups_c(case, multiplier):
    x = case["x"]
    c = x.shape[1]
    kh, kw = case["weight"].shape[2:]
    w = np.random.default_rng(0).standard_normal((c * multiplier, 1, kh, kw))
    bias = None if case["bias"] is None else np.arange(c * multiplier, dtype=float)
    args = (case["stride"], case["padding"], case["dilation"])
    got = depthwise_conv2d(x, w, bias, *args)
    np.testing.assert_allclose(got, conv2d(x, w, bias, *args, groups=c), atol=1e-12)
    ref = conv2d_loops(x, w, bias, case["stride"], case["pads"], case["dilation"], c)
    np.testing.assert_allclose(got, ref, atol=1e-10)


def test_depthwise_hand_example_keeps_channels_apart():
    # channel 0 is all 1, channel 1 all 2; multiplier 2 with filters (ones, -ones) for c=0 and
    # (ones, 2*ones) for c=1, 2x2 kernels on 3x3 inputs: each output pixel = sum of 4 values.
    # outputs: c0 -> 4, -4; c1 -> 8, 16.
    x = np.stack([np.ones((3, 3)), 2 * np.ones((3, 3))])[None]
    w = np.stack([np.ones((2, 2)), -np.ones((2, 2)), np.ones((2, 2)), 2 * np.ones((2, 2))])[:, None]
    y = depthwise_conv2d(x, w)
    np.testing.assert_array_equal(y[0, :, 0, 0], [4, -4, 8, 16])
    assert y.shape == (1, 4, 2, 2)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**16), st.booleans())
def test_pointwise_matches_loops(c_in, c_out, h, w, seed, four_d):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, c_in, h, w))
    k = rng.standard_normal((c_out, c_in))
    b = rng.standard_normal(c_out)
    ref = np.zeros((2, c_out, h, w))
    for n in range(2):
        for o in range(c_out):
            for i in range(h):
                for j in range(w):
                    ref[n, o, i, j] = b[o] + sum(k[o, c] * x[n, c, i, j] for c in range(c_in))
    got = pointwise_conv2d(x, k[:, :, None, None] if four_d else k, b)
    np.testing.assert_allclose(got, ref, atol=1e-12)
    np.testing.assert_allclose(pointwise_conv2d(x, k), conv2d(x, k[:, :, None, None]), atol=1e-12)


def test_pointwise_hand_example():
    # RGB pixel (1, 2, 3): the "grey" filter (1/3 each) gives 2, "R - B" gives -2, bias 1 -> 3, -1
    x = np.array([1, 2, 3]).reshape(1, 3, 1, 1)
    y = pointwise_conv2d(x, [[1 / 3, 1 / 3, 1 / 3], [1, 0, -1]], bias=[1, 1])
    np.testing.assert_allclose(y[0, :, 0, 0], [3, -1])


@given(conv_case(max_groups=1), st.integers(1, 2), st.integers(1, 3))
def test_separable_is_depthwise_then_pointwise(case, multiplier, c_out):
    x = case["x"]
    c = x.shape[1]
    kh, kw = case["weight"].shape[2:]
    rng = np.random.default_rng(0)
    dw = rng.standard_normal((c * multiplier, 1, kh, kw))
    pw = rng.standard_normal((c_out, c * multiplier))
    b = rng.standard_normal(c_out)
    args = (case["stride"], case["padding"], case["dilation"])
    got = separable_conv2d(x, dw, pw, b, *args)
    np.testing.assert_allclose(got, pointwise_conv2d(depthwise_conv2d(x, dw, None, *args), pw, b), atol=1e-12)
    # as one conv2d with the kernel k[o, c, i, j] = sum_m pw[o, c m + m'] dw[c m + m', 0, i, j]
    full = np.einsum("ocm,cmij->ocij", pw.reshape(c_out, c, multiplier), dw.reshape(c, multiplier, kh, kw))
    ref = conv2d_loops(x, full, b, case["stride"], case["pads"], case["dilation"], 1)
    np.testing.assert_allclose(got, ref, atol=1e-10)
    np.testing.assert_allclose(separable_conv2d(x, dw, pw[:, :, None, None], b, *args), got)


def test_separable_parameter_example():
    # 32 -> 64 channels with 3x3: separable 3*3*32 + 32*64 = 2,336 weights vs 18,432 for conv2d;
    # check the shapes the functions accept match those counts.
    dw, pw = np.zeros((32, 1, 3, 3)), np.zeros((64, 32))
    assert dw.size + pw.size == 2336 and np.zeros((64, 32, 3, 3)).size == 18432
    assert separable_conv2d(np.zeros((1, 32, 5, 5)), dw, pw, padding=1).shape == (1, 64, 5, 5)


@st.composite
def lc_case(draw):
    (h, kh, sh, _, ph), (w, kw, sw, _, pw) = (
        draw(axis_geometry(max_dilation=1)),
        draw(axis_geometry(max_dilation=1)),
    )
    assume(h + sum(ph) >= kh and w + sum(pw) >= kw)
    out_h, out_w = (h + sum(ph) - kh) // sh + 1, (w + sum(pw) - kw) // sw + 1
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return dict(
        x=rng.standard_normal((2, c_in, h, w)),
        weight=rng.standard_normal((out_h, out_w, c_out, c_in, kh, kw)),
        bias=rng.standard_normal((c_out, out_h, out_w)),
        stride=(sh, sw),
        pads=(ph, pw),
    )


@given(lc_case())
def test_locally_connected_matches_loops(case):
    got = locally_connected2d(case["x"], case["weight"], case["bias"], case["stride"], case["pads"])
    ref = locally_connected_loops(case["x"], case["weight"], case["bias"], case["stride"], case["pads"])
    np.testing.assert_allclose(got, ref, atol=1e-10)


@given(lc_case())
def test_locally_connected_with_shared_weights_is_conv2d(case):
    out_h, out_w, c_out, c_in, kh, kw = case["weight"].shape
    shared = case["weight"][0, 0]
    tiled = np.broadcast_to(shared, case["weight"].shape)
    bias = np.broadcast_to(case["bias"][:, :1, :1], case["bias"].shape)
    got = locally_connected2d(case["x"], tiled, bias, case["stride"], case["pads"])
    ref = conv2d(case["x"], shared, case["bias"][:, 0, 0], case["stride"], case["pads"])
    np.testing.assert_allclose(got, ref, atol=1e-10)


def test_locally_connected_hand_example_and_same_padding():
    # 1x1 "filters" with a different weight per position (0, 1, 2, 3) over a 3x3 image of
    # ones at stride 2: every window sees a 1, so the output is just the weights.
    k = np.arange(4).reshape(2, 2, 1, 1, 1, 1)
    np.testing.assert_array_equal(locally_connected2d(np.ones((1, 1, 3, 3)), k, stride=2)[0, 0], [[0, 1], [2, 3]])
    # "same" with 3x3 kernels on 4x4: output 4x4, so 16 positions
    y = locally_connected2d(np.ones((1, 2, 4, 4)), np.ones((4, 4, 1, 2, 3, 3)), padding="same")
    np.testing.assert_array_equal(y[0, 0], conv2d(np.ones((1, 2, 4, 4)), np.ones((1, 2, 3, 3)), padding=1)[0, 0])


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------

X = np.arange(2 * 2 * 5 * 5).reshape(2, 2, 5, 5) % 7
CALLS = {
    "conv2d": lambda x: conv2d(x, np.ones((3, 2, 3, 3), x.dtype), np.ones(3, x.dtype), padding=1),
    "conv2d_1x1": lambda x: conv2d(x, np.ones((3, 2, 1, 1), x.dtype)),
    "conv2d_depthwise": lambda x: conv2d(x, np.ones((2, 1, 3, 3), x.dtype), groups=2),
    "conv1d": lambda x: conv1d(x[:, :, 0], np.ones((3, 2, 2), x.dtype)),
    "conv2d_backward": lambda x: conv2d_backward(np.ones((2, 3, 3, 3), x.dtype), x, np.ones((3, 2, 3, 3), x.dtype))[0],
    "locally_connected2d": lambda x: locally_connected2d(x, np.ones((3, 3, 1, 2, 3, 3), x.dtype)),
    "depthwise_conv2d": lambda x: depthwise_conv2d(x, np.ones((4, 1, 3, 3), x.dtype)),
    "pointwise_conv2d": lambda x: pointwise_conv2d(x, np.ones((3, 2), x.dtype)),
    "separable_conv2d": lambda x: separable_conv2d(x, np.ones((2, 1, 3, 3), x.dtype), np.ones((3, 2), x.dtype)),
    "im2col": lambda x: im2col(x, 3),
    "col2im": lambda x: col2im(x[:, :, 0], (1, 5), (1, 1)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64), (np.int32, np.float64)],
)
def test_dtype_rule(name, dtype, expected):
    assert CALLS[name](X.astype(dtype)).dtype == expected
    # float32 and float64 give the same numbers (these are small integers, exact in both)
    np.testing.assert_array_equal(CALLS[name](X.astype(np.float32)), CALLS[name](X.astype(np.float64)))


def test_bool_and_list_inputs_compute_in_float64():
    y = conv2d(np.ones((1, 1, 3, 3), dtype=bool), [[[[1, 1], [1, 1]]]])
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y[0, 0], [[4, 4], [4, 4]])


def test_mixed_float_dtypes_promote():
    y = conv2d(np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 2, 2), np.float64))
    assert y.dtype == np.float64
    y = separable_conv2d(np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1)))
    assert y.dtype == np.float64


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

x4 = np.ones((1, 2, 5, 5))
w4 = np.ones((4, 2, 3, 3))
BAD = [
    # conv2d
    (conv2d, (np.ones((2, 5, 5)), w4), {}, ValueError, "conv2d: x must be 4-D"),
    (conv2d, (x4, np.ones((4, 2, 3))), {}, ValueError, "conv2d: weight must be 4-D"),
    (conv2d, (x4, np.ones((4, 3, 3, 3))), {}, ValueError, "x has 2 channels but weight expects 3"),
    (conv2d, (x4, np.ones((3, 1, 3, 3))), {"groups": 2}, ValueError, "groups=2 must divide the number of output"),
    (conv2d, (np.ones((1, 3, 5, 5)), np.ones((4, 1, 3, 3))), {"groups": 2}, ValueError, "groups=2 must divide the number of input"),
    (conv2d, (x4, w4), {"groups": 0}, ValueError, "groups must be positive"),
    (conv2d, (x4, w4), {"groups": 1.0}, TypeError, "groups must be an int"),
    (conv2d, (x4, w4), {"stride": 0}, ValueError, "stride"),
    (conv2d, (x4, w4), {"stride": 1.5}, TypeError, "stride"),
    (conv2d, (x4, w4), {"dilation": -1}, ValueError, "dilation"),
    (conv2d, (x4, w4), {"dilation": (1, 2, 3)}, TypeError, "dilation"),
    (conv2d, (x4, w4), {"padding": -1}, ValueError, "padding"),
    (conv2d, (x4, w4), {"padding": "full"}, ValueError, "padding must be"),
    (conv2d, (x4, w4), {"dilation": 3}, ValueError, "conv2d: kernel spans"),
    (conv2d, (x4, np.ones((4, 2, 6, 1))), {}, ValueError, "kernel spans"),
    (conv2d, (x4, w4), {"bias": np.ones(3)}, ValueError, "conv2d: bias must have shape"),
    (conv2d, (x4, np.ones((0, 2, 3, 3))), {}, ValueError, "at least one output channel"),
    (conv2d, (x4, np.ones((4, 2, 0, 3))), {}, ValueError, "non-empty kernel"),
    (conv2d, (np.ones((1, 0, 5, 5)), np.ones((4, 0, 3, 3))), {}, ValueError, "at least one channel"),
    (conv2d, (np.array([["a"]]), w4), {}, TypeError, "conv2d: x must hold real numbers"),
    (conv2d, (x4, np.ones((4, 2, 3, 3), complex)), {}, TypeError, "conv2d: weight must hold real numbers"),
    # conv1d
    (conv1d, (x4, np.ones((4, 2, 3))), {}, ValueError, r"conv1d: x must be 3-D \(N, C, L\)"),
    (conv1d, (np.ones((1, 2, 5)), w4), {}, ValueError, "conv1d: weight must be 3-D"),
    (conv1d, (np.ones((1, 2, 5)), np.ones((4, 1, 3))), {}, ValueError, "conv1d: x has 2 channels"),
    (conv1d, (np.ones((1, 2, 5)), np.ones((4, 2, 3))), {"stride": (1, 1)}, TypeError, "conv1d: stride"),
    (conv1d, (np.ones((1, 2, 5)), np.ones((4, 2, 3))), {"padding": (1, 1)}, TypeError, "conv1d: padding"),
    (conv1d, (np.ones((1, 2, 2)), np.ones((4, 2, 3))), {}, ValueError, "conv1d: kernel spans"),
    # conv2d_backward
    (conv2d_backward, (np.ones((1, 4, 2, 2)), x4, w4), {}, ValueError, "grad_out must have the shape of the forward output"),
    (conv2d_backward, (np.ones((4, 3, 3)), x4, w4), {}, ValueError, "conv2d_backward: grad_out must be 4-D"),
    (conv2d_backward, (np.ones((1, 4, 3, 3)), x4, np.ones((4, 3, 3, 3))), {}, ValueError, "conv2d_backward: x has 2 channels"),
    (conv2d_backward, (np.ones((1, 4, 3, 3)), x4, w4), {"stride": 0}, ValueError, "conv2d_backward: stride"),
    # locally_connected2d
    (locally_connected2d, (x4, np.ones((3, 3, 1, 2, 3))), {}, ValueError, "locally_connected2d: weight must be 6-D"),
    (locally_connected2d, (np.ones((2, 5, 5)), np.ones((3, 3, 1, 2, 3, 3))), {}, ValueError, "locally_connected2d: x must be 4-D"),
    (locally_connected2d, (x4, np.ones((3, 3, 1, 3, 3, 3))), {}, ValueError, "x has 2 channels but weight expects 3"),
    (locally_connected2d, (x4, np.ones((2, 3, 1, 2, 3, 3))), {}, ValueError, r"weight has \(2, 3\) positions"),
    (locally_connected2d, (x4, np.ones((3, 3, 1, 2, 3, 3))), {"bias": np.ones(1)}, ValueError, "bias must have shape"),
    (locally_connected2d, (x4, np.ones((3, 3, 1, 2, 3, 0))), {}, ValueError, "non-empty kernel"),
    (locally_connected2d, (x4, np.ones((1, 1, 1, 2, 7, 7))), {}, ValueError, "kernel spans"),
    (locally_connected2d, (x4, np.ones((3, 3, 1, 2, 3, 3))), {"stride": 0}, ValueError, "stride"),
    # depthwise_conv2d
    (depthwise_conv2d, (x4, np.ones((4, 2, 3, 3))), {}, ValueError, r"depthwise_conv2d: weight must have shape \(C \* multiplier, 1"),
    (depthwise_conv2d, (x4, np.ones((3, 1, 3, 3))), {}, ValueError, "C = 2 channels"),
    (depthwise_conv2d, (x4, np.ones((2, 3, 3))), {}, ValueError, "depthwise_conv2d: weight must be 4-D"),
    (depthwise_conv2d, (np.ones((2, 5, 5)), np.ones((2, 1, 3, 3))), {}, ValueError, "depthwise_conv2d: x must be 4-D"),
    (depthwise_conv2d, (x4, np.ones((2, 1, 3, 3))), {"padding": "half"}, ValueError, "depthwise_conv2d: padding"),
    (depthwise_conv2d, (x4, np.ones((2, 1, 3, 3))), {"bias": np.ones(3)}, ValueError, "depthwise_conv2d: bias"),
    # pointwise_conv2d
    (pointwise_conv2d, (x4, np.ones((3, 3))), {}, ValueError, "pointwise_conv2d: x has 2 channels but weight expects 3"),
    (pointwise_conv2d, (x4, np.ones((3, 2, 3, 3))), {}, ValueError, r"weight must have shape \(C_out, C_in\)"),
    (pointwise_conv2d, (x4, np.ones(3)), {}, ValueError, "weight must have shape"),
    (pointwise_conv2d, (x4, np.ones((0, 2))), {}, ValueError, "weight must have shape"),
    (pointwise_conv2d, (np.ones((2, 5, 5)), np.ones((3, 2))), {}, ValueError, "pointwise_conv2d: x must be 4-D"),
    (pointwise_conv2d, (x4, np.ones((3, 2))), {"bias": np.ones((3, 1))}, ValueError, "pointwise_conv2d: bias"),
    (pointwise_conv2d, (x4, [["a", "b"]]), {}, TypeError, "pointwise_conv2d: weight"),
    # separable_conv2d
    (separable_conv2d, (x4, np.ones((2, 1, 3, 3)), np.ones((3, 4))), {}, ValueError, "pointwise_weight expects 4"),
    (separable_conv2d, (x4, np.ones((3, 1, 3, 3)), np.ones((3, 3))), {}, ValueError, "separable_conv2d: depthwise_weight must have shape"),
    (separable_conv2d, (x4, np.ones((2, 1, 3, 3)), np.ones((3, 2))), {"bias": np.ones(2)}, ValueError, "separable_conv2d: bias"),
    (separable_conv2d, (x4, np.ones((2, 1, 3, 3)), np.ones((3, 2))), {"stride": 0}, ValueError, "separable_conv2d: stride"),
    (separable_conv2d, (x4, np.ones((2, 1, 6, 6)), np.ones((3, 2))), {}, ValueError, "separable_conv2d: kernel spans"),
    # im2col
    (im2col, (np.ones((5, 5)), 3), {}, ValueError, "im2col: x must be 4-D"),
    (im2col, (x4, 0), {}, ValueError, "im2col: kernel_size"),
    (im2col, (x4, 3.0), {}, TypeError, "im2col: kernel_size"),
    (im2col, (x4, 6), {}, ValueError, "im2col: kernel spans"),
    (im2col, (x4, 3), {"stride": (1, 0)}, ValueError, "im2col: stride"),
    (im2col, (x4, 3), {"padding": ((1, -1), (0, 0))}, ValueError, "im2col: padding"),
    (im2col, (np.ones((1, 0, 5, 5)), 3), {}, ValueError, "im2col: x must have at least one channel"),
    (im2col, (np.ones((1, 1, 5, 5), complex), 3), {}, TypeError, "im2col: x must hold real numbers"),
    # col2im
    (col2im, (np.ones((1, 9, 9)), (6, 6), 3), {}, ValueError, r"col2im: cols has 9 columns .* give 4 \* 4 = 16 windows"),
    (col2im, (np.ones((1, 10, 9)), (5, 5), 3), {}, ValueError, "col2im: cols has 10 rows"),
    (col2im, (np.ones((9, 9)), (5, 5), 3), {}, ValueError, "col2im: cols must be 3-D"),
    (col2im, (np.ones((1, 9, 9)), (5, 5, 5), 3), {}, TypeError, "col2im: output_size"),
    (col2im, (np.ones((1, 9, 9)), (0, 5), 3), {}, ValueError, "col2im: output_size"),
    (col2im, (np.ones((1, 9, 9)), (2, 2), 3), {}, ValueError, "col2im: kernel spans"),
    (col2im, (np.ones((1, 9, 9)), (5, 5), 3), {"dilation": 0}, ValueError, "col2im: dilation"),
    (col2im, (np.ones((1, 0, 9)), (5, 5), 3), {}, ValueError, "col2im: cols has 0 rows"),
]


@pytest.mark.parametrize("func, args, kwargs, error, match", BAD, ids=[f"{b[0].__name__}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_with_a_clear_message(func, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        func(*args, **kwargs)


@pytest.mark.parametrize(
    "stride, dilation, pads",
    [(2, 1, ((1, 1), (1, 1))), (1, 1, ((1, 1), (1, 1))), (1, 2, ((0, 3), (2, 1))), (1, 1, ((0, 0), (0, 0)))],
)
def test_depthwise_large_input_shared_among_threads_matches_scipy(stride, dilation, pads):
    """Enough planes (N*C > one tile) that the tiles are filtered on several threads; stride 1
    takes the flat-rows path, stride 2 the strided one."""
    from scipy.signal import correlate

    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 80, 33, 31)).astype(np.float32)
    w = rng.normal(size=(160, 1, 3, 3)).astype(np.float32)  # depth multiplier 2
    out = depthwise_conv2d(x, w, stride=stride, padding=pads, dilation=dilation)
    xp = zero_pad(x.astype(np.float64), pads)
    dilated = np.zeros((160, 2 * dilation + 1, 2 * dilation + 1))
    dilated[:, ::dilation, ::dilation] = w[:, 0]
    for image in range(2):
        for channel in range(160):
            full = correlate(xp[image, channel // 2], dilated[channel], mode="valid")
            np.testing.assert_allclose(out[image, channel], full[::stride, ::stride], rtol=1e-4, atol=1e-4)
