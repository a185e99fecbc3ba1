"""Tests for convblocks.dense: the layer against an explicit double loop, its backward
pass against finite differences and against the adjoint identity."""

import numpy as np
import pytest

from convblocks.dense import linear, linear_backward
from convblocks.gradcheck import numerical_gradient, relative_error


def ref_linear(x, w, b):
    y = np.zeros((x.shape[0], w.shape[0]))
    for n in range(x.shape[0]):
        for o in range(w.shape[0]):
            y[n, o] = b[o] + sum(w[o, i] * x[n, i] for i in range(x.shape[1]))
    return y


def test_linear_matches_loops_and_keeps_dtypes():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 5)), rng.standard_normal(4)
    assert np.allclose(linear(x, w, b), ref_linear(x, w, b))
    assert np.allclose(linear(x, w), ref_linear(x, w, np.zeros(4)))
    f32 = [a.astype(np.float32) for a in (x, w, b)]
    assert linear(*f32).dtype == np.float32
    assert linear(f32[0], w).dtype == np.float64


def test_linear_backward_matches_finite_differences():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 5)), rng.standard_normal(4)
    g = rng.standard_normal((3, 4))  # loss = sum(g * y)
    gx, gw, gb = linear_backward(g, x, w)
    assert relative_error(gx, numerical_gradient(lambda v: np.sum(g * linear(v, w, b)), x)) < 1e-8
    assert relative_error(gw, numerical_gradient(lambda v: np.sum(g * linear(x, v, b)), w)) < 1e-8
    assert relative_error(gb, numerical_gradient(lambda v: np.sum(g * linear(x, w, v)), b)) < 1e-8


def test_weight_gradient_is_the_sum_of_per_example_gradients():
    rng = np.random.default_rng(2)
    x, w, g = rng.standard_normal((6, 3)), rng.standard_normal((2, 3)), rng.standard_normal((6, 2))
    _, gw, gb = linear_backward(g, x, w)
    per_example = [linear_backward(g[n:n + 1], x[n:n + 1], w) for n in range(6)]
    assert np.allclose(gw, sum(p[1] for p in per_example))
    assert np.allclose(gb, sum(p[2] for p in per_example))


@pytest.mark.parametrize("call, match", [
    (lambda: linear(np.ones((2, 3)), np.ones((4, 5))), r"x has 3 features but weight expects 5"),
    (lambda: linear(np.ones(3), np.ones((4, 3))), r"x must be 2-D"),
    (lambda: linear(np.ones((2, 3)), np.ones((4, 3)), np.ones(3)), r"bias must have shape \(4,\)"),
    (lambda: linear_backward(np.ones((2, 3)), np.ones((2, 3)), np.ones((4, 3))),
     r"grad_out must have the shape of the forward output \(2, 4\)"),
])
def test_dense_refuses_bad_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()
