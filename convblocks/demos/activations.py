"""Chapter 7 demo: an activation and its derivative, and activation statistics through
10 layers under a chosen weight initialisation."""

import numpy as np

from .. import activations
from ..init import fan_in_and_fan_out, kaiming_normal, xavier_normal
from ._base import Control, Demo, DemoView
from ._plot import LinesPanel

WIDTH = 256  # units per layer (fan_in = fan_out = WIDTH)
BATCH = 16  # input samples, x ~ N(0, 1)
DEPTH = 10  # layers
SATURATED = 0.05  # a unit counts as saturated/dead where |f'(z)| < SATURATED

INITS = ["small: std 0.01", "Xavier", "He", "large: std 1"]


def init_weight(name, rng, width=WIDTH):
    """One ``(width, width)`` weight drawn with the named initialisation."""
    shape = (width, width)
    if name == "Xavier":
        return xavier_normal(shape, rng)
    if name == "He":
        return kaiming_normal(shape, rng, nonlinearity="relu")
    return rng.normal(0.0, 0.01 if name.startswith("small") else 1.0, size=shape)


def init_formula(name, fan_in, fan_out):
    """The variance rule of the initialisation with the fans filled in, and the variance."""
    if name == "Xavier":
        var = 2 / (fan_in + fan_out)
        return f"Xavier: Var(w) = 2/(fan_in + fan_out) = 2/({fan_in} + {fan_out}) = {var:.6f}", var
    if name == "He":
        var = 2 / fan_in
        return f"He: Var(w) = 2/fan_in = 2/{fan_in} = {var:.6f}", var
    std = 0.01 if name.startswith("small") else 1.0
    return f"{name.split(':')[0]}: Var(w) = {std:g}² = {std * std:g}", std * std


def curve_limits(data):
    """Axes of the curve panel: they depend on the scale only, so every activation shares them."""
    scale = float(data["x"][-1])
    return -scale, scale, -1.25, max(1.25, 1.04 * scale)


class ActivationExplorer(Demo):
    """Plot f and f' on [-scale, scale]; push N(0, 1) inputs through 10 dense layers of width 256."""

    title = "Activation explorer: f, f′ and the statistics through 10 layers"
    columns = 3
    controls = [
        Control("activation", "activation", list(activations.ACTIVATIONS), "tanh", kind="dropdown"),
        Control("scale", "input scale", [1, 3, 10], 3),
        Control("init", "initialisation", INITS, "Xavier", kind="dropdown"),
    ]

    def __init__(self, size=240, seed=0):
        px = (size, round(size * 5 / 6))
        self.seed = seed
        self._weights = {}
        self.panels = [
            LinesPanel("curve", "f and f′ on [−scale, scale]",
                       [("x", "f", "f(x)", dict(color="C0", linewidth=1.5)),
                        ("x", "df", "f′(x)", dict(color="C3", linewidth=1.2, linestyle="--"))],
                       xlabel="x", limits=curve_limits, px=px),
            LinesPanel("std", "std of activations per layer",
                       [("layer", "std", "std(a)", dict(color="C0", marker="o", markersize=3))],
                       xlabel="layer", ylabel="std (log)", xlim=(0.5, DEPTH + 0.5), ylim=(1e-12, 1e12),
                       yscale="log", yticks=[1e-12, 1e-8, 1e-4, 1.0, 1e4, 1e8, 1e12], hlines=(1.0,), legend=False,
                       px=px),
            LinesPanel("saturated", f"fraction with |f′(z)| < {SATURATED}",
                       [("layer", "saturated", "saturated/dead", dict(color="C3", marker="o", markersize=3))],
                       xlabel="layer", ylabel="fraction", xlim=(0.5, DEPTH + 0.5), ylim=(-0.03, 1.03),
                       legend=False, px=px),
        ]

    def network(self, init_name):
        """The input batch and the 10 fixed seeded weights of the chosen initialisation (drawn once)."""
        if init_name not in self._weights:
            rng = np.random.default_rng(self.seed)
            x = rng.standard_normal((BATCH, WIDTH))
            self._weights[init_name] = (x, [init_weight(init_name, rng) for _ in range(DEPTH)])
        return self._weights[init_name]

    def state(self, activation, scale, init):
        f, df = activations.ACTIVATIONS[activation]
        xs = np.linspace(-scale, scale, 401)
        a, weights = self.network(init)
        std, saturated = np.empty(DEPTH), np.empty(DEPTH)
        for i, w in enumerate(weights):
            z = a @ w.T
            a = f(z)
            std[i] = a.std()
            saturated[i] = np.mean(np.abs(df(z)) < SATURATED)
        fan_in, fan_out = fan_in_and_fan_out((WIDTH, WIDTH))
        formula, var = init_formula(init, fan_in, fan_out)
        drawn = float(np.mean([w.var() for w in weights]))
        labels = {
            "init": f"{formula} (drawn {drawn:.3g}); fan_in·Var(w) = {fan_in}·{var:.4g} = {fan_in * var:.4g}",
            "layer10": (f"{activation}, layer {DEPTH}: std of activations = {std[-1]:.3g}, "
                        f"|f′(z)| < {SATURATED} for {saturated[-1]:.0%} of the units"),
            "slope": f"on [−{scale}, {scale}]: f′ from {df(xs).min():.3g} to {df(xs).max():.3g}",
        }
        layers = np.arange(1, DEPTH + 1)
        arrays = {
            "curve": {"x": xs, "f": f(xs), "df": df(xs)},
            "std": {"layer": layers, "std": std},
            "saturated": {"layer": layers, "saturated": saturated},
        }
        return arrays, labels

    def describe(self, settings, arrays, labels):
        act, scale, init = settings["activation"], settings["scale"], settings["init"]
        std, sat = arrays["std"]["std"], arrays["saturated"]["saturated"]
        return {
            "curve": f"{act} and its derivative on [−{scale}, {scale}]; {labels['slope'].split(': ', 1)[1]}",
            "std": (f"the standard deviation of the activations in layers 1 to {DEPTH} ({act}, {init}), "
                    f"log scale: {std[0]:.3g} in layer 1, {std[-1]:.3g} in layer {DEPTH}"),
            "saturated": (f"the share of units with |f′(z)| < {SATURATED} per layer ({act}, {init}): "
                          f"{sat[0]:.0%} in layer 1, {sat[-1]:.0%} in layer {DEPTH}"),
        }


def activation_explorer(size=240):
    """The chapter 7 demo as a ready widget (a static page on the site).

    Examples
    --------
    >>> view = activation_explorer()
    >>> view.update(activation="relu", scale=3, init="He")
    >>> view.labels["init"].split(" (")[0]
    'He: Var(w) = 2/fan_in = 2/256 = 0.007812'
    """
    return DemoView(ActivationExplorer(size=size))


def draw_activation(activation="tanh", scale=3, init="Xavier"):
    """The demo's figure for the given settings, as a matplotlib figure (for the book)."""
    return ActivationExplorer().figure(activation=activation, scale=scale, init=init)
