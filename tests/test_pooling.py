"""Tests for convblocks.pooling.

References are independent of the code under test: brute-force loops written
below (following PyTorch's definitions), scipy.ndimage filters, and examples
worked by hand (the course syllabus, chapter 3).
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import ndimage

from convblocks.pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    global_avg_pool2d,
    global_max_pool2d,
    lp_pool2d,
    max_pool2d,
    max_pool2d_backward,
    max_unpool2d,
)

# --------------------------------------------------------------------------- brute-force references


def ref_out_size(n, k, s, before, after, d, ceil_mode):
    """PyTorch's documented formula, in floating point."""
    span = d * (k - 1) + 1
    exact = (n + before + after - span) / s
    out = (math.ceil(exact) if ceil_mode else math.floor(exact)) + 1
    if ceil_mode and (out - 1) * s >= n + before:
        out -= 1
    return out


def ref_max_pool2d(x, k, s, pads, d, ceil_mode):
    """PyTorch's CPU loop: value and flat index of each window maximum."""
    (kh, kw), (sh, sw), ((top, bottom), (left, right)), (dh, dw) = k, s, pads, d
    n_, c_, h, w = x.shape
    oh = ref_out_size(h, kh, sh, top, bottom, dh, ceil_mode)
    ow = ref_out_size(w, kw, sw, left, right, dw, ceil_mode)
    out = np.empty((n_, c_, oh, ow))
    idx = np.empty((n_, c_, oh, ow), dtype=np.int64)
    for n in range(n_):
        for c in range(c_):
            for i in range(oh):
                for j in range(ow):
                    r0, c0 = i * sh - top, j * sw - left
                    fr, fc = r0, c0
                    while fr < 0:
                        fr += dh
                    while fc < 0:
                        fc += dw
                    best, where = -np.inf, fr * w + fc
                    for a in range(kh):
                        for b in range(kw):
                            r, q = r0 + a * dh, c0 + b * dw
                            if 0 <= r < h and 0 <= q < w:
                                v = x[n, c, r, q]
                                if v > best or np.isnan(v):
                                    best, where = v, r * w + q
                    out[n, c, i, j], idx[n, c, i, j] = best, where
    return out, idx


def ref_avg_pool2d(x, k, s, pads, ceil_mode, count_include_pad):
    """Sum of the input pixels of each window over PyTorch's divisor, by counting."""
    (kh, kw), (sh, sw), ((top, bottom), (left, right)) = k, s, pads
    n_, c_, h, w = x.shape
    oh = ref_out_size(h, kh, sh, top, bottom, 1, ceil_mode)
    ow = ref_out_size(w, kw, sw, left, right, 1, ceil_mode)
    out = np.empty((n_, c_, oh, ow))
    for i in range(oh):
        for j in range(ow):
            total = np.zeros((n_, c_))
            in_padded = in_input = 0
            for r in range(i * sh - top, i * sh - top + kh):
                for q in range(j * sw - left, j * sw - left + kw):
                    if -top <= r < h + bottom and -left <= q < w + right:
                        in_padded += 1
                    if 0 <= r < h and 0 <= q < w:
                        in_input += 1
                        total += x[:, :, r, q]
            out[:, :, i, j] = total / (in_padded if count_include_pad else in_input)
    return out


