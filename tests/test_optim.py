"""Tests for convblocks.optim: sgd_step against the update written out by hand and
against its known behaviour on a quadratic."""

import numpy as np
import pytest

from convblocks.optim import sgd_step


def test_plain_sgd_is_one_gradient_step():
    p, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    new, v = sgd_step(p, g, lr=0.1)
    assert np.allclose(new, p - 0.1 * g) and np.allclose(v, g)
    assert np.array_equal(p, [1.0, -2.0])  # not modified in place


def test_momentum_and_weight_decay_follow_the_recurrence():
    rng = np.random.default_rng(0)
    p = rng.standard_normal(4)
    grads = rng.standard_normal((5, 4))
    lr, mu, lam = 0.05, 0.9, 1e-2
    ref_p, ref_v, v = p.copy(), None, None
    for g in grads:
        step = g + lam * ref_p
        ref_v = step if ref_v is None else mu * ref_v + step
        ref_p = ref_p - lr * ref_v
        p, v = sgd_step(p, g, v, lr=lr, momentum=mu, weight_decay=lam)
    assert np.allclose(p, ref_p) and np.allclose(v, ref_v)


def test_velocity_tends_to_g_over_one_minus_mu():
    p, v = np.zeros(1), None
    for _ in range(300):
        p, v = sgd_step(p, np.ones(1), v, lr=1e-3, momentum=0.9)
    assert v[0] == pytest.approx(10.0, rel=1e-6)


def test_momentum_converges_on_an_ill_conditioned_quadratic():
    h = np.array([1.0, 100.0])  # loss = 0.5 * sum(h * p^2)
    results = {}
    for mu in (0.0, 0.9):
        p, v = np.array([1.0, 1.0]), None
        for _ in range(100):
            p, v = sgd_step(p, h * p, v, lr=0.015, momentum=mu)
        results[mu] = abs(p[0])
    assert results[0.9] < 1e-2 < results[0.0]  # momentum goes much further along the flat axis


def test_float32_stays_float32():
    p, v = sgd_step(np.ones(3, np.float32), np.ones(3, np.float32), lr=0.1, momentum=0.5)
    p, v = sgd_step(p, np.ones(3, np.float32), v, lr=0.1, momentum=0.5)
    assert p.dtype == np.float32 and v.dtype == np.float32


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(lr=0.0), ValueError, "lr must be positive"),
    (dict(momentum=1.0), ValueError, r"momentum must lie in \[0, 1\)"),
    (dict(weight_decay=-1.0), ValueError, "weight_decay must be non-negative"),
    (dict(lr="fast"), TypeError, "lr must be a real number"),
    (dict(velocity=np.ones(2)), ValueError, r"velocity must have the shape of param \(3,\)"),
])
def test_sgd_step_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        sgd_step(np.ones(3), np.ones(3), **kwargs)
    with pytest.raises(ValueError, match=r"grad must have the shape of param"):
        sgd_step(np.ones(3), np.ones(2))
