"""Tests for convblocks.upsampling.

References are independent of the code under test: brute-force loops written
below (bilinear per output pixel from the align_corners formulas, the
transposed convolution as "stamp each input pixel times the kernel onto the
output"), scipy.ndimage.zoom, examples worked by hand (course syllabus,
chapter 6), and a few outputs of torch.nn.functional.interpolate recorded
from PyTorch 2.x for its rounding quirks.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import ndimage

from convblocks.conv import conv2d
from convblocks.pooling import avg_pool2d
from convblocks.upsampling import (
    bed_of_nails2d,
    bilinear_kernel,
    bilinear_upsample_transposed,
    conv_transpose2d,
    upsample_bilinear2d,
    upsample_nearest2d,
)

# --------------------------------------------------------------------------- brute-force references


def ref_nearest(x, out_h, out_w):
    """PyTorch's rule src = floor(dst * in / out), in exact integer arithmetic."""
    n_, c_, h, w = x.shape
    out = np.empty((n_, c_, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = x[:, :, min(i * h // out_h, h - 1), min(j * w // out_w, w - 1)]
    return out


def ref_source(dst, n_in, n_out, align_corners, scale=None):
    """Source coordinate of output position ``dst`` (PyTorch's definition)."""
    if n_in == n_out:
        return float(dst)
    if align_corners:
        return dst * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    step = 1 / scale if scale is not None else n_in / n_out
    return max((dst + 0.5) * step - 0.5, 0.0)


def ref_bilinear(x, out_h, out_w, align_corners, scales=(None, None)):
    """Bilinear interpolation, one output pixel at a time: four neighbours, product weights."""
    n_, c_, h, w = x.shape
    out = np.empty((n_, c_, out_h, out_w))
    for i in range(out_h):
        u = ref_source(i, h, out_h, align_corners, scales[0])
        r0 = min(int(math.floor(u)), h - 1)
        r1 = min(r0 + 1, h - 1)
        a = u - r0
        for j in range(out_w):
            v = ref_source(j, w, out_w, align_corners, scales[1])
            q0 = min(int(math.floor(v)), w - 1)
            q1 = min(q0 + 1, w - 1)
            b = v - q0
            out[:, :, i, j] = (
                (1 - a) * (1 - b) * x[:, :, r0, q0]
                + (1 - a) * b * x[:, :, r0, q1]
                + a * (1 - b) * x[:, :, r1, q0]
                + a * b * x[:, :, r1, q1]
            )
    return out


def ref_out_size(i, k, s, p_before, p_after, d, op):
    """O = (I - 1) S - 2P + D (K - 1) + output_padding + 1 (P split into before/after)."""
    return (i - 1) * s - p_before - p_after + d * (k - 1) + op + 1


def ref_conv_transpose2d(x, w, b=None, stride=(1, 1), pads=((0, 0), (0, 0)), op=(0, 0), groups=1, dilation=(1, 1)):
    """Scatter each input pixel times its kernel into the output, skipping what falls in the padding."""
    n_, c_in, h, wd = x.shape
    _, c_out_g, kh, kw = w.shape
    c_in_g = c_in // groups
    (sh, sw), (dh, dw) = stride, dilation
    (top, bottom), (left, right) = pads
    out_h = ref_out_size(h, kh, sh, top, bottom, dh, op[0])
    out_w = ref_out_size(wd, kw, sw, left, right, dw, op[1])
    out = np.zeros((n_, c_out_g * groups, out_h, out_w))
    for n in range(n_):
        for c in range(c_in):
            g = c // c_in_g
            for r in range(h):
                for q in range(wd):
                    for o in range(c_out_g):
                        for i in range(kh):
                            for j in range(kw):
                                rr, qq = r * sh + i * dh - top, q * sw + j * dw - left
                                if 0 <= rr < out_h and 0 <= qq < out_w:
                                    out[n, g * c_out_g + o, rr, qq] += x[n, c, r, q] * w[c, o, i, j]
    if b is not None:
        out += np.asarray(b)[None, :, None, None]
    return out


def tent(factor):
    """Bilinear weights 1 - |i - c| / f sampled at the K = 2f - f%2 taps (written from the recipe)."""
    size = 2 * factor - factor % 2
    centre = factor - 1 if size % 2 == 1 else factor - 0.5
    return np.array([1 - abs(i - centre) / factor for i in range(size)])


# --------------------------------------------------------------------------- upsample_nearest2d


def test_nearest_2x2_to_4x4_by_hand():
    x = np.array([[[[1, 2], [3, 4]]]])
    expected = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    np.testing.assert_array_equal(upsample_nearest2d(x, scale_factor=2)[0, 0], expected)
    np.testing.assert_array_equal(upsample_nearest2d(x, size=4)[0, 0], expected)
    np.testing.assert_array_equal(upsample_nearest2d(x, size=(4, 4))[0, 0], expected)


def test_nearest_rectangular_factors_by_hand():
    x = np.array([[[[1, 2]]]])
    out = upsample_nearest2d(x, scale_factor=(2, 3))
    np.testing.assert_array_equal(out[0, 0], [[1, 1, 1, 2, 2, 2], [1, 1, 1, 2, 2, 2]])


def test_nearest_downsampling_by_hand():
    x = np.arange(16).reshape(1, 1, 4, 4)
    # size 2 from 4: rows floor(d * 4 / 2) = 0, 2
    np.testing.assert_array_equal(upsample_nearest2d(x, size=2)[0, 0], [[0, 2], [8, 10]])
    np.testing.assert_array_equal(upsample_nearest2d(x, scale_factor=0.5)[0, 0], [[0, 2], [8, 10]])


@given(
    st.integers(1, 20), st.integers(1, 20), st.integers(1, 20), st.integers(1, 20), st.integers(0, 2**16)
)
def test_nearest_size_matches_reference(h, w, out_h, out_w, seed):
    x = np.random.default_rng(seed).standard_normal((2, 2, h, w))
    np.testing.assert_array_equal(upsample_nearest2d(x, size=(out_h, out_w)), ref_nearest(x, out_h, out_w))


@given(st.integers(1, 8), st.integers(1, 8), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**16))
def test_nearest_integer_scale_matches_reference_and_scipy(h, w, sh, sw, seed):
    x = np.random.default_rng(seed).standard_normal((1, 2, h, w))
    out = upsample_nearest2d(x, scale_factor=(sh, sw))
    np.testing.assert_array_equal(out, ref_nearest(x, h * sh, w * sw))
    np.testing.assert_array_equal(out, np.repeat(np.repeat(x, sh, axis=2), sw, axis=3))
    zoomed = ndimage.zoom(x, (1, 1, sh, sw), order=0, grid_mode=True, mode="nearest")
    np.testing.assert_array_equal(out, zoomed)


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**16))
def test_nearest_then_average_pooling_gives_input_back(h, w, sh, sw, seed):
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w))
    up = upsample_nearest2d(x, scale_factor=(sh, sw))
    np.testing.assert_allclose(avg_pool2d(up, (sh, sw)), x, rtol=1e-12, atol=1e-12)