def ref_lp_pool2d(x, p, k, s):
    """(sum over the window of x**p) ** (1/p), full windows only."""
    (kh, kw), (sh, sw) = k, s
    n_, c_, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.empty((n_, c_, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
            out[:, :, i, j] = np.sum(window**p, axis=(2, 3)) ** (1 / p)
    return out


def ref_unpool(x, idx, out_hw):
    out = np.zeros(x.shape[:2] + (out_hw[0] * out_hw[1],))
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for v, i in zip(x[n, c].ravel(), idx[n, c].ravel()):
                out[n, c, i] = v
    return out.reshape(x.shape[:2] + tuple(out_hw))


def ref_max_pool_backward(grad, idx, shape):
    out = np.zeros(shape[:2] + (shape[2] * shape[3],))
    for n in range(grad.shape[0]):
        for c in range(grad.shape[1]):
            for g, i in zip(grad[n, c].ravel(), idx[n, c].ravel()):
                out[n, c, i] += g
    return out.reshape(shape)


# --------------------------------------------------------------------------- strategies


@st.composite
def pool_cases(draw, dilation=True):
    """Random (x, kernel, stride, pads, dilation, ceil_mode) with at least one window."""
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilation else (1, 1)
    pads = tuple((draw(st.integers(0, kk // 2)), draw(st.integers(0, kk // 2))) for kk in k)
    ceil_mode = draw(st.booleans())
    for size, kk, ss, (a, b), dd in zip((h, w), k, s, pads, d):
        assume(ref_out_size(size, kk, ss, a, b, dd, ceil_mode) >= 1)
    seed = draw(st.integers(0, 2**16))
    x = np.random.default_rng(seed).integers(-5, 6, (n, c, h, w)).astype(float)  # ties on purpose
    return x, k, s, pads, d, ceil_mode


def distinct_values(rng, shape):
    """An array whose entries are distinct integers (every maximum is unique)."""
    return rng.permutation(np.prod(shape)).reshape(shape).astype(float) - np.prod(shape) / 2


# --------------------------------------------------------------------------- max_pool2d


class TestMaxPool2d:
    def test_hand_worked_4x4(self):
        # 2x2 windows, stride 2:  [1 3 | 2 1]   max 6 at (1,1) -> 5, max 5 at (1,2) -> 6
        #                         [4 6 | 5 0]
        #                         [7 2 | 9 8]   max 7 at (2,0) -> 8, max 9 at (2,2) -> 10
        #                         [1 0 | 3 4]
        x = np.array([[[[1, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]]]])
        out, idx = max_pool2d(x, 2, return_indices=True)
        np.testing.assert_array_equal(out, [[[[6, 5], [7, 9]]]])
        np.testing.assert_array_equal(idx, [[[[5, 6], [8, 10]]]])

    def test_hand_worked_3x3_stride1_with_padding(self):
        # 3x3 window, stride 1, padding 1 (-inf) on a 2x2 input: every window sees all 4 pixels
        x = np.array([[[[1.0, 4.0], [3.0, 2.0]]]])
        out, idx = max_pool2d(x, 3, stride=1, padding=1, return_indices=True)
        np.testing.assert_array_equal(out, np.full((1, 1, 2, 2), 4.0))
        np.testing.assert_array_equal(idx, np.ones((1, 1, 2, 2)))

    def test_syllabus_26_to_13(self):
        # chapter 3: 2x2/2 keeps one value in four, a 26x26 map becomes 13x13
        x = np.random.default_rng(0).standard_normal((2, 5, 26, 26))
        out = max_pool2d(x, 2, 2)
        assert out.shape == (2, 5, 13, 13)
        assert out.size * 4 == x.size

    def test_ceil_mode_hand_worked(self):
        # 5 columns, 2/2: floor gives 2 windows, ceil a third one holding only column 4
        x = np.arange(10.0).reshape(1, 1, 2, 5)
        np.testing.assert_array_equal(max_pool2d(x, 2, ceil_mode=True), [[[[6, 8, 9]]]])
        np.testing.assert_array_equal(max_pool2d(x, 2), [[[[6, 8]]]])

    def test_ceil_mode_drops_window_starting_in_padding(self):
        # H=4, k=2, s=2, pad=1: ceil((4+2-2)/2)+1 = 3 windows starting at -1, 1, 3; the
        # rule only removes a window starting at >= H + pad = 5, so all 3 stay
        assert max_pool2d(np.zeros((1, 1, 4, 4)), 2, padding=1, ceil_mode=True).shape[2:] == (3, 3)
        # H=5, k=2, s=2, pad=1: ceil(5/2)+1 = 4 windows, the 4th would start at 5 = H: dropped
        assert max_pool2d(np.zeros((1, 1, 5, 5)), 2, padding=1, ceil_mode=True).shape[2:] == (3, 3)

    @given(pool_cases())
    def test_matches_brute_force(self, case):
        x, k, s, pads, d, ceil_mode = case
        out, idx = max_pool2d(x, k, s, pads, d, ceil_mode, return_indices=True)
        ref_out, ref_idx = ref_max_pool2d(x, k, s, pads, d, ceil_mode)
        np.testing.assert_array_equal(out, ref_out)
        np.testing.assert_array_equal(idx, ref_idx)
        np.testing.assert_array_equal(max_pool2d(x, k, s, pads, d, ceil_mode), ref_out)

    @given(pool_cases())
    def test_nan_and_inf_follow_pytorch_loop(self, case):
        x, k, s, pads, d, ceil_mode = case
        x = x.copy()
        x[x == 5] = np.nan
        x[x == -5] = -np.inf
        x[x == 4] = np.inf
        out, idx = max_pool2d(x, k, s, pads, d, ceil_mode, return_indices=True)
        ref_out, ref_idx = ref_max_pool2d(x, k, s, pads, d, ceil_mode)
        np.testing.assert_array_equal(out, ref_out)
        np.testing.assert_array_equal(idx, ref_idx)
        np.testing.assert_array_equal(max_pool2d(x, k, s, pads, d, ceil_mode), ref_out)

    @pytest.mark.parametrize("k", [1, 3, 5])
    @pytest.mark.parametrize("s", [1, 2, 3])
    def test_matches_scipy_maximum_filter(self, rng, k, s):
        # odd window centred on each pixel, -inf outside: scipy's filter, then subsampled
        x = rng.standard_normal((2, 3, 9, 8))
        filtered = ndimage.maximum_filter(x, size=(1, 1, k, k), mode="constant", cval=-np.inf)
        np.testing.assert_array_equal(max_pool2d(x, k, s, padding=k // 2), filtered[..., ::s, ::s])

    def test_matches_scipy_maximum_filter_dilated(self, rng):
        x = rng.standard_normal((1, 2, 10, 9))
        footprint = np.zeros((1, 1, 5, 5), dtype=bool)
        footprint[..., ::2, ::2] = True  # 3x3 taps, dilation 2
        filtered = ndimage.maximum_filter(x, footprint=footprint, mode="constant", cval=-np.inf)
        np.testing.assert_array_equal(max_pool2d(x, 3, 1, padding=0, dilation=2), filtered[..., 2:-2, 2:-2])

    def test_padding_strings(self, rng):
        x = rng.standard_normal((1, 2, 5, 7))
        # "same" at stride 2: ceil(5/2)=3, ceil(7/2)=4; total pad max((o-1)*2+2-n, 0): 1 (after), 0
        out = max_pool2d(x, 2, 2, padding="same")
        ref, _ = ref_max_pool2d(x, (2, 2), (2, 2), ((0, 1), (0, 1)), (1, 1), False)
        assert out.shape[2:] == (3, 4)
        np.testing.assert_array_equal(out, ref)
        np.testing.assert_array_equal(max_pool2d(x, 2, 2, padding="valid"), max_pool2d(x, 2, 2))

    def test_window_entirely_in_padding(self):
        # kernel 2, dilation 3, pad 1 on a 2x2 map: taps at -1 and 2, both outside the input
        out, idx = max_pool2d(np.ones((1, 1, 2, 2)), 2, dilation=3, padding=1, return_indices=True)
        np.testing.assert_array_equal(out, [[[[-np.inf]]]])
        ref_out, ref_idx = ref_max_pool2d(np.ones((1, 1, 2, 2)), (2, 2), (2, 2), ((1, 1), (1, 1)), (3, 3), False)
        np.testing.assert_array_equal(idx, ref_idx)

    def test_stride_defaults_to_kernel(self, rng):
        x = rng.standard_normal((1, 1, 6, 9))
        np.testing.assert_array_equal(max_pool2d(x, (2, 3)), max_pool2d(x, (2, 3), (2, 3)))

    def test_does_not_modify_input(self, rng):
        x = rng.standard_normal((1, 1, 4, 4))
        before = x.copy()
        max_pool2d(x, 2, padding=1, return_indices=True)
        out = max_pool2d(x, 1)  # a single tap: the result must be a copy, not a view of x
        out[...] = 0
        np.testing.assert_array_equal(x, before)


# --------------------------------------------------------------------------- max_pool2d_backward


class TestMaxPool2dBackward:
    def test_hand_worked(self):
        grad = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
        out = max_pool2d_backward(grad, np.array([[[[5, 6], [8, 10]]]]), (1, 1, 4, 4))
        expected = np.zeros((1, 1, 4, 4))
        expected[0, 0, 1, 1], expected[0, 0, 1, 2], expected[0, 0, 2, 0], expected[0, 0, 2, 2] = 1, 2, 3, 4
        np.testing.assert_array_equal(out, expected)

    def test_overlapping_windows_accumulate(self):
        # 3x3 stride 1 on 3x4: the max 9 at (1,1) wins both windows
        x = np.array([[[[0, 1, 0, 0], [2, 9, 3, 1], [0, 1, 0, 0]]]], dtype=float)
        out, idx = max_pool2d(x, 3, 1, return_indices=True)
        np.testing.assert_array_equal(idx, [[[[5, 5]]]])
        grad = max_pool2d_backward(np.array([[[[1.0, 10.0]]]]), idx, x.shape)
        assert grad[0, 0, 1, 1] == 11.0 and grad.sum() == 11.0

    @given(pool_cases(), st.integers(0, 2**16))
    def test_matches_brute_force(self, case, seed):
        x, k, s, pads, d, ceil_mode = case
        out, idx = max_pool2d(x, k, s, pads, d, ceil_mode, return_indices=True)
        assume(np.isfinite(out).all())  # a window lying in the padding has no input pixel
        grad = np.random.default_rng(seed).standard_normal(out.shape)
        np.testing.assert_allclose(max_pool2d_backward(grad, idx, x.shape), ref_max_pool_backward(grad, idx, x.shape))

    @given(pool_cases(), st.integers(0, 2**16))
    def test_equals_finite_differences_when_max_unique(self, case, seed):
        x, k, s, pads, d, ceil_mode = case
        rng = np.random.default_rng(seed)
        x = distinct_values(rng, x.shape)  # distinct integers: every maximum unique, gaps >= 1
        out, idx = max_pool2d(x, k, s, pads, d, ceil_mode, return_indices=True)
        assume(np.isfinite(out).all())
        grad_out = rng.standard_normal(out.shape)

        def loss(z):
            return np.sum(grad_out * max_pool2d(z, k, s, pads, d, ceil_mode))

        eps = 0.25
        numeric = np.zeros_like(x)
        for pos in np.ndindex(x.shape):
            e = np.zeros_like(x)
            e[pos] = eps
            numeric[pos] = (loss(x + e) - loss(x - e)) / (2 * eps)
        np.testing.assert_allclose(max_pool2d_backward(grad_out, idx, x.shape), numeric, atol=1e-12)


# --------------------------------------------------------------------------- avg_pool2d


class TestAvgPool2d:
    def test_hand_worked(self):
        x = np.array([[[[1, 3, 2, 0], [4, 8, 6, 0], [7, 1, 9, 3], [0, 0, 3, 1]]]])
        # (1+3+4+8)/4 = 4, (2+0+6+0)/4 = 2, (7+1+0+0)/4 = 2, (9+3+3+1)/4 = 4
        np.testing.assert_array_equal(avg_pool2d(x, 2), [[[[4, 2], [2, 4]]]])

    def test_ceil_mode_window_past_the_input_divides_by_clipped_size(self):
        # 3x3 map 0..8, 2x2/2, ceil_mode: edge windows hold 2, 2 and 1 pixels
        x = np.arange(9.0).reshape(1, 1, 3, 3)
        expected = [[[[(0 + 1 + 3 + 4) / 4, (2 + 5) / 2], [(6 + 7) / 2, 8 / 1]]]]
        np.testing.assert_array_equal(avg_pool2d(x, 2, ceil_mode=True), expected)

    def test_ceil_mode_window_past_the_padding_hand_worked(self):
        # H=W=4 of ones, k=3, s=2, pad=1, ceil: windows rows [-1,2), [1,4), [3,6).
        # The last is clipped to the padded border [3,5): 2 rows, 1 of them input.
        # Row factors (input rows / divisor): 2/3, 3/3, 1/2 with count_include_pad.
        r = np.array([2 / 3, 1.0, 1 / 2])
        out = avg_pool2d(np.ones((1, 1, 4, 4)), 3, 2, 1, ceil_mode=True)
        np.testing.assert_allclose(out[0, 0], np.outer(r, r))
        out = avg_pool2d(np.ones((1, 1, 4, 4)), 3, 2, 1, ceil_mode=True, count_include_pad=False)
        np.testing.assert_allclose(out[0, 0], np.ones((3, 3)))

    @given(pool_cases(dilation=False), st.booleans())
    def test_matches_brute_force(self, case, count_include_pad):
        x, k, s, pads, _, ceil_mode = case
        np.testing.assert_allclose(
            avg_pool2d(x, k, s, pads, ceil_mode, count_include_pad),
            ref_avg_pool2d(x, k, s, pads, ceil_mode, count_include_pad),
            rtol=1e-12,
            atol=1e-12,
        )

    @pytest.mark.parametrize("k", [1, 3, 5])
    @pytest.mark.parametrize("s", [1, 2])
    def test_matches_scipy_uniform_filter(self, rng, k, s):
        x = rng.standard_normal((2, 2, 8, 9))
        mean = ndimage.uniform_filter(x, size=(1, 1, k, k), mode="constant", cval=0.0)
        np.testing.assert_allclose(avg_pool2d(x, k, s, k // 2), mean[..., ::s, ::s], atol=1e-12)
        # without the padded zeros: divide the window sums by the number of input pixels
        covered = ndimage.uniform_filter(np.ones_like(x), size=(1, 1, k, k), mode="constant", cval=0.0)
        np.testing.assert_allclose(
            avg_pool2d(x, k, s, k // 2, count_include_pad=False), (mean / covered)[..., ::s, ::s], atol=1e-12
        )

    @given(pool_cases(dilation=False), st.floats(-100, 100))
    def test_constant_stays_constant_without_pad_count(self, case, value):
        x, k, s, pads, _, ceil_mode = case
        out = avg_pool2d(np.full(x.shape, value), k, s, pads, ceil_mode, count_include_pad=False)
        np.testing.assert_allclose(out, value, rtol=1e-12, atol=1e-12)

    def test_padding_zeros_are_counted_by_default(self):
        out = avg_pool2d(np.ones((1, 1, 3, 3)), 2, padding=1)
        np.testing.assert_array_equal(out, [[[[0.25, 0.5], [0.5, 1.0]]]])


# --------------------------------------------------------------------------- lp_pool2d


class TestLpPool2d:
    def test_hand_worked_l2(self):
        # windows (3,4,0,0) -> 5, (1,1,1,1) -> 2, (2,2,2,2) -> 4, (0,0,0,5) -> 5
        x = np.array([[[[3, 4, 1, 1], [0, 0, 1, 1], [2, 2, 0, 0], [2, 2, 0, 5]]]])
        np.testing.assert_allclose(lp_pool2d(x, 2, 2), [[[[5, 2], [4, 5]]]])

    @given(pool_cases(dilation=False), st.sampled_from([1, 2, 3, 4, 1.5, 0.5]))
    def test_matches_brute_force_positive_input(self, case, p):
        x, k, s, _, _, _ = case
        x = np.abs(x) + 0.5
        assume(all(n >= kk for n, kk in zip(x.shape[2:], k)))
        np.testing.assert_allclose(lp_pool2d(x, p, k, s), ref_lp_pool2d(x, p, k, s), rtol=1e-12)

    @given(pool_cases(dilation=False), st.sampled_from([1, 2, 4]))
    def test_integer_powers_on_signed_input(self, case, p):
        # p = 1: the plain window sum (negative sums stay negative); even p: the p-norm
        x, k, s, _, _, _ = case
        assume(all(n >= kk for n, kk in zip(x.shape[2:], k)))
        np.testing.assert_allclose(lp_pool2d(x, p, k, s), ref_lp_pool2d(x, p, k, s), rtol=1e-12, atol=1e-12)

    def test_odd_power_of_negative_sum_is_nan(self):
        # (-8)**(1/3) has no real value in floating point: NaN, as in PyTorch (no abs)
        x = np.array([[[[-2.0, 0.0], [0.0, 0.0]]]])
        assert np.isnan(lp_pool2d(x, 3, 2)).all()
        np.testing.assert_allclose(lp_pool2d(-x, 3, 2), [[[[2.0]]]])

    def test_infinite_power_is_max_of_abs(self, rng):
        x = rng.standard_normal((2, 2, 6, 6))
        np.testing.assert_array_equal(lp_pool2d(x, np.inf, 3, 2), max_pool2d(np.abs(x), 3, 2))
        smallest = -max_pool2d(-np.abs(x), 3, 2)
        np.testing.assert_array_equal(lp_pool2d(x, -np.inf, 3, 2), smallest)

    def test_ceil_mode_scales_partial_window_to_full_size(self):
        # PyTorch computes (kH*kW * mean(x**p))**(1/p): a partial window of ones
        # counts as a full window of ones, sqrt(4 * 1) = 2
        np.testing.assert_allclose(lp_pool2d(np.ones((1, 1, 3, 3)), 2, 2, ceil_mode=True), np.full((1, 1, 2, 2), 2.0))


# --------------------------------------------------------------------------- global pooling


class TestGlobalPools:
    @given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 8), st.integers(1, 8), st.integers(0, 2**16))
    def test_equal_mean_and_max(self, n, c, h, w, seed):
        x = np.random.default_rng(seed).standard_normal((n, c, h, w))
        avg, mx = global_avg_pool2d(x), global_max_pool2d(x)
        assert avg.shape == mx.shape == (n, c, 1, 1)
        for i in range(n):
            for j in range(c):
                assert avg[i, j, 0, 0] == pytest.approx(np.mean(x[i, j]), rel=1e-12, abs=1e-14)
                assert mx[i, j, 0, 0] == max(x[i, j].ravel())
        np.testing.assert_allclose(avg, avg_pool2d(x, (h, w)), rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(mx, max_pool2d(x, (h, w)))

    def test_head_is_size_independent(self, rng):
        # chapter 3: a 256x256 and a 320x360 input give the same (N, C, 1, 1) head input
        for h, w in [(8, 8), (10, 11)]:
            assert global_avg_pool2d(rng.standard_normal((1, 16, h, w))).shape == (1, 16, 1, 1)

    def test_hand_worked(self):
        x = np.arange(8).reshape(1, 2, 2, 2)  # maps [0..3] and [4..7]
        np.testing.assert_array_equal(global_avg_pool2d(x).ravel(), [1.5, 5.5])
        np.testing.assert_array_equal(global_max_pool2d(x).ravel(), [3, 7])


# --------------------------------------------------------------------------- max_unpool2d


class TestMaxUnpool2d:
    def test_hand_worked(self):
        out = max_unpool2d(np.array([[[[6, 5], [7, 9]]]]), np.array([[[[5, 6], [8, 10]]]]), 2)
        expected = np.zeros((1, 1, 4, 4))
        expected[0, 0, 1, 1], expected[0, 0, 1, 2], expected[0, 0, 2, 0], expected[0, 0, 2, 2] = 6, 5, 7, 9
        np.testing.assert_array_equal(out, expected)

    @given(pool_cases(dilation=False), st.integers(0, 2**16))
    def test_puts_each_max_back_at_its_argmax(self, case, seed):
        x, k, s, pads, _, ceil_mode = case
        x = distinct_values(np.random.default_rng(seed), x.shape) + x.size  # distinct, positive
        pooled, idx = max_pool2d(x, k, s, pads, 1, ceil_mode, return_indices=True)
        assume(np.isfinite(pooled).all())
        h, w = x.shape[2:]
        # max_unpool2d takes the same padding on both sides; (H, W) is then always reachable
        padding = tuple(before if before == after else 0 for before, after in pads)
        try:
            out = max_unpool2d(pooled, idx, k, s, padding, output_size=(h, w))
        except ValueError:
            assume(False)  # asymmetric padding: (H, W) may lie outside the reachable range
        for n in range(x.shape[0]):
            for c in range(x.shape[1]):
                kept = set(idx[n, c].ravel())
                for p in range(h * w):
                    r, q = divmod(p, w)
                    assert out[n, c, r, q] == (x[n, c, r, q] if p in kept else 0)

    @given(pool_cases(dilation=False), st.integers(0, 2**16))
    def test_matches_brute_force(self, case, seed):
        x, k, s, _, _, _ = case
        rng = np.random.default_rng(seed)
        assume(all(n >= kk for n, kk in zip(x.shape[2:], k)))  # unpadded windows fit
        pooled, idx = max_pool2d(x, k, s, 0, return_indices=True)
        default = tuple((n - 1) * ss + kk for n, kk, ss in zip(pooled.shape[2:], k, s))
        if idx.max() < default[0] * default[1]:
            np.testing.assert_array_equal(max_unpool2d(pooled, idx, k, s), ref_unpool(pooled, idx, default))
        else:  # pooling dropped the last rows/columns: the default size is too small
            with pytest.raises(ValueError, match="indices must lie in"):
                max_unpool2d(pooled, idx, k, s)
        np.testing.assert_array_equal(
            max_unpool2d(pooled, idx, k, s, output_size=x.shape[2:]), ref_unpool(pooled, idx, x.shape[2:])
        )
        values = rng.standard_normal(pooled.shape)
        np.testing.assert_array_equal(
            max_unpool2d(values, idx, k, s, output_size=x.shape), ref_unpool(values, idx, x.shape[2:])
        )

    def test_odd_input_needs_output_size(self):
        x = np.arange(25.0).reshape(1, 1, 5, 5)
        pooled, idx = max_pool2d(x, 2, return_indices=True)
        with pytest.raises(ValueError, match="indices must lie in"):
            max_unpool2d(pooled, idx, 2)  # default 4x4 cannot hold index 18 = (3, 3)
        out = max_unpool2d(pooled, idx, 2, output_size=(5, 5))
        assert out.shape == (1, 1, 5, 5) and out[0, 0, 3, 3] == 18

    def test_padding_shrinks_default_size(self):
        # (n-1)*s - 2p + k = (3-1)*2 - 2 + 3 = 5
        out = max_unpool2d(np.ones((1, 1, 3, 3)), np.zeros((1, 1, 3, 3), dtype=int), 3, 2, 1)
        assert out.shape == (1, 1, 5, 5)


# --------------------------------------------------------------------------- shift invariance, measured


class TestShiftInvariance:
    def test_one_pixel_shift_keeps_about_a_third_of_max_outputs(self):
        # iid input, 2x2/2 windows shifted by one column: an output survives when the
        # maximum of the 6 pixels of both windows sits in the 2 shared ones (1/3)
        x = np.random.default_rng(0).standard_normal((4, 4, 32, 33))
        a = max_pool2d(x[..., :-1], 2)
        b = max_pool2d(x[..., 1:], 2)
        unchanged = np.mean(a == b)
        assert 0.28 < unchanged < 0.39
        # average pooling and plain subsampling keep nothing under the same shift
        assert np.mean(avg_pool2d(x[..., :-1], 2) == avg_pool2d(x[..., 1:], 2)) == 0
        assert np.mean(x[..., :-1][..., ::2, ::2] == x[..., 1:][..., ::2, ::2]) == 0

    def test_invariance_is_local(self):
        # a single bright pixel: moving it inside its window changes nothing,
        # moving it into the next window moves the output
        x = np.zeros((1, 1, 8, 8))
        x[0, 0, 2, 2] = 1.0
        moved_inside = np.roll(x, (1, 1), axis=(2, 3))
        moved_out = np.roll(x, 2, axis=3)
        np.testing.assert_array_equal(max_pool2d(moved_inside, 2), max_pool2d(x, 2))
        assert not np.array_equal(max_pool2d(moved_out, 2), max_pool2d(x, 2))

    @given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**16))
    def test_shift_by_stride_shifts_output(self, k, shift, seed):
        x = np.random.default_rng(seed).standard_normal((1, 2, 4 * k + k * shift, 4 * k))
        out = max_pool2d(x, k)
        shifted = max_pool2d(x[..., k * shift :, :], k)
        np.testing.assert_array_equal(shifted, out[..., shift:, :])


# --------------------------------------------------------------------------- dtypes


X4 = np.arange(32).reshape(1, 2, 4, 4)
IDX = np.zeros((1, 2, 2, 2), dtype=np.int64)
CALLS = {
    "max_pool2d": lambda x: max_pool2d(x, 2),
    "max_pool2d_indices": lambda x: max_pool2d(x, 3, 1, 1, return_indices=True)[0],
    "max_pool2d_backward": lambda g: max_pool2d_backward(g[..., :2, :2], IDX, (1, 2, 4, 4)),
    "avg_pool2d": lambda x: avg_pool2d(x, 3, 2, 1, ceil_mode=True),
    "lp_pool2d": lambda x: lp_pool2d(x, 2, 2),
    "lp_pool2d_odd": lambda x: lp_pool2d(x, 3, 2, 1, ceil_mode=True),
    "lp_pool2d_inf": lambda x: lp_pool2d(x, np.inf, 2),
    "global_avg_pool2d": global_avg_pool2d,
    "global_max_pool2d": global_max_pool2d,
    "max_unpool2d": lambda x: max_unpool2d(x[..., :2, :2], IDX, 2),
}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize(
    "dtype, expected",
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int64, np.float64),
        (np.uint8, np.float64),
        (bool, np.float64),
    ],
)
def test_dtype(name, dtype, expected):
    x = (X4 % 7 > 2) if dtype is bool else X4.astype(dtype)
    assert CALLS[name](x).dtype == expected


@pytest.mark.parametrize("name", CALLS)
def test_float32_agrees_with_float64(name):
    x = np.random.default_rng(1).standard_normal((1, 2, 4, 4))
    np.testing.assert_allclose(CALLS[name](x.astype(np.float32)), CALLS[name](x), rtol=1e-5, atol=1e-6)


def test_indices_are_int64():
    _, idx = max_pool2d(np.ones((1, 1, 4, 4), dtype=np.float32), 2, return_indices=True)
    assert idx.dtype == np.int64


def test_lists_are_accepted():
    np.testing.assert_array_equal(max_pool2d([[[[1, 2], [3, 4]]]], 2), [[[[4.0]]]])


# --------------------------------------------------------------------------- bad input

X = np.zeros((1, 1, 4, 4))
G = np.zeros((1, 1, 2, 2))
I2 = np.zeros((1, 1, 2, 2), dtype=np.int64)
S4 = (1, 1, 4, 4)

BAD = [
    # max_pool2d
    (max_pool2d, (np.zeros((4, 4)), 2), {}, ValueError, "max_pool2d: x must be 4-D"),
    (max_pool2d, (np.array([[[["a"]]]]), 1), {}, TypeError, "max_pool2d: x must hold real numbers"),
    (max_pool2d, (np.zeros((1, 1, 0, 4)), 1), {}, ValueError, "max_pool2d: x must have H >= 1"),
    (max_pool2d, (X, 0), {}, ValueError, "max_pool2d: kernel_size"),
    (max_pool2d, (X, 2.0), {}, TypeError, "max_pool2d: kernel_size"),
    (max_pool2d, (X, (2, 2, 2)), {}, TypeError, "max_pool2d: kernel_size"),
    (max_pool2d, (X, 2, 0), {}, ValueError, "max_pool2d: stride"),
    (max_pool2d, (X, 2), {"dilation": 0}, ValueError, "max_pool2d: dilation"),
    (max_pool2d, (X, 2), {"padding": -1}, ValueError, "max_pool2d: padding"),
    (max_pool2d, (X, 2), {"padding": 2}, ValueError, "max_pool2d: padding must be at most half"),
    (max_pool2d, (X, 3), {"padding": ((0, 2), (0, 0))}, ValueError, "max_pool2d: padding must be at most half"),
    (max_pool2d, (X, 2), {"padding": "full"}, ValueError, "max_pool2d: padding"),
    (max_pool2d, (X, 5), {}, ValueError, "max_pool2d: kernel spans"),
    (max_pool2d, (X, 5, 1), {"ceil_mode": True}, ValueError, "max_pool2d: kernel spans .* ceil_mode"),
    (max_pool2d, (X, 6, 2), {"ceil_mode": True}, ValueError, "max_pool2d: kernel spans .* stride - 1 = "),
    (max_pool2d, (X, 2), {"ceil_mode": "yes"}, TypeError, "max_pool2d: ceil_mode"),
    (max_pool2d, (X, 2), {"return_indices": 1}, TypeError, "max_pool2d: return_indices"),
    # max_pool2d_backward
    (max_pool2d_backward, (np.zeros((2, 2)), I2, S4), {}, ValueError, "max_pool2d_backward: grad_out must be 4-D"),
    (max_pool2d_backward, (np.array([[[["x"]]]]), I2, S4), {}, TypeError, "max_pool2d_backward: grad_out"),
    (max_pool2d_backward, (G, I2.astype(float), S4), {}, TypeError, "max_pool2d_backward: indices must be an integer"),
    (max_pool2d_backward, (G, I2[..., :1], S4), {}, ValueError, "max_pool2d_backward: indices must have the shape"),
    (max_pool2d_backward, (G, I2, (1, 4, 4)), {}, TypeError, "max_pool2d_backward: input_shape"),
    (max_pool2d_backward, (G, I2, 4), {}, TypeError, "max_pool2d_backward: input_shape"),
    (max_pool2d_backward, (G, I2, (1, 1, 4.0, 4)), {}, TypeError, "max_pool2d_backward: input_shape"),
    (max_pool2d_backward, (G, I2, (1, 1, 0, 4)), {}, ValueError, "max_pool2d_backward: input_shape"),
    (max_pool2d_backward, (G, I2, (2, 1, 4, 4)), {}, ValueError, "max_pool2d_backward: input_shape .* N and C"),
    (max_pool2d_backward, (G, I2 + 16, S4), {}, ValueError, r"max_pool2d_backward: indices must lie in \[0, 16\)"),
    (max_pool2d_backward, (G, I2 - 1, S4), {}, ValueError, "max_pool2d_backward: indices must lie in .* got -1"),
    # avg_pool2d
    (avg_pool2d, (np.zeros((1, 4, 4)), 2), {}, ValueError, "avg_pool2d: x must be 4-D"),
    (avg_pool2d, (np.zeros((1, 1, 4, 4), dtype=complex), 2), {}, TypeError, "avg_pool2d: x must hold real numbers"),
    (avg_pool2d, (X, -1), {}, ValueError, "avg_pool2d: kernel_size"),
    (avg_pool2d, (X, 2, (1, 0)), {}, ValueError, "avg_pool2d: stride"),
    (avg_pool2d, (X, 2), {"padding": 3}, ValueError, "avg_pool2d: padding must be at most half"),
    (avg_pool2d, (X, 2), {"padding": "nope"}, ValueError, "avg_pool2d: padding"),
    (avg_pool2d, (X, (5, 1)), {}, ValueError, "avg_pool2d: kernel spans"),
    (avg_pool2d, (X, 2), {"ceil_mode": None}, TypeError, "avg_pool2d: ceil_mode"),
    (avg_pool2d, (X, 2), {"count_include_pad": "no"}, TypeError, "avg_pool2d: count_include_pad"),
    # lp_pool2d
    (lp_pool2d, (np.zeros((4, 4)), 2, 2), {}, ValueError, "lp_pool2d: x must be 4-D"),
    (lp_pool2d, (X, "2", 2), {}, TypeError, "lp_pool2d: norm_type"),
    (lp_pool2d, (X, True, 2), {}, TypeError, "lp_pool2d: norm_type"),
    (lp_pool2d, (X, 0, 2), {}, ValueError, "lp_pool2d: norm_type must be a non-zero"),
    (lp_pool2d, (X, np.nan, 2), {}, ValueError, "lp_pool2d: norm_type"),
    (lp_pool2d, (X, 2, 0), {}, ValueError, "lp_pool2d: kernel_size"),
    (lp_pool2d, (X, 2, "2"), {}, TypeError, "lp_pool2d: kernel_size"),
    (lp_pool2d, (X, 2, 2, 0), {}, ValueError, "lp_pool2d: stride"),
    (lp_pool2d, (X, np.inf, 5), {}, ValueError, "lp_pool2d: kernel spans"),
    (lp_pool2d, (X, 2, 5), {}, ValueError, "lp_pool2d: kernel spans"),
    (lp_pool2d, (X, 2, 2), {"ceil_mode": 0}, TypeError, "lp_pool2d: ceil_mode"),
    # global pools
    (global_avg_pool2d, (np.zeros((2, 2)),), {}, ValueError, "global_avg_pool2d: x must be 4-D"),
    (global_avg_pool2d, (np.zeros((1, 1, 3, 0)),), {}, ValueError, "global_avg_pool2d: x must have H >= 1"),
    (global_avg_pool2d, ([[[["a"]]]],), {}, TypeError, "global_avg_pool2d: x"),
    (global_max_pool2d, (np.zeros((1, 2, 2, 2, 2)),), {}, ValueError, "global_max_pool2d: x must be 4-D"),
    (global_max_pool2d, (np.zeros((1, 1, 0, 3)),), {}, ValueError, "global_max_pool2d: x must have H >= 1"),
    (global_max_pool2d, (np.array([[[[None]]]]),), {}, TypeError, "global_max_pool2d: x"),
    # max_unpool2d
    (max_unpool2d, (np.zeros((2, 2)), I2, 2), {}, ValueError, "max_unpool2d: x must be 4-D"),
    (max_unpool2d, (G, I2.astype(np.float32), 2), {}, TypeError, "max_unpool2d: indices must be an integer"),
    (max_unpool2d, (G, I2[:, :, :1], 2), {}, ValueError, "max_unpool2d: indices must have the shape"),
    (max_unpool2d, (G, I2, 0), {}, ValueError, "max_unpool2d: kernel_size"),
    (max_unpool2d, (G, I2, 2, 0), {}, ValueError, "max_unpool2d: stride"),
    (max_unpool2d, (G, I2, 2), {"padding": -1}, ValueError, "max_unpool2d: padding"),
    (max_unpool2d, (G, I2, 2), {"padding": ((1, 0), (0, 1))}, TypeError, "max_unpool2d: padding"),
    (max_unpool2d, (G, I2, 2), {"output_size": (8, 8)}, ValueError, "max_unpool2d: output_size .* not reachable"),
    (max_unpool2d, (G, I2, 2), {"output_size": (2, 4)}, ValueError, "max_unpool2d: output_size"),
    (max_unpool2d, (G, I2, 2), {"output_size": (4, 4, 4)}, TypeError, "max_unpool2d: output_size"),
    (max_unpool2d, (G, I2, 2), {"output_size": 4}, TypeError, "max_unpool2d: output_size"),
    (max_unpool2d, (G, I2, 2), {"output_size": (4.0, 4)}, TypeError, "max_unpool2d: output_size"),
    (max_unpool2d, (G, I2, 1, 1, 2), {}, ValueError, r"max_unpool2d: the output would be \(-2, -2\)"),
    (max_unpool2d, (G, I2 + 16, 2), {}, ValueError, r"max_unpool2d: indices must lie in \[0, 16\)"),
]


@pytest.mark.parametrize(
    "func, args, kwargs, exc, match", BAD, ids=[f"{case[0].__name__}-{i}" for i, case in enumerate(BAD)]
)
def test_bad_input(func, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        func(*args, **kwargs)


def test_unpool_to_an_empty_output_like_pytorch():
    # one pooled pixel, kernel 2 with padding 1: (1 - 1) * 1 - 2 * 1 + 2 = 0 rows and columns.
    # PyTorch accepts this and returns an empty map (the values have nowhere to go).
    out = max_unpool2d(np.ones((2, 3, 1, 1)), np.zeros((2, 3, 1, 1), dtype=int), 2, 1, 1)
    assert out.shape == (2, 3, 0, 0)
    out = max_unpool2d(np.ones((1, 1, 1, 3)), np.zeros((1, 1, 1, 3), dtype=int), (2, 1), 1, (1, 0))
    assert out.shape == (1, 1, 0, 3)


def test_full_shape_output_size_is_accepted():
    out = max_unpool2d(G, I2, 2, output_size=(1, 1, 5, 5))
    assert out.shape == (1, 1, 5, 5)


def test_empty_batch():
    x = np.zeros((0, 3, 4, 4))
    out, idx = max_pool2d(x, 2, return_indices=True)
    assert out.shape == idx.shape == (0, 3, 2, 2)
    assert max_pool2d_backward(out, idx, x.shape).shape == x.shape
    assert max_unpool2d(out, idx, 2).shape == x.shape
    assert avg_pool2d(x, 2).shape == lp_pool2d(x, 2, 2).shape == (0, 3, 2, 2)


# --------------------------------------------------------------------------- avg_pool2d_backward


@pytest.mark.parametrize("shape, k, s, p, ceil_mode, count_include_pad", [
    ((2, 3, 6, 6), 2, None, 0, False, True),
    ((1, 2, 7, 5), 3, 2, 1, False, True),
    ((1, 2, 7, 5), 3, 2, 1, False, False),
    ((2, 1, 8, 7), (3, 2), (2, 1), (1, 0), True, True),
    ((1, 1, 5, 5), 2, 2, 1, True, False),
])
def test_avg_pool2d_backward_is_the_adjoint(shape, k, s, p, ceil_mode, count_include_pad):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape)
    kw = dict(stride=s, padding=p, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    y = avg_pool2d(x, k, **kw)
    g = rng.standard_normal(y.shape)
    gx = avg_pool2d_backward(g, shape, k, **kw)
    assert gx.shape == shape
    assert np.sum(y * g) == pytest.approx(np.sum(x * gx), rel=1e-12)  # <A x, g> = <x, A^T g>


def test_avg_pool2d_backward_matches_a_loop_and_keeps_float32():
    rng = np.random.default_rng(8)
    g = rng.standard_normal((1, 1, 3, 3)).astype(np.float32)
    gx = avg_pool2d_backward(g, (1, 1, 7, 7), 3, stride=2)
    ref = np.zeros((7, 7))
    for i in range(3):
        for j in range(3):
            ref[2 * i:2 * i + 3, 2 * j:2 * j + 3] += g[0, 0, i, j] / 9
    assert gx.dtype == np.float32 and np.allclose(gx[0, 0], ref, atol=1e-6)


def test_avg_pool2d_backward_refuses_bad_input():
    with pytest.raises(ValueError, match=r"grad_out must have the shape of the forward output \(1, 1, 2, 2\)"):
        avg_pool2d_backward(np.ones((1, 1, 3, 3)), (1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match="must have the N and C of grad_out"):
        avg_pool2d_backward(np.ones((1, 1, 2, 2)), (1, 2, 4, 4), 2)
    with pytest.raises(TypeError, match="input_shape must be a tuple"):
        avg_pool2d_backward(np.ones((1, 1, 2, 2)), (4, 4), 2)
    with pytest.raises(ValueError, match="padding must be at most half the kernel"):
        avg_pool2d_backward(np.ones((1, 1, 2, 2)), (1, 1, 4, 4), 2, padding=2)
