"""Chapter 3 demo: max, average and L2 pooling of an image, and the shift test."""

import numpy as np

from .. import pooling
from ._base import Control, Demo, DemoView, ImagePanel
from .images import sample_image

POOLS = {
    "max": lambda x, k, s: pooling.max_pool2d(x, k, s),
    "average": lambda x, k, s: pooling.avg_pool2d(x, k, s),
    "L2": lambda x, k, s: pooling.lp_pool2d(x, 2, k, s),
}


class PoolingExplorer(Demo):
    """Pool a 128×128 photo with a chosen window and stride, then shift the input and pool again."""

    title = "Pooling explorer: window, stride and the shift test"
    columns = 3
    controls = [
        Control("mode", "pooling", list(POOLS), "max", kind="dropdown"),
        Control("window", "window k", [2, 3, 4, 8], 2),
        Control("stride", "stride s", [1, 2, 3, 4], 2),
        Control("shift", "shift input by (px)", [0, 1, 2, 3], 1),
    ]
    panels = [
        ImagePanel("input", "input (128×128)", vmin=0, vmax=1, width=200),
        ImagePanel("pooled", "pooled input", width=200),
        ImagePanel("change", "|pool(shifted) − pool(input)| / max", cmap="magma", vmin=0, vmax=0.5, width=200),
    ]

    def __init__(self, size=128):
        self.image = sample_image("hopper", size=size)

    def state(self, mode, window, stride, shift):
        x = self.image[None, None]
        shifted = np.roll(x, shift, axis=-1)  # circular shift keeps the size; the border column wraps
        pool = POOLS[mode]
        pooled, pooled_shifted = pool(x, window, stride), pool(shifted, window, stride)
        change = np.abs(pooled_shifted - pooled)[0, 0] / np.abs(pooled).max()
        out = pooled.shape[-1]
        unchanged = float(np.mean(change < 1e-12))
        labels = {
            "size": f"O = ⌊({x.shape[-1]} − {window})/{stride}⌋ + 1 = {out}   ({out}×{out} = {out * out} values)",
            "shift": f"shift {shift} px: mean relative change {change.mean():.4f}, outputs unchanged {unchanged:.0%}",
        }
        return {"input": x[0, 0], "pooled": pooled[0, 0], "change": change}, labels

    def describe(self, settings, arrays, labels):
        out = arrays["pooled"].shape[0]
        change = arrays["change"]
        return {
            "input": "the 128×128 portrait of Grace Hopper",
            "pooled": (f"{settings['mode']} pooling with a {settings['window']}×{settings['window']} window "
                       f"and stride {settings['stride']}: a {out}×{out} image"),
            "change": (f"how much each pooled value moves when the input shifts {settings['shift']} px to the "
                       f"right: mean {change.mean():.4f}, unchanged {np.mean(change < 1e-12):.0%}"),
        }


def pooling_explorer():
    """The chapter 3 demo as a ready widget (a static page on the site).

    Examples
    --------
    >>> view = pooling_explorer()
    >>> view.update(mode="average", window=4, stride=4, shift=0)
    >>> view.arrays["pooled"].shape
    (32, 32)
    """
    return DemoView(PoolingExplorer())


def draw_pooling(mode="max", window=2, stride=2, shift=1):
    """The demo's figure for the given settings, as a matplotlib figure (for the book)."""
    return PoolingExplorer().figure(mode=mode, window=window, stride=stride, shift=shift)
