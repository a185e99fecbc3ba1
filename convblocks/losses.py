"""The softmax and the cross-entropy loss it feeds, with the gradient of the pair.

A classifier's last layer outputs one score (logit) per class; the softmax turns
the scores into probabilities and the cross-entropy is minus the log-probability of
the true class, averaged over the batch (``torch.nn.functional.cross_entropy`` with
``reduction="mean"``). Their combined gradient is the short formula every
training loop uses::

    dL/dlogits = (softmax(logits) - onehot(target)) / N
"""

import numpy as np

from ._checks import as_float_array, as_int, check_ndim

__all__ = ["softmax", "log_softmax", "cross_entropy", "cross_entropy_backward"]


def _check_dim(x, dim, func):
    dim = as_int(dim, "dim", func)
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"{func}: dim must lie in [{-x.ndim}, {x.ndim}) for an input of shape {x.shape}, got {dim}")
    return dim


def log_softmax(x, dim=-1):
    r"""Logarithm of :func:`softmax`, computed without overflow.

    Parameters
    ----------
    x : array_like, any shape with at least one dimension
        Scores (logits); float32 stays float32, int/bool become float64.
    dim : int, default -1
        The axis holding the classes.

    Returns
    -------
    ndarray, shape and dtype of ``x``

    Raises
    ------
    TypeError
        Non-numeric ``x`` or non-integer ``dim``.
    ValueError
        ``x`` 0-D or ``dim`` out of range.

    Notes
    -----
    .. math::

        \log \operatorname{softmax}(x)_k = (x_k - m) - \log \sum_j e^{x_j - m},
        \qquad m = \max_j x_j

    Subtracting the maximum changes nothing mathematically and keeps every
    exponential at most 1.

    Examples
    --------
    >>> np.round(log_softmax(np.array([0.0, 0.0, np.log(2.0)])), 4)
    array([-1.3863, -1.3863, -0.6931])
    >>> log_softmax(np.array([1000.0, 0.0]))        # no overflow
    array([    0., -1000.])
    """
    func = "log_softmax"
    x = as_float_array(x, "x", func)
    if x.ndim == 0:
        raise ValueError(f"{func}: x must have at least one dimension (the classes), got a 0-D array")
    dim = _check_dim(x, dim, func)
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def softmax(x, dim=-1):
    r"""Softmax along ``dim``: positive numbers that sum to 1.

    Parameters
    ----------
    x : array_like, any shape with at least one dimension
        Scores (logits); float32 stays float32, int/bool become float64.
    dim : int, default -1
        The axis holding the classes.

    Returns
    -------
    ndarray, shape and dtype of ``x``

    Raises
    ------
    TypeError
        Non-numeric ``x`` or non-integer ``dim``.
    ValueError
        ``x`` 0-D or ``dim`` out of range.

    Notes
    -----
    .. math:: \operatorname{softmax}(x)_k = \frac{e^{x_k}}{\sum_j e^{x_j}}

    Examples
    --------
    >>> softmax(np.array([[1.0, 1.0], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    return np.exp(log_softmax(x, dim=dim))


def _check_logits_target(logits, target, func):
    logits = check_ndim(as_float_array(logits, "logits", func), 2, "logits", func, "(N, num_classes)")
    target = np.asarray(target)
    if target.dtype.kind not in "iu":
        raise TypeError(f"{func}: target must hold integer class indices, got dtype {target.dtype}")
    n, classes = logits.shape
    if target.shape != (n,):
        raise ValueError(f"{func}: target must have shape ({n},), one class per row of logits, got {target.shape}")
    if n == 0:
        raise ValueError(f"{func}: logits must hold at least one example, got shape {logits.shape}")
    if target.min() < 0 or target.max() >= classes:
        bad = target.min() if target.min() < 0 else target.max()
        raise ValueError(f"{func}: target must lie in [0, {classes}) for {classes} classes, got {bad}")
    return logits, target.astype(np.int64)


def cross_entropy(logits, target):
    r"""Mean cross-entropy of class scores against integer labels.

    Parameters
    ----------
    logits : array_like, shape (N, num_classes)
        Unnormalised scores, one row per example.
    target : array_like of int, shape (N,)
        The true class of each example, in ``[0, num_classes)``.

    Returns
    -------
    float
        ``torch.nn.functional.cross_entropy(logits, target)`` (mean over the batch).

    Raises
    ------
    ValueError
        Wrong shapes, an empty batch, or a label out of range.
    TypeError
        Non-numeric logits or non-integer labels.

    Notes
    -----
    .. math::

        L = -\frac{1}{N} \sum_{n=1}^{N} \log \operatorname{softmax}(z_n)_{t_n}

    Examples
    --------
    >>> round(cross_entropy(np.zeros((2, 4)), np.array([0, 3])), 6)   # log 4: a uniform guess
    1.386294
    """
    logits, target = _check_logits_target(logits, target, "cross_entropy")
    log_p = log_softmax(logits, dim=1)
    return float(-log_p[np.arange(len(target)), target].mean())


def cross_entropy_backward(logits, target):
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    Parameters
    ----------
    logits : array_like, shape (N, num_classes)
    target : array_like of int, shape (N,)

    Returns
    -------
    grad_logits : ndarray, shape (N, num_classes), dtype of ``logits``

    Raises
    ------
    ValueError
        Wrong shapes, an empty batch, or a label out of range.
    TypeError
        Non-numeric logits or non-integer labels.

    Notes
    -----
    With :math:`p_n = \operatorname{softmax}(z_n)` and :math:`y_n` the one-hot
    vector of :math:`t_n`,

    .. math:: \frac{\partial L}{\partial z_n} = \frac{p_n - y_n}{N}.

    Each row sums to zero: raising every score of an example by the same
    amount changes nothing.

    Examples
    --------
    >>> cross_entropy_backward(np.zeros((1, 4)), np.array([2]))
    array([[ 0.25,  0.25, -0.75,  0.25]])
    """
    logits, target = _check_logits_target(logits, target, "cross_entropy_backward")
    grad = softmax(logits, dim=1)
    grad[np.arange(len(target)), target] -= 1
    return grad / np.asarray(len(target), dtype=grad.dtype)
