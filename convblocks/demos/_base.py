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

Every picture carries a text alternative built from the current settings and
what the panel shows (:meth:`Demo.alt_texts`): the ``alt`` of the image on the
site, the ``tooltip`` of the image widget in Jupyter.

The static page inlines every state (so it works on its own); the site build
(``book/_ext/demo_states.py``) moves all states but the initial one into a
script file next to the page with :func:`split_states`, which the page loads
the first time the reader touches the demo.
"""

import base64
import hashlib
import html
import itertools
import json
import os
import re
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
    width: int = 220  # largest displayed width in CSS pixels (the panel shrinks to its grid cell)
    span: int = 1  # grid columns the panel takes on a wide screen
    pixelated = True  # enlarged without smoothing (a plot panel is smoothed instead)

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
    """Base class of the demos; subclasses set ``title``, ``controls``, ``panels`` and ``state``.

    ``columns`` is how many panels sit side by side on a wide screen (a panel
    with ``span = 2`` takes two of them); on a narrow screen they stack.
    ``describe`` says in words what each panel shows for a state (for its
    text alternative).
    """

    title = ""
    controls = []
    panels = []
    columns = 3

    # -- the pure part -----------------------------------------------------------
    def state(self, **settings):
        """Return ``(arrays, labels)``: one array per panel name and a dict of label lines."""
        raise NotImplementedError

    def describe(self, settings, arrays, labels):
        """What each panel shows for this state, in words: a dict panel name -> sentence."""
        return {}

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

    def settings_text(self, settings):
        """The settings as words, each named by its control's label: ``kernel K = 5, stride S = 2``."""
        return ", ".join(f"{c.label} = {settings[c.name]}" for c in self.controls)

    def alt_texts(self, settings, arrays, labels):
        """The text alternative of every panel, in panel order: what it shows, then the settings."""
        said = self.describe(settings, arrays, labels)
        return [f"{p.title}: {said[p.name]} (settings: {self.settings_text(settings)})" if p.name in said
                else f"{p.title} (settings: {self.settings_text(settings)})" for p in self.panels]

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
        """All pre-rendered states: unique PNGs (base64) and, per state key, image indices, labels, alt texts."""
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
            states[state_key(self.controls, settings)] = {
                "images": ids, "labels": labels, "alts": self.alt_texts(settings, arrays, labels)}
        return {"images": pngs, "states": states}

    def static_html(self):
        """A self-contained HTML/JS control (no external script) swapping pre-rendered states.

        The initial state is in the markup itself (it shows without script);
        the JSON payload holds every state, or, after :func:`split_states`,
        only the name of the script file that holds them.
        """
        data = self.static_data()
        initial = state_key(self.controls, self.defaults())
        first = data["states"][initial]
        uid = "cbdemo-" + uuid.uuid4().hex[:8]
        controls_html = "".join(_control_html(uid, c) for c in self.controls)
        panels_html = "".join(
            f'<figure class="cb-demo-panel cb-span-{min(p.span, self.columns)}">'
            f'<img data-panel="{i}" class="{"cb-pixelated" if getattr(p, "pixelated", False) else "cb-smooth"}" '
            f'src="data:image/png;base64,{data["images"][first["images"][i]]}" '
            f'alt="{html.escape(first["alts"][i])}" style="max-width:{p.width}px">'
            f'<figcaption>{html.escape(p.title)}</figcaption></figure>'
            for i, p in enumerate(self.panels)
        )
        labels_html = "".join(
            f'<div class="cb-demo-label" data-label="{html.escape(name)}">{html.escape(line)}</div>'
            for name, line in first["labels"].items()
        )
        payload = _json({"controls": [[c.name, [str(v) for v in c.options]] for c in self.controls],
                         "initial": initial, **data})
        return (
            f'<div class="cb-demo" id="{uid}" data-demo="{type(self).__name__}" data-state="{initial}">'
            f'<div class="cb-demo-title">{html.escape(self.title)}</div>'
            f'<div class="cb-demo-controls">{controls_html}</div>'
            f'<div class="cb-demo-panels cb-cols-{self.columns}">{panels_html}</div>'
            f'<div class="cb-demo-status" role="status"></div>'
            f'<div class="cb-demo-labels" aria-live="polite">{labels_html}</div>'
            f'<script type="application/json" class="cb-demo-data">{payload}</script>'
            f"<script>{_STATIC_JS.replace('__UID__', uid)}</script>"
            f"<style>{_STATIC_CSS}</style>"
            "</div>"
        )


def state_key(controls, settings):
    """The key of a state in the static data: the settings' option indices joined by '|'."""
    return "|".join(str(c.options.index(settings[c.name])) for c in controls)


