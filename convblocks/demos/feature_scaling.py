"""Chapter 8 demo: gradient descent on the loss of a 2-feature linear regression, raw vs
standardised features, with a learning-rate slider and a step counter."""

import numpy as np

from ..scaling import standardize
from ._base import Control, Demo, DemoView
from ._plot import PlotPanel, style_axes

N_SAMPLES = 200
MAX_STEPS = 5000  # steps run to count how many reach the tolerance
TOL = 1e-3  # converged when ||w - w*|| <= TOL ||w0 - w*||
BLOWUP = 1e6  # diverged when ||w - w*|| > BLOWUP ||w0 - w*||


def house_prices(seed=0, n=N_SAMPLES):
    """Synthetic data: area (m², ~100 ± 30) and distance to the centre (km, 0.5-15) -> price (k€)."""
    rng = np.random.default_rng(seed)
    area = np.clip(rng.normal(100.0, 30.0, n), 20.0, None)
    distance = rng.uniform(0.5, 15.0, n)
    price = 3.0 * area - 20.0 * distance + rng.normal(0.0, 30.0, n)
    return np.column_stack([area, distance]), price


def quadratic(X, y):
    """Hessian ``H = XᵀX/n``, ``g = Xᵀy/n`` and minimiser ``w*`` of ``L(w) = ‖Xw − y‖²/(2n)``."""
    n = X.shape[0]
    H, g = X.T @ X / n, X.T @ y / n
    return H, g, np.linalg.solve(H, g)


def gradient_descent(H, g, w_star, lr, max_steps=MAX_STEPS):
    """Run ``w ← w − lr (H w − g)`` from ``w = 0``; stop at the tolerance, at blow-up or after ``max_steps``.

    Returns
    -------
    path : ndarray, shape (T + 1, 2)
        The iterates ``w_0 = 0, ..., w_T``.
    outcome : {"converged", "diverged", "not converged"}
    """
    (h11, h12), (_, h22) = H.tolist()
    g1, g2 = g.tolist()
    s1, s2 = w_star.tolist()
    w1 = w2 = 0.0
    d0 = (s1 * s1 + s2 * s2) ** 0.5
    path, outcome = [(w1, w2)], "not converged"
    for _ in range(max_steps):
        w1, w2 = w1 - lr * (h11 * w1 + h12 * w2 - g1), w2 - lr * (h12 * w1 + h22 * w2 - g2)
        path.append((w1, w2))
        d = ((w1 - s1) ** 2 + (w2 - s2) ** 2) ** 0.5
        if d <= TOL * d0:
            outcome = "converged"
            break
        if not d <= BLOWUP * d0:
            outcome = "diverged"
            break
    return np.array(path), outcome


class ContourPathPanel(PlotPanel):
    """Contours of ``L(w) − L*`` drawn once; the gradient-descent path blitted on top."""

    def __init__(self, name, title, H, w_star, xlabel, ylabel, px=(240, 200), width=None):
        super().__init__(name, title, px, width)
        self.H, self.w_star, self.xlabel, self.ylabel = H, w_star, xlabel, ylabel

    def setup(self, fig):
        ax = fig.add_axes((0.2, 0.17, 0.76, 0.78))
        s = self.w_star
        x0, x1 = sorted((0.0, s[0]))
        y0, y1 = sorted((0.0, s[1]))
        xs = np.linspace(x0 - 0.5 * (x1 - x0), x1 + 0.5 * (x1 - x0), 160)
        ys = np.linspace(y0 - 0.5 * (y1 - y0), y1 + 0.5 * (y1 - y0), 160)
        W1, W2 = np.meshgrid(xs, ys)
        d1, d2 = W1 - s[0], W2 - s[1]
        excess = 0.5 * (self.H[0, 0] * d1 * d1 + 2 * self.H[0, 1] * d1 * d2 + self.H[1, 1] * d2 * d2)
        top = excess.max()
        ax.contour(W1, W2, excess, levels=top * np.logspace(-4, 0, 9), cmap="viridis", linewidths=0.7)
        ax.plot([0.0], [0.0], "o", color="black", markersize=3)
        ax.plot([s[0]], [s[1]], "*", color="C3", markersize=8)
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        ax.set_xlabel(self.xlabel, labelpad=1)
        ax.set_ylabel(self.ylabel, labelpad=1)
        style_axes(ax)
        ax.grid(False)
        self.line = ax.plot([], [], "-", color="C1", linewidth=0.9, animated=True)[0]
        self.points = ax.plot([], [], ".", color="C1", markersize=2.5, animated=True)[0]
        self.head = ax.plot([], [], "o", color="C1", markeredgecolor="black", markeredgewidth=0.6, markersize=4.5,
                            animated=True)[0]

    def update(self, path):
        self.line.set_data(path[:, 0], path[:, 1])
        self.points.set_data(path[:, 0], path[:, 1])
        self.head.set_data(path[-1:, 0], path[-1:, 1])
        return [self.line, self.points, self.head]


