"""Turning arrays into pictures fast: colour maps, PNG encoding, grids.

The demos update by encoding each image panel straight to PNG (about a
millisecond for a 256×256 panel at compression level 1) instead of asking
matplotlib to redraw a figure (tens of milliseconds). Plot panels (curves,
contours) keep one matplotlib figure and blit only the artists that change.
"""

import struct
import zlib

import numpy as np

_LUTS = {}


def colormap_lut(name):
    """The ``(256, 3)`` uint8 lookup table of a matplotlib colour map (cached)."""
    if name not in _LUTS:
        import matplotlib

        cmap = matplotlib.colormaps[name]
        _LUTS[name] = np.round(cmap(np.linspace(0.0, 1.0, 256))[:, :3] * 255).astype(np.uint8)
    return _LUTS[name]


def to_rgb(values, cmap="gray", vmin=None, vmax=None):
    """Map a 2-D array to ``(H, W, 3)`` uint8 colours; NaN becomes white.

    ``vmin``/``vmax`` default to the array's own range (a constant array maps
    to the middle of the colour map).
    """
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    lo = np.min(values[finite]) if vmin is None and finite.any() else (vmin if vmin is not None else 0.0)
    hi = np.max(values[finite]) if vmax is None and finite.any() else (vmax if vmax is not None else 1.0)
    scale = (values - lo) / (hi - lo) if hi > lo else np.full(values.shape, 0.5)
    index = np.clip(np.nan_to_num(scale, nan=0.0) * 255 + 0.5, 0, 255).astype(np.uint8)
    rgb = colormap_lut(cmap)[index]
    rgb[~finite] = 255
    return rgb


def encode_png(image, level=1):
    """Encode a ``(H, W)`` gray or ``(H, W, 3)`` RGB uint8 image as PNG bytes.

    Parameters
    ----------
    image : ndarray of uint8
    level : int
        zlib compression level: 1 is fast (live updates), 9 is small (the
        pre-rendered states of the static site).

    Examples
    --------
    >>> png = encode_png(np.zeros((2, 3), dtype=np.uint8))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.ndim == 2:
        color_type, channels = 0, 1
    elif image.ndim == 3 and image.shape[2] == 3:
        color_type, channels = 2, 3
    else:
        raise ValueError(f"encode_png: image must be (H, W) or (H, W, 3), got shape {image.shape}")
    h, w = image.shape[:2]
    rows = np.zeros((h, 1 + w * channels), dtype=np.uint8)  # filter byte 0 on every row
    rows[:, 1:] = image.reshape(h, w * channels)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), level)) + chunk(b"IEND", b""))


def decode_png(data):
    """Decode a PNG written by :func:`encode_png` back to its uint8 array (for tests)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("decode_png: not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, _, color_type = header[:4]
    channels = 3 if color_type == 2 else 1
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, 1 + w * channels)
    if np.any(rows[:, 0] != 0):
        raise ValueError("decode_png: only unfiltered rows are supported")
    image = rows[:, 1:].reshape(h, w, channels)
    return image[:, :, 0] if channels == 1 else image


def upscale(rgb, factor):
    """Nearest-neighbour enlargement of an ``(H, W, 3)`` image by an integer factor."""
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1)


def grid_image(rgb_cells, cell=20, line=(255, 255, 255)):
    """Draw an ``(H, W, 3)`` array of cell colours as a grid of ``cell``-pixel squares with lines."""
    big = upscale(rgb_cells, cell)
    big[::cell, :] = line
    big[:, ::cell] = line
    return big
