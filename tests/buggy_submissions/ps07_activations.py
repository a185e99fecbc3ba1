"""Buggy submissions for ps07_activations: common mistakes with activations, their derivatives and initialisation.

Generated from the solution cells of solutions/ps07_activations: each entry replaces one
solution cell with a plausible wrong implementation (see tests/test_assignments.py)."""

BUGS = [
    {
        "name": 'sigmoid_naive_overflow',
        "cell": 'ps07_sigmoid_code',
        "source": '''def sigmoid(x):
    """Logistic sigmoid, stable for any |x|."""
    x = as_float(x)
    return (1 / (1 + np.exp(-x))).astype(x.dtype)


def sigmoid_grad(x):
    """Derivative of the sigmoid at x."""
    x = as_float(x)
    return sigmoid(x) * sigmoid(-x)


def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(as_float(x))


def tanh_grad(x):
    """Derivative of tanh at x."""
    t = tanh(x)
    return 1 - t * t''',
        "fails": ['ps07_sigmoid_tests', 'ps07_smooth_tests'],
        "message": 'must not overflow',
    },
    {
        "name": 'sigmoid_grad_plus',
        "cell": 'ps07_sigmoid_code',
        "source": '''def sigmoid(x):
    """Logistic sigmoid, stable for any |x|."""
    x = as_float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def sigmoid_grad(x):
    """Derivative of the sigmoid at x."""
    x = as_float(x)
    return sigmoid(x) * (1 + sigmoid(x))


def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(as_float(x))


def tanh_grad(x):
    """Derivative of tanh at x."""
    t = tanh(x)
    return 1 - t * t''',
        "fails": ['ps07_sigmoid_tests'],
        "message": 'sigma * (1 + sigma)',
    },
    {
        "name": 'sigmoid_grad_at_output',
        "cell": 'ps07_sigmoid_code',
        "source": '''def sigmoid(x):
    """Logistic sigmoid, stable for any |x|."""
    x = as_float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def sigmoid_grad(x):
    """Derivative of the sigmoid at x."""
    x = as_float(x)
    s = sigmoid(sigmoid(x))
    return s * (1 - s)


def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(as_float(x))


def tanh_grad(x):
    """Derivative of tanh at x."""
    t = tanh(x)
    return 1 - t * t''',
        "fails": ['ps07_sigmoid_tests'],
        "message": 'evaluated the derivative at the output',
    },
    {
        "name": 'tanh_grad_no_square',
        "cell": 'ps07_sigmoid_code',
        "source": '''def sigmoid(x):
    """Logistic sigmoid, stable for any |x|."""
    x = as_float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def sigmoid_grad(x):
    """Derivative of the sigmoid at x."""
    x = as_float(x)
    return sigmoid(x) * sigmoid(-x)


def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(as_float(x))


def tanh_grad(x):
    """Derivative of tanh at x."""
    t = tanh(x)
    return 1 - t''',
        "fails": ['ps07_sigmoid_tests'],
        "message": 'forgot the square',
    },
    {
        "name": 'relu_grad_at_zero',
        "cell": 'ps07_relu_code',
        "source": '''def relu(x):
    x = as_float(x)
    return np.maximum(x, 0).astype(x.dtype)


def relu_grad(x):
    x = as_float(x)
    return (x >= 0).astype(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    x = as_float(x)
    return np.where(x > 0, x, negative_slope * x).astype(x.dtype)


def leaky_relu_grad(x, negative_slope=0.01):
    x = as_float(x)
    return np.where(x > 0, 1.0, negative_slope).astype(x.dtype)


def elu(x, alpha=1.0):
    x = as_float(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype)


def elu_grad(x, alpha=1.0):
    x = as_float(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)''',
        "fails": ['ps07_relu_tests'],
        "message": 'relu_grad(0) must be 0',
    },
    {
        "name": 'elu_overflow',
        "cell": 'ps07_relu_code',
        "source": '''def relu(x):
    x = as_float(x)
    return np.maximum(x, 0).astype(x.dtype)


def relu_grad(x):
    x = as_float(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    x = as_float(x)
    return np.where(x > 0, x, negative_slope * x).astype(x.dtype)


def leaky_relu_grad(x, negative_slope=0.01):
    x = as_float(x)
    return np.where(x > 0, 1.0, negative_slope).astype(x.dtype)


def elu(x, alpha=1.0):
    x = as_float(x)
    return np.where(x > 0, x, alpha * (np.exp(x) - 1)).astype(x.dtype)


def elu_grad(x, alpha=1.0):
    x = as_float(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)''',
        "fails": ['ps07_relu_tests'],
        "message": 'must not overflow',
    },
    {
        "name": 'elu_grad_kink',
        "cell": 'ps07_relu_code',
        "source": '''def relu(x):
    x = as_float(x)
    return np.maximum(x, 0).astype(x.dtype)


def relu_grad(x):
    x = as_float(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    x = as_float(x)
    return np.where(x > 0, x, negative_slope * x).astype(x.dtype)


def leaky_relu_grad(x, negative_slope=0.01):
    x = as_float(x)
    return np.where(x > 0, 1.0, negative_slope).astype(x.dtype)


def elu(x, alpha=1.0):
    x = as_float(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype)


def elu_grad(x, alpha=1.0):
    x = as_float(x)
    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)''',
        "fails": ['ps07_relu_tests'],
        "message": 'elu_grad(0) must be alpha',
    },
    {
        "name": 'softplus_naive',
        "cell": 'ps07_smooth_code',
        "source": '''def softplus(x, beta=1.0, threshold=20.0):
    x = as_float(x)
    z = beta * x
    soft = np.log(1 + np.exp(z)) / beta
    return np.where(z > threshold, x, soft).astype(x.dtype)


def softplus_grad(x, beta=1.0, threshold=20.0):
    x = as_float(x)
    z = beta * x
    return np.where(z > threshold, 1.0, sigmoid(z)).astype(x.dtype)


def gelu(x, approximate="none"):
    x = as_float(x)
    if approximate == "tanh":
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return (0.5 * x * (1 + np.tanh(u))).astype(x.dtype)
    return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(x.dtype)


def gelu_grad(x, approximate="none"):
    x = as_float(x)
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x**3))
        return (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)).astype(x.dtype)
    x64 = x.astype(np.float64)
    cdf = 0.5 * (1 + erf(x64 / math.sqrt(2)))
    pdf = np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
    return (cdf + x64 * pdf).astype(x.dtype)''',
        "fails": ['ps07_smooth_tests'],
        "message": 'must not overflow',
    },
    {
        "name": 'softplus_grad_ignores_beta',
        "cell": 'ps07_smooth_code',
        "source": '''def softplus(x, beta=1.0, threshold=20.0):
    x = as_float(x)
    z = beta * x
    soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > threshold, x, soft).astype(x.dtype)


def softplus_grad(x, beta=1.0, threshold=20.0):
    x = as_float(x)
    z = beta * x
    return np.where(z > threshold, 1.0, sigmoid(x)).astype(x.dtype)


def gelu(x, approximate="none"):
    x = as_float(x)
    if approximate == "tanh":
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return (0.5 * x * (1 + np.tanh(u))).astype(x.dtype)
    return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(x.dtype)


def gelu_grad(x, approximate="none"):
    x = as_float(x)
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x**3))
        return (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)).astype(x.dtype)
    x64 = x.astype(np.float64)
    cdf = 0.5 * (1 + erf(x64 / math.sqrt(2)))
    pdf = np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
    return (cdf + x64 * pdf).astype(x.dtype)''',
        "fails": ['ps07_smooth_tests'],
        "message": 'you used sigma(x)',
    },
    {
        "name": 'gelu_grad_no_product_rule',
        "cell": 'ps07_smooth_code',
        "source": '''def softplus(x, beta=1.0, threshold=20.0):
    x = as_float(x)
    z = beta * x
    soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > threshold, x, soft).astype(x.dtype)


def softplus_grad(x, beta=1.0, threshold=20.0):
    x = as_float(x)
    z = beta * x
    return np.where(z > threshold, 1.0, sigmoid(z)).astype(x.dtype)


def gelu(x, approximate="none"):
    x = as_float(x)
    if approximate == "tanh":
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return (0.5 * x * (1 + np.tanh(u))).astype(x.dtype)
    return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(x.dtype)


def gelu_grad(x, approximate="none"):
    x = as_float(x)
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x**3))
        return (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)).astype(x.dtype)
    x64 = x.astype(np.float64)
    cdf = 0.5 * (1 + erf(x64 / math.sqrt(2)))
    pdf = np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
    return cdf.astype(x.dtype)''',
        "fails": ['ps07_smooth_tests'],
        "message": 'product rule',
    },
    {
        "name": 'gelu_tanh_no_cubic',
        "cell": 'ps07_smooth_code',
        "source": '''def softplus(x, beta=1.0, threshold=20.0):
    x = as_float(x)
    z = beta * x
    soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > threshold, x, soft).astype(x.dtype)


def softplus_grad(x, beta=1.0, threshold=20.0):
    x = as_float(x)
    z = beta * x
    return np.where(z > threshold, 1.0, sigmoid(z)).astype(x.dtype)


def gelu(x, approximate="none"):
    x = as_float(x)
    if approximate == "tanh":
        u = math.sqrt(2 / math.pi) * x
        return (0.5 * x * (1 + np.tanh(u))).astype(x.dtype)
    return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(x.dtype)


def gelu_grad(x, approximate="none"):
    x = as_float(x)
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x**3))
        return (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)).astype(x.dtype)
    x64 = x.astype(np.float64)
    cdf = 0.5 * (1 + erf(x64 / math.sqrt(2)))
    pdf = np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
    return (cdf + x64 * pdf).astype(x.dtype)''',
        "fails": ['ps07_smooth_tests'],
        "message": '0.044715 x^3',
    },
    {
        "name": 'dead_counts_activations',
        "cell": 'ps07_dead_code',
        "source": '''def dead_relu_fraction(z):
    """Fraction of units (axis 1) whose pre-activation is <= 0 for every sample (and position)."""
    z = np.asarray(z)
    axes = tuple(a for a in range(z.ndim) if a != 1)
    return float(np.mean(z <= 0))''',
        "fails": ['ps07_dead_tests'],
        "message": 'counted zero activations',
    },
    {
        "name": 'dead_strict_inequality',
        "cell": 'ps07_dead_code',
        "source": '''def dead_relu_fraction(z):
    """Fraction of units (axis 1) whose pre-activation is <= 0 for every sample (and position)."""
    z = np.asarray(z)
    axes = tuple(a for a in range(z.ndim) if a != 1)
    dead = np.all(z < 0, axis=axes)
    return float(np.mean(dead))''',
        "fails": ['ps07_dead_tests'],
        "message": 'test z <= 0, not z < 0',
    },
    {
        "name": 'kaiming_variance_as_std',
        "cell": 'ps07_init_code',
        "source": '''def fan_in_and_fan_out(shape):
    """(fan_in, fan_out) of a weight of the given shape, as PyTorch computes them."""
    receptive_field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive_field, shape[0] * receptive_field


def xavier_normal(shape, rng, gain=1.0, dtype=np.float64):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return np.random.default_rng(rng).normal(0.0, std, size=shape).astype(dtype)


def kaiming_normal(shape, rng, a=0, mode="fan_in", nonlinearity="leaky_relu", dtype=np.float64):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a * a)), "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    std = gains[nonlinearity] ** 2 / fan
    return np.random.default_rng(rng).normal(0.0, std, size=shape).astype(dtype)''',
        "fails": ['ps07_init_tests'],
        "message": 'variance gain^2 / fan as the standard deviation',
    },
    {
        "name": 'fans_without_receptive_field',
        "cell": 'ps07_init_code',
        "source": '''def fan_in_and_fan_out(shape):
    """(fan_in, fan_out) of a weight of the given shape, as PyTorch computes them."""
    receptive_field = 1
    return shape[1] * receptive_field, shape[0] * receptive_field


def xavier_normal(shape, rng, gain=1.0, dtype=np.float64):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return np.random.default_rng(rng).normal(0.0, std, size=shape).astype(dtype)


def kaiming_normal(shape, rng, a=0, mode="fan_in", nonlinearity="leaky_relu", dtype=np.float64):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a * a)), "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    std = gains[nonlinearity] / math.sqrt(fan)
    return np.random.default_rng(rng).normal(0.0, std, size=shape).astype(dtype)''',
        "fails": ['ps07_init_tests'],
        "message": 'forgot the receptive field',
    },
    {
        "name": 'layer_stds_preactivation',
        "cell": 'ps07_stats_code',
        "source": '''def layer_stds(x, weights, activation):
    """Std of the activations after each layer of a bias-free dense stack."""
    h = np.asarray(x)
    stds = []
    for w in weights:
        z = h @ np.asarray(w).T
        stds.append(z.std())
        h = {"linear": lambda v: v, "relu": relu, "tanh": tanh, "sigmoid": sigmoid}[activation](z)
    return np.array(stds)''',
        "fails": ['ps07_stats_tests'],
        "message": 'pre-activations',
    },
]