def _outcome(outcome, path):
    steps = len(path) - 1
    if outcome == "converged":
        return f"reaches the tolerance in {steps:,} steps"
    if outcome == "diverged":
        return f"diverged (‖w − w*‖ > 10⁶·‖w₀ − w*‖ after {steps} steps)"
    return f"not converged in {MAX_STEPS:,} steps"


class FeatureScalingExplorer(Demo):
    """Gradient descent for price ≈ w₁·area + w₂·distance, on raw and on standardised features."""

    title = "Feature scaling: gradient descent on raw vs standardised features"
    columns = 2
    controls = [
        Control("lr", "learning rate η", [1e-4, 1.7e-4, 2e-4, 0.01, 0.1, 0.5, 1.0, 2.0], 1.7e-4),
        Control("steps", "steps shown", [1, 3, 10, 100, 1000, 5000], 10),
    ]

    def __init__(self, size=240, seed=0):
        px = (size, round(size * 5 / 6))
        self.X, self.y = house_prices(seed)
        self.Z, self.mean, self.std = standardize(self.X)
        self.problems = {"raw": quadratic(self.X, self.y), "scaled": quadratic(self.Z, self.y)}
        H, _, w_star = self.problems["raw"]
        Hs, _, ws_star = self.problems["scaled"]
        self.panels = [
            ContourPathPanel("raw", "raw features (m², km)", H, w_star, "w₁ (area)", "w₂ (distance)", px=px),
            ContourPathPanel("scaled", "standardised features", Hs, ws_star, "w₁ (area)", "w₂ (distance)", px=px),
        ]

    def state(self, lr, steps):
        arrays, labels = {}, {}
        stable = []
        for name in ("raw", "scaled"):
            H, g, w_star = self.problems[name]
            path, outcome = gradient_descent(H, g, w_star, lr)
            shown = path[:steps + 1]
            arrays[name] = shown
            lam = np.linalg.eigvalsh(H)
            stable.append(2 / lam[-1])
            d = np.linalg.norm(shown[-1] - w_star) / np.linalg.norm(w_star)
            labels[name] = (f"{name:>6}: η = {lr:g}, {_outcome(outcome, path)};  after {len(shown) - 1} steps "
                            f"‖w − w*‖/‖w₀ − w*‖ = {d:.3g}")
        cond = [np.linalg.cond(self.X.T @ self.X), np.linalg.cond(self.Z.T @ self.Z)]
        labels["cond"] = f"cond(XᵀX): raw {cond[0]:,.1f}, standardised {cond[1]:.3f}"
        labels["stable"] = (f"largest stable step 2/λ_max(XᵀX/n): raw {stable[0]:.3g}, "
                            f"standardised {stable[1]:.3g}  (η = {lr:g})")
        labels["scaling"] = (f"standardised: z = (x − μ)/σ with μ = ({self.mean[0]:.1f} m², {self.mean[1]:.2f} km), "
                             f"σ = ({self.std[0]:.1f} m², {self.std[1]:.2f} km)")
        return arrays, labels

    def describe(self, settings, arrays, labels):
        said = {}
        for name, what in (("raw", "raw features"), ("scaled", "standardised features")):
            shown = len(arrays[name]) - 1
            said[name] = (f"loss contours of the {what} with the gradient-descent path from w = 0, "
                          f"{shown} step{'s' if shown != 1 else ''} at η = {settings['lr']:g}: "
                          f"{labels[name].split(', ', 1)[1]}")
        return said


def feature_scaling_explorer(size=240):
    """The chapter 8 demo as a ready widget (a static page on the site).

    Examples
    --------
    >>> view = feature_scaling_explorer()
    >>> view.update(lr=0.5, steps=100)
    >>> view.labels["scaled"].split(";")[0]
    'scaled: η = 0.5, reaches the tolerance in 12 steps'
    """
    return DemoView(FeatureScalingExplorer(size=size))


def draw_feature_scaling(lr=1.7e-4, steps=10):
    """The demo's figure for the given settings, as a matplotlib figure (for the book)."""
    return FeatureScalingExplorer().figure(lr=lr, steps=steps)
