"""What every demo shares: controls, panels, the live widget and the static page.

A demo is three things written once:

* ``controls``: the settings a reader can change, each with a finite list of
  values (so the static site can pre-render every combination);
* ``state(**settings)``: a pure function computing, with ``convblocks``, the
  arrays shown in each panel and the labels (formulas filled in with the
  current numbers);
* ``panels``: how each array is drawn (colour map and range, or a plot).

From these, :class:`Demo` builds the live ipywidgets view for Jupyter
(:meth:`Demo.widget`), a matplotlib figure for given settings
(:meth:`Demo.figure`), and a self-contained HTML/JS control with every state
pre-rendered for the static site (:meth:`Demo.static_html`). Displaying a
:class:`DemoView` (what the demo functions return) gives Jupyter the widget
and the static site the pre-rendered page, from the same code cell.
"""

import base64
import html
import itertools
import json
import os
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

from ._render import encode_png, grid_image, to_rgb

#: Set by the site build (tools/build_book.py): display demos as static pages only.
STATIC_ENV = "CONVBLOCKS_STATIC_DEMOS"


@dataclass
class Control:
    """One setting of a demo: a name, a label and the finite list of values it takes."""

    name: str
    label: str
    options: list
    default: object
    kind: str = "slider"  # "slider" (ordered values) or "dropdown" (names)

    def __post_init__(self):
        if self.default not in self.options:
            raise ValueError(f"Control {self.name}: default {self.default!r} is not one of {self.options!r}")


@dataclass
class ImagePanel:
    """A panel that shows a 2-D array through a colour map (or an RGB array as it is)."""

    name: str
    title: str
    cmap: str = "gray"
    vmin: float = None
    vmax: float = None
    cell: int = 1  # draw each array entry as a cell x cell square (with grid lines when > 1)
    width: int = 220  # displayed width in CSS pixels

    def render(self, data):
        data = np.asarray(data)
        if data.ndim == 3:
            rgb = np.clip(np.round(data * 255 if data.dtype.kind == "f" else data), 0, 255).astype(np.uint8)
        else:
            rgb = to_rgb(data, self.cmap, self.vmin, self.vmax)
        return grid_image(rgb, self.cell) if self.cell > 1 else rgb


@dataclass
class Labels:
    """Named text lines under the panels (HTML-escaped when shown)."""

    lines: dict = field(default_factory=dict)


