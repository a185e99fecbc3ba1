"""Buggy submissions for ps08_feature_scaling: common mistakes with scaling and gradient descent.

Generated from the solution cells of solutions/ps08_feature_scaling: each entry replaces one
solution cell with a plausible wrong implementation (see tests/test_assignments.py)."""

BUGS = [
    {
        "name": 'standardize_sample_std',
        "cell": 'ps08_standardize_code',
        "source": '''def standardize(x, axis=0, eps=1e-8, mean=None, std=None):
    """(scaled, mean, std): standardise along axis, or with the given (training) statistics."""
    x = as_float(x)
    axes = reduction_axes(axis, x.ndim)
    if mean is None:
        mean = x.mean(axis=axes)
        std = x.std(axis=axes, ddof=1)
    mean_b = np.expand_dims(np.asarray(mean), axes)
    std_b = np.expand_dims(np.asarray(std), axes)
    return (x - mean_b) / (std_b + eps), mean, std''',
        "fails": ['ps08_standardize_tests', 'ps08_compare_tests'],
        "message": 'not the sample std',
    },
    {
        "name": 'standardize_ignores_given_stats',
        "cell": 'ps08_standardize_code',
        "source": '''def standardize(x, axis=0, eps=1e-8, mean=None, std=None):
    """(scaled, mean, std): standardise along axis, or with the given (training) statistics."""
    x = as_float(x)
    axes = reduction_axes(axis, x.ndim)
    mean = x.mean(axis=axes)
    std = x.std(axis=axes)
    mean_b = np.expand_dims(np.asarray(mean), axes)
    std_b = np.expand_dims(np.asarray(std), axes)
    return (x - mean_b) / (std_b + eps), mean, std''',
        "fails": ['ps08_standardize_tests'],
        "message": 'with its own statistics',
    },
    {
        "name": 'standardize_per_row',
        "cell": 'ps08_standardize_code',
        "source": '''def standardize(x, axis=0, eps=1e-8, mean=None, std=None):
    """(scaled, mean, std): standardise along axis, or with the given (training) statistics."""
    x = as_float(x)
    axes = reduction_axes(axis, x.ndim)
    if axes == (0,) and x.ndim == 2:
        axes = (1,)
    if mean is None:
        mean = x.mean(axis=axes)
        std = x.std(axis=axes)
    mean_b = np.expand_dims(np.asarray(mean), axes)
    std_b = np.expand_dims(np.asarray(std), axes)
    return (x - mean_b) / (std_b + eps), mean, std''',
        "fails": ['ps08_standardize_tests', 'ps08_compare_tests'],
        "message": 'standardised each row',
    },
    {
        "name": 'minmax_global',
        "cell": 'ps08_minmax_code',
        "source": '''def min_max_scale(x, feature_range=(0, 1), axis=0, data_min=None, data_max=None):
    """(scaled, data_min, data_max): scale each feature linearly onto feature_range."""
    x = as_float(x)
    axes = reduction_axes(axis, x.ndim)
    if data_min is None:
        data_min = x.min()
        data_max = x.max()
    low, high = feature_range
    lo = np.expand_dims(np.asarray(data_min), axes)
    span = np.expand_dims(np.asarray(data_max), axes) - lo
    span = np.where(span == 0, 1, span)
    return low + (high - low) * (x - lo) / span, data_min, data_max''',
        "fails": ['ps08_minmax_tests'],
        "message": 'one minimum and maximum for the whole array',
    },
    {
        "name": 'minmax_constant_nan',
        "cell": 'ps08_minmax_code',
        "source": '''def min_max_scale(x, feature_range=(0, 1), axis=0, data_min=None, data_max=None):
    """(scaled, data_min, data_max): scale each feature linearly onto feature_range."""
    x = as_float(x)
    axes = reduction_axes(axis, x.ndim)
    if data_min is None:
        data_min = x.min(axis=axes)
        data_max = x.max(axis=axes)
    low, high = feature_range
    lo = np.expand_dims(np.asarray(data_min), axes)
    span = np.expand_dims(np.asarray(data_max), axes) - lo
    return low + (high - low) * (x - lo) / span, data_min, data_max''',
        "fails": ['ps08_minmax_tests'],
        "message": 'must not give NaN',
    },
    {
        "name": 'minmax_ignores_range',
        "cell": 'ps08_minmax_code',
        "source": '''def min_max_scale(x, feature_range=(0, 1), axis=0, data_min=None, data_max=None):
    """(scaled, data_min, data_max): scale each feature linearly onto feature_range."""
    x = as_float(x)
    axes = reduction_axes(axis, x.ndim)
    if data_min is None:
        data_min = x.min(axis=axes)
        data_max = x.max(axis=axes)
    low, high = feature_range
    lo = np.expand_dims(np.asarray(data_min), axes)
    span = np.expand_dims(np.asarray(data_max), axes) - lo
    span = np.where(span == 0, 1, span)
    return (x - lo) / span, data_min, data_max''',
        "fails": ['ps08_minmax_tests'],
        "message": 'ignored feature_range',
    },
    {
        "name": 'channels_broadcast_last_axis',
        "cell": 'ps08_channels_code',
        "source": '''def channel_stats(x):
    """(mean, std) of every channel of x (N, C, H, W), over the batch and the pixels."""
    x = as_float(x)
    return x.mean(axis=(0, 2, 3)), x.std(axis=(0, 2, 3))


def normalize_channels(x, mean, std):
    """(x - mean_c) / std_c for every channel c of x (N, C, H, W)."""
    x = as_float(x)
    mean = np.asarray(mean, dtype=x.dtype)
    std = np.asarray(std, dtype=x.dtype)
    return (x - mean) / std''',
        "fails": ['ps08_channels_tests'],
        "message": 'broadcast along the last axis',
    },
    {
        "name": 'channels_float64',
        "cell": 'ps08_channels_code',
        "source": '''def channel_stats(x):
    """(mean, std) of every channel of x (N, C, H, W), over the batch and the pixels."""
    x = as_float(x)
    return x.mean(axis=(0, 2, 3)), x.std(axis=(0, 2, 3))


def normalize_channels(x, mean, std):
    """(x - mean_c) / std_c for every channel c of x (N, C, H, W)."""
    x = as_float(x)
    mean = np.asarray(mean).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=x.dtype).reshape(-1, 1, 1)
    return (x - mean) / std''',
        "fails": ['ps08_channels_tests'],
        "message": 'convert mean and std to the dtype of x',
    },
    {
        "name": 'gd_sum_gradient',
        "cell": 'ps08_gd_code',
        "source": '''def gradient_descent(X, y, lr, tol=1e-6, max_steps=100_000):
    """Minimise (1/2n) ||X w + b - y||^2 from w = 0, b = 0; return (w, b, steps)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    for step in range(max_steps + 1):
        r = X @ w + b - y
        grad_w = X.T @ r
        grad_b = r.sum()
        if np.sqrt(grad_w @ grad_w + grad_b * grad_b) <= tol or step == max_steps:
            return w, b, step
        w = w - lr * grad_w
        b = b - lr * grad_b''',
        "fails": ['ps08_gd_tests', 'ps08_compare_tests'],
        "message": 'MEAN over the samples',
    },
    {
        "name": 'gd_off_by_one',
        "cell": 'ps08_gd_code',
        "source": '''def gradient_descent(X, y, lr, tol=1e-6, max_steps=100_000):
    """Minimise (1/2n) ||X w + b - y||^2 from w = 0, b = 0; return (w, b, steps)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    for step in range(max_steps + 1):
        r = X @ w + b - y
        grad_w = X.T @ r / n
        grad_b = r.mean()
        if np.sqrt(grad_w @ grad_w + grad_b * grad_b) <= tol or step == max_steps:
            return w, b, step + 1
        w = w - lr * grad_w
        b = b - lr * grad_b''',
        "fails": ['ps08_gd_tests'],
        "message": 'count the updates',
    },
    {
        "name": 'cond_singular_values',
        "cell": 'ps08_compare_code',
        "source": '''def condition_number(X):
    """lambda_max / lambda_min of H = A^T A / n, A = [X, 1]."""
    X = np.asarray(X, dtype=np.float64)
    A = np.column_stack([X, np.ones(len(X))])
    sv = np.linalg.svd(A, compute_uv=False)
    return float(sv[0] / sv[-1])


def _lambda_max(X):
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(A.T @ A / len(X))[-1]


X_scaled, _, _ = standardize(X_raw)
cond_raw = condition_number(X_raw)
cond_scaled = condition_number(X_scaled)
steps_raw = gradient_descent(X_raw, price, 1 / _lambda_max(X_raw))[2]
steps_scaled = gradient_descent(X_scaled, price, 1 / _lambda_max(X_scaled))[2]
print(f"condition number: raw {cond_raw:.1f}, standardised {cond_scaled:.3f}")
print(f"steps to tol=1e-6: raw {steps_raw}, standardised {steps_scaled}")''',
        "fails": ['ps08_compare_tests'],
        "message": 'not the singular values of A',
    },
    {
        "name": 'cond_without_bias_column',
        "cell": 'ps08_compare_code',
        "source": '''def condition_number(X):
    """lambda_max / lambda_min of H = A^T A / n, A = [X, 1]."""
    X = np.asarray(X, dtype=np.float64)
    A = X
    eig = np.linalg.eigvalsh(A.T @ A / len(X))
    return float(eig[-1] / eig[0])


def _lambda_max(X):
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(A.T @ A / len(X))[-1]


X_scaled, _, _ = standardize(X_raw)
cond_raw = condition_number(X_raw)
cond_scaled = condition_number(X_scaled)
steps_raw = gradient_descent(X_raw, price, 1 / _lambda_max(X_raw))[2]
steps_scaled = gradient_descent(X_scaled, price, 1 / _lambda_max(X_scaled))[2]
print(f"condition number: raw {cond_raw:.1f}, standardised {cond_scaled:.3f}")
print(f"steps to tol=1e-6: raw {steps_raw}, standardised {steps_scaled}")''',
        "fails": ['ps08_compare_tests'],
        "message": 'column of ones',
    },
]
