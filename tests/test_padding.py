"""Tests for convblocks.padding.pad2d.

Each mode is compared with a brute-force loop that maps every padded pixel back
to an input pixel by the mode's index rule, written here independently.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convblocks.padding import PAD_MODES, pad2d

MODES = ["zeros", "constant", "reflect", "replicate", "circular"]


def source_index(i, n, mode):
    """Input index that padded index ``i`` (input coordinates, may be out of range) copies, or None."""
    if 0 <= i < n:
        return i
    if mode in ("zeros", "constant"):
        return None
    if mode == "reflect":  # mirror about the edge pixel, which is not repeated
        return -i if i < 0 else 2 * (n - 1) - i
    if mode == "replicate":
        return 0 if i < 0 else n - 1
    if mode == "circular":
        return i + n if i < 0 else i - n
    raise AssertionError(mode)


def brute_pad2d(x, top, bottom, left, right, mode, value=0.0):
    """Pad the last two axes with explicit loops over every output pixel.

    Negative amounts crop. Circular padding crops first and wraps around what is
    left (PyTorch's behaviour); the other modes map every output pixel back into
    the original input.
    """
    if mode == "circular":
        h, w = x.shape[-2:]
        x = x[..., max(-top, 0) : h - max(-bottom, 0), max(-left, 0) : w - max(-right, 0)]
        top, bottom, left, right = (max(p, 0) for p in (top, bottom, left, right))
    *lead, h, w = x.shape
    fill = value if mode == "constant" else 0.0
    out = np.empty((*lead, h + top + bottom, w + left + right), dtype=x.dtype)
    for i in range(out.shape[-2]):
        for j in range(out.shape[-1]):
            r = source_index(i - top, h, mode)
            c = source_index(j - left, w, mode)
            out[..., i, j] = fill if r is None or c is None else x[..., r, c]
    return out


def fits(mode, n, before, after):
    """PyTorch's limits: reflect needs pad < size, circular pad <= the size left after
    cropping; the result has a size of at least 0; a constant pad crops at most the axis."""
    if n + before + after < 0:
        return False
    if mode in ("zeros", "constant"):
        return min(before, after) >= -n
    if mode == "reflect":
        return max(before, after) < n
    if mode == "circular":  # wraps around what the crop leaves
        return max(before, after) <= n - max(-before, 0) - max(-after, 0)
    return True


@given(
    h=st.integers(1, 5),
    w=st.integers(1, 5),
    pads=st.tuples(*[st.integers(-6, 5)] * 4),
    mode=st.sampled_from(MODES),
    value=st.floats(-3, 3),
)
def test_pad2d_matches_index_mapping(h, w, pads, mode, value):
    top, bottom, left, right = pads
    rng = np.random.default_rng(h * 10 + w)
    x = rng.standard_normal((2, 3, h, w))
    value = value if mode == "constant" else 0.0
    if fits(mode, h, top, bottom) and fits(mode, w, left, right):
        got = pad2d(x, ((top, bottom), (left, right)), mode=mode, value=value)
        np.testing.assert_array_equal(got, brute_pad2d(x, top, bottom, left, right, mode, value))
    else:
        with pytest.raises(ValueError, match=f"{mode} padding|padding \\(-?\\d+, -?\\d+\\) on axis"):
            pad2d(x, ((top, bottom), (left, right)), mode=mode, value=value)


@pytest.mark.parametrize("mode", MODES)
def test_pad2d_padding_forms(mode):
    x = np.arange(20.0).reshape(1, 1, 4, 5)
    np.testing.assert_array_equal(pad2d(x, 1, mode), brute_pad2d(x, 1, 1, 1, 1, mode))
    np.testing.assert_array_equal(pad2d(x, (2, 1), mode), brute_pad2d(x, 2, 2, 1, 1, mode))
    np.testing.assert_array_equal(pad2d(x, [[0, 3], [2, 0]], mode), brute_pad2d(x, 0, 3, 2, 0, mode))
    np.testing.assert_array_equal(pad2d(x, 0, mode), x)


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("zeros", [0, 0, 1, 2, 3, 4, 0, 0]),
        ("constant", [7, 7, 1, 2, 3, 4, 7, 7]),
        ("reflect", [3, 2, 1, 2, 3, 4, 3, 2]),
        ("replicate", [1, 1, 1, 2, 3, 4, 4, 4]),
        ("circular", [3, 4, 1, 2, 3, 4, 1, 2]),
    ],
)
def test_pad2d_hand_worked_row(mode, expected):
    x = np.array([[[[1, 2, 3, 4]]]])
    value = 7 if mode == "constant" else 0
    np.testing.assert_array_equal(pad2d(x, ((0, 0), (2, 2)), mode, value), [[[expected]]])


def test_pad2d_hand_worked_reflect_corner():
    """Both axes at once: the corner of a reflect-padded image mirrors diagonally."""
    x = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    expected = [
        [5, 4, 5, 6, 5],
        [2, 1, 2, 3, 2],
        [5, 4, 5, 6, 5],
        [8, 7, 8, 9, 8],
        [5, 4, 5, 6, 5],
    ]
    np.testing.assert_array_equal(pad2d(x, 1, "reflect"), expected)


def test_pad2d_hand_worked_circular_full_wrap():
    """Circular padding may be as large as the image: a 2x2 image tiles into 6x6."""
    x = np.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(pad2d(x, 2, "circular"), np.tile(x, (3, 3)))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (1, 2, 3, 4), (2, 1, 1, 3, 4)])
def test_pad2d_pads_only_the_last_two_axes(mode, shape):
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    got = pad2d(x, ((1, 2), (3, 0)), mode)
    assert got.shape == (*shape[:-2], 3 + 3, 4 + 3)
    np.testing.assert_array_equal(got, brute_pad2d(x, 1, 2, 3, 0, mode))
    np.testing.assert_array_equal(got[..., 1:4, 3:7], x)  # the input sits in the middle


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64), (np.int8, np.float64), (bool, np.float64)],
)
def test_pad2d_dtype(mode, dtype, expected):
    x = np.ones((1, 1, 3, 3), dtype=dtype)
    assert pad2d(x, 1, mode).dtype == expected


def test_pad2d_constant_value_keeps_float32():
    got = pad2d(np.zeros((1, 1, 2, 2), dtype=np.float32), 1, "constant", value=0.1)
    assert got.dtype == np.float32
    assert got[0, 0, 0, 0] == np.float32(0.1)


def test_pad2d_accepts_lists_and_numpy_int_padding():
    got = pad2d([[1, 2], [3, 4]], (np.int64(1), np.int32(0)), "replicate")
    np.testing.assert_array_equal(got, [[1, 2], [1, 2], [3, 4], [3, 4]])


def test_pad2d_zero_padding_on_empty_axis():
    assert pad2d(np.ones((1, 1, 0, 3)), 1).shape == (1, 1, 2, 5)
    assert pad2d(np.ones((1, 1, 0, 3)), ((0, 0), (1, 1)), "circular").shape == (1, 1, 0, 5)
    assert pad2d(np.ones((1, 1, 3, 0)), ((1, 1), (0, 0)), "circular").shape == (1, 1, 5, 0)


def test_pad2d_does_not_modify_input():
    x = np.arange(9.0).reshape(3, 3)
    copy = x.copy()
    pad2d(x, 1, "reflect")
    np.testing.assert_array_equal(x, copy)


def test_pad_modes_table():
    assert sorted(PAD_MODES) == sorted(MODES)


BAD = [
    (dict(x=np.ones(4), padding=1), ValueError, r"x must be at least 2-D .* got shape \(4,\)"),
    (dict(x=np.ones((2, 2)).astype(complex), padding=1), TypeError, "x must hold real numbers"),
    (dict(x=[["a", "b"]], padding=1), TypeError, "x must hold real numbers"),
    (dict(x=[[1, 2], [3]], padding=1), TypeError, "x must be a numeric array"),
    (dict(x=np.ones((3, 3)), padding="same"), TypeError, "padding must be an int.*'same'.*depend on a kernel"),
    (dict(x=np.ones((3, 3)), padding="valid"), TypeError, "padding must be an int"),
    (dict(x=np.ones((3, 3)), padding=-2), ValueError, r"padding \(-2, -2\) on axis H of size 3 would leave -1"),
    (dict(x=np.ones((3, 3)), padding=((1, -4), (0, 0))), ValueError, r"padding \(1, -4\) on axis H of size 3 removes more"),
    (dict(x=np.ones((3, 3)), padding=(1, 2, 3)), TypeError, "padding must be"),
    (dict(x=np.ones((3, 3)), padding=1.0), TypeError, "padding must be"),
    (dict(x=np.ones((3, 3)), padding=((1, 2), (3,))), TypeError, "padding must be"),
    (dict(x=np.ones((3, 3)), padding=1, mode="edge"), ValueError, r"mode must be one of \['circular', 'constant', 'reflect', 'replicate', 'zeros'\], got 'edge'"),
    (dict(x=np.ones((3, 3)), padding=1, mode="Reflect"), ValueError, "mode must be one of"),
    (dict(x=np.ones((3, 3)), padding=1, mode=None), ValueError, "mode must be one of"),
    (dict(x=np.ones((3, 3)), padding=1, mode="constant", value="a"), TypeError, "value must be a real number"),
    (dict(x=np.ones((3, 3)), padding=1, mode="constant", value=True), TypeError, "value must be a real number"),
    (dict(x=np.ones((3, 3)), padding=1, mode="constant", value=1j), TypeError, "value must be a real number"),
    (dict(x=np.ones((3, 3)), padding=1, mode="reflect", value=1.0), ValueError, "value is only used with mode='constant'"),
    (dict(x=np.ones((3, 3)), padding=1, mode="zeros", value=2), ValueError, "value is only used"),
    (dict(x=np.ones((3, 3)), padding=3, mode="reflect"), ValueError, r"reflect padding must be smaller .* \(3, 3\) on axis H of size 3"),
    (dict(x=np.ones((5, 2)), padding=((0, 0), (0, 2)), mode="reflect"), ValueError, r"\(0, 2\) on axis W of size 2"),
    (dict(x=np.ones((3, 3)), padding=((0, 4), (0, 0)), mode="circular"), ValueError, r"circular padding must be at most .* \(0, 4\) on axis H of size 3"),
    (dict(x=np.ones((3, 0)), padding=1, mode="replicate"), ValueError, r"replicate padding needs a non-empty input, got spatial size \(3, 0\)"),
    (dict(x=np.ones((0, 3)), padding=0, mode="reflect"), ValueError, r"reflect padding needs a non-empty input"),
]


@pytest.mark.parametrize("kwargs, error, message", BAD, ids=[str(i) for i in range(len(BAD))])
def test_pad2d_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        pad2d(**kwargs)
    assert str(info.value).startswith("pad2d: ")