@given(st.integers(1, 12), st.floats(0.3, 4.0), st.integers(0, 2**16))
def test_nearest_non_integer_scale_uses_one_over_scale(n, s, seed):
    # PyTorch maps with 1/s (not n / n_out) and sizes the output floor(n * s)
    out_n = math.floor(n * s)
    assume(out_n >= 1 and out_n not in (n, 2 * n))
    d = np.arange(out_n)
    exact = d / s
    assume(np.all(np.abs(exact[1:] - np.round(exact[1:])) > 1e-4))  # away from rounding ties
    x = np.random.default_rng(seed).standard_normal((1, 1, 1, n))
    out = upsample_nearest2d(x, scale_factor=(1, s))
    np.testing.assert_array_equal(out[0, 0, 0], x[0, 0, 0, np.minimum(np.floor(exact).astype(int), n - 1)])


@pytest.mark.parametrize(
    "h, w, scale_factor, size, expected_columns",
    [
        # recorded from torch.nn.functional.interpolate(mode="nearest"), PyTorch 2.x CPU
        (1, 3, 2.1, None, [0, 0, 1, 1, 2, 2]),  # small output: 3 -> 6 is "exactly twice"
        (123, 3, (1.0, 2.1), None, [0, 0, 0, 1, 1, 2]),  # H_out + W_out > 128: floor(d / 2.1)
        (1, 3, 1.2, None, [0, 1, 2]),  # small output: same size, copied
        (126, 3, (1.0, 1.2), None, [0, 0, 1]),  # large output: floor(d / 1.2)
        (1, 5, 1.5, None, [0, 0, 1, 2, 2, 3, 4]),
        (1, 14, None, (1, 20), [0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 9, 10, 11, 11, 12, 13]),
    ],
)
def test_nearest_matches_recorded_pytorch_outputs(h, w, scale_factor, size, expected_columns):
    x = np.broadcast_to(np.arange(w, dtype=float), (1, 1, h, w))
    out = upsample_nearest2d(x, scale_factor=scale_factor, size=size)
    assert out.shape[2] == (size[0] if size else math.floor(h * np.broadcast_to(scale_factor, 2)[0]))
    np.testing.assert_array_equal(out[0, 0, 0], expected_columns)


