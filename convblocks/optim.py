"""Stochastic gradient descent with momentum: one update step.

Written as PyTorch's ``torch.optim.SGD`` computes it (dampening 0, no Nesterov), for
one parameter array at a time, without hidden state: the caller keeps the velocity.
"""

import numpy as np

from ._checks import as_float_array, as_real

__all__ = ["sgd_step"]


def sgd_step(param, grad, velocity=None, lr=0.01, momentum=0.0, weight_decay=0.0):
    r"""One SGD step with momentum and L2 weight decay; returns the new parameter and velocity.

    Parameters
    ----------
    param : array_like, any shape
        Current parameter values.
    grad : array_like, shape of ``param``
        Gradient of the loss with respect to ``param``.
    velocity : array_like, shape of ``param``, optional
        The velocity returned by the previous step; ``None`` on the first step
        (PyTorch then starts the velocity at the gradient itself).
    lr : float, default 0.01
        Learning rate, positive.
    momentum : float, default 0
        In ``[0, 1)``; 0 is plain SGD.
    weight_decay : float, default 0
        Non-negative L2 penalty coefficient, added to the gradient.

    Returns
    -------
    param : ndarray, shape of ``param``
        The updated parameter (a new array; the input is not modified).
    velocity : ndarray, shape of ``param``
        Pass it to the next step.

    Raises
    ------
    ValueError
        Shapes that differ, ``lr`` not positive, ``momentum`` outside [0, 1),
        negative ``weight_decay``.
    TypeError
        Non-numeric data or hyperparameters.

    Notes
    -----
    .. math::

        g \leftarrow \nabla L + \lambda \theta, \qquad
        v \leftarrow \mu v + g, \qquad
        \theta \leftarrow \theta - \eta v

    With a constant gradient the velocity tends to :math:`g / (1 - \mu)`:
    momentum 0.9 takes steps ten times as long as plain SGD along a
    consistent direction, while gradients that flip sign cancel out.

    Examples
    --------
    >>> theta, v = sgd_step(np.array([1.0]), np.array([0.5]), lr=0.1, momentum=0.9)
    >>> theta, v
    (array([0.95]), array([0.5]))
    >>> sgd_step(theta, np.array([0.5]), v, lr=0.1, momentum=0.9)
    (array([0.855]), array([0.95]))
    """
    func = "sgd_step"
    param = as_float_array(param, "param", func)
    grad = as_float_array(grad, "grad", func)
    if grad.shape != param.shape:
        raise ValueError(f"{func}: grad must have the shape of param {param.shape}, got {grad.shape}")
    lr, momentum, weight_decay = (as_real(v, name, func) for v, name in
                                  [(lr, "lr"), (momentum, "momentum"), (weight_decay, "weight_decay")])
    if not lr > 0:
        raise ValueError(f"{func}: lr must be positive, got {lr}")
    if not 0 <= momentum < 1:
        raise ValueError(f"{func}: momentum must lie in [0, 1), got {momentum}")
    if not weight_decay >= 0:
        raise ValueError(f"{func}: weight_decay must be non-negative, got {weight_decay}")
    step = grad + weight_decay * param if weight_decay else grad
    if velocity is None:
        velocity = step.copy()
    else:
        velocity = as_float_array(velocity, "velocity", func)
        if velocity.shape != param.shape:
            raise ValueError(f"{func}: velocity must have the shape of param {param.shape}, got {velocity.shape}")
        velocity = momentum * velocity + step
    dtype = param.dtype
    return (param - lr * velocity).astype(dtype, copy=False), velocity.astype(dtype, copy=False)
