"""The dense (fully connected, linear) layer: forward and backward.

``linear`` is ``torch.nn.functional.linear``: ``y = x w^T + b`` with the weight
stored ``(out_features, in_features)``. A CNN's classifier head is one of these
applied to the flattened feature maps.
"""

import numpy as np

from ._checks import as_float_array, check_ndim, result_dtype

__all__ = ["linear", "linear_backward"]


def _check_linear(x, weight, func):
    x = check_ndim(as_float_array(x, "x", func), 2, "x", func, "(N, in_features)")
    weight = check_ndim(as_float_array(weight, "weight", func), 2, "weight", func, "(out_features, in_features)")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(
            f"{func}: x has {x.shape[1]} features but weight expects {weight.shape[1]} (weight.shape[1])"
        )
    return x, weight


def linear(x, weight, bias=None):
    r"""Dense layer: every output feature is a weighted sum of every input feature.

    Parameters
    ----------
    x : array_like, shape (N, in_features)
        Flatten maps first: ``x.reshape(len(x), -1)``.
    weight : array_like, shape (out_features, in_features)
    bias : array_like, shape (out_features,), optional

    Returns
    -------
    y : ndarray, shape (N, out_features)
        float32 if every input is float32, else float64.

    Raises
    ------
    ValueError
        Wrong ndim, feature counts that disagree, bias of the wrong shape.
    TypeError
        Non-numeric data.

    Notes
    -----
    .. math:: y[n, o] = b[o] + \sum_i w[o, i]\, x[n, i]

    Examples
    --------
    >>> linear(np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 1.0, 1.0], [1.0, 0.0, -1.0]]), np.array([0.0, 10.0]))
    array([[6., 8.]])
    """
    func = "linear"
    x, weight = _check_linear(x, weight, func)
    if bias is not None:
        bias = check_ndim(as_float_array(bias, "bias", func), 1, "bias", func, "(out_features,)")
        if bias.shape[0] != weight.shape[0]:
            raise ValueError(f"{func}: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    dtype = result_dtype(x, weight, bias)
    y = x.astype(dtype, copy=False) @ weight.astype(dtype, copy=False).T
    if bias is not None:
        y += bias.astype(dtype, copy=False)
    return y


def linear_backward(grad_out, x, weight):
    r"""Gradients of :func:`linear` with respect to its input, weight and bias.

    Parameters
    ----------
    grad_out : array_like, shape (N, out_features)
        Upstream gradient dL/dy.
    x : array_like, shape (N, in_features)
        The forward input.
    weight : array_like, shape (out_features, in_features)
        The forward weight.

    Returns
    -------
    grad_x : ndarray, shape (N, in_features)
    grad_weight : ndarray, shape (out_features, in_features)
    grad_bias : ndarray, shape (out_features,)

    Raises
    ------
    ValueError
        Shapes that disagree with each other.
    TypeError
        Non-numeric data.

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x} = g\, w, \qquad
        \frac{\partial L}{\partial w} = g^\top x, \qquad
        \frac{\partial L}{\partial b} = \sum_n g[n, :]

    The weight and bias gradients are *sums* over the batch: every example
    uses the same weights.

    Examples
    --------
    >>> gx, gw, gb = linear_backward(np.array([[1.0], [2.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]),
    ...                              np.array([[3.0, 4.0]]))
    >>> gx
    array([[3., 4.],
           [6., 8.]])
    >>> gw, gb
    (array([[1., 2.]]), array([3.]))
    """
    func = "linear_backward"
    x, weight = _check_linear(x, weight, func)
    grad_out = check_ndim(as_float_array(grad_out, "grad_out", func), 2, "grad_out", func, "(N, out_features)")
    expected = (x.shape[0], weight.shape[0])
    if grad_out.shape != expected:
        raise ValueError(f"{func}: grad_out must have the shape of the forward output {expected}, got {grad_out.shape}")
    dtype = result_dtype(grad_out, x, weight)
    grad_out, x, weight = (a.astype(dtype, copy=False) for a in (grad_out, x, weight))
    return grad_out @ weight, grad_out.T @ x, grad_out.sum(axis=0)
