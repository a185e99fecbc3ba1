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

    def __init__(self, name, title, px=(240, 200), width=None):
        self.name = name
        self.title = title
        self.px = (int(px[0]), int(px[1]))
        self.width = self.px[0] if width is None else width  # displayed width in CSS pixels
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
