"""Images for the book and the demos: ones that ship inside installed packages.

Nothing is downloaded: the photograph is matplotlib's sample copy of Grace
Hopper's portrait, and the synthetic images are computed.
"""

import numpy as np

from .._checks import as_int


def _resize_area(img, size):
    """Downscale a (H, W[, C]) image to ``size`` x ``size`` by averaging blocks after a centre crop."""
    side = min(img.shape[:2])
    top, left = (img.shape[0] - side) // 2, (img.shape[1] - side) // 2
    square = img[top:top + side, left:left + side]
    factor = side // size
    square = square[: factor * size, : factor * size]
    blocks = square.reshape(size, factor, size, factor, *square.shape[2:])
    return blocks.mean(axis=(1, 3))


def sample_image(name="hopper", size=128, gray=True):
    """A square test image with values in [0, 1].

    Parameters
    ----------
    name : {"hopper", "checkerboard", "disk", "bars"}
        ``"hopper"`` is the portrait of Grace Hopper that ships with
        matplotlib; the others are synthetic.
    size : int
        Side length in pixels (at most 512 for ``"hopper"``).
    gray : bool
        Return one channel ``(size, size)`` instead of RGB ``(size, size, 3)``
        (synthetic images are always one channel).

    Returns
    -------
    ndarray, float64
        ``(size, size)`` or ``(size, size, 3)``.

    Examples
    --------
    >>> img = sample_image("checkerboard", size=8)
    >>> img.shape, float(img.min()), float(img.max())
    ((8, 8), 0.0, 1.0)
    """
    size = as_int(size, "size", "sample_image", minimum=2)
    if name == "hopper":
        if size > 512:
            raise ValueError(f"sample_image: size must be at most 512 for 'hopper', got {size}")
        import matplotlib.cbook as cbook
        import matplotlib.pyplot as plt

        with cbook.get_sample_data("grace_hopper.jpg") as f:
            rgb = plt.imread(f).astype(np.float64) / 255.0
        img = _resize_area(rgb, size)
        return img @ np.array([0.299, 0.587, 0.114]) if gray else img
    yy, xx = np.mgrid[0:size, 0:size] / size
    if name == "checkerboard":
        cell = max(size // 8, 1)
        return ((np.arange(size)[:, None] // cell + np.arange(size)[None, :] // cell) % 2).astype(np.float64)
    if name == "disk":
        return ((yy - 0.5) ** 2 + (xx - 0.5) ** 2 < 0.09).astype(np.float64)
    if name == "bars":
        return (np.sin(2 * np.pi * 6 * xx) > 0).astype(np.float64) * (yy > 0.25) * (yy < 0.75)
    raise ValueError(
        f"sample_image: name must be one of 'hopper', 'checkerboard', 'disk', 'bars', got {name!r}"
    )
