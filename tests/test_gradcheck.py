"""Tests for convblocks.gradcheck: finite differences against derivatives known in closed form."""

import numpy as np
import pytest

from convblocks.gradcheck import numerical_gradient, relative_error


def test_numerical_gradient_of_known_functions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    a = rng.standard_normal((3, 4))
    # d/dx sum(a * sin(x)) = a * cos(x); d/dx 0.5 |x|^2 = x
    assert np.allclose(numerical_gradient(lambda v: np.sum(a * np.sin(v)), x), a * np.cos(x), atol=1e-8)
    assert np.allclose(numerical_gradient(lambda v: 0.5 * np.sum(v**2), x), x, atol=1e-8)


def test_numerical_gradient_leaves_x_alone_and_accepts_size_one_arrays():
    x = np.array([1.0, 2.0])
    before = x.copy()
    g = numerical_gradient(lambda v: np.array([[v[0] * v[1]]]), x)
    assert np.array_equal(x, before)
    assert np.allclose(g, [2.0, 1.0])
    assert numerical_gradient(lambda v: float(v.sum()), np.arange(3)).dtype == np.float64


def test_central_difference_error_shrinks_as_eps_squared():
    f = lambda v: float(np.exp(v).sum())  # noqa: E731
    x = np.array([0.3])
    errors = [abs(numerical_gradient(f, x, eps=e)[0] - np.exp(0.3)) for e in (1e-2, 1e-3)]
    assert 50 < errors[0] / errors[1] < 200  # O(eps^2): 10x smaller step, ~100x smaller error


def test_numerical_gradient_refuses_bad_arguments():
    with pytest.raises(TypeError, match="f must be a function"):
        numerical_gradient(3, np.ones(2))
    with pytest.raises(ValueError, match="eps must be positive"):
        numerical_gradient(np.sum, np.ones(2), eps=0.0)
    with pytest.raises(TypeError, match="f\\(x\\) must be a real number"):
        numerical_gradient(lambda v: v, np.ones(2))
    with pytest.raises(TypeError, match="x must hold real numbers"):
        numerical_gradient(np.sum, np.array(["a"]))


def test_relative_error_properties():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(10), rng.standard_normal(10)
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(a, np.zeros(10)) == pytest.approx(1.0)
    assert relative_error(a, b) == pytest.approx(relative_error(b, a))
    assert relative_error(1e6 * a, 1e6 * b) == pytest.approx(relative_error(a, b))  # scale-free
    assert relative_error(a, a * (1 + 1e-9)) < 1e-9


def test_relative_error_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        relative_error(np.ones(2), np.ones(3))
