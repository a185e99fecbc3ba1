"""Tests for convblocks.fast: the loop, FFT and Winograd versions of conv2d.

References, all independent of the code under test:
- SciPy: a convolution layer is, for every (image, filter), the sum over input
  channels of 2-D "valid" cross-correlations (``scipy.signal.correlate``) of the
  zero-padded input with the (dilated) kernel, taken every ``stride`` pixels;
- numbers worked out by hand;
- ``convblocks.conv2d`` (the im2col version, written separately) where it exists.
"""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

import convblocks
from convblocks import fast
from convblocks.fast import conv2d_fft, conv2d_im2col, conv2d_naive, conv2d_winograd

ALL = [conv2d_naive, conv2d_im2col, conv2d_fft, conv2d_winograd]
EPS32 = np.finfo(np.float32).eps


# ---------------------------------------------------------------------------
# the independent reference
# ---------------------------------------------------------------------------


def scipy_reference(x, weight, bias=None, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
    """conv2d from SciPy: per (n, o), the sum over the group's channels of valid 2-D correlations."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    xp = np.pad(x, ((0, 0), (0, 0), pads[0], pads[1]))
    c_out, c_per_group, kh, kw = weight.shape
    dh, dw = dilation
    spread = np.zeros((c_out, c_per_group, dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    spread[:, :, ::dh, ::dw] = weight
    out_per_group = c_out // groups
    out = []
    for n in range(x.shape[0]):
        maps = []
        for o in range(c_out):
            first = (o // out_per_group) * c_per_group
            total = sum(
                scipy.signal.correlate(xp[n, first + c], spread[o, c], mode="valid")
                for c in range(c_per_group)
            )
            total = total[:: stride[0], :: stride[1]]
            maps.append(total + (0.0 if bias is None else bias[o]))
        out.append(maps)
    return np.array(out, dtype=np.float64).reshape(x.shape[0], c_out, *maps[0].shape)


def same_pads(n, k, s, d):
    """TensorFlow's "same": ceil(n / s) outputs, the odd pixel of padding after."""
    total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
    return (total // 2, total - total // 2)


@st.composite
def problems(draw, winograd=False, max_hw=6):
    """A random, valid conv2d problem: arrays and hyperparameters (float64)."""
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    if winograd:
        kh = kw = 3
        stride = dilation = (1, 1)
    else:
        kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    sizes = []
    for k, d, (before, after) in zip((kh, kw), dilation, pads):
        span = d * (k - 1) + 1
        sizes.append(draw(st.integers(max(1, span - before - after), span + max_hw)))
    n = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((n, c_in, *sizes))
    weight = rng.standard_normal((c_out, c_in // groups, kh, kw))
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return dict(x=x, weight=weight, bias=bias, stride=stride, padding=pads, dilation=dilation, groups=groups)


def reference_of(p):
    return scipy_reference(p["x"], p["weight"], p["bias"], p["stride"], p["padding"], p["dilation"], p["groups"])


# ---------------------------------------------------------------------------
# worked by hand
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("f", ALL)
def test_window_sums_by_hand(f):
    # x = 0..15 in a 4x4 grid, an all-ones 3x3 filter: each output is a window sum.
    # top-left window 0+1+2+4+5+6+8+9+10 = 45; one step right adds 3*1 = 3 per row -> 54;
    # one step down adds 3*4 = 12 per column -> 81 and 90.
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_allclose(f(x, np.ones((1, 1, 3, 3)))[0, 0], [[45, 54], [81, 90]], atol=1e-12)


@pytest.mark.parametrize("f", ALL)
def test_padding_counts_by_hand(f):
    # ones 4x4, padding 1, ones 3x3 filter: each output counts the real pixels under
    # the window: 4 at a corner, 6 on an edge, 9 inside; plus a bias of 1.
    y = f(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), bias=np.ones(1), padding=1)
    np.testing.assert_allclose(
        y[0, 0], [[5, 7, 7, 5], [7, 10, 10, 7], [7, 10, 10, 7], [5, 7, 7, 5]], atol=1e-12
    )


@pytest.mark.parametrize("f", ALL)
def test_sobel_on_a_ramp_by_hand(f):
    # x[h, w] = w (a ramp), Sobel-x = [1, 2, 1]^T [-1, 0, 1]: every output is
    # (1 + 2 + 1) * ((w + 1) - (w - 1)) = 8; a second channel of zeros adds nothing.
    ramp = np.tile(np.arange(7.0), (6, 1))
    x = np.stack([ramp, np.zeros((6, 7))])[None]
    sobel = np.outer([1, 2, 1], [-1, 0, 1])
    w = np.stack([sobel, np.full((3, 3), 5.0)])[None]
    np.testing.assert_allclose(f(x, w), np.full((1, 1, 4, 5), 8.0), atol=1e-12)


@pytest.mark.parametrize("f", [conv2d_naive, conv2d_im2col, conv2d_fft])
def test_stride_two_by_hand(f):
    # CS231n's numbers: 7x7 input, 3x3 filter, stride 2 -> 3x3; with padding 1 -> 4x4,
    # ones everywhere: corner windows hold 2x2 real pixels, edge ones 2x3, inner ones 3x3.
    assert f(np.ones((1, 1, 7, 7)), np.ones((1, 1, 3, 3)), stride=2).shape == (1, 1, 3, 3)
    y = f(np.ones((1, 1, 7, 7)), np.ones((1, 1, 3, 3)), stride=2, padding=1)
    np.testing.assert_allclose(y[0, 0], [[4, 6, 6, 4], [6, 9, 9, 6], [6, 9, 9, 6], [4, 6, 6, 4]], atol=1e-12)


@pytest.mark.parametrize("f", [conv2d_naive, conv2d_im2col, conv2d_fft])
def test_dilation_by_hand(f):
    # dilation 2 makes a 2x2 filter read x[h, w], x[h, w+2], x[h+2, w], x[h+2, w+2].
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    y = f(x, np.array([[[[1.0, 10.0], [100.0, 1000.0]]]]), dilation=2)
    # top-left: 0*1 + 2*10 + 10*100 + 12*1000 = 13020; each step right adds 1111, down 5555
    np.testing.assert_allclose(y[0, 0], 13020 + np.array([[0, 1111, 2222], [5555, 6666, 7777], [11110, 12221, 13332]]))


@pytest.mark.parametrize("f", ALL)
def test_groups_by_hand(f):
    # groups=2: output 0 sees only channel 0 (all 1s), output 1 only channel 1 (all 2s).
    x = np.stack([np.ones((4, 4)), np.full((4, 4), 2.0)])[None]
    y = f(x, np.ones((2, 1, 3, 3)), groups=2)
    np.testing.assert_allclose(y[0, :, 0, 0], [9.0, 18.0])


def test_f23_one_dimension_by_hand():
    # d = (1, 2, 3, 4), g = (1, 1, 1): direct y = (1+2+3, 2+3+4) = (6, 9).
    # m1 = (1-3)*1 = -2, m2 = (2+3)*3/2 = 7.5, m3 = (3-2)*1/2 = 0.5, m4 = (2-4)*1 = -2;
    # y0 = m1 + m2 + m3 = 6, y1 = m2 - m3 - m4 = 9.
    d = np.array([1.0, 2.0, 3.0, 4.0])
    g = np.ones(3)
    m = (fast.G @ g) * (fast.BT @ d)
    np.testing.assert_array_equal(m, [-2, 7.5, 0.5, -2])
    np.testing.assert_array_equal(fast.AT @ m, [6, 9])


# ---------------------------------------------------------------------------
# against SciPy, over random problems
# ---------------------------------------------------------------------------


@given(problems())
def test_naive_matches_scipy(p):
    np.testing.assert_allclose(conv2d_naive(**p), reference_of(p), atol=1e-10)


@given(problems())
def test_im2col_matches_scipy(p):
    np.testing.assert_allclose(conv2d_im2col(**p), reference_of(p), atol=1e-10)


def test_im2col_column_matrix_is_kernel_area_times_the_input():
    # "same" padding, stride 1: every pixel is copied once per tap
    x = np.ones((2, 3, 10, 10))
    for k in (1, 3, 5):
        cols = convblocks.im2col(x, k, padding=k // 2)
        assert cols.size == k * k * x.size


@given(problems())
def test_fft_matches_scipy(p):
    np.testing.assert_allclose(conv2d_fft(**p), reference_of(p), atol=1e-10)


@given(problems(winograd=True))
def test_winograd_matches_scipy(p):
    np.testing.assert_allclose(conv2d_winograd(**p), reference_of(p), atol=1e-10)


@given(problems(winograd=True, max_hw=9))
def test_the_three_agree(p):
    naive = conv2d_naive(**p)
    np.testing.assert_allclose(conv2d_fft(**p), naive, atol=1e-10)
    np.testing.assert_allclose(conv2d_winograd(**p), naive, atol=1e-10)


@given(problems())
def test_fft_stride_is_subsampling(p):
    # a property of convolution: stride s keeps every s-th output of stride 1
    sh, sw = p["stride"]
    full = conv2d_fft(**{**p, "stride": 1})
    np.testing.assert_allclose(conv2d_fft(**p), full[:, :, ::sh, ::sw], atol=1e-10)


@given(problems(), st.sampled_from(["int", "pair", "valid", "same"]))
def test_padding_forms(p, form):
    x, w = p["x"], p["weight"]
    (kh, kw), (sh, sw), (dh, dw) = w.shape[2:], p["stride"], p["dilation"]
    top, left = p["padding"][0][0], p["padding"][1][0]
    spec, pads = {
        "int": (top, ((top, top), (top, top))),
        "pair": ((top, left), ((top, top), (left, left))),
        "valid": ("valid", ((0, 0), (0, 0))),
        "same": ("same", (same_pads(x.shape[2], kh, sh, dh), same_pads(x.shape[3], kw, sw, dw))),
    }[form]
    if x.shape[2] + sum(pads[0]) < dh * (kh - 1) + 1 or x.shape[3] + sum(pads[1]) < dw * (kw - 1) + 1:
        return  # the kernel does not fit this padding (refusal tested below)
    expected = scipy_reference(x, w, p["bias"], p["stride"], pads, p["dilation"], p["groups"])
    fs = [conv2d_naive, conv2d_fft]
    if (kh, kw, sh, sw, dh, dw) == (3, 3, 1, 1, 1, 1):
        fs.append(conv2d_winograd)
    for f in fs:
        args = {**p, "padding": spec}
        np.testing.assert_allclose(f(**args), expected, atol=1e-10, err_msg=f"{f.__name__} {form}")
    if form == "same":
        assert expected.shape[2:] == (-(-x.shape[2] // sh), -(-x.shape[3] // sw))


@pytest.mark.skipif(not hasattr(convblocks.conv, "conv2d"), reason="convblocks.conv.conv2d not written yet")
@given(problems(winograd=True, max_hw=9), problems())
def test_against_conv2d(p3, p):
    conv2d = convblocks.conv.conv2d
    for f in (conv2d_naive, conv2d_fft, conv2d_winograd):
        np.testing.assert_allclose(f(**p3), conv2d(**p3), atol=1e-10)
    for f in (conv2d_naive, conv2d_fft):
        np.testing.assert_allclose(f(**p), conv2d(**p), atol=1e-10)


def test_larger_fft_kernel_and_winograd_against_scipy(rng):
    # sizes the hypothesis problems do not reach: many channels, a 15x15 kernel
    x = rng.standard_normal((2, 8, 40, 37))
    w15 = rng.standard_normal((5, 8, 15, 15))
    np.testing.assert_allclose(conv2d_fft(x, w15, padding=7), scipy_reference(x, w15, pads=((7, 7), (7, 7))), atol=1e-9)
    w3 = rng.standard_normal((6, 8, 3, 3))
    np.testing.assert_allclose(conv2d_winograd(x, w3), scipy_reference(x, w3), atol=1e-10)


@pytest.mark.parametrize("kernel, dilation, size", [((3, 3), (1, 1), (8, 8)), ((2, 5), (3, 2), (12, 15)), ((1, 1), (1, 1), (5, 6))])
def test_kernel_transform_is_the_rfft2_of_the_spread_kernel(rng, kernel, dilation, size):
    # the FFT path transforms kernels tap by tap; it must equal NumPy's rfft2 of the
    # kernel spread out by the dilation and padded with zeros to the frame
    k = rng.standard_normal((2, 3, *kernel))
    spread = np.zeros((2, 3, dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1))
    spread[:, :, :: dilation[0], :: dilation[1]] = k
    np.testing.assert_allclose(fast._kernel_dft(k, dilation, size), np.fft.rfft2(spread, size), atol=1e-12)


def test_empty_batch():
    for f in ALL:
        assert f(np.zeros((0, 2, 5, 5)), np.ones((3, 2, 3, 3))).shape == (0, 3, 3, 3)


# ---------------------------------------------------------------------------
# Winograd: 16 multiplications instead of 36
# ---------------------------------------------------------------------------


class Sym:
    """A number that counts how often two data/weight values are multiplied.

    Scaling by a transform constant (0, +-1, +-1/2: a plain Python number) is not
    counted: it costs no multiplication in the filter transform (done once per
    filter) and only additions/halvings in the data transforms.
    """

    products = 0

    def __init__(self, value):
        self.value = value

    def __mul__(self, other):
        if isinstance(other, Sym):
            Sym.products += 1
            return Sym(self.value * other.value)
        return Sym(self.value * other)

    __rmul__ = __mul__

    def __add__(self, other):
        return Sym(self.value + (other.value if isinstance(other, Sym) else other))

    __radd__ = __add__

    def __sub__(self, other):
        return self + (-1) * other


def symbols(values):
    return np.vectorize(Sym, otypes=[object])(values)


def values(symbols_):
    return np.vectorize(lambda s: s.value if isinstance(s, Sym) else s, otypes=[float])(symbols_)


def test_winograd_tile_uses_16_products_direct_uses_36(rng):
    d_num, g_num = rng.integers(-9, 10, (4, 4)), rng.integers(-9, 10, (3, 3))
    d, g = symbols(d_num.astype(float)), symbols(g_num.astype(float))

    # direct: 2x2 outputs, each a 3x3 window times the kernel
    Sym.products = 0
    direct = np.array([[sum(d[p + i, q + j] * g[i, j] for i in range(3) for j in range(3)) for q in range(2)] for p in range(2)])
    assert Sym.products == 36

    # Winograd with the module's own transforms: U = G g G^T (once per filter), V = B^T d B
    u = fast._transform(fast.G, g)
    v = fast._transform(fast.BT, d)
    assert u.shape == v.shape == (4, 4)
    Sym.products = 0
    m = u * v  # the only data-times-weight products: element-wise in the transform domain
    y = fast._transform(fast.AT, m)
    assert Sym.products == 16
    assert y.shape == (2, 2)
    np.testing.assert_array_equal(values(y), values(direct))  # integers and halves: exact


def test_winograd_layer_uses_16_products_per_tile_and_channel_pair(rng):
    # the whole F(2x2, 3x3) pipeline run on symbols: N=1, C_in=3, C_out=2, 6x6 -> 4x4 outputs = 2x2 tiles
    x_num = rng.integers(-5, 6, (1, 3, 6, 6)).astype(float)
    w_num = rng.integers(-5, 6, (2, 3, 3, 3)).astype(float)
    Sym.products = 0
    y = fast._winograd(symbols(x_num), symbols(w_num), groups=1, out_hw=(4, 4))
    tiles, pairs = 2 * 2, 3 * 2
    assert Sym.products == 16 * tiles * pairs  # direct: 36 * tiles * pairs (4 outputs x 9 taps)
    np.testing.assert_array_equal(values(y), scipy_reference(x_num, w_num))


# ---------------------------------------------------------------------------
# float32 accuracy
# ---------------------------------------------------------------------------


def magnitude(x, w):
    """(|x| correlated with |w|): the scale every rounding error of a sum of x*w is relative to."""
    return scipy_reference(np.abs(x.astype(np.float64)), np.abs(w.astype(np.float64)), pads=((1, 1), (1, 1)))


@pytest.mark.parametrize("channels", [1, 16, 64])
def test_winograd_float32_accuracy(rng, channels):
    # Tolerance: |y32 - y64| <= 16 eps32 (|x| * |w|), per output.
    # Why: the direct float32 sum of K = 9 C products errs by ~sqrt(K) eps32 (|x| * |w|)
    # typically (K eps32 at worst, an error that grows more slowly than the magnitude
    # |x| * |w| itself, which grows like K). Winograd adds the rounding of its
    # transforms: every intermediate value (B^T d B, G g G^T, their products) is a
    # sum of at most 4 tile values times weights with coefficients <= 1, so it is
    # bounded by a few times (|x| * |w|) over the tile -- a constant factor, for
    # which 16 leaves room. float64 is checked elsewhere to 1e-10.
    x = rng.standard_normal((2, channels, 13, 12)).astype(np.float32)
    w = rng.standard_normal((4, channels, 3, 3)).astype(np.float32)
    y = conv2d_winograd(x, w, padding=1)
    assert y.dtype == np.float32
    exact = scipy_reference(x, w, pads=((1, 1), (1, 1)))
    assert np.all(np.abs(y - exact) <= 16 * EPS32 * magnitude(x, w))


@pytest.mark.parametrize("shape, k", [((2, 3, 32, 32), 3), ((1, 2, 40, 33), 15), ((2, 32, 12, 12), 5)])
def test_fft_float32_accuracy(rng, shape, k):
    # Tolerance: max |y32 - y64| <= 2 log2(L) eps32 max(|x| * |w|), over the whole output.
    # Why: each FFT stage rounds once, so the transform errs by ~log2(L) eps32 of the
    # norm of the whole map (L = transform length), and that error is spread evenly
    # over every output: the bound is relative to the *largest* output scale, not
    # per output (see the next test).
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((4, shape[1], k, k)).astype(np.float32)
    y = conv2d_fft(x, w, padding=1)
    assert y.dtype == np.float32
    exact = scipy_reference(x, w, pads=((1, 1), (1, 1)))
    length = (shape[2] + 2) * (shape[3] + 2)
    assert np.abs(y - exact).max() <= 2 * np.log2(length) * EPS32 * magnitude(x, w).max()


def test_fft_error_is_global_not_per_output(rng):
    # Large values on the left, tiny ones on the right: the direct and Winograd sums
    # keep the tiny outputs accurate to float32 precision; the FFT mixes every pixel
    # into every frequency, so its error at the tiny outputs is set by the large ones.
    x = np.concatenate([1e4 * np.ones((16, 16)), 1e-4 * rng.random((16, 16))], axis=1)
    x = x[None, None].astype(np.float32)
    w = rng.random((1, 1, 3, 3)).astype(np.float32)
    exact = scipy_reference(x, w)[0, 0, :, 20:]  # outputs that only see the tiny values

    def rel(y):
        return np.max(np.abs(y[0, 0, :, 20:] - exact) / np.abs(exact))

    assert rel(conv2d_winograd(x, w)) < 1e-5
    assert rel(conv2d_naive(x, w)) < 1e-5
    assert rel(conv2d_fft(x, w)) > 1e-2


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize(
    "x_dtype, w_dtype, expected",
    [
        (np.float32, np.float32, np.float32),
        (np.float64, np.float64, np.float64),
        (np.int64, np.int64, np.float64),
        (np.bool_, np.int32, np.float64),
        (np.float32, np.float64, np.float64),
    ],
)
def test_dtypes(f, x_dtype, w_dtype, expected):
    x = np.ones((1, 2, 5, 5), dtype=x_dtype)
    w = np.ones((3, 2, 3, 3), dtype=w_dtype)
    y = f(x, w, bias=np.zeros(3, dtype=w_dtype))
    assert y.dtype == expected
    np.testing.assert_allclose(y, 18.0, rtol=1e-6)


@pytest.mark.parametrize("f", ALL)
def test_array_likes(f):
    y = f([[[[0, 1, 2], [3, 4, 5], [6, 7, 8]]]], [[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]], bias=[1])
    np.testing.assert_allclose(y, [[[[37.0]]]])


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

GOOD = dict(x=np.ones((1, 4, 6, 6)), weight=np.ones((2, 4, 3, 3)))

BAD_FOR_ALL = [
    (dict(x=np.ones((4, 6, 6))), ValueError, "x must be 4-D"),
    (dict(weight=np.ones((2, 4, 3))), ValueError, "weight must be 4-D"),
    (dict(x=np.ones((1, 3, 6, 6))), ValueError, "x has 3 channels but weight expects 4"),
    (dict(weight=np.ones((2, 0, 3, 3))), ValueError, "weight must have at least one output channel, one input channel per group"),
    (dict(groups=0), ValueError, "groups must be positive"),
    (dict(groups=2.0), TypeError, "groups must be an int"),
    (dict(groups=3), ValueError, "groups=3 must divide the number of input channels, x has 4"),
    (dict(x=np.ones((1, 4, 6, 6)), weight=np.ones((3, 2, 3, 3)), groups=2), ValueError, "groups=2 must divide the number of output channels, weight has 3"),
    (dict(weight=np.ones((2, 2, 3, 3)), groups=1), ValueError, "x has 4 channels but weight expects 2"),
    (dict(stride=0), ValueError, "stride must be a positive int"),
    (dict(stride=(1, 1, 1)), TypeError, "stride must be"),
    (dict(stride=1.5), TypeError, "stride must be"),
    (dict(dilation=-1), ValueError, "dilation must be a positive int"),
    (dict(padding=-1), ValueError, "padding must be a non-negative int"),
    (dict(padding="full"), ValueError, "padding must be an int, a tuple, 'valid' or 'same'"),
    (dict(padding=((1, 2), (3, -1))), ValueError, "padding"),
    (dict(x=np.ones((1, 4, 2, 6))), ValueError, "kernel spans"),
    (dict(bias=np.ones(3)), ValueError, r"bias must have shape \(2,\)"),
    (dict(bias=np.ones((2, 1))), ValueError, "bias must have shape \\(2,\\), got shape \\(2, 1\\)"),
    (dict(x=np.full((1, 4, 6, 6), "a")), TypeError, "x must hold real numbers"),
    (dict(weight=np.ones((2, 4, 3, 3), complex)), TypeError, "weight must hold real numbers"),
    (dict(bias=["a", "b"]), TypeError, "bias must hold real numbers"),
    (dict(x=[[1, 2], [3]]), TypeError, "x must be a numeric array"),
]


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize("changes, error, match", BAD_FOR_ALL)
def test_bad_input(f, changes, error, match):
    with pytest.raises(error, match=f"{f.__name__}: {match}"):
        f(**{**GOOD, **changes})


@pytest.mark.parametrize(
    "changes, match",
    [
        (dict(weight=np.ones((2, 4, 5, 5))), r"weight must hold 3x3 kernels .* got kernel size \(5, 5\)"),
        (dict(weight=np.ones((2, 4, 3, 1))), r"weight must hold 3x3 kernels .* got kernel size \(3, 1\)"),
        (dict(stride=2), r"stride must be 1 .* got \(2, 2\)"),
        (dict(stride=(1, 2)), r"stride must be 1 .* got \(1, 2\)"),
        (dict(dilation=2), r"dilation must be 1 .* got \(2, 2\)"),
    ],
)
def test_winograd_refuses_what_f23_cannot_do(changes, match):
    with pytest.raises(ValueError, match=f"conv2d_winograd: {match}"):
        conv2d_winograd(**{**GOOD, **changes})


# ---------------------------------------------------------------------------
# winograd_matrices: F(m, r) for any m, r
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("m, r", [(1, 1), (2, 3), (4, 3), (6, 3), (3, 2), (2, 5), (1, 4), (3, 1)])
def test_winograd_matrices_are_exact_in_rational_arithmetic(m, r):
    # the reference: the definition of the correlation, on integers, as Fractions
    from fractions import Fraction

    at, g, bt = fast.winograd_matrices(m, r, exact=True)
    assert (at.shape, g.shape, bt.shape) == ((m, m + r - 1), (m + r - 1, r), (m + r - 1, m + r - 1))
    gen = np.random.default_rng(m * 10 + r)
    for _ in range(5):
        d = [Fraction(int(v)) for v in gen.integers(-50, 50, m + r - 1)]
        w = [Fraction(int(v)) for v in gen.integers(-50, 50, r)]
        y = at @ ((g @ np.array(w, dtype=object)) * (bt @ np.array(d, dtype=object)))
        assert list(y) == [sum(d[t + j] * w[j] for j in range(r)) for t in range(m)]


def test_winograd_matrices_float_and_custom_points(rng):
    d, w = rng.standard_normal(7), rng.standard_normal(3)
    direct = np.correlate(d, w, mode="valid")
    for points in (None, [0, 1, -1, 0.5, -0.5, 3], (2, -2, 0.25, 1, -1, 0)):
        at, g, bt = fast.winograd_matrices(5, 3, points=points)
        assert at.dtype == g.dtype == bt.dtype == np.float64
        np.testing.assert_allclose(at @ ((g @ w) * (bt @ d)), direct, atol=1e-10)


def test_winograd_matrices_f23_is_lavin_and_gray_up_to_scaling():
    # the same four products: term t of y = sum_t AT[:, t] (G[t] . w) (BT[t] . d) is the
    # tensor AT[:, t] x G[t] x BT[t]; the constants may only move between the factors
    def terms(at, g, bt):
        return [np.einsum("a,b,c->abc", at[:, t], g[t], bt[t]) for t in range(at.shape[1])]

    for ours, lavin in zip(terms(*fast.winograd_matrices(2, 3)), terms(fast.AT, fast.G, fast.BT)):
        np.testing.assert_allclose(ours, lavin, atol=1e-15)


@pytest.mark.parametrize(
    "args, error, match",
    [
        (dict(m=0, r=3), ValueError, "m must be positive"),
        (dict(m=2, r=0), ValueError, "r must be positive"),
        (dict(m=2.0, r=3), TypeError, "m must be an int"),
        (dict(m=2, r=3, points=[0, 1]), ValueError, r"F\(2, 3\) needs m \+ r - 2 = 3 finite points, got 2"),
        (dict(m=2, r=3, points=[0, 1, 1]), ValueError, "the points must be distinct"),
        (dict(m=2, r=3, points=[0, 1, "a"]), TypeError, "points must be real numbers"),
    ],
)
def test_winograd_matrices_bad_input(args, error, match):
    with pytest.raises(error, match=f"winograd_matrices: {match}"):
        fast.winograd_matrices(**args)
