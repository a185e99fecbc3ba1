"""Chapter 6 demo: every upsampling method on one image, and the transposed-conv overlap map."""

import math

import numpy as np

from .. import arithmetic, pooling, upsampling
from ._base import Control, Demo, DemoView, ImagePanel
from .images import sample_image

#: Side of the all-ones input of the overlap map (large enough for a full period inside).
OVERLAP_INPUT = 6


def overlap_counts(kernel, stride, n=OVERLAP_INPUT):
    """How many kernel stamps cover each output pixel: ones(n×n) transposed-convolved with ones(K×K)."""
    ones = np.ones((1, 1, n, n))
    return upsampling.conv_transpose2d(ones, np.ones((1, 1, kernel, kernel)), stride=stride)[0, 0]


def face_crop(size):
    """A ``size``×``size`` gray crop of the portrait around the face (glasses, eyes, mouth)."""
    full = sample_image("hopper", size=2 * size)
    top, left = round(0.19 * 2 * size), round(0.28 * 2 * size)
    return full[top:top + size, left:left + size]


class UpsamplingGallery(Demo):
    """Max-pool a face crop by f, upsample it back by f five ways; stamp K×K kernels with stride S."""

    title = "Upsampling gallery and the transposed-convolution overlap map"
    controls = [
        Control("factor", "factor f", [2, 3, 4], 2),
        Control("align_corners", "bilinear align_corners", [False, True], False, kind="dropdown"),
        Control("kernel", "transposed conv K", [1, 2, 3, 4, 5, 6], 3),
        Control("stride", "stride S", [1, 2, 3, 4], 2),
    ]

    def __init__(self, size=48):
        self.crop = face_crop(size)
        self.panels = [
            ImagePanel("crop", f"original crop ({size}×{size})", vmin=0, vmax=1, width=144),
            ImagePanel("input", "input: max_pool2d(crop, f)", vmin=0, vmax=1, width=144),
            ImagePanel("nearest", "nearest", vmin=0, vmax=1, width=144),
            ImagePanel("bilinear", "bilinear", vmin=0, vmax=1, width=144),
            ImagePanel("bed_of_nails", "bed of nails", vmin=0, vmax=1, width=144),
            ImagePanel("max_unpool", "max-unpooling (pool indices)", vmin=0, vmax=1, width=144),
            ImagePanel("transposed", "fixed bilinear transposed conv", vmin=0, vmax=1, width=144),
            ImagePanel("overlap", "overlap count: ones ⊛ᵀ ones(K×K), stride S", cmap="viridis", vmin=0,
                       cell=8, width=208),
        ]

    def state(self, factor, align_corners, kernel, stride):
        f = factor
        side = f * (self.crop.shape[0] // f)
        crop = self.crop[None, None, :side, :side]
        x, indices = pooling.max_pool2d(crop, f, return_indices=True)
        n = x.shape[-1]
        outs = {
            "nearest": upsampling.upsample_nearest2d(x, scale_factor=f),
            "bilinear": upsampling.upsample_bilinear2d(x, scale_factor=f, align_corners=align_corners),
            "bed_of_nails": upsampling.bed_of_nails2d(x, f),
            "max_unpool": pooling.max_unpool2d(x, indices, f),
            "transposed": upsampling.bilinear_upsample_transposed(x, f),
        }
        errors = "  ".join(f"{name.replace('_', ' ')} {np.abs(y - crop).mean():.3f}" for name, y in outs.items())

        k_bil, p_bil = 2 * f - f % 2, math.ceil((f - 1) / 2)
        o_bil = arithmetic.conv_transpose_output_size(n, k_bil, stride=f, padding=p_bil)
        counts = overlap_counts(kernel, stride)
        o_ovl = arithmetic.conv_transpose_output_size(OVERLAP_INPUT, kernel, stride=stride)
        interior = counts[kernel - 1:o_ovl - kernel + 1, kernel - 1:o_ovl - kernel + 1]
        lo, hi = int(interior.min()), int(interior.max())
        rule = f"K mod S = {kernel} mod {stride} = {kernel % stride}"
        if kernel % stride == 0:
            pattern = f"{rule}: every interior pixel is covered {lo} times, no checkerboard"
        elif lo == 0:
            pattern = f"{rule} and K < S: interior counts {lo} to {hi}, gaps between the stamps"
        else:
            pattern = f"{rule} ≠ 0: interior counts {lo} to {hi}, a checkerboard"
        labels = {
            "input": f"input = max_pool2d(crop, {f}): {n}×{n}; each method upsamples it ×{f} back to {side}×{side}",
            "error": f"mean |output − crop|:  {errors}",
            "bilinear_kernel": (
                f"bilinear as transposed conv: K = 2f − f mod 2 = {k_bil}, S = f = {f}, P = ⌈(f−1)/2⌉ = {p_bil} "
                f"→ O = ({n}−1)·{f} − 2·{p_bil} + 1·({k_bil}−1) + 0 + 1 = {o_bil}"
            ),
            "overlap_size": (
                f"overlap map, {OVERLAP_INPUT}×{OVERLAP_INPUT} ones in: O = (I−1)·S − 2P + D(K−1) + output_padding + 1"
                f" = ({OVERLAP_INPUT}−1)·{stride} − 2·0 + 1·({kernel}−1) + 0 + 1 = {o_ovl}"
            ),
            "checkerboard": pattern,
        }
        arrays = {"crop": crop[0, 0], "input": x[0, 0], **{k: v[0, 0] for k, v in outs.items()}, "overlap": counts}
        return arrays, labels


def upsampling_gallery(size=48):
    """The chapter 6 demo as a ready widget (a static page on the site).

    Examples
    --------
    >>> view = upsampling_gallery()
    >>> view.update(kernel=3, stride=2)
    >>> view.labels["checkerboard"]
    'K mod S = 3 mod 2 = 1 ≠ 0: interior counts 1 to 4, a checkerboard'
    """
    return DemoView(UpsamplingGallery(size=size))


def draw_upsampling(factor=2, align_corners=False, kernel=3, stride=2):
    """The demo's figure for the given settings, as a matplotlib figure (for the book)."""
    return UpsamplingGallery().figure(factor=factor, align_corners=align_corners, kernel=kernel, stride=stride)
