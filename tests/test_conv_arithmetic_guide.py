"""The 15 relationships of Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016).

One test per relationship, numbered as in the guide, each checked on the real
operations of convblocks (conv2d, max_pool2d/avg_pool2d, conv_transpose2d), not
only on the formulas of convblocks.arithmetic. Notation of the guide: input size
``i``, kernel size ``k``, stride ``s``, zero padding ``p`` (both sides), output
size ``o``; primes for the transposed convolution, whose input ``i'`` is the
output of the direct convolution it transposes.

For the transposed relationships (8-14) each test checks three things:

* the output size formula,
* that conv_transpose2d equals the guide's "equivalent direct convolution": a
  stride-1 conv2d with the kernel flipped (and its in/out channels swapped) on
  the input stretched by ``s - 1`` zeros between pixels and zero-padded by
  ``p' = k - p - 1`` (plus ``a`` extra rows/columns bottom/right),
* that it is the transpose (adjoint) of the direct convolution with the same
  ``k, s, p``: ``<conv2d(x), y> == <conv_transpose2d(y), x>``, and maps ``i'``
  back to ``i``.
"""

import numpy as np
import pytest
import scipy.signal

import convblocks
from convblocks.arithmetic import conv_output_size, conv_transpose_output_size, same_padding

C_IN, C_OUT = 2, 3


def op(name):
    """A convblocks operation by name; fail clearly if it has not been written yet."""
    func = getattr(convblocks, name, None)
    if func is None:
        pytest.fail(f"convblocks.{name} does not exist (yet)")
    return func


def image(i, channels=C_IN, seed=0):
    return np.random.default_rng(seed).standard_normal((1, channels, i, i))


def kernel(k, c_out=C_OUT, c_in=C_IN, seed=1):
    return np.random.default_rng(seed).standard_normal((c_out, c_in, k, k))


def conv_out(i, k, s=1, p=0, d=1):
    """Size of conv2d's output on an i x i image (from the real operation)."""
    x, w = np.zeros((1, 1, i, i)), np.zeros((1, 1, k, k))
    return op("conv2d")(x, w, stride=s, padding=p, dilation=d).shape[-1]


def stretch(x, s):
    """Insert s - 1 zeros between neighbouring pixels (the guide's stretched input)."""
    n, c, h, w = x.shape
    out = np.zeros((n, c, (h - 1) * s + 1, (w - 1) * s + 1), dtype=x.dtype)
    out[:, :, ::s, ::s] = x
    return out


def zero_pad(x, before, after):
    """Zero padding with plain NumPy (before = top/left, after = bottom/right)."""
    return np.pad(x, ((0, 0), (0, 0), (before, after), (before, after)))


def flipped(weight_t):
    """Direct-conv weight (C_out, C_in, k, k) equivalent to a transposed-conv weight (C_in, C_out, k, k)."""
    return weight_t.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]


def check_transposed(i, k, s, p, a=0):
    """The three checks of a transposed relationship; returns o' for the caller's formula."""
    conv2d, conv_transpose2d = op("conv2d"), op("conv_transpose2d")
    i_prime = conv_out(i, k, s, p)
    y = image(i_prime, channels=C_OUT, seed=2)
    w = kernel(k)  # (C_OUT, C_IN, k, k): conv2d maps C_IN -> C_OUT, its transpose C_OUT -> C_IN
    out = conv_transpose2d(y, w, stride=s, padding=p, output_padding=a)

    # the equivalent direct convolution of the guide
    p_prime = k - p - 1
    direct = conv2d(zero_pad(stretch(y, s), p_prime, p_prime + a), flipped(w))
    np.testing.assert_allclose(out, direct, rtol=1e-10, atol=1e-10)

    # it goes back to the shape of the direct convolution's input ...
    assert out.shape == (1, C_IN, i, i)
    # ... and it is that convolution's transpose: <C x, y> = <x, C^T y>
    x = image(i, seed=3)
    lhs = np.sum(conv2d(x, w, stride=s, padding=p) * y)
    np.testing.assert_allclose(lhs, np.sum(x * out), rtol=1e-10)
    return i_prime, out.shape[-1]