# --------------------------------------------------------------------------- upsample_bilinear2d


def test_bilinear_align_corners_by_hand():
    x = np.array([[[[0, 4], [8, 12]]]])
    np.testing.assert_allclose(
        upsample_bilinear2d(x, size=3, align_corners=True)[0, 0], [[0, 2, 4], [4, 6, 8], [8, 10, 12]]
    )


def test_bilinear_half_pixel_by_hand():
    # align_corners=False, factor 2: output d reads u = (d + 1/2) / 2 - 1/2 = -1/4, 1/4, 3/4, 5/4
    # -> clamped 0, then 1/4 and 3/4 of the way, then clamped at the last pixel
    x = np.array([[[[0, 4]]]])
    np.testing.assert_allclose(upsample_bilinear2d(x, scale_factor=(1, 2))[0, 0, 0], [0, 1, 3, 4])
    # factor 1.5 on [0, 10, 20]: u = 0, 1/2, 7/6, 11/6
    x = np.array([[[[0, 10, 20]]]])
    np.testing.assert_allclose(
        upsample_bilinear2d(x, scale_factor=(1, 1.5))[0, 0, 0], [0, 5, 35 / 3, 55 / 3], rtol=1e-12
    )
    np.testing.assert_allclose(
        upsample_bilinear2d(x, scale_factor=(1, 1.5), align_corners=True)[0, 0, 0],
        [0, 20 / 3, 40 / 3, 20],
        rtol=1e-12,
    )


def test_bilinear_single_output_pixel():
    x = np.array([[[[0, 10, 20, 30]]]])
    np.testing.assert_allclose(upsample_bilinear2d(x, size=(1, 1))[0, 0], [[15]])  # u = 1.5
    np.testing.assert_allclose(upsample_bilinear2d(x, size=(1, 1), align_corners=True)[0, 0], [[0]])
    np.testing.assert_allclose(upsample_bilinear2d(x, size=(1, 2))[0, 0], [[5, 25]])


def test_bilinear_same_size_is_a_copy_even_with_a_scale():
    # PyTorch copies an axis whose size does not change (3 * 1.2 -> 3)
    x = np.array([[[[0.0, 10.0, 20.0]]]])
    np.testing.assert_array_equal(upsample_bilinear2d(x, scale_factor=1.2), x)


@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(1, 12),
    st.integers(1, 12),
    st.booleans(),
    st.integers(0, 2**16),
)
def test_bilinear_size_matches_reference(h, w, out_h, out_w, align_corners, seed):
    x = np.random.default_rng(seed).standard_normal((2, 2, h, w))
    out = upsample_bilinear2d(x, size=(out_h, out_w), align_corners=align_corners)
    ref = ref_bilinear(x, out_h, out_w, align_corners)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)


@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.floats(0.3, 3.5),
    st.floats(0.3, 3.5),
    st.booleans(),
    st.integers(0, 2**16),
)
def test_bilinear_scale_factor_matches_reference(h, w, sh, sw, align_corners, seed):
    out_h, out_w = math.floor(h * sh), math.floor(w * sw)
    assume(out_h >= 1 and out_w >= 1)
    x = np.random.default_rng(seed).standard_normal((1, 2, h, w))
    out = upsample_bilinear2d(x, scale_factor=(sh, sw), align_corners=align_corners)
    ref = ref_bilinear(x, out_h, out_w, align_corners, scales=(sh, sw))
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)


