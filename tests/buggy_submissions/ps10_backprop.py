"""Buggy submissions for ps10_backprop: the usual mistakes of hand-written backward passes and training loops.

Each entry replaces one solution cell of solutions/ps10_backprop with a plausible wrong implementation
(see tests/test_assignments.py); "fails" lists every graded item it must lose, "message" the diagnostic."""

BUGS = [
    {
        "name": 'conv_backward_no_kernel_flip',
        "cell": 'ps10_conv_backward_code',
        "source": '''def conv2d_backward(grad_out, x, w, stride=1, padding=0):
    """Gradients of conv2d_forward. grad_out: (N, C_out, H_out, W_out), x and w as in the forward.

    Returns (grad_x, grad_w, grad_b) with the shapes of x, w and b.
    """
    n, c, h, width = x.shape
    _, _, k, _ = w.shape
    _, _, h_out, w_out = grad_out.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    grad_xp = np.zeros_like(xp, dtype=float)
    grad_w = np.zeros(w.shape)
    for i in range(k):
        for j in range(k):
            rows = slice(i, i + stride * (h_out - 1) + 1, stride)
            cols = slice(j, j + stride * (w_out - 1) + 1, stride)
            # weight tap (i, j) met x at (h*stride + i, w*stride + j): sum over batch and positions
            grad_w[:, :, i, j] = np.tensordot(grad_out, xp[:, :, rows, cols], axes=([0, 2, 3], [0, 2, 3]))
            # each output sends grad * w[:, :, i, j] back to the pixel it read through tap (i, j)
            grad_xp[:, :, rows, cols] += np.tensordot(grad_out, w[:, :, k - 1 - i, k - 1 - j], axes=([1], [0])).transpose(0, 3, 1, 2)
    grad_x = grad_xp[:, :, padding:padding + h, padding:padding + width]
    return grad_x, grad_w, grad_out.sum(axis=(0, 2, 3))''',
        "fails": ['ps10_conv_backward_x_tests'],
        "message": 'you forgot to flip the kernel',
    },
    {
        "name": 'conv_backward_stride_ignored',
        "cell": 'ps10_conv_backward_code',
        "source": '''def conv2d_backward(grad_out, x, w, stride=1, padding=0):
    """Gradients of conv2d_forward. grad_out: (N, C_out, H_out, W_out), x and w as in the forward.

    Returns (grad_x, grad_w, grad_b) with the shapes of x, w and b.
    """
    n, c, h, width = x.shape
    _, _, k, _ = w.shape
    _, _, h_out, w_out = grad_out.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    grad_xp = np.zeros_like(xp, dtype=float)
    grad_w = np.zeros(w.shape)
    for i in range(k):
        for j in range(k):
            rows = slice(i, i + h_out)
            cols = slice(j, j + w_out)
            # weight tap (i, j) met x at (h*stride + i, w*stride + j): sum over batch and positions
            grad_w[:, :, i, j] = np.tensordot(grad_out, xp[:, :, rows, cols], axes=([0, 2, 3], [0, 2, 3]))
            # each output sends grad * w[:, :, i, j] back to the pixel it read through tap (i, j)
            grad_xp[:, :, rows, cols] += np.tensordot(grad_out, w[:, :, i, j], axes=([1], [0])).transpose(0, 3, 1, 2)
    grad_x = grad_xp[:, :, padding:padding + h, padding:padding + width]
    return grad_x, grad_w, grad_out.sum(axis=(0, 2, 3))''',
        "fails": ['ps10_conv_backward_x_tests', 'ps10_conv_backward_w_tests'],
        "message": 'you ignored the stride in the backward pass',
    },
    {
        "name": 'conv_backward_weight_gradient_of_first_example',
        "cell": 'ps10_conv_backward_code',
        "source": '''def conv2d_backward(grad_out, x, w, stride=1, padding=0):
    """Gradients of conv2d_forward. grad_out: (N, C_out, H_out, W_out), x and w as in the forward.

    Returns (grad_x, grad_w, grad_b) with the shapes of x, w and b.
    """
    n, c, h, width = x.shape
    _, _, k, _ = w.shape
    _, _, h_out, w_out = grad_out.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    grad_xp = np.zeros_like(xp, dtype=float)
    grad_w = np.zeros(w.shape)
    for i in range(k):
        for j in range(k):
            rows = slice(i, i + stride * (h_out - 1) + 1, stride)
            cols = slice(j, j + stride * (w_out - 1) + 1, stride)
            # weight tap (i, j) met x at (h*stride + i, w*stride + j): sum over batch and positions
            grad_w[:, :, i, j] = np.tensordot(grad_out[0], xp[0, :, rows, cols], axes=([1, 2], [1, 2]))
            # each output sends grad * w[:, :, i, j] back to the pixel it read through tap (i, j)
            grad_xp[:, :, rows, cols] += np.tensordot(grad_out, w[:, :, i, j], axes=([1], [0])).transpose(0, 3, 1, 2)
    grad_x = grad_xp[:, :, padding:padding + h, padding:padding + width]
    return grad_x, grad_w, grad_out.sum(axis=(0, 2, 3))''',
        "fails": ['ps10_conv_backward_w_tests', 'ps10_train_tests'],
        "message": 'you did not sum the weight gradient over the batch',
    },
    {
        "name": 'pool_gradient_to_every_pixel',
        "cell": 'ps10_pool_code',
        "source": '''def max_pool2d_forward(x, kernel_size=2, stride=None):
    """Max pooling without padding. x: (N, C, H, W) -> (N, C, H_out, W_out); stride defaults to kernel_size."""
    s = kernel_size if stride is None else stride
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
    return windows[:, :, ::s, ::s].max(axis=(4, 5))


def max_pool2d_backward(grad_out, x, kernel_size=2, stride=None):
    """Gradient of max_pool2d_forward with respect to x (shape of x)."""
    k = kernel_size
    s = k if stride is None else stride
    _, _, h_out, w_out = grad_out.shape
    grad_x = np.zeros(x.shape)
    for i in range(h_out):
        for j in range(w_out):
            grad_x[:, :, i * s:i * s + k, j * s:j * s + k] += grad_out[:, :, i:i + 1, j:j + 1]
    return grad_x''',
        "fails": ['ps10_pool_tests'],
        "message": 'you sent each gradient to every pixel of its window',
    },
    {
        "name": 'pool_ties_all_get_the_gradient',
        "cell": 'ps10_pool_code',
        "source": '''def max_pool2d_forward(x, kernel_size=2, stride=None):
    """Max pooling without padding. x: (N, C, H, W) -> (N, C, H_out, W_out); stride defaults to kernel_size."""
    s = kernel_size if stride is None else stride
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
    return windows[:, :, ::s, ::s].max(axis=(4, 5))


def max_pool2d_backward(grad_out, x, kernel_size=2, stride=None):
    """Gradient of max_pool2d_forward with respect to x (shape of x)."""
    k = kernel_size
    s = k if stride is None else stride
    _, _, h_out, w_out = grad_out.shape
    grad_x = np.zeros(x.shape)
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, :, i * s:i * s + k, j * s:j * s + k]
            is_max = window == window.max(axis=(2, 3), keepdims=True)
            grad_x[:, :, i * s:i * s + k, j * s:j * s + k] += is_max * grad_out[:, :, i:i + 1, j:j + 1]
    return grad_x''',
        "fails": ['ps10_pool_tests'],
        "message": 'you gave the gradient to every tied pixel',
    },
    {
        "name": 'pool_assigns_instead_of_adding',
        "cell": 'ps10_pool_code',
        "source": '''def max_pool2d_forward(x, kernel_size=2, stride=None):
    """Max pooling without padding. x: (N, C, H, W) -> (N, C, H_out, W_out); stride defaults to kernel_size."""
    s = kernel_size if stride is None else stride
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
    return windows[:, :, ::s, ::s].max(axis=(4, 5))


def max_pool2d_backward(grad_out, x, kernel_size=2, stride=None):
    """Gradient of max_pool2d_forward with respect to x (shape of x).

    Each output's gradient goes to the first maximum of its window (row-major order).
    """
    k = kernel_size
    s = k if stride is None else stride
    n, c, h_out, w_out = grad_out.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    first = windows.reshape(n, c, h_out, w_out, k * k).argmax(axis=-1)
    di, dj = np.divmod(first, k)
    rows = np.arange(h_out)[:, None] * s + di
    cols = np.arange(w_out)[None, :] * s + dj
    grad_x = np.zeros(x.shape)
    grad_x[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], rows, cols] = grad_out
    return grad_x''',
        "fails": ['ps10_pool_tests'],
        "message": 'do not assign them',
    },
    {
        "name": 'relu_gradient_at_zero',
        "cell": 'ps10_relu_loss_code',
        "source": '''def relu_forward(x):
    """max(x, 0), elementwise."""
    return np.maximum(x, 0)


def relu_backward(grad_out, x):
    """Gradient of relu_forward with respect to x: grad_out where x > 0, else 0 (also at x = 0)."""
    return grad_out * (x >= 0)


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of logits (N, classes) against integer labels y (N,).

    Returns (loss, grad_logits): a float and an array shaped like logits.
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(y)
    loss = -log_p[np.arange(n), y].mean()
    grad = np.exp(log_p)
    grad[np.arange(n), y] -= 1
    return float(loss), grad / n''',
        "fails": ['ps10_relu_loss_tests'],
        "message": 'use x > 0, not x >= 0',
    },
    {
        "name": 'loss_gradient_not_divided_by_n',
        "cell": 'ps10_relu_loss_code',
        "source": '''def relu_forward(x):
    """max(x, 0), elementwise."""
    return np.maximum(x, 0)


def relu_backward(grad_out, x):
    """Gradient of relu_forward with respect to x: grad_out where x > 0, else 0 (also at x = 0)."""
    return grad_out * (x > 0)


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of logits (N, classes) against integer labels y (N,).

    Returns (loss, grad_logits): a float and an array shaped like logits.
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(y)
    loss = -log_p[np.arange(n), y].mean()
    grad = np.exp(log_p)
    grad[np.arange(n), y] -= 1
    return float(loss), grad''',
        "fails": ['ps10_relu_loss_tests', 'ps10_train_tests'],
        "message": 'you forgot to divide the gradient by N',
    },
    {
        "name": 'softmax_overflows',
        "cell": 'ps10_relu_loss_code',
        "source": '''def relu_forward(x):
    """max(x, 0), elementwise."""
    return np.maximum(x, 0)


def relu_backward(grad_out, x):
    """Gradient of relu_forward with respect to x: grad_out where x > 0, else 0 (also at x = 0)."""
    return grad_out * (x > 0)


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of logits (N, classes) against integer labels y (N,).

    Returns (loss, grad_logits): a float and an array shaped like logits.
    """
    shifted = logits
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(y)
    loss = -log_p[np.arange(n), y].mean()
    grad = np.exp(log_p)
    grad[np.arange(n), y] -= 1
    return float(loss), grad / n''',
        "fails": ['ps10_relu_loss_tests'],
        "message": 'subtract the largest logit',
    },
    {
        "name": 'numerical_gradient_divides_by_h',
        "cell": 'ps10_check_code',
        "source": '''def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||) with Euclidean norms over all entries; 0.0 when both are zero."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def numerical_gradient(f, x, h=1e-5):
    """Central differences of the scalar function f at the array x: (f(x + h e_i) - f(x - h e_i)) / 2h."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / h
    return grad


def conv_numerical_gradients(x, w, b, grad_out, stride=1, padding=0):
    """Finite-difference gradients of L = sum(grad_out * conv2d_forward(x, w, b, stride, padding)).

    Returns (num_x, num_w, num_b).
    """
    loss = lambda x_, w_, b_: float(np.sum(grad_out * conv2d_forward(x_, w_, b_, stride, padding)))
    return (numerical_gradient(lambda v: loss(v, w, b), x),
            numerical_gradient(lambda v: loss(x, v, b), w),
            numerical_gradient(lambda v: loss(x, w, v), b))


def grad_check_conv(x, w, b, grad_out, stride=1, padding=0):
    """Relative errors (err_x, err_w, err_b) between conv2d_backward and conv_numerical_gradients."""
    analytic = conv2d_backward(grad_out, x, w, stride, padding)
    numeric = conv_numerical_gradients(x, w, b, grad_out, stride, padding)
    return tuple(relative_error(a, n) for a, n in zip(analytic, numeric))''',
        "fails": ['ps10_check_tests'],
        "message": 'the central difference divides by 2h',
    },
    {
        "name": 'train_uses_the_global_labels',
        "cell": 'ps10_train_code',
        "source": '''def predict(params, x):
    """Class scores (N, 10) of the digits network for images x (N, 1, 8, 8)."""
    return forward(params, x)[0]


def forward(p, x):
    z1 = conv2d_forward(x, p["w1"], p["b1"], padding=1)
    a1 = relu_forward(z1)
    h1 = max_pool2d_forward(a1)
    z2 = conv2d_forward(h1, p["w2"], p["b2"], padding=1)
    a2 = relu_forward(z2)
    h2 = max_pool2d_forward(a2)
    f = h2.reshape(len(x), -1)
    return f @ p["w3"].T + p["b3"], (x, z1, a1, h1, z2, a2, h2, f)


def backward(p, cache, g):
    x, z1, a1, h1, z2, a2, h2, f = cache
    grads = {"w3": g.T @ f, "b3": g.sum(axis=0)}
    g_h2 = (g @ p["w3"]).reshape(h2.shape)
    g_z2 = relu_backward(max_pool2d_backward(g_h2, a2), z2)
    g_h1, grads["w2"], grads["b2"] = conv2d_backward(g_z2, h1, p["w2"], padding=1)
    g_z1 = relu_backward(max_pool2d_backward(g_h1, a1), z1)
    _, grads["w1"], grads["b1"] = conv2d_backward(g_z1, x, p["w1"], padding=1)
    return grads


def train_digits(x, y, seed=0):
    """Train the digits network on images x (N, 1, 8, 8) and labels y (N,); return its parameters.

    Start from init_params(seed); the result is a dict with the keys and shapes of init_params.
    """
    p = init_params(seed)
    rng = np.random.default_rng(seed)
    velocity = {name: np.zeros_like(v) for name, v in p.items()}
    epochs, batch, lr, momentum = 15, 32, 0.02, 0.9
    steps, step = epochs * int(np.ceil(len(x) / batch)), 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            logits, cache = forward(p, x[idx])
            _, g = softmax_cross_entropy(logits, y_train[idx])
            grads = backward(p, cache, g)
            rate = lr * 0.5 * (1 + np.cos(np.pi * step / steps))
            step += 1
            for name in p:
                velocity[name] = momentum * velocity[name] + grads[name]
                p[name] = p[name] - rate * velocity[name]
    return p''',
        "fails": ['ps10_train_tests'],
        "message": 'must learn from the labels it is given',
    },
    {
        "name": 'train_one_epoch',
        "cell": 'ps10_train_code',
        "source": '''def predict(params, x):
    """Class scores (N, 10) of the digits network for images x (N, 1, 8, 8)."""
    return forward(params, x)[0]


def forward(p, x):
    z1 = conv2d_forward(x, p["w1"], p["b1"], padding=1)
    a1 = relu_forward(z1)
    h1 = max_pool2d_forward(a1)
    z2 = conv2d_forward(h1, p["w2"], p["b2"], padding=1)
    a2 = relu_forward(z2)
    h2 = max_pool2d_forward(a2)
    f = h2.reshape(len(x), -1)
    return f @ p["w3"].T + p["b3"], (x, z1, a1, h1, z2, a2, h2, f)


def backward(p, cache, g):
    x, z1, a1, h1, z2, a2, h2, f = cache
    grads = {"w3": g.T @ f, "b3": g.sum(axis=0)}
    g_h2 = (g @ p["w3"]).reshape(h2.shape)
    g_z2 = relu_backward(max_pool2d_backward(g_h2, a2), z2)
    g_h1, grads["w2"], grads["b2"] = conv2d_backward(g_z2, h1, p["w2"], padding=1)
    g_z1 = relu_backward(max_pool2d_backward(g_h1, a1), z1)
    _, grads["w1"], grads["b1"] = conv2d_backward(g_z1, x, p["w1"], padding=1)
    return grads


def train_digits(x, y, seed=0):
    """Train the digits network on images x (N, 1, 8, 8) and labels y (N,); return its parameters.

    Start from init_params(seed); the result is a dict with the keys and shapes of init_params.
    """
    p = init_params(seed)
    rng = np.random.default_rng(seed)
    velocity = {name: np.zeros_like(v) for name, v in p.items()}
    epochs, batch, lr, momentum = 1, 32, 0.02, 0.9
    steps, step = epochs * int(np.ceil(len(x) / batch)), 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            logits, cache = forward(p, x[idx])
            _, g = softmax_cross_entropy(logits, y[idx])
            grads = backward(p, cache, g)
            rate = lr * 0.5 * (1 + np.cos(np.pi * step / steps))
            step += 1
            for name in p:
                velocity[name] = momentum * velocity[name] + grads[name]
                p[name] = p[name] - rate * velocity[name]
    return p''',
        "fails": ['ps10_train_tests'],
        "message": 'below the target of 94 %',
    },
]