# --------------------------------------------------------------------------- convolution arithmetic


@pytest.mark.parametrize("i, k", [(4, 3), (5, 5), (7, 1), (6, 4)])
def test_relationship_01_no_padding_unit_strides(i, k):
    """Relationship 1. Unit stride, no padding: the kernel fits at i - k + 1 places.

    o = (i - k) + 1 (the guide's figure: i = 4, k = 3 gives a 2 x 2 output).
    """
    o = (i - k) + 1
    out = op("conv2d")(image(i), kernel(k))
    assert out.shape == (1, C_OUT, o, o)
    assert conv_output_size(i, k) == o
    # a valid cross-correlation, channel by channel, gives the same numbers
    x, w = image(i), kernel(k)
    ref = sum(scipy.signal.correlate2d(x[0, c], w[0, c], mode="valid") for c in range(C_IN))
    np.testing.assert_allclose(out[0, 0], ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("i, k, p", [(5, 4, 2), (4, 3, 1), (3, 3, 3), (6, 2, 1)])
def test_relationship_02_zero_padding_unit_strides(i, k, p):
    """Relationship 2. Unit stride, padding p: padding makes the input i + 2p long.

    o = (i - k) + 2p + 1 (the guide's figure: i = 5, k = 4, p = 2 gives 6).
    """
    o = (i - k) + 2 * p + 1
    assert op("conv2d")(image(i), kernel(k), padding=p).shape == (1, C_OUT, o, o)
    assert conv_output_size(i, k, padding=p) == o


@pytest.mark.parametrize("i, k", [(5, 3), (4, 1), (6, 5), (2, 7)])
def test_relationship_03_half_padding(i, k):
    """Relationship 3. Half ("same") padding: odd k = 2n + 1, s = 1, p = floor(k/2) = n.

    o = i + 2 floor(k/2) - (k - 1) = i: the output keeps the input size.
    """
    p = k // 2
    assert op("conv2d")(image(i), kernel(k), padding=p).shape[-1] == i
    assert op("conv2d")(image(i), kernel(k), padding="same").shape[-1] == i
    assert same_padding(i, k) == (p, p)


@pytest.mark.parametrize("i, k", [(5, 3), (2, 3), (4, 4), (3, 1)])
def test_relationship_04_full_padding(i, k):
    """Relationship 4. Full padding p = k - 1, s = 1: every overlap, even partial, counts.

    o = i + 2(k - 1) - (k - 1) = i + (k - 1): the output is larger than the input,
    and equals the "full" cross-correlation of signal processing.
    """
    x, w = image(i), kernel(k)
    out = op("conv2d")(x, w, padding=k - 1)
    assert out.shape[-1] == i + (k - 1)
    ref = sum(scipy.signal.correlate2d(x[0, c], w[1, c], mode="full") for c in range(C_IN))
    np.testing.assert_allclose(out[0, 1], ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("i, k, s", [(5, 3, 2), (6, 3, 2), (7, 2, 3), (9, 4, 4), (3, 3, 5)])
def test_relationship_05_no_padding_non_unit_strides(i, k, s):
    """Relationship 5. No padding, stride s: the kernel jumps s pixels until it reaches the end.

    o = floor((i - k) / s) + 1; the floor drops the input pixels the last jump cannot reach.
    """
    o = (i - k) // s + 1
    out = op("conv2d")(image(i), kernel(k), stride=s)
    assert out.shape[-1] == o
    # striding is subsampling the stride-1 output (the guide's alternative view)
    full = op("conv2d")(image(i), kernel(k))
    np.testing.assert_allclose(out, full[:, :, ::s, ::s], rtol=1e-12)


@pytest.mark.parametrize("i, k, s, p", [(5, 3, 2, 1), (6, 3, 2, 1), (7, 4, 3, 2), (8, 1, 3, 1)])
def test_relationship_06_zero_padding_non_unit_strides(i, k, s, p):
    """Relationship 6. The general case: padding p and stride s.

    o = floor((i + 2p - k) / s) + 1. When i + 2p - k is a multiple of s, the s input
    sizes i, i + 1, ..., i + s - 1 all give the same o (the guide's 5 x 5 and 6 x 6
    inputs with k = 3, s = 2, p = 1 both give 3 x 3).
    """
    o = (i + 2 * p - k) // s + 1
    assert op("conv2d")(image(i), kernel(k), stride=s, padding=p).shape[-1] == o
    assert conv_output_size(i, k, s, p) == o
    base = i - (i + 2 * p - k) % s  # the smallest size with the same output
    for a in range(s):
        assert conv_out(base + a, k, s, p) == o


# --------------------------------------------------------------------------- pooling


@pytest.mark.parametrize("i, k, s", [(5, 3, 1), (26, 2, 2), (7, 3, 2), (6, 4, 3), (4, 4, 1)])
def test_relationship_07_pooling(i, k, s):
    """Relationship 7. Pooling (no padding) slides its window like a convolution.

    o = floor((i - k) / s) + 1, whatever the pooling function (max, average, ...).
    """
    o = (i - k) // s + 1
    x = image(i)
    assert op("max_pool2d")(x, k, stride=s).shape == (1, C_IN, o, o)
    assert op("avg_pool2d")(x, k, stride=s).shape == (1, C_IN, o, o)
    assert conv_output_size(i, k, s) == o


# --------------------------------------------------------------------------- transposed convolution


@pytest.mark.parametrize("i, k", [(4, 3), (5, 1), (3, 3), (6, 4)])
def test_relationship_08_no_padding_unit_strides_transposed(i, k):
    """Relationship 8. The transpose of a (s = 1, p = 0, k) convolution is a direct
    convolution with k' = k, s' = 1 and full padding p' = k - 1.

    o' = i' + (k - 1) (the guide: 2 x 2 back to 4 x 4 with k = 3).
    """
    i_prime, o_prime = check_transposed(i, k, 1, 0)
    assert o_prime == i_prime + (k - 1)
    assert conv_transpose_output_size(i_prime, k) == o_prime


@pytest.mark.parametrize("i, k, p", [(5, 4, 2), (5, 3, 1), (4, 4, 3), (6, 3, 2)])
def test_relationship_09_zero_padding_unit_strides_transposed(i, k, p):
    """Relationship 9. The transpose of a (s = 1, k, p) convolution pads less:
    k' = k, s' = 1, p' = k - p - 1.

    o' = i' + (k - 1) - 2p (the guide: i = 5, k = 4, p = 2 gives i' = 6 and back to 5).
    """
    i_prime, o_prime = check_transposed(i, k, 1, p)
    assert o_prime == i_prime + (k - 1) - 2 * p
    assert conv_transpose_output_size(i_prime, k, padding=p) == o_prime


@pytest.mark.parametrize("i, k", [(5, 3), (4, 5), (3, 1), (6, 7)])
def test_relationship_10_half_padding_transposed(i, k):
    """Relationship 10. The transpose of a half-padded convolution (odd k, s = 1,
    p = floor(k/2)) is itself half padded: k' = k, s' = 1, p' = p.

    o' = i' + (k - 1) - 2p = i'.
    """
    p = k // 2
    assert k - p - 1 == p  # p' = p
    i_prime, o_prime = check_transposed(i, k, 1, p)
    assert o_prime == i_prime == i


@pytest.mark.parametrize("i, k", [(5, 3), (2, 4), (3, 1), (4, 2)])
def test_relationship_11_full_padding_transposed(i, k):
    """Relationship 11. The transpose of a fully padded convolution (s = 1, p = k - 1)
    is an unpadded one: k' = k, s' = 1, p' = 0.

    o' = i' + (k - 1) - 2p = i' - (k - 1) (the guide: 7 x 7 back to 5 x 5 with k = 3).
    """
    p = k - 1
    i_prime, o_prime = check_transposed(i, k, 1, p)
    assert o_prime == i_prime - (k - 1)
    assert conv_transpose_output_size(i_prime, k, padding=p) == o_prime


@pytest.mark.parametrize("i, k, s", [(5, 3, 2), (7, 3, 2), (7, 1, 3), (10, 4, 3)])
def test_relationship_12_no_padding_non_unit_strides_transposed(i, k, s):
    """Relationship 12. The transpose of an unpadded stride-s convolution (with i - k a
    multiple of s) is a stride-1 convolution on the *stretched* input (s - 1 zeros
    between pixels: a "fractionally strided" convolution) with k' = k and p' = k - 1.

    o' = s (i' - 1) + k (the guide: i = 5, k = 3, s = 2 gives 2 x 2 and back to 5 x 5).
    """
    assert (i - k) % s == 0
    i_prime, o_prime = check_transposed(i, k, s, 0)
    assert o_prime == s * (i_prime - 1) + k
    assert conv_transpose_output_size(i_prime, k, s) == o_prime


@pytest.mark.parametrize("i, k, s, p", [(5, 3, 2, 1), (8, 4, 2, 1), (7, 3, 3, 1), (7, 5, 3, 2)])
def test_relationship_13_zero_padding_non_unit_strides_transposed(i, k, s, p):
    """Relationship 13. The transpose of a padded stride-s convolution (with i + 2p - k a
    multiple of s) is a stride-1 convolution on the stretched input with k' = k and
    p' = k - p - 1.

    o' = s (i' - 1) + k - 2p (the guide: i = 5, k = 3, s = 2, p = 1: 3 x 3 back to 5 x 5).
    """
    assert (i + 2 * p - k) % s == 0
    i_prime, o_prime = check_transposed(i, k, s, p)
    assert o_prime == s * (i_prime - 1) + k - 2 * p
    assert conv_transpose_output_size(i_prime, k, s, p) == o_prime


@pytest.mark.parametrize("i, k, s, p", [(6, 3, 2, 1), (9, 4, 3, 1), (10, 4, 3, 1), (7, 2, 2, 0), (8, 5, 4, 2)])
def test_relationship_14_zero_padding_non_unit_strides_transposed_odd(i, k, s, p):
    """Relationship 14. Any padded stride-s convolution: s input sizes give the same
    output, so its transpose needs a = (i + 2p - k) mod s extra zero rows/columns on
    the bottom/right of the stretched input to get back to i (PyTorch's output_padding);
    otherwise k' = k, s' = 1, p' = k - p - 1.

    o' = s (i' - 1) + a + k - 2p (the guide: i = 6, k = 3, s = 2, p = 1 gives a = 1, 3 x 3 back to 6 x 6).
    """
    a = (i + 2 * p - k) % s
    assert a > 0  # the case the previous relationships exclude
    i_prime, o_prime = check_transposed(i, k, s, p, a)
    assert o_prime == s * (i_prime - 1) + a + k - 2 * p == i
    assert conv_transpose_output_size(i_prime, k, s, p, output_padding=a) == o_prime
    # without a, the transpose lands on the smallest of the s sizes
    without = op("conv_transpose2d")(image(i_prime, channels=C_OUT), kernel(k), stride=s, padding=p)
    assert without.shape[-1] == i - a


# --------------------------------------------------------------------------- dilation


@pytest.mark.parametrize("i, k, s, p, d", [(7, 3, 1, 0, 2), (9, 3, 2, 1, 3), (8, 2, 1, 1, 4), (6, 1, 2, 0, 3)])
def test_relationship_15_dilated_convolutions(i, k, s, p, d):
    """Relationship 15. Dilation d spreads the taps d pixels apart: the kernel acts like
    one of effective size k + (k - 1)(d - 1), so

    o = floor((i + 2p - k - (k - 1)(d - 1)) / s) + 1 (the guide: i = 7, k = 3, d = 2 gives 3).
    """
    conv2d = op("conv2d")
    o = (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1
    x, w = image(i), kernel(k)
    out = conv2d(x, w, stride=s, padding=p, dilation=d)
    assert out.shape[-1] == o
    assert conv_output_size(i, k, s, p, d) == o
    # the same as an ordinary convolution with the kernel inflated by d - 1 zeros
    k_hat = k + (k - 1) * (d - 1)
    inflated = np.zeros((C_OUT, C_IN, k_hat, k_hat))
    inflated[:, :, ::d, ::d] = w
    np.testing.assert_allclose(out, conv2d(x, inflated, stride=s, padding=p), rtol=1e-10, atol=1e-12)
