"""Chapter 6 demo: every upsampling method on one image, and the transposed-conv overlap map.

Two panels show what the finer settings do. The *sample points* panel draws
the top-left and bottom-right 3×3 input pixels of the pooled crop, their
centres (blue) and where bilinear interpolation samples each output pixel
(red, the source coordinates ``upsample_bilinear2d`` computes): with
``align_corners=True`` the corner samples sit exactly on the corner centres,
otherwise the samples are spread over the pixel areas and the outermost ones
are clamped to the border. The *stamps* panel applies a transposed
convolution with a K×K box of ones and stride S to the pooled crop, scaled by
S²/K² (the average coverage), so K mod S ≠ 0 shows up as a checkerboard on
the face and K < S as gaps.
"""

import math

import numpy as np

from .. import arithmetic, pooling, upsampling
from ..upsampling import _linear_taps
from ._base import Control, Demo, DemoView, ImagePanel
from .images import sample_image

#: Side of the all-ones input of the overlap map (large enough for a full period inside).
OVERLAP_INPUT = 6
#: The sample-points panel: input pixels per corner, pixels per input pixel, gap between the corners.
CORNER, ZOOM, CORNER_GAP = 3, 32, 12
PIXEL_CENTRE = (0.2, 0.45, 0.95)
SAMPLE = (0.9, 0.1, 0.1)


def sample_positions(n, factor, align_corners):
    """Source coordinate (in input pixels, centre of pixel i at i) of every output pixel along one axis.

    The coordinates ``upsample_bilinear2d`` interpolates at: ``i0 + lam`` of
    its taps, clamped at 0 as it clamps them.
    """
    i0, _, lam = _linear_taps(n, n * factor, float(factor), align_corners, np.float64)
    return i0 + lam


def sample_points_image(x, factor, align_corners):
    """RGB picture of the two 3×3 input corners of ``x`` (n×n) with pixel centres and bilinear sample points."""
    n = x.shape[0]
    src = sample_positions(n, factor, align_corners)
    side = CORNER * ZOOM
    rgb = np.ones((side, 2 * side + CORNER_GAP, 3))
    for corner, first in enumerate((0, n - CORNER)):
        left = corner * (side + CORNER_GAP)
        block = np.clip(x[first:first + CORNER, first:first + CORNER], 0, 1)
        cells = np.repeat(np.repeat(block, ZOOM, axis=0), ZOOM, axis=1)
        rgb[:, left:left + side] = 0.35 + 0.5 * cells[..., None]  # mid-gray range: markers stay visible
        rgb[::ZOOM, left:left + side] = 1.0
        rgb[:, left:left + side:ZOOM] = 1.0
        near = src[(src > first - 0.5) & (src < first + CORNER - 0.5)]
        pos = np.floor((near - first + 0.5) * ZOOM).astype(int).clip(2, side - 3)
        for r in pos:
            for c in pos:
                rgb[r - 1:r + 2, left + c - 1:left + c + 2] = SAMPLE
        for r in ((np.arange(CORNER) + 0.5) * ZOOM).astype(int):  # a ring around each pixel centre
            for c in ((np.arange(CORNER) + 0.5) * ZOOM).astype(int) + left:
                rgb[[r - 4, r + 4], c - 4:c + 5] = PIXEL_CENTRE
                rgb[r - 4:r + 5, [c - 4, c + 4]] = PIXEL_CENTRE
    return rgb


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
    columns = 4
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
            ImagePanel("samples", "bilinear sample points (red) on the input's top-left and bottom-right "
                       "3×3 pixels (blue rings: pixel centres)", width=2 * (2 * CORNER * ZOOM + CORNER_GAP), span=2),
            ImagePanel("stamps", "transposed conv of the input with ones(K×K), stride S, × S²/K²",
                       vmin=0, vmax=1, width=320, span=2),
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
        stamps = upsampling.conv_transpose2d(x, np.ones((1, 1, kernel, kernel)), stride=stride)[0, 0]
        arrays = {"crop": crop[0, 0], "input": x[0, 0], **{k: v[0, 0] for k, v in outs.items()},
                  "samples": sample_points_image(x[0, 0], f, align_corners),
                  "stamps": stamps * stride ** 2 / kernel ** 2, "overlap": counts}
        return arrays, labels

    def describe(self, settings, arrays, labels):
        f, k, s = settings["factor"], settings["kernel"], settings["stride"]
        n = arrays["input"].shape[0]
        side = arrays["nearest"].shape[0]
        src = sample_positions(n, f, settings["align_corners"])
        error = {name: float(np.abs(arrays[name] - arrays["crop"]).mean())
                 for name in ("nearest", "bilinear", "bed_of_nails", "max_unpool", "transposed")}
        counts = arrays["overlap"]
        upsampled = f"the {n}×{n} input upsampled ×{f} to {side}×{side}"
        return {
            "crop": "a gray crop of the portrait around the face",
            "input": f"the crop max-pooled by {f} to {n}×{n} pixels",
            "nearest": f"{upsampled} by repeating each pixel (mean error {error['nearest']:.3f})",
            "bilinear": f"{upsampled} by bilinear interpolation (mean error {error['bilinear']:.3f})",
            "bed_of_nails": f"{upsampled} with each value in a corner and zeros elsewhere",
            "max_unpool": f"{upsampled} with each value back where the max-pool found it, zeros elsewhere",
            "transposed": (f"{upsampled} by a fixed bilinear transposed convolution "
                           f"(mean error {error['transposed']:.3f})"),
            "samples": (f"with align_corners={settings['align_corners']} the {f * n} output samples per row sit "
                        f"at input coordinates {src[0]:.2f}, {src[1]:.2f}, … {src[-1]:.2f} (pixel centres "
                        f"0 to {n - 1})"),
            "stamps": f"the input stamped with {k}×{k} boxes of ones every {s} pixels: {labels['checkerboard']}",
            "overlap": (f"how many {k}×{k} stamps at stride {s} cover each output pixel, "
                        f"{int(counts.min())} to {int(counts.max())}"),
        }


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
