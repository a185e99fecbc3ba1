"""Chapter 4 demo: mix the colour channels of the photo with a 1×1 convolution, and count a bottleneck.

Each pixel ``p = (r, g, b)`` becomes ``p M`` for a 3×C′ matrix ``M`` (the
weight of :func:`convblocks.pointwise_conv2d` is its transpose, ``(C′, 3)``).
The second half of the demo is the Inception bottleneck of the chapter: 32
maps of 5×5 filters on a 28×28×192 volume, directly or after a 1×1
reduction to a chosen width, counted with :func:`convblocks.conv2d_macs`,
and drawn to scale: the three volumes' channels, and the MACs of the direct
5×5 layer against the two layers of the bottleneck.
"""

import numpy as np

from .. import arithmetic, conv
from ._base import Control, Demo, DemoView, ImagePanel
from ._plot import StacksPanel, compact
from .images import sample_image

#: Mixing matrices ``M`` (rows: R, G, B; one column per output channel).
PRESETS = {
    "identity": np.eye(3),
    "grayscale": np.array([[0.299], [0.587], [0.114]]),
    "swap R/B": np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    "sepia": np.array([[0.393, 0.349, 0.272], [0.769, 0.686, 0.534], [0.189, 0.168, 0.131]]),
    "R − G": np.array([[1.0], [-1.0], [0.0]]),
    "brightness, R − G, B − Y": np.array([[0.299, 1.0, -0.5], [0.587, -1.0, -0.5], [0.114, 0.0, 1.0]]),
}
GAINS = [0.5, 1.0, 1.5, 2.0]
WIDTHS = [8, 16, 32, 64]
GAP = 4  # pixels between the channels of the channel strip

# The Inception branch of the chapter: 5x5 filters, 192 -> 32 maps on 28x28, "same" padding.
SIDE, C_IN, C_OUT, K = 28, 192, 32, 5


def _matrix(m):
    """``M`` as text, one bracket per input colour: ``R [0.3 1] · G [...]``."""
    rows = (f"{name} [{' '.join(f'{v:.3g}' for v in row)}]" for name, row in zip("RGB", m))
    return " · ".join(rows).replace("-", "−")


class ChannelMixer(Demo):
    """Mix the RGB channels of the photo with a preset 3×C′ matrix and count the bottleneck MACs."""

    title = "1×1 convolution: a channel mixer, and the bottleneck MAC counter"
    columns = 3
    controls = [
        Control("preset", "mixing matrix M", list(PRESETS), "sepia", kind="dropdown"),
        Control("gain", "gain (M × gain)", GAINS, 1.0),
        Control("width", "bottleneck width", WIDTHS, 16),
    ]

    def __init__(self, size=96):
        self.rgb = sample_image("hopper", size=size, gray=False)
        self.size = size
        self.panels = [
            ImagePanel("input", "input (RGB)", width=240),
            ImagePanel("output", "output (C′ = 3: as RGB; C′ = 1: gray)", width=240),
            StacksPanel("bottleneck", f"bottleneck: channels and MACs ({SIDE}×{SIDE} map)",
                        [f"input", "after 1×1", "after 5×5"], ["direct 5×5", "1×1 + 5×5"],
                        max_channels=C_IN, px=(240, 200)),
            ImagePanel("channels", "output channels of p M: −1 black, 0 gray, +1 white", vmin=-1, vmax=1,
                       width=3 * 240, span=3),
        ]

    def state(self, preset, gain, width):
        m = PRESETS[preset] * gain
        c_out = m.shape[1]
        x = self.rgb.transpose(2, 0, 1)[None]  # NCHW (1, 3, H, W)
        mixed = conv.pointwise_conv2d(x, m.T)[0]  # (C', H, W)
        n = self.size
        strip = np.full((n, 3 * n + 2 * GAP), np.nan)  # room for three channels; unused slots stay blank
        for c in range(c_out):
            strip[:, c * (n + GAP): c * (n + GAP) + n] = mixed[c]
        shown = np.clip(mixed, 0, 1)
        composite = shown.transpose(1, 2, 0) if c_out == 3 else np.repeat(shown[0][..., None], 3, axis=2)

        params = arithmetic.conv2d_params(3, c_out, 1)
        direct = arithmetic.conv2d_macs(SIDE, C_IN, C_OUT, K, padding="same")
        reduce = arithmetic.conv2d_macs(SIDE, C_IN, width, 1)
        conv5 = arithmetic.conv2d_macs(SIDE, width, C_OUT, K, padding="same")
        total = reduce + conv5
        labels = {
            "matrix": f"M (3×{c_out}) = {_matrix(m)}",
            "params": f"parameters: C·C′ + C′ = 3·{c_out} + {c_out} = {params}",
            "direct": (f"direct 5×5, {C_IN} → {C_OUT} on {SIDE}×{SIDE}: "
                       f"{SIDE}·{SIDE}·{C_OUT}·{K}·{K}·{C_IN} = {direct:,} MACs"),
            "bottleneck": (f"1×1 {C_IN} → {width}, then 5×5 {width} → {C_OUT}: "
                           f"{reduce:,} + {conv5:,} = {total:,} MACs  ({direct / total:.1f}× fewer)"),
        }
        stacks = {"channels": [C_IN, width, C_OUT], "bars": [[direct], [reduce, conv5]],
                  "texts": [compact(direct), f"{compact(reduce)} + {compact(conv5)} = {compact(total)}"]}
        arrays = {"input": self.rgb, "output": composite, "channels": strip, "bottleneck": stacks}
        return arrays, labels

    def describe(self, settings, arrays, labels):
        m = PRESETS[settings["preset"]] * settings["gain"]
        c_out, width = m.shape[1], settings["width"]
        direct, (reduce, conv5) = arrays["bottleneck"]["bars"][0][0], arrays["bottleneck"]["bars"][1]
        mixed = arrays["channels"]
        means = [float(np.nanmean(mixed[:, c * (self.size + GAP): c * (self.size + GAP) + self.size]))
                 for c in range(c_out)]
        return {
            "input": "the portrait of Grace Hopper in colour",
            "output": (f"every pixel p = (r, g, b) mapped to p M, with M the {settings['preset']} matrix times "
                       f"{settings['gain']}, shown {'as RGB' if c_out == 3 else 'as a gray image'}"),
            "bottleneck": (f"a {C_IN}-channel volume reduced by a 1×1 convolution to {width} channels, then "
                           f"a 5×5 convolution to {C_OUT}; the bars compare {direct:,} MACs for the direct "
                           f"5×5 layer with {reduce:,} + {conv5:,} = {reduce + conv5:,} for the bottleneck"),
            "channels": (f"the {c_out} output channel{'s' if c_out > 1 else ''} of p M side by side, mean "
                         + ", ".join(f"{v:.2f}" for v in means)),
        }


def channel_mixer():
    """The chapter 4 demo as a ready widget (a static page on the site).

    Examples
    --------
    >>> view = channel_mixer()
    >>> view.update(preset="grayscale", gain=1.0, width=16)
    >>> view.labels["bottleneck"]
    '1×1 192 → 16, then 5×5 16 → 32: 2,408,448 + 10,035,200 = 12,443,648 MACs  (9.7× fewer)'
    """
    return DemoView(ChannelMixer())


def draw_channel_mixer(preset="sepia", gain=1.0, width=16):
    """The demo's figure for the given settings, as a matplotlib figure (for the book)."""
    return ChannelMixer().figure(preset=preset, gain=gain, width=width)
