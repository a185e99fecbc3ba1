"""Chapter 2 demo: slide a kernel over a 7×7 grid and see which inputs each output reads.

The receptive field of an output is read off :func:`convblocks.im2col`: the
patch matrix of the *padded* grid of cell numbers holds, in column ``o``, the
numbers of the cells that output ``o`` multiplies with the kernel taps. The
output size comes from :func:`convblocks.conv_output_size`; when the dilated
kernel is larger than the padded input the demo says so instead of drawing.
"""

import numpy as np

from .. import arithmetic, conv
from ..padding import pad2d
from ._base import Control, Demo, DemoView, ImagePanel

KERNELS = [1, 2, 3, 5]
STRIDES = [1, 2, 3]
PADDINGS = [0, 1, 2, 3]
DILATIONS = [1, 2, 3]
POSITIONS = ["top-left", "top-right", "centre", "bottom-left", "bottom-right"]

# Cell colours (RGB in [0, 1]).
BACKGROUND = (1.0, 1.0, 1.0)  # outside the padded grid / outside the output grid
INPUT = (0.87, 0.91, 0.96)  # an input cell
PAD = (0.72, 0.72, 0.72)  # a padding cell
SPAN = (1.0, 0.88, 0.7)  # an input cell inside the window's span but skipped by the dilated taps
TAP = (0.95, 0.5, 0.1)  # a kernel tap on an input cell
TAP_PAD = (0.6, 0.3, 0.1)  # a kernel tap on a padding cell
OUTPUT = (0.8, 0.88, 1.0)  # an output cell
CHOSEN = (0.15, 0.4, 0.8)  # the chosen output cell


def _minus(values):
    """Integers joined by commas, negative ones with a true minus sign."""
    return ", ".join(str(v).replace("-", "−") for v in values)


def _ranges(values):
    """Sorted integers as compact runs: ``0–2, 5``."""
    runs, start = [], None
    for v in sorted(values):
        if start is None:
            start = prev = v
        elif v == prev + 1:
            prev = v
        else:
            runs.append((start, prev))
            start = prev = v
    if start is not None:
        runs.append((start, prev))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


