"""Chapter 5 demo: parameters and MACs of a standard vs a depthwise separable convolution,
and what the separable one can (and cannot) compute on an RGB photo.

The channel counts C and C′ are drawn to scale: the volumes each layer maps
between (input C, depthwise output C, output C′) and the weights of the
standard layer against the depthwise and pointwise weights of the separable
one.
"""

from dataclasses import dataclass

import numpy as np

from .. import arithmetic, conv, fast, init
from ._base import Control, Demo, DemoView, ImagePanel
from ._plot import StacksPanel, compact
from .images import sample_image

#: The feature map the MAC counts refer to (a MobileNet-sized layer), "same" padding.
MAC_MAP = 56


@dataclass
class RGBPanel(ImagePanel):
    """Show a ``(3, H, W)`` array (three conv output channels) as RGB, ``[vmin, vmax]`` -> ``[0, 1]``."""

    def render(self, data):
        scaled = (np.transpose(data, (1, 2, 0)) - self.vmin) / (self.vmax - self.vmin)
        return np.round(np.clip(scaled, 0.0, 1.0) * 255).astype(np.uint8)


def best_separable(weight):
    """The depthwise separable kernel closest to ``weight`` (Frobenius norm), and its factors.

    A separable kernel has ``k[o, c] = p[o, c] d[c]``: for every input channel ``c``
    the ``(C', K²)`` slice is rank 1, so the best one is the leading term of its SVD.

    Returns
    -------
    depthwise : ndarray, shape (C, 1, K, K)
    pointwise : ndarray, shape (C', C)
    """
    c_out, c_in, kh, kw = weight.shape
    depthwise = np.empty((c_in, 1, kh, kw))
    pointwise = np.empty((c_out, c_in))
    for c in range(c_in):
        u, s, vt = np.linalg.svd(weight[:, c].reshape(c_out, kh * kw), full_matrices=False)
        pointwise[:, c] = u[:, 0] * s[0]
        depthwise[c, 0] = vt[0].reshape(kh, kw)
    return depthwise, pointwise