@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 15), st.integers(1, 15), st.integers(0, 2**16))
def test_bilinear_matches_scipy_zoom(h, w, out_h, out_w, seed):
    x = np.random.default_rng(seed).standard_normal((1, 1, h, w))
    zoom = (1, 1, out_h / h, out_w / w)
    # grid_mode=True aligns pixel areas (align_corners=False); the default aligns corner centres
    half_pixel = ndimage.zoom(x, zoom, order=1, grid_mode=True, mode="nearest")
    corners = ndimage.zoom(x, zoom, order=1, mode="nearest")
    assume(half_pixel.shape == corners.shape == (1, 1, out_h, out_w))
    np.testing.assert_allclose(upsample_bilinear2d(x, size=(out_h, out_w)), half_pixel, atol=1e-12)
    np.testing.assert_allclose(
        upsample_bilinear2d(x, size=(out_h, out_w), align_corners=True), corners, atol=1e-12
    )


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.booleans(), st.integers(0, 2**16))
def test_bilinear_stays_within_input_range_and_keeps_constants(h, w, s, align_corners, seed):
    x = np.random.default_rng(seed).standard_normal((1, 1, h, w))
    out = upsample_bilinear2d(x, scale_factor=s, align_corners=align_corners)
    assert out.min() >= x.min() - 1e-12 and out.max() <= x.max() + 1e-12
    flat = upsample_bilinear2d(np.full((1, 1, h, w), 3.5), scale_factor=s, align_corners=align_corners)
    np.testing.assert_allclose(flat, 3.5)


# --------------------------------------------------------------------------- bed_of_nails2d


def test_bed_of_nails_by_hand():
    x = np.array([[[[1, 2], [3, 4]]]])
    expected = [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(bed_of_nails2d(x, 2)[0, 0], expected)
    np.testing.assert_array_equal(bed_of_nails2d(x, (1, 3))[0, 0], [[1, 0, 0, 2, 0, 0], [3, 0, 0, 4, 0, 0]])


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**16))
def test_bed_of_nails_properties(h, w, sh, sw, seed):
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w))
    out = bed_of_nails2d(x, (sh, sw))
    assert out.shape == (2, 3, h * sh, w * sw)
    np.testing.assert_allclose(out.sum(axis=(2, 3)), x.sum(axis=(2, 3)), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(out[:, :, ::sh, ::sw], x)
    mask = np.zeros(out.shape[2:], bool)
    mask[::sh, ::sw] = True
    assert np.all(out[:, :, ~mask] == 0)
    # = a transposed convolution whose kernel is 1 in its top-left corner, stride = kernel size
    corner = np.zeros((3, 1, sh, sw))
    corner[:, :, 0, 0] = 1
    np.testing.assert_array_equal(ref_conv_transpose2d(x, corner, stride=(sh, sw), groups=3), out)


# --------------------------------------------------------------------------- conv_transpose2d


def test_conv_transpose_overlap_counts_by_hand():
    # 2x2 input of ones, 3x3 kernel of ones, stride 2: the stamps start at rows/cols 0 and 2
    # and overlap in row/col 2 -> counts 1 1 2 1 1 along each axis, products in 2-D
    out = conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), stride=2)
    expected = [
        [1, 1, 2, 1, 1],
        [1, 1, 2, 1, 1],
        [2, 2, 4, 2, 2],
        [1, 1, 2, 1, 1],
        [1, 1, 2, 1, 1],
    ]
    np.testing.assert_array_equal(out[0, 0], expected)


def test_conv_transpose_checkerboard_when_kernel_not_divisible_by_stride():
    ones = np.ones((1, 1, 6, 6))
    uneven = conv_transpose2d(ones, np.ones((1, 1, 3, 3)), stride=2)[0, 0]
    # interior rows/columns are covered alternately once and twice: a checkerboard of 1, 2, 4
    np.testing.assert_array_equal(uneven[2:-2, 2:-2][:3, :3], [[4, 2, 4], [2, 1, 2], [4, 2, 4]])
    even = conv_transpose2d(ones, np.ones((1, 1, 4, 4)), stride=2)[0, 0]
    np.testing.assert_array_equal(even[2:-2, 2:-2], 4)  # K divisible by S: uniform interior