class Demo:
    """Base class of the demos; subclasses set ``title``, ``controls``, ``panels`` and ``state``."""

    title = ""
    controls = []
    panels = []

    # -- the pure part -----------------------------------------------------------
    def state(self, **settings):
        """Return ``(arrays, labels)``: one array per panel name and a dict of label lines."""
        raise NotImplementedError

    def defaults(self):
        return {c.name: c.default for c in self.controls}

    def settings(self, **changes):
        """The default settings updated with ``changes``, refusing unknown names and values."""
        values = self.defaults()
        known = {c.name: c for c in self.controls}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"{type(self).__name__}: unknown control {name!r}; controls are {list(known)}")
            if value not in known[name].options:
                raise ValueError(
                    f"{type(self).__name__}: {name}={value!r} is not one of {known[name].options!r}"
                )
            values[name] = value
        return values

    def images(self, arrays):
        """RGB uint8 image of every panel, in panel order."""
        return [panel.render(arrays[panel.name]) for panel in self.panels]

    # -- the static figure ------------------------------------------------------
    def figure(self, **settings):
        """A matplotlib figure of the demo for the given settings (for the book)."""
        import matplotlib.pyplot as plt

        arrays, labels = self.state(**self.settings(**settings))
        fig, axes = plt.subplots(1, len(self.panels), figsize=(3.0 * len(self.panels), 3.2), squeeze=False)
        for ax, panel, image in zip(axes[0], self.panels, self.images(arrays)):
            ax.imshow(image, interpolation="nearest")
            ax.set_title(panel.title, fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
        lines = len(labels)
        fig.set_figheight(3.2 + 0.22 * lines)
        fig.text(0.01, 0.01, "\n".join(labels.values()), fontsize=9, va="bottom", family="monospace")
        fig.tight_layout(rect=(0, min(0.5, 0.07 * lines + 0.02), 1, 1))
        return fig

    # -- the live widget --------------------------------------------------------
    def widget(self):
        """The ipywidgets view: controls, one image per panel, label lines. Updates on every change."""
        return DemoView(self)

    # -- the static page --------------------------------------------------------
    def grid(self):
        """Every combination of control values, in a stable order."""
        names = [c.name for c in self.controls]
        for values in itertools.product(*(c.options for c in self.controls)):
            yield dict(zip(names, values))

    def static_data(self):
        """All pre-rendered states: unique PNGs (base64) and, per state key, image indices and labels."""
        pngs, index, states = [], {}, {}
        for settings in self.grid():
            arrays, labels = self.state(**settings)
            ids = []
            for image in self.images(arrays):
                key = (image.shape, image.tobytes())  # identical pictures are compressed and stored once
                if key not in index:
                    index[key] = len(pngs)
                    pngs.append(base64.b64encode(encode_png(image, level=9)).decode("ascii"))
                ids.append(index[key])
            states[state_key(self.controls, settings)] = {"images": ids, "labels": labels}
        return {"images": pngs, "states": states}

    def static_html(self):
        """A self-contained HTML/JS control (no external script) swapping pre-rendered states."""
        data = self.static_data()
        uid = "cbdemo-" + uuid.uuid4().hex[:8]
        controls_html = "".join(_control_html(uid, c) for c in self.controls)
        panels_html = "".join(
            f'<figure class="cb-demo-panel"><img data-panel="{i}" alt="{html.escape(p.title)} for the current settings" '
            f'style="width:{p.width}px;image-rendering:pixelated"><figcaption>{html.escape(p.title)}</figcaption></figure>'
            for i, p in enumerate(self.panels)
        )
        payload = json.dumps(
            {"controls": [[c.name, [_js_value(v) for v in c.options]] for c in self.controls], **data},
            separators=(",", ":"),
        )
        return (
            f'<div class="cb-demo" id="{uid}" data-demo="{type(self).__name__}">'
            f'<div class="cb-demo-title">{html.escape(self.title)}</div>'
            f'<div class="cb-demo-controls">{controls_html}</div>'
            f'<div class="cb-demo-panels">{panels_html}</div>'
            f'<div class="cb-demo-labels" aria-live="polite"></div>'
            f'<script type="application/json" class="cb-demo-data">{payload}</script>'
            f"<script>{_STATIC_JS.replace('__UID__', uid)}</script>"
            f"<style>{_STATIC_CSS}</style>"
            "</div>"
        )


def state_key(controls, settings):
    """The key of a state in the static data: the settings' option indices joined by '|'."""
    return "|".join(str(c.options.index(settings[c.name])) for c in controls)


def _js_value(value):
    return value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else str(value)


def _control_html(uid, control):
    cid = f"{uid}-{control.name}"
    default = control.options.index(control.default)
    if control.kind == "dropdown":
        options = "".join(
            f'<option value="{i}"{" selected" if i == default else ""}>{html.escape(str(v))}</option>'
            for i, v in enumerate(control.options)
        )
        field_html = f'<select id="{cid}" data-control="{control.name}">{options}</select>'
    else:
        field_html = (
            f'<input type="range" id="{cid}" data-control="{control.name}" min="0" '
            f'max="{len(control.options) - 1}" step="1" value="{default}">'
            f'<output for="{cid}">{html.escape(str(control.default))}</output>'
        )
    return f'<label class="cb-demo-control" for="{cid}"><span>{html.escape(control.label)}</span>{field_html}</label>'


_STATIC_JS = """
(function () {
  var root = document.getElementById("__UID__");
  var data = JSON.parse(root.querySelector(".cb-demo-data").textContent);
  var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-control]"));
  var imgs = root.querySelectorAll("img[data-panel]");
  var labels = root.querySelector(".cb-demo-labels");
  function show() {
    var key = inputs.map(function (el) { return el.value; }).join("|");
    var state = data.states[key];
    inputs.forEach(function (el, i) {
      var out = el.parentNode.querySelector("output");
      if (out) { out.textContent = data.controls[i][1][Number(el.value)]; }
    });
    state.images.forEach(function (id, i) { imgs[i].src = "data:image/png;base64," + data.images[id]; });
    labels.innerHTML = "";
    Object.keys(state.labels).forEach(function (name) {
      var line = document.createElement("div");
      line.className = "cb-demo-label";
      line.setAttribute("data-label", name);
      line.textContent = state.labels[name];
      labels.appendChild(line);
    });
    root.setAttribute("data-state", key);
  }
  inputs.forEach(function (el) { el.addEventListener("input", show); el.addEventListener("change", show); });
  show();
})();
"""

_STATIC_CSS = """
.cb-demo{border:1px solid #c9d3dd;border-radius:6px;padding:.8em;margin:1em 0;font-size:.92em}
.cb-demo-title{font-weight:600;margin-bottom:.4em}
.cb-demo-controls{display:flex;flex-wrap:wrap;gap:.4em 1.4em;margin-bottom:.6em}
.cb-demo-control{display:flex;align-items:center;gap:.4em}
.cb-demo-control output{min-width:2.5em;font-variant-numeric:tabular-nums}
.cb-demo-panels{display:flex;flex-wrap:wrap;gap:.8em}
.cb-demo-panel{margin:0;text-align:center}
.cb-demo-panel figcaption{font-size:.85em;color:#555}
.cb-demo-labels{margin-top:.5em;font-family:var(--pst-font-family-monospace,monospace);white-space:pre-wrap}
"""


class DemoView:
    """What a demo function returns: the live widget in Jupyter, the pre-rendered page on the site.

    Attributes
    ----------
    demo : Demo
    arrays, labels : the current state (what the panels and label lines show)
    controls : dict of name -> ipywidgets control (set ``.value`` to interact from Python)
    images : list of ipywidgets.Image, one per panel
    last_update_ms : float, the time the last update took (compute + encode)
    """

    def __init__(self, demo):
        self.demo = demo
        self._box = None
        self.arrays, self.labels = demo.state(**demo.defaults())
        self.last_update_ms = 0.0
        if not os.environ.get(STATIC_ENV):
            self._build_widget()

    def _build_widget(self):
        import ipywidgets as W

        self.controls = {}
        for c in self.demo.controls:
            if c.kind == "dropdown":
                widget = W.Dropdown(options=[(str(v), v) for v in c.options], value=c.default, description=c.label)
            else:
                widget = W.SelectionSlider(options=[(str(v), v) for v in c.options], value=c.default,
                                           description=c.label, continuous_update=True)
            widget.style.description_width = "initial"
            widget.observe(self._on_change, names="value")
            self.controls[c.name] = widget
        self.images = [W.Image(format="png", layout=W.Layout(width=f"{p.width}px")) for p in self.demo.panels]
        self.label_box = W.HTML()
        panels = [W.VBox([W.HTML(f"<b>{html.escape(p.title)}</b>"), img]) for p, img in zip(self.demo.panels, self.images)]
        self._box = W.VBox([
            W.HTML(f"<b>{html.escape(self.demo.title)}</b>"),
            W.HBox(list(self.controls.values()), layout=W.Layout(flex_flow="row wrap")),
            W.HBox(panels, layout=W.Layout(flex_flow="row wrap")),
            self.label_box,
        ])
        self._draw()

    def settings(self):
        """The current value of every control."""
        return {name: widget.value for name, widget in self.controls.items()}

    def _on_change(self, _change):
        self.update(**self.settings())

    def update(self, **settings):
        """Recompute the state for ``settings`` (the controls' values by default) and redraw."""
        start = time.perf_counter()
        self.arrays, self.labels = self.demo.state(**self.demo.settings(**settings))
        if self._box is not None:
            self._draw()
        self.last_update_ms = (time.perf_counter() - start) * 1e3

    def _draw(self):
        shown = getattr(self, "_shown", {})
        for panel, image_widget in zip(self.demo.panels, self.images):
            data = self.arrays[panel.name]
            if shown.get(panel.name) is data:  # unchanged (e.g. the input photo): keep its PNG
                continue
            image_widget.value = encode_png(panel.render(data), level=1)
            shown[panel.name] = data
        self._shown = shown
        self.label_box.value = "<pre style='margin:0'>" + html.escape("\n".join(self.labels.values())) + "</pre>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self._box is None:  # the site build: the pre-rendered page only
            return {"text/html": self.demo.static_html(), "text/plain": f"<{self.demo.title}>"}
        bundle = self._box._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = f"<{self.demo.title}: run this cell in Jupyter to interact>"
        bundle["text/html"] = self.snapshot_html()  # shown where no widget manager runs
        return bundle

    def snapshot_html(self):
        """The current state as plain HTML images and labels (no script)."""
        images = "".join(
            f'<img alt="{html.escape(p.title)}" style="width:{p.width}px;image-rendering:pixelated" '
            f'src="data:image/png;base64,{base64.b64encode(encode_png(rgb)).decode("ascii")}">'
            for p, rgb in zip(self.demo.panels, self.demo.images(self.arrays))
        )
        return f"<div><b>{html.escape(self.demo.title)}</b><div>{images}</div><pre>{html.escape(chr(10).join(self.labels.values()))}</pre></div>"