class SeparableExplorer(Demo):
    """Count parameters and MACs for C -> C' channels with K x K kernels; filter a photo both ways."""

    title = "Depthwise separable vs standard convolution: parameters, MACs and outputs"
    columns = 3
    controls = [
        Control("c_in", "input channels C", [3, 32, 128], 32),
        Control("c_out", "output channels C′", [16, 64, 256], 64),
        Control("kernel", "kernel K", [3, 5, 7], 3),
    ]

    def __init__(self, size=96, seed=0):
        self.image = sample_image("hopper", size=size, gray=False).transpose(2, 0, 1)[None]  # (1, 3, H, W)
        self.seed = seed
        self.panels = [
            StacksPanel("weights", f"channels C → C′ and weights, to scale (MACs: weights × {MAC_MAP}²)",
                        ["input: C", "after depthwise: C", "output: C′"], ["standard", "separable"],
                        max_channels=256, px=(400, 200), span=2),
            RGBPanel("input", f"input photo (RGB, {size}×{size})", vmin=0.0, vmax=1.0, width=240),
            RGBPanel("standard", "standard K×K conv, 3 → 3", vmin=-1.2, vmax=1.6, width=240),
            RGBPanel("separable", "closest separable conv", vmin=-1.2, vmax=1.6, width=240),
            ImagePanel("difference", "|standard − separable|", cmap="magma",
                       vmin=0.0, vmax=0.5, width=240),
        ]

    def kernels(self, kernel):
        """The fixed seeded standard kernel (3 -> 3, K x K) and its closest separable factors."""
        weight = init.kaiming_normal((3, 3, kernel, kernel), np.random.default_rng(self.seed), nonlinearity="linear")
        return (weight, *best_separable(weight))

    def state(self, c_in, c_out, kernel):
        k2 = kernel * kernel
        standard = arithmetic.conv2d_params(c_in, c_out, kernel, bias=False)
        separable = arithmetic.separable_conv2d_params(c_in, c_out, kernel, bias=False)
        depthwise, pointwise = c_in * k2, c_in * c_out
        macs_std = arithmetic.conv2d_macs(MAC_MAP, c_in, c_out, kernel, padding="same")
        macs_dw = arithmetic.conv2d_macs(MAC_MAP, c_in, c_in, kernel, padding="same", groups=c_in)
        macs_pw = arithmetic.conv2d_macs(MAC_MAP, c_in, c_out, 1)

        weight, dw, pw = self.kernels(kernel)
        # conv2d's numbers (to 1e-15) through the FFT: 7 ms instead of 45 for K = 7 on 256×256 (chapter 9)
        y_std = fast.conv2d_fft(self.image, weight, padding="same")[0]
        y_sep = conv.separable_conv2d(self.image, dw, pw, padding="same")[0]
        diff = np.abs(y_std - y_sep).mean(axis=0)
        captured = float(np.sum((pw[:, :, None, None] * dw[None, :, 0]) ** 2) / np.sum(weight ** 2))
        rel_err = float(np.linalg.norm(y_std - y_sep) / np.linalg.norm(y_std))
        labels = {
            "standard": f"standard:  K²·C·C′ = {kernel}²·{c_in}·{c_out} = {standard:,} weights",
            "separable": (f"separable: C·K² + C·C′ = {c_in}·{kernel}² + {c_in}·{c_out} = "
                          f"{depthwise:,} + {pointwise:,} = {separable:,} weights"),
            "ratio": (f"ratio {separable:,}/{standard:,} = {separable / standard:.4f} = 1/C′ + 1/K² = "
                      f"1/{c_out} + 1/{k2}   ({standard / separable:.1f}× fewer)"),
            "macs": (f"MACs on a {MAC_MAP}×{MAC_MAP} map ('same'): standard {macs_std:,} vs separable "
                     f"{macs_dw:,} + {macs_pw:,} = {macs_dw + macs_pw:,}   "
                     f"({macs_std / (macs_dw + macs_pw):.1f}× fewer)"),
            "photo": (f"photo, K = {kernel}: a seeded standard 3 → 3 conv vs the closest separable one (k[o,c] = "
                      f"p[o,c]·d[c]) keeps {captured:.0%} of the kernel's energy; output error ‖Δ‖/‖y‖ = {rel_err:.3f}"),
        }
        arrays = {"input": self.image[0], "standard": y_std, "separable": y_sep, "difference": diff,
                  "weights": {"channels": [c_in, c_in, c_out], "bars": [[standard], [depthwise, pointwise]],
                              "texts": [f"{compact(standard)} = {kernel}²·{c_in}·{c_out}",
                                        f"{compact(depthwise)} + {compact(pointwise)} = {compact(separable)}"]}}
        return arrays, labels

    def describe(self, settings, arrays, labels):
        c_in, c_out, k = settings["c_in"], settings["c_out"], settings["kernel"]
        (standard,), (dw, pw) = arrays["weights"]["bars"]
        return {
            "weights": (f"volumes of {c_in} input channels, {c_in} depthwise outputs and {c_out} output "
                        f"channels drawn to scale; bars compare {standard:,} weights of the standard {k}×{k} "
                        f"layer with {dw:,} depthwise + {pw:,} pointwise = {dw + pw:,} of the separable one"),
            "input": "the portrait of Grace Hopper in colour",
            "standard": f"the photo filtered by a seeded standard {k}×{k} convolution with 3 output channels",
            "separable": f"the photo filtered by the closest depthwise separable {k}×{k} convolution",
            "difference": (f"where the two outputs differ, mean difference "
                           f"{float(arrays['difference'].mean()):.3f}"),
        }


def separable_explorer(size=96):
    """The chapter 5 demo as a ready widget (a static page on the site).

    Examples
    --------
    >>> view = separable_explorer()
    >>> view.update(c_in=32, c_out=64, kernel=3)
    >>> view.labels["separable"]
    'separable: C·K² + C·C′ = 32·3² + 32·64 = 288 + 2,048 = 2,336 weights'
    """
    return DemoView(SeparableExplorer(size=size))


def draw_separable(c_in=32, c_out=64, kernel=3):
    """The demo's figure for the given settings, as a matplotlib figure (for the book)."""
    return SeparableExplorer().figure(c_in=c_in, c_out=c_out, kernel=kernel)
