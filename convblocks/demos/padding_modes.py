"""Chapter 2 demo: the four padding modes on the photo, and what they do to the border of a blur.

The photo is padded with :func:`convblocks.pad2d`, then blurred with a K×K box
filter by :func:`convblocks.conv2d` on the padded image without further
padding ("valid"). The box filter is separable, so it runs as a 1×K then a
K×1 box (two ``conv2d`` calls, the same result as one K×K box up to
rounding) to stay fast at 256×256. Both panels share one canvas, big enough
for the largest padding, so the image keeps its place and scale; the gold
line is the frame of the original image, and the blurred output is drawn
under the centres of its windows.
"""

import numpy as np

from .. import arithmetic, conv
from ..padding import pad2d
from ._base import Control, Demo, DemoView, ImagePanel
from .images import sample_image

MODES = ["zeros", "reflect", "replicate", "circular"]
PADS = [4, 8, 16]
BLURS = [1, 5, 9, 15]
STRIP = 4  # width of the border strip whose mean brightness is reported
CANVAS = (0.86, 0.9, 0.95)  # outside the padded image (RGB)
FRAME = (1.0, 0.75, 0.0)  # outline of the original image (RGB)


def box_blur(x, kernel_size):
    """K×K box blur of a ``(1, 1, H, W)`` batch, valid: a 1×K box then a K×1 box with ``conv2d``."""
    rows = conv.conv2d(x, np.full((1, 1, 1, kernel_size), 1.0 / kernel_size))
    return conv.conv2d(rows, np.full((1, 1, kernel_size, 1), 1.0 / kernel_size))


def _signed(value):
    """A percentage with its sign, a true minus for negative values: ``+3``, ``−30``."""
    return f"{value:+.0f}".replace("-", "−")


class PaddingModes(Demo):
    """Pad the photo in each mode, blur it, and compare the brightness of the border strip."""

    title = "Padding modes: what a filter sees beyond the border"
    columns = 2
    controls = [
        Control("mode", "padding mode", MODES, "zeros", kind="dropdown"),
        Control("pad", "padding P (px)", PADS, 8),
        Control("blur", "box blur K", BLURS, 9),
    ]
    panels = [
        ImagePanel("padded", "padded image (gold: the original frame)", width=240),
        ImagePanel("blurred", "K×K box blur of the padded image (valid)", width=240),
    ]

    def __init__(self, size=96):
        self.image = sample_image("hopper", size=size)
        self.size = size
        self.margin = max(PADS)  # canvas = image + the largest padding on each side

    def _canvas(self, values, offset):
        """Place a gray image at ``offset`` on the canvas, as RGB, and outline the original frame."""
        side = self.size + 2 * self.margin
        rgb = np.empty((side, side, 3))
        rgb[:] = CANVAS
        h, w = values.shape
        rgb[offset: offset + h, offset: offset + w] = np.clip(values, 0, 1)[..., None]
        lo, hi = self.margin - 1, self.margin + self.size  # one pixel outside the image
        rgb[[lo, hi], lo: hi + 1] = FRAME
        rgb[lo: hi + 1, [lo, hi]] = FRAME
        return rgb

    def state(self, mode, pad, blur):
        n, r = self.size, blur // 2
        x = self.image[None, None]
        padded = pad2d(x, pad, mode=mode)
        blurred = box_blur(padded, blur)[0, 0]
        out = arithmetic.conv_output_size(n, blur, padding=pad)
        start = self.margin - pad  # canvas position of the padded image
        # The blurred values over the original frame (NaN where the output does not reach).
        frame = np.full((n, n), np.nan)
        lo = max(r - pad, 0)  # first frame pixel with an output (r > pad: the output is smaller)
        frame[lo: n - lo, lo: n - lo] = blurred[pad - r + lo: pad - r + n - lo, pad - r + lo: pad - r + n - lo]
        strip = np.ones((n, n), dtype=bool)
        strip[STRIP:-STRIP, STRIP:-STRIP] = False
        strip &= np.isfinite(frame)
        inner = np.zeros((n, n), dtype=bool)
        inner[n // 4: n - n // 4, n // 4: n - n // 4] = True  # the middle half, far from any border
        border, border0 = frame[strip].mean(), self.image[strip].mean()
        middle, middle0 = frame[inner].mean(), self.image[inner].mean()
        shrink = (f"  (smaller than the image: P < (K − 1)/2 = {(blur - 1) / 2:g})" if out < n else "")
        labels = {
            "padded": f"padded: N + 2P = {n} + 2·{pad} = {padded.shape[-1]}  →  {padded.shape[-1]}×{padded.shape[-1]}",
            "blurred": f"blurred (valid): N + 2P − K + 1 = {n} + 2·{pad} − {blur} + 1 = {out}{shrink}",
            "border": (f"{mode}, K = {blur}: outer {STRIP} px of the image, mean {border:.3f} after the blur "
                       f"vs {border0:.3f} before ({_signed(100 * (border / border0 - 1))}%); "
                       f"interior {middle:.3f} vs {middle0:.3f}"),
        }
        arrays = {"padded": self._canvas(padded[0, 0], start), "blurred": self._canvas(blurred, start + r)}
        return arrays, labels

    def describe(self, settings, arrays, labels):
        mode, pad, blur = settings["mode"], settings["pad"], settings["blur"]
        border = {"zeros": "a black frame", "reflect": "a mirror image of the border",
                  "replicate": "the border pixels stretched outwards",
                  "circular": "the opposite side of the photo wrapped around"}[mode]
        return {
            "padded": f"the 96×96 portrait with {pad} px of {mode} padding on each side: {border}",
            "blurred": (f"the padded portrait blurred by a {blur}×{blur} box; "
                        f"{labels['border'].split(': ', 1)[1]}"),
        }


def padding_modes_explorer():
    """The chapter 2 padding-modes demo as a ready widget (a static page on the site).

    Examples
    --------
    >>> view = padding_modes_explorer()
    >>> view.update(mode="reflect", pad=4, blur=5)
    >>> view.labels["padded"]
    'padded: N + 2P = 96 + 2·4 = 104  →  104×104'
    """
    return DemoView(PaddingModes())


def draw_padding_modes(mode="zeros", pad=8, blur=9):
    """The demo's figure for the given settings, as a matplotlib figure (for the book)."""
    return PaddingModes().figure(mode=mode, pad=pad, blur=blur)