class SlidingWindowExplorer(Demo):
    """A kernel on an ``n``×``n`` grid: padding, stride, dilation, receptive field and output size."""

    title = "Sliding window: kernel, stride, padding, dilation and the receptive field"
    columns = 2
    controls = [
        Control("kernel", "kernel K", KERNELS, 3),
        Control("stride", "stride S", STRIDES, 2),
        Control("padding", "padding P", PADDINGS, 1),
        Control("dilation", "dilation D", DILATIONS, 1),
        Control("position", "output", POSITIONS, "top-left", kind="dropdown"),
    ]

    def __init__(self, n=7, cell=16):
        self.n = n
        self.side = n + 2 * max(PADDINGS)  # the canvas of both panels, in cells
        self.panels = [
            ImagePanel("input", f"padded input ({n}×{n} + padding)", cell=cell, width=self.side * cell),
            ImagePanel("output", "output", cell=cell, width=self.side * cell),
        ]

    def state(self, kernel, stride, padding, dilation, position):
        n, side = self.n, self.side
        span = dilation * (kernel - 1) + 1
        padded_n = n + 2 * padding
        canvas_in = np.empty((side, side, 3))
        canvas_in[:] = BACKGROUND
        canvas_out = canvas_in.copy()
        top = (side - padded_n) // 2  # the padded grid sits in the middle of the canvas
        is_input = _padded_mask(n, padding) > 0
        canvas_in[top: top + padded_n, top: top + padded_n] = np.where(is_input[..., None], INPUT, PAD)
        labels = {"span": f"span = D(K − 1) + 1 = {dilation}·({kernel} − 1) + 1 = {span}"}
        try:
            out = arithmetic.conv_output_size(n, kernel, stride=stride, padding=padding, dilation=dilation)
        except ValueError:
            labels["size"] = (f"O = ⌊({n} − {span} + 2·{padding})/{stride}⌋ + 1: no output, the kernel spans "
                              f"{span} > {n} + 2·{padding} = {padded_n} padded cells (it does not fit)")
            labels["reads"] = "increase P, or decrease K or D"
            return {"input": canvas_in, "output": canvas_out}, labels
        labels["size"] = f"O = ⌊({n} − {span} + 2·{padding})/{stride}⌋ + 1 = {out}   ({out}×{out} outputs)"

        # The padded-grid cell number of every tap of every output, straight from im2col.
        numbers = np.arange(padded_n * padded_n, dtype=np.float64).reshape(1, 1, padded_n, padded_n)
        cols = conv.im2col(numbers, kernel, stride=stride, dilation=dilation)[0].astype(int)  # (K*K, O*O)
        row, col = _position(position, out)
        taps = cols[:, row * out + col]
        tap_rows, tap_cols = np.unique(taps // padded_n), np.unique(taps % padded_n)
        first_r, first_c = tap_rows[0], tap_cols[0]
        in_span = np.zeros_like(is_input)
        in_span[first_r: first_r + span, first_c: first_c + span] = True
        canvas_in[top: top + padded_n, top: top + padded_n][in_span & is_input] = SPAN  # padding stays grey
        for t in taps:
            r, c = divmod(t, padded_n)
            canvas_in[top + r, top + c] = TAP if is_input[r, c] else TAP_PAD

        left = (side - out) // 2
        canvas_out[left: left + out, left: left + out] = OUTPUT
        canvas_out[left + row, left + col] = CHOSEN

        rows_in, cols_in = tap_rows - padding, tap_cols - padding  # input coordinates; outside = padding
        inside = np.all((rows_in >= 0) & (rows_in < n)) and np.all((cols_in >= 0) & (cols_in < n))
        note = "" if inside else f"  (outside 0–{n - 1}: padding)"
        labels["reads"] = (f"output ({row}, {col}) reads input rows {_minus(rows_in)} "
                           f"× cols {_minus(cols_in)}{note}")
        seen = np.unique(cols // padded_n) - padding
        unread = sorted(set(range(n)) - set(seen.tolist()))
        labels["unread"] = (f"rows and cols never read by any output: {_ranges(unread)}" if unread
                            else "every input row and column is read by some output")
        return {"input": canvas_in, "output": canvas_out}, labels


    def describe(self, settings, arrays, labels):
        n, p = self.n, settings["padding"]
        grid = f"the {n}×{n} input grid with {p} cell{'s' if p != 1 else ''} of padding around it"
        if "does not fit" in labels["size"]:
            return {"input": f"{grid}; the kernel does not fit, so no window is drawn",
                    "output": "empty: the kernel does not fit, there is no output"}
        out = labels["size"].split("(")[-1].split(" ")[0]
        k, d = settings["kernel"], settings["dilation"]
        return {
            "input": (f"{grid}, with the {k}×{k} kernel taps (dilation {d}) of the {settings['position']} output "
                      f"marked: it {labels['reads'].split(') ', 1)[1]}"),
            "output": f"the {out} output grid with the {settings['position']} output highlighted",
        }


def _position(name, out):
    """Row and column of the named output position in an ``out``×``out`` output."""
    middle, last = (out - 1) // 2, out - 1
    return {"top-left": (0, 0), "top-right": (0, last), "centre": (middle, middle),
            "bottom-left": (last, 0), "bottom-right": (last, last)}[name]


def _padded_mask(n, pad):
    """1 on the ``n``×``n`` input cells, 0 on the padding around them (``pad2d`` of ones)."""
    return pad2d(np.ones((n, n)), pad)


def sliding_window_explorer():
    """The chapter 2 sliding-window demo as a ready widget (a static page on the site).

    Examples
    --------
    >>> view = sliding_window_explorer()
    >>> view.update(kernel=3, stride=2, padding=1, dilation=1, position="top-left")
    >>> view.labels["size"]
    'O = ⌊(7 − 3 + 2·1)/2⌋ + 1 = 4   (4×4 outputs)'
    """
    return DemoView(SlidingWindowExplorer())


def draw_sliding_window(kernel=3, stride=2, padding=1, dilation=1, position="top-left"):
    """The demo's figure for the given settings, as a matplotlib figure (for the book)."""
    return SlidingWindowExplorer().figure(kernel=kernel, stride=stride, padding=padding,
                                          dilation=dilation, position=position)
