"""Tests for convblocks.losses: softmax and cross-entropy against their definitions,
written with explicit loops, and their gradient against finite differences."""

import math

import numpy as np
import pytest

from convblocks.gradcheck import numerical_gradient, relative_error
from convblocks.losses import cross_entropy, cross_entropy_backward, log_softmax, softmax


def ref_cross_entropy(logits, target):
    total = 0.0
    for row, t in zip(logits, target):
        total -= row[t] - math.log(sum(math.exp(v) for v in row))
    return total / len(target)


def test_softmax_matches_its_definition_on_any_axis():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5))
    for dim in (0, 1, -1):
        e = np.exp(x)
        assert np.allclose(softmax(x, dim=dim), e / e.sum(axis=dim, keepdims=True))
        assert np.allclose(log_softmax(x, dim=dim), np.log(e / e.sum(axis=dim, keepdims=True)))


def test_softmax_is_stable_and_keeps_float32():
    x = np.array([[1e4, 0.0, -1e4]], dtype=np.float32)
    p = softmax(x)
    assert p.dtype == np.float32 and np.all(np.isfinite(p)) and np.allclose(p, [[1, 0, 0]])
    assert np.allclose(softmax(x + 5.0), p)  # shift invariance
    assert softmax(np.array([1, 2])).dtype == np.float64


def test_cross_entropy_matches_the_loop_reference():
    rng = np.random.default_rng(1)
    logits = 3 * rng.standard_normal((6, 5))
    target = rng.integers(0, 5, 6)
    assert cross_entropy(logits, target) == pytest.approx(ref_cross_entropy(logits, target), rel=1e-12)
    assert cross_entropy(np.zeros((3, 10)), np.array([1, 2, 3])) == pytest.approx(math.log(10))


def test_cross_entropy_backward_matches_finite_differences():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((4, 7))
    target = np.array([0, 6, 3, 3])
    analytic = cross_entropy_backward(logits, target)
    numeric = numerical_gradient(lambda z: cross_entropy(z, target), logits)
    assert relative_error(analytic, numeric) < 1e-8
    assert np.allclose(analytic.sum(axis=1), 0)  # each row sums to zero
    assert cross_entropy_backward(logits.astype(np.float32), target).dtype == np.float32


@pytest.mark.parametrize("logits, target, error, match", [
    (np.zeros((2, 3)), np.array([0.0, 1.0]), TypeError, "integer class indices"),
    (np.zeros((2, 3)), np.array([0, 1, 2]), ValueError, r"target must have shape \(2,\)"),
    (np.zeros((2, 3)), np.array([0, 3]), ValueError, r"\[0, 3\) for 3 classes, got 3"),
    (np.zeros((2, 3)), np.array([-1, 0]), ValueError, "got -1"),
    (np.zeros((0, 3)), np.zeros(0, dtype=int), ValueError, "at least one example"),
    (np.zeros(3), np.array([0]), ValueError, "logits must be 2-D"),
])
def test_cross_entropy_refuses_bad_input(logits, target, error, match):
    for fn in (cross_entropy, cross_entropy_backward):
        with pytest.raises(error, match=match):
            fn(logits, target)


def test_softmax_refuses_bad_dim_and_scalars():
    with pytest.raises(ValueError, match=r"dim must lie in \[-2, 2\)"):
        softmax(np.zeros((2, 3)), dim=2)
    with pytest.raises(TypeError, match="dim must be an int"):
        softmax(np.zeros((2, 3)), dim=1.0)
    with pytest.raises(ValueError, match="at least one dimension"):
        log_softmax(np.float64(1.0))
