"""Plot panels (curves, contours) that redraw by blitting.

A :class:`PlotPanel` has the protocol of :class:`~convblocks.demos._base.ImagePanel`
(``name``, ``title``, ``width``, ``render(data) -> (H, W, 3) uint8``) but draws
with matplotlib. It keeps ONE Agg figure: the static parts (axes, ticks,
contours) are drawn once per *background key* and their pixels cached
(``canvas.copy_from_bbox``); every later render restores those pixels, moves
the few changing artists (``set_data``, ``set_text``), draws only them
(``draw_artist``) and reads the buffer back. That is a few milliseconds
instead of the tens a full ``canvas.draw()`` costs.

A subclass writes three hooks:

* ``setup(fig)`` -- create the axes and the changing artists (``animated=True``,
  which a full draw skips);
* ``background(key)`` -- put the static content for ``key`` on the axes
  (limits, contours); called before the one full draw for that key;
* ``update(data)`` -- set the changing artists from ``data`` and return them.

``background_key(data)`` picks the key (``None``: one background for all).
"""

import numpy as np

DPI = 100


class PlotPanel:
    """A matplotlib-drawn panel of ``px = (width, height)`` pixels, updated by blitting."""

    def __init__(self, name, title, px=(240, 200), width=None, span=1):
        self.name = name
        self.title = title
        self.px = (int(px[0]), int(px[1]))
        self.width = self.px[0] if width is None else width  # largest displayed width in CSS pixels
        self.span = span  # grid columns the panel takes on a wide screen
        self.fig = None
        self._backgrounds = {}

    # -- hooks ------------------------------------------------------------------
    def setup(self, fig):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def background(self, key):
        """Draw the static content of ``key`` (default: nothing changes)."""

    def background_key(self, data):
        return None

    def update(self, data):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    # -- drawing ----------------------------------------------------------------
    def _figure(self):
        if self.fig is None:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            self.fig = Figure(figsize=(self.px[0] / DPI, self.px[1] / DPI), dpi=DPI)
            FigureCanvasAgg(self.fig)
            self.setup(self.fig)
        return self.fig

    def render(self, data):
        """RGB uint8 image ``(height, width, 3)`` of the panel showing ``data``."""
        fig = self._figure()
        canvas = fig.canvas
        key = self.background_key(data)
        if key not in self._backgrounds:
            self.background(key)
            canvas.draw()  # the one full draw for this key (animated artists are skipped)
            limits = [(ax.get_xlim(), ax.get_ylim()) for ax in fig.axes]
            self._backgrounds[key] = (canvas.copy_from_bbox(fig.bbox), limits)
        pixels, limits = self._backgrounds[key]
        for ax, (xlim, ylim) in zip(fig.axes, limits):  # the transforms of this background
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
        canvas.restore_region(pixels)
        for artist in self.update(data):
            fig.draw_artist(artist)
        canvas.blit(fig.bbox)
        return np.array(np.asarray(canvas.buffer_rgba())[..., :3])


def style_axes(ax, fontsize=7):
    """Small fonts and light grid lines for a panel a couple of hundred pixels wide."""
    ax.tick_params(labelsize=fontsize, length=2, pad=1)
    ax.grid(True, color="#dddddd", linewidth=0.5)
    ax.xaxis.label.set_size(fontsize)
    ax.yaxis.label.set_size(fontsize)
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)


class LinesPanel(PlotPanel):
    """Curves ``y(x)`` read from a dict of arrays.

    Parameters
    ----------
    series : list of (x_key, y_key, label, style)
        One line per entry, drawn from ``data[x_key]``, ``data[y_key]``;
        ``style`` is a dict of ``Line2D`` properties.
    xlim, ylim : (float, float), optional
        Fixed limits.
    limits : callable, optional
        ``limits(data) -> (x0, x1, y0, y1)``, instead of fixed limits: for axes
        that change with a setting (one cached background per distinct result).
    yscale : {"linear", "log"}
    yticks : list of float, optional
        Fixed tick positions of the y axis.
    hlines : list of float
        Static horizontal reference lines.
    legend : bool
        Show the labels of ``series``.
    """

    def __init__(self, name, title, series, xlabel="", ylabel="", xlim=None, ylim=None, limits=None,
                 yscale="linear", yticks=None, hlines=(), legend=True, px=(240, 200), width=None):
        super().__init__(name, title, px, width)
        self.series, self.xlabel, self.ylabel = series, xlabel, ylabel
        self.xlim, self.ylim, self.limits = xlim, ylim, limits
        self.yscale, self.yticks, self.hlines, self.legend = yscale, yticks, hlines, legend

    def setup(self, fig):
        ax = fig.add_axes((0.2, 0.17, 0.76, 0.78))
        ax.set_yscale(self.yscale)
        ax.set_xlabel(self.xlabel, labelpad=1)
        ax.set_ylabel(self.ylabel, labelpad=1)
        if self.yticks is not None:
            ax.set_yticks(self.yticks)
        if self.limits is None:
            ax.set_xlim(self.xlim)
            ax.set_ylim(self.ylim)
        for y in self.hlines:
            ax.axhline(y, color="#888888", linewidth=0.7, linestyle=":")
        self.lines = [ax.plot([], [], label=label, animated=True, **style)[0] for _, _, label, style in self.series]
        if self.legend:
            ax.legend(fontsize=6, loc="upper left", frameon=False, handlelength=1.5)
        style_axes(ax)
        self.ax = ax

    def background_key(self, data):
        return None if self.limits is None else tuple(float(v) for v in self.limits(data))

    def background(self, key):
        if key is not None:
            self.ax.set_xlim(key[:2])
            self.ax.set_ylim(key[2:])

    def update(self, data):
        for line, (xk, yk, _, _) in zip(self.lines, self.series):
            line.set_data(data[xk], data[yk])
        return self.lines