def test_conv_transpose_single_pixel_stamps_the_kernel():
    k = np.arange(6.0).reshape(1, 1, 2, 3)
    np.testing.assert_array_equal(conv_transpose2d(np.full((1, 1, 1, 1), 2.0), k), 2 * k)
    # padding (0, 1) crops one column on each side of the full 2x3 output; output_padding 1
    # gives one column of the right crop back and adds a row of zeros below the full output
    out = conv_transpose2d(np.ones((1, 1, 1, 1)), k, stride=2, padding=(0, 1), output_padding=1)
    np.testing.assert_array_equal(out[0, 0], [[1, 2], [4, 5], [0, 0]])


@st.composite
def transposed_case(draw):
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 2))
    c_out_g = draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if draw(st.booleans()):
        ph, pw = draw(st.integers(0, 3)), draw(st.integers(0, 3))
        padding, pads = (ph, pw), ((ph, ph), (pw, pw))
    else:
        pads = tuple((draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(2))
        padding = pads
    oph = draw(st.integers(0, max(sh, dh) - 1))
    opw = draw(st.integers(0, max(sw, dw) - 1))
    assume(ref_out_size(h, kh, sh, *pads[0], dh, oph) >= 1)
    assume(ref_out_size(w, kw, sw, *pads[1], dw, opw) >= 1)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((draw(st.integers(1, 2)), c_in, h, w))
    weight = rng.standard_normal((c_in, c_out_g, kh, kw))
    bias = rng.standard_normal(c_out_g * groups) if draw(st.booleans()) else None
    kwargs = dict(stride=(sh, sw), padding=padding, output_padding=(oph, opw), groups=groups, dilation=(dh, dw))
    ref_kwargs = dict(stride=(sh, sw), pads=pads, op=(oph, opw), groups=groups, dilation=(dh, dw))
    return x, weight, bias, kwargs, ref_kwargs


@given(transposed_case())
def test_conv_transpose_matches_scatter_reference(case):
    x, weight, bias, kwargs, ref_kwargs = case
    out = conv_transpose2d(x, weight, bias, **kwargs)
    ref = ref_conv_transpose2d(x, weight, bias, **ref_kwargs)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-10)


@given(
    st.integers(1, 8),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(0, 3),
    st.integers(0, 2),
    st.integers(1, 3),
)
def test_conv_transpose_output_size_formula(i, k, s, p, op, d):
    assume(op < s or op < d)
    expected = (i - 1) * s - 2 * p + d * (k - 1) + op + 1
    assume(expected >= 1)
    out = conv_transpose2d(np.ones((1, 1, i, 2)), np.ones((1, 1, k, 1)), stride=(s, 1), padding=(p, 0),
                           output_padding=(op, 0), dilation=(d, 1))
    assert out.shape == (1, 1, expected, 2)


@given(
    st.integers(1, 3),
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(0, 2),
    st.integers(1, 2),
    st.integers(0, 2**16),
)
def test_conv_transpose_is_adjoint_of_conv2d(groups, h, w, k, s, p, d, seed):
    # <conv2d(x, w), y> = <x, conv_transpose2d(y, w)>, the same weight array for both
    span = d * (k - 1) + 1
    assume(h + 2 * p >= span and w + 2 * p >= span)
    rng = np.random.default_rng(seed)
    c_in, c_out = groups * 2, groups * 1
    x = rng.standard_normal((2, c_in, h, w))
    weight = rng.standard_normal((c_out, c_in // groups, k, k))
    y_shape = conv2d(x, weight, stride=s, padding=p, dilation=d, groups=groups).shape
    y = rng.standard_normal(y_shape)
    op = tuple((n + 2 * p - span) % s for n in (h, w))  # the rows the strided conv skipped
    back = conv_transpose2d(y, weight, stride=s, padding=p, output_padding=op, dilation=d, groups=groups)
    assert back.shape == x.shape
    lhs = np.sum(conv2d(x, weight, stride=s, padding=p, dilation=d, groups=groups) * y)
    np.testing.assert_allclose(lhs, np.sum(x * back), rtol=1e-10)


def test_conv_transpose_accepts_lists_and_empty_batch():
    out = conv_transpose2d(np.zeros((0, 2, 3, 3)), np.ones((2, 3, 2, 2)), stride=[2, 2])
    assert out.shape == (0, 3, 6, 6)
    nested = conv_transpose2d([[[[1, 2]]]], [[[[1, 1]]]])
    np.testing.assert_array_equal(nested, [[[[1, 3, 2]]]])


# --------------------------------------------------------------------------- bilinear kernel and its transposed conv


def test_bilinear_kernel_by_hand():
    np.testing.assert_allclose(bilinear_kernel(1), [[1.0]])
    row2 = np.array([1, 3, 3, 1]) / 4  # K = 4, centre 1.5, 1 - |i - 1.5| / 2
    np.testing.assert_allclose(bilinear_kernel(2), np.outer(row2, row2))
    row3 = np.array([1, 2, 3, 2, 1]) / 3  # K = 5, centre 2, 1 - |i - 2| / 3
    np.testing.assert_allclose(bilinear_kernel(3), np.outer(row3, row3))


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5, 6, 7])
def test_bilinear_kernel_shape_symmetry_and_recipe(factor):
    k = bilinear_kernel(factor)
    size = 2 * factor - factor % 2
    assert k.shape == (size, size) and k.dtype == np.float64
    np.testing.assert_allclose(k, k[::-1, ::-1])
    np.testing.assert_allclose(k, k.T)
    np.testing.assert_allclose(k, np.outer(tent(factor), tent(factor)))
    # each output phase receives weights summing to 1 along an axis (partition of unity)
    row = tent(factor)
    pad = math.ceil((factor - 1) / 2)
    for phase in range(factor):
        np.testing.assert_allclose(row[(phase + pad) % factor :: factor].sum(), 1.0)


