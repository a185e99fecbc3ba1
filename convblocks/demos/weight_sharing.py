"""Chapter 1 demo: dense, locally connected and convolutional layers on one image, and the shift test.

Each layer maps a one-channel H×W image to a one-channel H×W map with fixed,
seeded random weights (and biases, so the parameter counts are those of the
layers shown):

* **dense**: every output pixel is a weighted sum of every input pixel, a
  ``(H·W) × (H·W)`` weight matrix. Its weight is the Kronecker product
  ``A ⊗ B`` of two seeded random matrices (``H × H`` and ``W × W``): a full
  dense matrix whose every entry is non-zero, which acts on the image as
  ``A x Bᵀ`` and so costs ``O(HW(H + W))`` instead of ``O((HW)²)``; that
  keeps a 256×256 image (a 65,536 × 65,536 matrix) interactive.
* **locally connected**: :func:`convblocks.locally_connected2d`, a different
  K×K filter at every output pixel ("same" zero padding).
* **convolution**: :func:`convblocks.conv2d`, one shared K×K filter ("same"
  zero padding).

The shift test moves the image ``s`` pixels down and right (zeros come in at
the top and left) and compares ``f(Tx)`` with ``T f(x)`` away from the
borders, where neither the incoming zeros nor the padding play a role.
"""

import numpy as np

from .. import arithmetic, conv
from ._base import Control, Demo, DemoView, ImagePanel
from .images import sample_image

LAYERS = ["dense", "locally connected", "convolution"]
KERNELS = [3, 5, 7]
SHIFTS = [0, 1, 2, 3, 4]


def shift_image(a, s):
    """Move the last two axes of ``a`` down and right by ``s`` pixels, filling with zeros."""
    out = np.zeros_like(a)
    out[..., s:, s:] = a[..., : a.shape[-2] - s, : a.shape[-1] - s]
    return out


def interior(size, kernel_size, s):
    """Boolean ``(size, size)`` mask of the pixels away from the borders for the shift test.

    Rows and columns in ``[s + r, size − r)`` with ``r = K // 2``: the window
    of such a pixel meets neither the zeros shifted in nor the zero padding,
    so a convolution gives exactly ``f(Tx) = T f(x)`` there.
    """
    r = kernel_size // 2
    keep = np.zeros(size, dtype=bool)
    keep[s + r: size - r] = True
    return keep[:, None] & keep[None, :]