def compact(n):
    """A count in a few characters: ``950``, ``18.4k``, ``1.61M``, ``120M``."""
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= div:
            value = n / div
            return f"{value:.3g}{unit}" if value < 100 else f"{value:.0f}{unit}"
    return f"{n:g}"


class StacksPanel(PlotPanel):
    """Channel stacks drawn to scale over bars of counts (weights or MACs) drawn to scale.

    The top axes hold one volume per *slot* (a named position, e.g. "input"),
    drawn as a box whose height is its number of channels on a common scale
    (``max_channels`` fills the axes), with the number above it.
    The bottom axes hold horizontal bars, each made of up to two segments
    (e.g. the depthwise and the pointwise weights of a separable layer), as
    fractions of the longest bar of the state.

    ``data`` is a dict with ``channels`` (one number per slot), ``bars`` (one
    list of segment values per bar) and ``texts`` (one string per bar).
    """

    def __init__(self, name, title, slots, bar_names, max_channels, px=(240, 200), width=None, span=1):
        super().__init__(name, title, px, width, span)
        self.slots, self.bar_names, self.max_channels = slots, bar_names, max_channels

    def setup(self, fig):
        from matplotlib.patches import Rectangle

        top = fig.add_axes((0.03, 0.42, 0.94, 0.5))
        top.set_xlim(-0.5, len(self.slots) - 0.5)
        top.set_ylim(0, 1.18)
        top.axis("off")
        for i, slot in enumerate(self.slots):
            top.text(i, -0.02, slot, ha="center", va="top", fontsize=6.5)
        for i in range(len(self.slots) - 1):
            top.annotate("", xy=(i + 0.72, 0.5), xytext=(i + 0.28, 0.5),
                         arrowprops=dict(arrowstyle="->", color="#777777", linewidth=0.7))
        self.stacks = [Rectangle((i - 0.22, 0), 0.44, 0, facecolor="#9ecae1", edgecolor="#2b6a99",
                                 linewidth=0.8, animated=True) for i in range(len(self.slots))]
        for rect in self.stacks:
            top.add_patch(rect)
        self.stack_texts = [top.text(i, 0, "", ha="center", va="bottom", fontsize=7, animated=True)
                            for i in range(len(self.slots))]
        bottom = fig.add_axes((0.3, 0.04, 0.66, 0.3))
        bottom.set_xlim(0, 1.0)
        bottom.set_ylim(len(self.bar_names) - 0.5, -0.5)
        bottom.set_yticks(range(len(self.bar_names)), self.bar_names, fontsize=6.5)
        bottom.set_xticks([])
        for side in ("top", "right", "bottom"):
            bottom.spines[side].set_visible(False)
        bottom.spines["left"].set_linewidth(0.6)
        bottom.tick_params(length=0, pad=2)
        colours = ["#e6550d", "#fdae6b"]
        self.bars = [[Rectangle((0, row - 0.32), 0, 0.64, facecolor=colours[seg], animated=True)
                      for seg in range(2)] for row in range(len(self.bar_names))]
        for segs in self.bars:
            for rect in segs:
                bottom.add_patch(rect)
        self.bar_texts = [bottom.text(0, row, "", va="center", fontsize=6.5, animated=True)
                          for row in range(len(self.bar_names))]
        self.top, self.bottom = top, bottom

    def update(self, data):
        artists = []
        for rect, text, c in zip(self.stacks, self.stack_texts, data["channels"]):
            height = max(c / self.max_channels, 0.012)
            rect.set_height(height)
            text.set_position((text.get_position()[0], height + 0.02))
            text.set_text(f"{c:g}")
            artists += [rect, text]
        longest = max(sum(segs) for segs in data["bars"]) or 1
        for rects, text, segs, label in zip(self.bars, self.bar_texts, data["bars"], data["texts"]):
            left = 0.0
            for rect, value in zip(rects, list(segs) + [0] * (2 - len(segs))):
                rect.set_x(left)
                rect.set_width(0.58 * value / longest)
                left += 0.58 * value / longest
            text.set_position((left + 0.02, text.get_position()[1]))
            text.set_text(label)
            artists += rects + [text]
        return artists