@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 6), st.integers(1, 3), st.integers(0, 2**16))
def test_bilinear_transposed_equals_bilinear_inside(factor, h, w, c, seed):
    x = np.random.default_rng(seed).standard_normal((2, c, h, w))
    out = bilinear_upsample_transposed(x, factor)
    assert out.shape == (2, c, factor * h, factor * w)
    ref = upsample_bilinear2d(x, scale_factor=factor)
    # inside = where the source coordinate (o + 1/2) / f - 1/2 lies in [0, n - 1]
    lo = factor // 2
    hi_h, hi_w = (math.floor(factor * (n - 1) + (factor - 1) / 2) for n in (h, w))
    np.testing.assert_allclose(out[..., lo : hi_h + 1, lo : hi_w + 1], ref[..., lo : hi_h + 1, lo : hi_w + 1],
                               rtol=1e-12, atol=1e-12)


@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**16))
def test_bilinear_transposed_is_the_grouped_transposed_conv(factor, h, w, seed):
    x = np.random.default_rng(seed).standard_normal((1, 2, h, w))
    k = np.outer(tent(factor), tent(factor))
    weight = np.stack([k[None], k[None]])
    pad = math.ceil((factor - 1) / 2)
    ref = ref_conv_transpose2d(x, weight, stride=(factor, factor), pads=((pad, pad), (pad, pad)), groups=2)
    np.testing.assert_allclose(bilinear_upsample_transposed(x, factor), ref, rtol=1e-12, atol=1e-12)


def test_bilinear_transposed_border_falls_off():
    # the row above the image is missing: the top row gets 3/4 of the value (f = 2)
    out = bilinear_upsample_transposed(np.ones((1, 1, 3, 3)), 2)[0, 0]
    np.testing.assert_allclose(out[0, 0], 0.75 * 0.75)
    np.testing.assert_allclose(out[0, 2], 0.75)
    np.testing.assert_allclose(out[2:4, 2:4], 1.0)


# --------------------------------------------------------------------------- dtypes

FUNCS = {
    "upsample_nearest2d": lambda x: upsample_nearest2d(x, scale_factor=2),
    "upsample_nearest2d_large": lambda x: upsample_nearest2d(x, size=(70, 70)),
    "upsample_bilinear2d": lambda x: upsample_bilinear2d(x, scale_factor=1.5),
    "upsample_bilinear2d_ac": lambda x: upsample_bilinear2d(x, size=(5, 4), align_corners=True),
    "bed_of_nails2d": lambda x: bed_of_nails2d(x, 2),
    "conv_transpose2d": lambda x: conv_transpose2d(x, np.ones((2, 1, 2, 2), x.dtype), stride=2),
    "bilinear_upsample_transposed": lambda x: bilinear_upsample_transposed(x, 2),
}