def _json(value):
    """Compact JSON that is safe inside a ``<script>`` element (no ``</`` can appear)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c")


_PAYLOAD = re.compile(r'(<script type="application/json" class="cb-demo-data">)(.*?)(</script>)', re.S)


def split_states(page, stem):
    """Move the states of every demo on ``page`` (HTML) into script files, keeping the initial one inline.

    Parameters
    ----------
    page : str
        HTML holding one or more static demos (:meth:`Demo.static_html`).
    stem : str
        Start of the file names (the page's name, e.g. ``"03_pooling"``).

    Returns
    -------
    page : str
        The HTML with each demo's payload reduced to its controls, its initial
        key and ``src``, the name of its states file (relative to the page).
    files : dict
        File name -> JavaScript text, to be written next to the page. A file
        sets ``window.cbDemoStateFiles[name]`` to the full payload; its name
        carries a hash of that payload, so a changed demo gets a new file.

    Examples
    --------
    >>> page, files = split_states('<script type="application/json" class="cb-demo-data">'
    ...                            '{"controls":[],"initial":"","images":["x"],"states":{"":{}}}</script>', "p")
    >>> page
    '<script type="application/json" class="cb-demo-data">{"controls":[],"initial":"","src":"p-demo-dee6143444cc.js"}</script>'
    >>> list(files)
    ['p-demo-dee6143444cc.js']
    """
    files = {}

    def move(match):
        full = match.group(2)
        data = json.loads(full)
        if "src" in data or "initial" not in data:  # already split, or from a convblocks before the split
            return match.group(0)
        name = f"{stem}-demo-{hashlib.sha1(full.encode()).hexdigest()[:12]}.js"
        files[name] = ("window.cbDemoStateFiles = window.cbDemoStateFiles || {};\n"
                       f"window.cbDemoStateFiles[{json.dumps(name)}] = {full};\n")
        small = {"controls": data["controls"], "initial": data["initial"], "src": name}
        return match.group(1) + _json(small) + match.group(3)

    return _PAYLOAD.sub(move, page), files


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
            f'max="{len(control.options) - 1}" step="1" value="{default}" '
            f'aria-valuetext="{html.escape(str(control.default))}">'
            f'<output for="{cid}">{html.escape(str(control.default))}</output>'
        )
    return f'<label class="cb-demo-control" for="{cid}"><span>{html.escape(control.label)}</span>{field_html}</label>'


# The page script of a demo. States come from the inline payload, or, when the
# site build moved them out (``src``), from a script file loaded on the first
# touch (pointer, focus, key) of the demo: a <script> element, which works from
# http and from file:// alike. If the file cannot be loaded, the demo says so,
# goes back to the initial settings (which are in the markup) and stays there.
_STATIC_JS = """
(function () {
  var root = document.getElementById("__UID__");
  var data = JSON.parse(root.querySelector(".cb-demo-data").textContent);
  var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-control]"));
  var imgs = Array.prototype.slice.call(root.querySelectorAll("img[data-panel]"));
  var labels = root.querySelector(".cb-demo-labels");
  var status = root.querySelector(".cb-demo-status");
  var first = {images: imgs.map(function (img) { return img.getAttribute("src"); }),
               alts: imgs.map(function (img) { return img.getAttribute("alt"); }),
               labels: labels.innerHTML};
  var loading = data.src ? "no" : "done";
  function settle() {
    inputs.forEach(function (el, i) {
      var value = data.controls[i][1][Number(el.value)];
      var out = el.parentNode.querySelector("output");
      if (out) { out.textContent = value; }
      if (el.type === "range") { el.setAttribute("aria-valuetext", String(value)); }
    });
  }
  function draw(key) {
    var state = data.states && data.states[key];
    if (!state) {  // the initial state, from the markup
      imgs.forEach(function (img, i) { img.src = first.images[i]; img.alt = first.alts[i]; });
      labels.innerHTML = first.labels;
    } else {
      state.images.forEach(function (id, i) {
        imgs[i].src = "data:image/png;base64," + data.images[id];
        imgs[i].alt = state.alts[i];
      });
      labels.innerHTML = "";
      Object.keys(state.labels).forEach(function (name) {
        var line = document.createElement("div");
        line.className = "cb-demo-label";
        line.setAttribute("data-label", name);
        line.textContent = state.labels[name];
        labels.appendChild(line);
      });
    }
    root.setAttribute("data-state", key);
  }
  function show() {
    settle();
    var key = inputs.map(function (el) { return el.value; }).join("|");
    if (loading === "done" || key === data.initial) { draw(key); return; }
    if (loading === "failed") {
      data.initial.split("|").forEach(function (v, i) { inputs[i].value = v; });
      settle();
      draw(data.initial);
      return;
    }
    load();
    status.textContent = "Loading the other settings of this demo\\u2026";
  }
  function load() {
    if (loading !== "no") { return; }
    loading = "pending";
    root.setAttribute("aria-busy", "true");
    var script = document.createElement("script");
    script.src = data.src;
    script.onload = function () {
      var full = (window.cbDemoStateFiles || {})[data.src];
      if (!full) { return failed(); }
      data = full;
      loading = "done";
      root.removeAttribute("aria-busy");
      status.textContent = "";
      show();
    };
    script.onerror = failed;
    document.head.appendChild(script);
  }
  function failed() {
    loading = "failed";
    root.removeAttribute("aria-busy");
    root.setAttribute("data-states", "unavailable");
    status.textContent = "This demo could not load its other settings (" + data.src + " did not load next to " +
      "this page), so it shows its initial settings only. Open the page from the built site, or run the " +
      "chapter as a notebook to use the live demo.";
    show();
  }
  ["pointerdown", "focusin", "keydown", "touchstart"].forEach(function (name) {
    root.addEventListener(name, load, {passive: true});
  });
  inputs.forEach(function (el) { el.addEventListener("input", show); el.addEventListener("change", show); });
})();
"""

_STATIC_CSS = """
.cb-demo{border:1px solid var(--pst-color-border,#c9d3dd);border-radius:6px;padding:.8em;margin:1em 0;font-size:.92em;
background:var(--pst-color-background,transparent);color:var(--pst-color-text-base,inherit)}
.cb-demo-title{font-weight:600;margin-bottom:.4em}
.cb-demo-controls{display:flex;flex-wrap:wrap;gap:.4em 1.4em;margin-bottom:.6em}
.cb-demo-control{display:flex;align-items:center;gap:.4em}
.cb-demo-control output{min-width:2.5em;font-variant-numeric:tabular-nums}
.cb-demo-panels{display:grid;gap:.8em;align-items:start}
.cb-demo-panels.cb-cols-1{grid-template-columns:minmax(0,1fr)}
.cb-demo-panels.cb-cols-2{grid-template-columns:repeat(2,minmax(0,1fr))}
.cb-demo-panels.cb-cols-3{grid-template-columns:repeat(3,minmax(0,1fr))}
.cb-demo-panels.cb-cols-4{grid-template-columns:repeat(4,minmax(0,1fr))}
.cb-demo-panel.cb-span-2{grid-column:span 2}
.cb-demo-panel.cb-span-3{grid-column:span 3}
.cb-demo-panel.cb-span-4{grid-column:span 4}
.cb-demo-panel{margin:0;min-width:0;text-align:center}
.cb-demo-panel img{display:block;width:100%;height:auto;margin:0 auto}
.cb-demo-panel img.cb-pixelated{image-rendering:pixelated}
.cb-demo-panel figcaption{font-size:.85em;color:var(--pst-color-text-muted,#555);overflow-wrap:anywhere}
.cb-demo-status:not(:empty){margin-top:.5em;font-style:italic}
.cb-demo-labels{margin-top:.5em;font-family:var(--pst-font-family-monospace,monospace);white-space:pre-wrap;overflow-wrap:anywhere}
@media (max-width:640px){
.cb-demo-panels[class*="cb-cols-"]{grid-template-columns:minmax(0,1fr)}
.cb-demo-panel[class*="cb-span-"]{grid-column:auto}
}
"""


class DemoView:
    """What a demo function returns: the live widget in Jupyter, the pre-rendered page on the site.

    Attributes
    ----------
    demo : Demo
    arrays, labels : the current state (what the panels and label lines show)
    alts : list of str, the text alternative of every panel for the current state
    controls : dict of name -> ipywidgets control (set ``.value`` to interact from Python)
    images : list of ipywidgets.Image, one per panel (``tooltip`` holds its text alternative)
    last_update_ms : float, the time the last update took (compute + encode)
    """

    def __init__(self, demo):
        self.demo = demo
        self._box = None
        current = demo.defaults()
        self.arrays, self.labels = demo.state(**current)
        self.alts = demo.alt_texts(current, self.arrays, self.labels)
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
        self.images = [W.Image(format="png", layout=W.Layout(width="100%", max_width=f"{p.width}px"))
                       for p in self.demo.panels]
        self.label_box = W.HTML()
        columns = self.demo.columns
        panels = [W.VBox([W.HTML(f"<b>{html.escape(p.title)}</b>"), img],
                         layout=W.Layout(grid_column=f"span {min(p.span, columns)}", min_width="0"))
                  for p, img in zip(self.demo.panels, self.images)]
        self._box = W.VBox([
            W.HTML(f"<b>{html.escape(self.demo.title)}</b>"),
            W.HBox(list(self.controls.values()), layout=W.Layout(flex_flow="row wrap")),
            W.GridBox(panels, layout=W.Layout(grid_template_columns=f"repeat({columns}, minmax(0, 1fr))",
                                              grid_gap="8px")),
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
        current = self.demo.settings(**settings)
        self.arrays, self.labels = self.demo.state(**current)
        self.alts = self.demo.alt_texts(current, self.arrays, self.labels)
        if self._box is not None:
            self._draw()
        self.last_update_ms = (time.perf_counter() - start) * 1e3

    def _draw(self):
        shown = getattr(self, "_shown", {})
        for panel, image_widget, alt in zip(self.demo.panels, self.images, self.alts):
            image_widget.tooltip = alt
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
            f'<img alt="{html.escape(alt)}" style="width:{p.width}px;max-width:100%;image-rendering:pixelated" '
            f'src="data:image/png;base64,{base64.b64encode(encode_png(rgb)).decode("ascii")}">'
            for p, rgb, alt in zip(self.demo.panels, self.demo.images(self.arrays), self.alts)
        )
        return f"<div><b>{html.escape(self.demo.title)}</b><div>{images}</div><pre>{html.escape(chr(10).join(self.labels.values()))}</pre></div>"