class WeightSharingExplorer(Demo):
    """Apply a dense, a locally connected or a convolutional layer to a photo and shift the photo."""

    title = "Weight sharing: dense vs locally connected vs convolution, and the shift test"
    columns = 3
    controls = [
        Control("layer", "layer", LAYERS, "convolution", kind="dropdown"),
        Control("kernel", "kernel K", KERNELS, 5),
        Control("shift", "shift input by (px)", SHIFTS, 2),
    ]
    panels = [
        ImagePanel("shifted", "shifted input Tx", vmin=0, vmax=1, width=200),
        ImagePanel("output", "layer output f(Tx) / max|f(x)|", vmin=-1, vmax=1, width=200),
        ImagePanel("error", "|f(Tx) − Tf(x)| / max|f(x)| (interior)", cmap="magma", vmin=0, vmax=1, width=200),
    ]

    def __init__(self, size=64, seed=0):
        self.image = sample_image("hopper", size=size)
        self.size = size
        rng = np.random.default_rng(seed)
        n = size
        # Dense: the (HW x HW) weight A ⊗ B, scaled so outputs stay of order one.
        self.dense_a = rng.normal(size=(n, n)) / np.sqrt(n)
        self.dense_b = rng.normal(size=(n, n)) / np.sqrt(n)
        self.dense_bias = 0.1 * rng.normal(size=(n, n))
        self.conv_weight, self.conv_bias, self.local_weight, self.local_bias = {}, {}, {}, {}
        for k in KERNELS:
            self.conv_weight[k] = rng.normal(size=(1, 1, k, k)) / k
            self.conv_bias[k] = 0.1 * rng.normal(size=(1,))
            self.local_weight[k] = rng.normal(size=(n, n, 1, 1, k, k)) / k
            self.local_bias[k] = 0.1 * rng.normal(size=(1, n, n))
        self._plain = {}  # f(x) per (layer, kernel): the unshifted image never changes

    def dense_matrix(self):
        """The dense layer's full ``(H·W, H·W)`` weight ``A ⊗ B`` (for small images only: 64×64 already takes 134 MB)."""
        return np.kron(self.dense_a, self.dense_b)

    def apply(self, layer, kernel, x):
        """The chosen layer applied to a ``(1, 1, H, W)`` batch."""
        if layer == "dense":  # (A ⊗ B) vec(x) = vec(A x Bᵀ): every output sees every input
            return (self.dense_a @ x[0, 0] @ self.dense_b.T + self.dense_bias)[None, None]
        if layer == "locally connected":
            return conv.locally_connected2d(x, self.local_weight[kernel], self.local_bias[kernel],
                                            padding=kernel // 2)
        return conv.conv2d(x, self.conv_weight[kernel], self.conv_bias[kernel], padding=kernel // 2)

    def state(self, layer, kernel, shift):
        x = self.image[None, None]
        if (layer, kernel) not in self._plain:
            self._plain[layer, kernel] = self.apply(layer, kernel, x)
        plain = self._plain[layer, kernel]
        shifted = shift_image(x, shift)
        out = self.apply(layer, kernel, shifted)[0, 0]
        moved = shift_image(plain, shift)[0, 0]
        scale = np.abs(plain).max()
        keep = interior(self.size, kernel, shift)
        err = float(np.linalg.norm((out - moved)[keep]) / np.linalg.norm(moved[keep]))
        error_map = np.where(keep, np.abs(out - moved) / scale, np.nan)

        n, r = self.size, kernel // 2
        hw = n * n
        dense = arithmetic.dense_params(hw, hw)
        local = arithmetic.locally_connected2d_params(n, 1, 1, kernel, padding=r)
        shared = arithmetic.conv2d_params(1, 1, kernel)
        side = int(keep[n // 2].sum())
        labels = {
            "dense": f"dense: (HW)² + HW = {hw}² + {hw} = {dense:,} parameters",
            "local": f"locally connected: HW·(K² + 1) = {hw}·{kernel * kernel + 1} = {local:,} parameters",
            "conv": f"convolution: K² + 1 = {kernel}² + 1 = {shared:,} parameters",
            "error": (f"{layer}, shift {shift} px: equivariance error "
                      f"‖f(Tx) − Tf(x)‖ / ‖Tf(x)‖ = {err:.2g} on the {side}×{side} interior"),
        }
        return {"shifted": shifted[0, 0], "output": out / scale, "error": error_map}, labels

    def describe(self, settings, arrays, labels):
        layer, kernel, shift = settings["layer"], settings["kernel"], settings["shift"]
        what = {"dense": "a dense layer (every output pixel sees every input pixel)",
                "locally connected": f"a locally connected layer ({kernel}×{kernel}, a different filter per pixel)",
                "convolution": f"a convolution (one shared {kernel}×{kernel} filter)"}[layer]
        return {
            "shifted": f"the portrait moved {shift} pixels down and right, zeros coming in",
            "output": f"the shifted portrait through {what}",
            "error": f"{labels['error'].split(': ', 1)[1]}; black where the shift commutes with the layer",
        }


def weight_sharing_explorer():
    """The chapter 1 demo as a ready widget (a static page on the site).

    Examples
    --------
    >>> view = weight_sharing_explorer()
    >>> view.update(layer="convolution", kernel=3, shift=2)
    >>> view.labels["error"]
    'convolution, shift 2 px: equivariance error ‖f(Tx) − Tf(x)‖ / ‖Tf(x)‖ = 0 on the 60×60 interior'
    """
    return DemoView(WeightSharingExplorer())


def draw_weight_sharing(layer="locally connected", kernel=5, shift=2):
    """The demo's figure for the given settings, as a matplotlib figure (for the book)."""
    return WeightSharingExplorer().figure(layer=layer, kernel=kernel, shift=shift)