@pytest.mark.parametrize("name", sorted(FUNCS))
@pytest.mark.parametrize(
    "dtype, expected", [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64), (bool, np.float64)]
)
def test_dtypes(name, dtype, expected):
    x = (np.arange(2 * 2 * 3 * 3).reshape(2, 2, 3, 3) % 2).astype(dtype)
    out = FUNCS[name](x)
    assert out.dtype == expected
    ref = FUNCS[name](x.astype(np.float64))
    np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)


def test_conv_transpose_mixed_dtypes_promote():
    x32 = np.ones((1, 1, 2, 2), np.float32)
    assert conv_transpose2d(x32, np.ones((1, 1, 2, 2), np.float32)).dtype == np.float32
    assert conv_transpose2d(x32, np.ones((1, 1, 2, 2))).dtype == np.float64
    assert conv_transpose2d(x32, np.ones((1, 1, 2, 2), np.float32), bias=np.ones(1)).dtype == np.float64
    assert conv_transpose2d(x32, np.ones((1, 1, 2, 2), np.int64)).dtype == np.float64


# --------------------------------------------------------------------------- bad input

X = np.ones((1, 2, 3, 3))
W = np.ones((2, 1, 2, 2))

BAD = [
    # upsample_nearest2d
    (lambda: upsample_nearest2d(np.ones((2, 3, 3)), 2), ValueError, "upsample_nearest2d: x must be 4-D"),
    (lambda: upsample_nearest2d(np.ones((1, 1, 0, 3)), 2), ValueError, "x must have H >= 1"),
    (lambda: upsample_nearest2d(np.array([["a"]]), 2), TypeError, "x must hold real numbers"),
    (lambda: upsample_nearest2d(X), ValueError, "exactly one of scale_factor and size"),
    (lambda: upsample_nearest2d(X, scale_factor=2, size=4), ValueError, "exactly one of scale_factor and size"),
    (lambda: upsample_nearest2d(X, scale_factor=0), ValueError, "scale_factor must be a positive number"),
    (lambda: upsample_nearest2d(X, scale_factor=-1.5), ValueError, "scale_factor must be a positive number"),
    (lambda: upsample_nearest2d(X, scale_factor=float("nan")), ValueError, "scale_factor must be"),
    (lambda: upsample_nearest2d(X, scale_factor=float("inf")), ValueError, "scale_factor must be"),
    (lambda: upsample_nearest2d(X, scale_factor="2"), TypeError, "scale_factor must be"),
    (lambda: upsample_nearest2d(X, scale_factor=True), TypeError, "scale_factor must be"),
    (lambda: upsample_nearest2d(X, scale_factor=(2, 2, 2)), TypeError, "scale_factor must be"),
    (lambda: upsample_nearest2d(X, scale_factor=0.2), ValueError, "every output size must be at least 1"),
    (lambda: upsample_nearest2d(X, size=0), ValueError, "size must be"),
    (lambda: upsample_nearest2d(X, size=(2, 2.5)), TypeError, "size must be"),
    (lambda: upsample_nearest2d(X, size=(2, 2, 2)), TypeError, "size must be"),
    # upsample_bilinear2d
    (lambda: upsample_bilinear2d(np.ones(3), 2), ValueError, "upsample_bilinear2d: x must be 4-D"),
    (lambda: upsample_bilinear2d(np.ones((1, 1, 3, 0)), 2), ValueError, "x must have H >= 1 and W >= 1"),
    (lambda: upsample_bilinear2d(X, 2, align_corners="yes"), TypeError, "align_corners must be True or False"),
    (lambda: upsample_bilinear2d(X, 2, align_corners=None), TypeError, "align_corners must be True or False"),
    (lambda: upsample_bilinear2d(X, size=4, scale_factor=2), ValueError, "exactly one of scale_factor"),
    (lambda: upsample_bilinear2d(X, scale_factor=(1, 0)), ValueError, "scale_factor must be"),
    (lambda: upsample_bilinear2d(X, size=-1), ValueError, "size must be"),
    (lambda: upsample_bilinear2d(X.astype(complex), 2), TypeError, "x must hold real numbers"),
    # bed_of_nails2d
    (lambda: bed_of_nails2d(np.ones((3, 3)), 2), ValueError, "bed_of_nails2d: x must be 4-D"),
    (lambda: bed_of_nails2d(X, 0), ValueError, "scale_factor must be"),
    (lambda: bed_of_nails2d(X, 1.5), TypeError, "scale_factor must be"),
    (lambda: bed_of_nails2d(X, (2, 2, 2)), TypeError, "scale_factor must be"),
    (lambda: bed_of_nails2d(np.array([[[["x"]]]]), 2), TypeError, "x must hold real numbers"),
    # conv_transpose2d
    (lambda: conv_transpose2d(np.ones((2, 3, 3)), W), ValueError, "conv_transpose2d: x must be 4-D"),
    (lambda: conv_transpose2d(X, np.ones((2, 1, 2))), ValueError, "weight must be 4-D"),
    (lambda: conv_transpose2d(X, np.ones((2, 1, 0, 2))), ValueError, "weight must not be empty"),
    (lambda: conv_transpose2d(np.ones((1, 2, 0, 3)), W), ValueError, "x must have H >= 1"),
    (lambda: conv_transpose2d(X, np.ones((3, 1, 2, 2))), ValueError, "x has 2 channels but weight expects 3"),
    (lambda: conv_transpose2d(X, W, groups=3), ValueError, "groups=3 must divide the 2 input channels"),
    (lambda: conv_transpose2d(X, W, groups=0), ValueError, "groups must be positive"),
    (lambda: conv_transpose2d(X, W, groups=1.0), TypeError, "groups must be an int"),
    (lambda: conv_transpose2d(X, W, bias=np.ones(2)), ValueError, "bias has shape"),
    (lambda: conv_transpose2d(X, W, bias=np.ones((1, 1))), ValueError, "bias must be 1-D"),
    (lambda: conv_transpose2d(X, W, bias=np.array(["a"])), TypeError, "bias must hold real numbers"),
    (lambda: conv_transpose2d(X, W, stride=0), ValueError, "stride must be"),
    (lambda: conv_transpose2d(X, W, stride=(1, 2, 3)), TypeError, "stride must be"),
    (lambda: conv_transpose2d(X, W, dilation=0), ValueError, "dilation must be"),
    (lambda: conv_transpose2d(X, W, padding=-1), ValueError, "padding must be"),
    (lambda: conv_transpose2d(X, W, padding="same"), ValueError, "padding must be an int"),
    (lambda: conv_transpose2d(X, W, padding=1.5), TypeError, "padding must be"),
    (lambda: conv_transpose2d(X, W, output_padding=-1), ValueError, "output_padding must be"),
    (lambda: conv_transpose2d(X, W, stride=2, output_padding=2), ValueError,
     "output_padding must be smaller than the stride or the dilation"),
    (lambda: conv_transpose2d(X, W, output_padding=1), ValueError,
     "output_padding must be smaller than the stride or the dilation"),
    (lambda: conv_transpose2d(X, W, padding=3), ValueError, "output size .* must be at least 1"),
    (lambda: conv_transpose2d(np.array([[[["a"]]]]), W), TypeError, "x must hold real numbers"),
    # bilinear_kernel / bilinear_upsample_transposed
    (lambda: bilinear_kernel(0), ValueError, "bilinear_kernel: factor must be positive"),
    (lambda: bilinear_kernel(2.0), TypeError, "bilinear_kernel: factor must be an int"),
    (lambda: bilinear_kernel(True), TypeError, "factor must be an int"),
    (lambda: bilinear_upsample_transposed(X, 0), ValueError, "bilinear_upsample_transposed: factor must be positive"),
    (lambda: bilinear_upsample_transposed(X, 1.5), TypeError, "factor must be an int"),
    (lambda: bilinear_upsample_transposed(np.ones((3, 3)), 2), ValueError, "x must be 4-D"),
    (lambda: bilinear_upsample_transposed(np.ones((1, 0, 3, 3)), 2), ValueError, "at least one channel"),
    (lambda: bilinear_upsample_transposed(np.ones((1, 1, 3, 0)), 2), ValueError, "x must have H >= 1"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_output_padding_allowed_below_dilation():
    # PyTorch accepts output_padding >= stride when it is below the dilation
    out = conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), stride=1, dilation=3, output_padding=2)
    ref = ref_conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), op=(2, 2), dilation=(3, 3))
    np.testing.assert_array_equal(out, ref)
