"""The demo framework (controls, views, static pages) and the chapter 3 pooling demo.

Everything is checked against convblocks called directly in the test, and the
pictures against an independent decode of the PNG bytes.
"""

import base64
import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

import convblocks as cb
from convblocks.demos import PoolingExplorer, draw_pooling, pooling_explorer, sample_image
from convblocks.demos._base import STATIC_ENV, Control, DemoView, state_key
from convblocks.demos._render import decode_png, encode_png, grid_image, to_rgb, upscale

ROOT = Path(__file__).resolve().parents[1]


def test_png_round_trip_gray_and_rgb(rng):
    gray = rng.integers(0, 256, size=(5, 7), dtype=np.uint8)
    rgb = rng.integers(0, 256, size=(4, 3, 3), dtype=np.uint8)
    assert np.array_equal(decode_png(encode_png(gray)), gray)
    assert np.array_equal(decode_png(encode_png(rgb, level=9)), rgb)


def test_png_decodes_with_an_independent_reader(rng, tmp_path):
    import matplotlib.pyplot as plt

    rgb = rng.integers(0, 256, size=(6, 9, 3), dtype=np.uint8)
    path = tmp_path / "x.png"
    path.write_bytes(encode_png(rgb))
    assert np.array_equal(np.round(plt.imread(path) * 255).astype(np.uint8), rgb)


def test_png_refuses_bad_shapes():
    with pytest.raises(ValueError, match="encode_png: image must be"):
        encode_png(np.zeros((2, 2, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="not a PNG"):
        decode_png(b"GIF89a")


def test_to_rgb_maps_the_range_ends_and_nan():
    rgb = to_rgb(np.array([[0.0, 1.0, np.nan]]), "gray", 0, 1)
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[0, 1].tolist() == [255, 255, 255]
    assert rgb[0, 2].tolist() == [255, 255, 255]
    assert np.all(to_rgb(np.full((2, 2), 3.0)) == to_rgb(np.full((2, 2), 3.0))[0, 0])


def test_grid_image_draws_lines_between_cells():
    cells = np.zeros((2, 3, 3), dtype=np.uint8)
    big = grid_image(cells, cell=4)
    assert big.shape == (8, 12, 3)
    assert big[0, 5].tolist() == [255, 255, 255] and big[1, 1].tolist() == [0, 0, 0]
    assert upscale(cells, 2).shape == (4, 6, 3)


def test_control_default_must_be_an_option():
    with pytest.raises(ValueError, match="default 5 is not one of"):
        Control("k", "kernel", [1, 2, 3], 5)


def _expected_pooling(image, mode, window, stride, shift):
    x = image[None, None]
    pool = {"max": lambda a: cb.max_pool2d(a, window, stride),
            "average": lambda a: cb.avg_pool2d(a, window, stride),
            "L2": lambda a: cb.lp_pool2d(a, 2, window, stride)}[mode]
    pooled = pool(x)
    change = np.abs(pool(np.roll(x, shift, axis=-1)) - pooled)[0, 0] / np.abs(pooled).max()
    return pooled[0, 0], change


@pytest.mark.parametrize("mode", ["max", "average", "L2"])
@pytest.mark.parametrize("window,stride,shift", [(2, 2, 1), (3, 1, 2), (8, 4, 3), (4, 3, 0)])
def test_pooling_view_shows_what_convblocks_computes(mode, window, stride, shift):
    view = pooling_explorer()
    for name, value in dict(mode=mode, window=window, stride=stride, shift=shift).items():
        view.controls[name].value = value
    pooled, change = _expected_pooling(sample_image("hopper", 128), mode, window, stride, shift)
    assert np.array_equal(view.arrays["pooled"], pooled)
    assert np.array_equal(view.arrays["change"], change)
    out = cb.conv_output_size(128, window, stride)
    assert view.labels["size"].startswith(f"O = ⌊(128 − {window})/{stride}⌋ + 1 = {out}")
    assert f"{change.mean():.4f}" in view.labels["shift"]
    demo = view.demo
    for image_widget, panel in zip(view.images, demo.panels):
        assert np.array_equal(decode_png(image_widget.value), panel.render(view.arrays[panel.name]))


def test_max_pool_shift_by_the_stride_is_not_invariant_but_zero_shift_is():
    view = pooling_explorer()
    view.update(mode="max", window=2, stride=2, shift=0)
    assert view.arrays["change"].max() == 0
    assert "unchanged 100%" in view.labels["shift"]


def test_bad_settings_name_the_control():
    view = pooling_explorer()
    with pytest.raises(ValueError, match="window=5 is not one of"):
        view.update(window=5)
    with pytest.raises(ValueError, match="unknown control 'size'"):
        view.update(size=3)


def test_view_mimebundle_carries_widget_and_html_fallback():
    bundle = pooling_explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "<img" in bundle["text/html"] and "<script" not in bundle["text/html"]


def _static_payload(page):
    match = re.search(r'<script type="application/json" class="cb-demo-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_static_page_holds_every_state_and_matches_fresh_states(monkeypatch):
    monkeypatch.setenv(STATIC_ENV, "1")
    view = pooling_explorer()
    page = view._repr_mimebundle_()["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in view._repr_mimebundle_()
    assert len(page) <= 3_000_000, f"static demo page is {len(page) / 1e6:.2f} MB"
    assert "src=\"http" not in page and "<script src" not in page
    data = _static_payload(page)
    demo = PoolingExplorer()
    assert len(data["states"]) == len(list(demo.grid()))
    for settings in [demo.defaults(), dict(mode="L2", window=8, stride=1, shift=3)]:
        state = data["states"][state_key(demo.controls, settings)]
        arrays, labels = demo.state(**settings)
        assert state["labels"] == labels
        for image_id, panel in zip(state["images"], demo.panels):
            png = base64.b64decode(data["images"][image_id])
            assert np.array_equal(decode_png(png), panel.render(arrays[panel.name]))


def test_draw_pooling_returns_a_figure():
    import matplotlib.pyplot as plt

    fig = draw_pooling("average", 4, 4, 2)
    assert len(fig.axes) == 3
    plt.close(fig)


def test_sample_images():
    assert sample_image("hopper", 64).shape == (64, 64)
    assert sample_image("hopper", 32, gray=False).shape == (32, 32, 3)
    for name in ["checkerboard", "disk", "bars"]:
        img = sample_image(name, 16)
        assert img.shape == (16, 16) and img.min() == 0 and img.max() == 1
    with pytest.raises(ValueError, match="name must be one of"):
        sample_image("lena")
    with pytest.raises(ValueError, match="at most 512"):
        sample_image("hopper", 600)
    with pytest.raises(TypeError, match="size must be an int"):
        sample_image("disk", 2.5)


def test_view_without_widget_in_static_mode(monkeypatch):
    monkeypatch.setenv(STATIC_ENV, "1")
    view = DemoView(PoolingExplorer())
    view.update(window=4, stride=4)
    assert view.arrays["pooled"].shape == (32, 32)


# ---------------------------------------------------------------------------
# every demo: each control changes a picture, alt texts, layout, lazy states
# ---------------------------------------------------------------------------

from convblocks.demos import DEMOS  # noqa: E402
from convblocks.demos._base import split_states  # noqa: E402

_DATA = {}


def _data(name):
    """Every pre-rendered state of a demo (computed once per test session)."""
    if name not in _DATA:
        demo = DEMOS[name]()
        _DATA[name] = (demo, demo.static_data())
    return _DATA[name]


def _settings(demo, key):
    return {c.name: c.options[int(i)] for c, i in zip(demo.controls, key.split("|"))}


def _unchanged_is_explained(name, control, a, b):
    """A control change that leaves every picture as it was, for a reason the geometry gives.

    The sliding window: a 1×1 kernel has no dilation; a single output has no
    position to choose and no stride to take; a kernel that does not fit
    shows the padded grid only. Feature scaling: a path that ended (converged
    or diverged) before both step counts is drawn whole in both.
    """
    if name == "sliding_window_explorer":
        def out(s):
            span = s["dilation"] * (s["kernel"] - 1) + 1
            room = 7 + 2 * s["padding"] - span
            return room // s["stride"] + 1 if room >= 0 else 0
        if out(a) == out(b) == 0:
            return True
        if control == "dilation" and a["kernel"] == 1:
            return True
        if control in ("position", "stride") and out(a) == out(b) == 1:
            return True
        def cell(s):
            o = out(s)
            return {"top-left": (0, 0), "top-right": (0, o - 1), "centre": ((o - 1) // 2,) * 2,
                    "bottom-left": (o - 1, 0), "bottom-right": (o - 1, o - 1)}[s["position"]]
        if control == "position":  # two names for one cell, e.g. top-left and centre of a 2x2 output
            return cell(a) == cell(b)
        if control == "stride":  # same output size, and the chosen output is the first one (no stride in it)
            return out(a) == out(b) and cell(a) == cell(b) == (0, 0)
        return False
    if name == "feature_scaling_explorer" and control == "steps":
        import convblocks.demos.feature_scaling as fs

        demo = DEMOS[name]()
        fewer = min(a["steps"], b["steps"])
        for k in ("raw", "scaled"):
            _, g, w_star = demo.problems[k]
            path = fs.gradient_descent(*demo.problems[k], a["lr"])[0]
            ended = len(path) - 1 <= fewer
            # or within half a percent of w* (about a pixel of the plot) by then: the rest is not visible
            there = np.linalg.norm(path[min(fewer, len(path) - 1)] - w_star) < 0.005 * np.linalg.norm(w_star)
            if not (ended or there):
                return False
        return True
    return False


@pytest.mark.parametrize("name", list(DEMOS))
def test_every_control_changes_a_picture_and_its_alt_text(name):
    demo, data = _data(name)
    unexplained, alts_same = [], []
    for key, state in data["states"].items():
        index = key.split("|")
        for pos, control in enumerate(demo.controls):
            for value in range(len(control.options)):
                if str(value) == index[pos]:
                    continue
                other_key = "|".join(index[:pos] + [str(value)] + index[pos + 1:])
                other = data["states"][other_key]
                if other["alts"] == state["alts"]:
                    alts_same.append((key, control.name, value))
                if other["images"] == state["images"] and not _unchanged_is_explained(
                        name, control.name, _settings(demo, key), _settings(demo, other_key)):
                    unexplained.append((_settings(demo, key), control.name, control.options[value]))
    assert unexplained == [], f"{name}: these control changes leave every picture as it was: {unexplained[:5]}"
    assert alts_same == [], f"{name}: these control changes leave every alt text as it was: {alts_same[:5]}"


@pytest.mark.parametrize("name", list(DEMOS))
def test_from_the_defaults_every_value_of_every_control_changes_a_picture(name):
    demo, data = _data(name)
    start = data["states"][state_key(demo.controls, demo.defaults())]
    for control in demo.controls:
        for value in control.options:
            if value == control.default:
                continue
            state = data["states"][state_key(demo.controls, {**demo.defaults(), control.name: value})]
            assert state["images"] != start["images"], f"{name}: {control.name}={value!r} changes no picture"


@pytest.mark.parametrize("name", list(DEMOS))
def test_alt_texts_name_every_setting_and_say_what_the_panel_shows(name):
    demo, data = _data(name)
    for key in list(data["states"])[:: max(1, len(data["states"]) // 12)]:
        settings = _settings(demo, key)
        alts = data["states"][key]["alts"]
        assert len(alts) == len(demo.panels)
        for panel, alt in zip(demo.panels, alts):
            assert alt.startswith(panel.title + ": "), alt
            for control in demo.controls:
                assert f"{control.label} = {settings[control.name]}" in alt, (name, control.name, alt)
            said = alt[len(panel.title) + 2: alt.index(" (settings: ")]
            assert len(said) >= 20, f"{name}: the alt text of {panel.name} says nothing about the picture: {alt}"


def test_alt_texts_carry_the_numbers_of_the_state():
    """Spot checks against convblocks called here: the words match the computed picture."""
    _, data = _data("channel_mixer")
    demo = DEMOS["channel_mixer"]()
    alts = data["states"][state_key(demo.controls, {**demo.defaults(), "width": 64})]["alts"]
    alt = alts[[p.name for p in demo.panels].index("bottleneck")]
    reduce, conv5 = cb.conv2d_macs(28, 192, 64, 1), cb.conv2d_macs(28, 64, 32, 5, padding="same")
    assert "to 64 channels" in alt and f"{reduce:,} + {conv5:,} = {reduce + conv5:,}" in alt
    demo = DEMOS["separable_explorer"]()
    alts = demo.alt_texts(demo.settings(c_in=128, c_out=16, kernel=7), *demo.state(c_in=128, c_out=16, kernel=7))
    alt = alts[[p.name for p in demo.panels].index("weights")]
    assert f"{cb.conv2d_params(128, 16, 7, bias=False):,} weights" in alt and "128 input channels" in alt
    demo = DEMOS["upsampling_gallery"]()
    settings = demo.settings(factor=2, align_corners=True)
    alts = demo.alt_texts(settings, *demo.state(**settings))
    alt = alts[[p.name for p in demo.panels].index("samples")]
    assert "coordinates 0.00, 0.49, … 23.00" in alt  # corner to corner: i (24 − 1)/(48 − 1)


@pytest.mark.parametrize("name", list(DEMOS))
def test_panels_fill_the_rows_of_the_wide_layout(name):
    """On a wide screen every row of the grid is full (an even layout), except possibly the last."""
    demo = DEMOS[name]()
    spans = [min(getattr(p, "span", 1), demo.columns) for p in demo.panels]
    rows, used = [], 0
    for span in spans:
        if used + span > demo.columns:
            rows.append(used)
            used = 0
        used += span
    rows.append(used)
    assert all(r == demo.columns for r in rows[:-1]), f"{name}: rows of {rows} in {demo.columns} columns"
    assert rows[-1] == demo.columns or len(rows) == 1, f"{name}: the last row holds {rows[-1]} of {demo.columns}"


def _page_payloads(page):
    return [json.loads(m) for m in re.findall(r'<script type="application/json" class="cb-demo-data">(.*?)</script>',
                                              page, re.S)]


def test_split_states_keeps_the_initial_state_inline_and_the_rest_in_a_file(monkeypatch):
    monkeypatch.setenv(STATIC_ENV, "1")
    demo = PoolingExplorer()
    one, two = demo.static_html(), demo.static_html()
    page = "<p>before</p>" + one + "<p>between</p>" + two
    full = _page_payloads(page)
    lighter, files = split_states(page, "03_pooling")
    assert len(files) == 1  # the two copies hold the same states: one file
    name, script = next(iter(files.items()))
    assert re.fullmatch(r"03_pooling-demo-[0-9a-f]{12}\.js", name)
    prefix = f'window.cbDemoStateFiles = window.cbDemoStateFiles || {{}};\nwindow.cbDemoStateFiles["{name}"] = '
    assert script.startswith(prefix) and script.endswith(";\n")
    assert json.loads(script[len(prefix):-2]) == full[0]  # the file holds every state, unchanged
    small = _page_payloads(lighter)
    assert small == [{"controls": full[0]["controls"], "initial": full[0]["initial"], "src": name}] * 2
    assert len(lighter) < len(page) / 20
    assert lighter.startswith("<p>before</p>") and "<p>between</p>" in lighter
    # The initial state stays in the markup: its pictures and alt texts, decoded here.
    first = full[0]["states"][full[0]["initial"]]
    srcs = re.findall(r'<img data-panel="\d+" class="[\w-]+" src="data:image/png;base64,([^"]+)" alt="([^"]*)"',
                      lighter)
    assert len(srcs) == 2 * len(demo.panels)
    arrays, _ = demo.state(**demo.defaults())
    for (png, alt), panel, want_alt, image_id in zip(srcs, demo.panels, first["alts"], first["images"]):
        assert png == full[0]["images"][image_id]
        assert np.array_equal(decode_png(base64.b64decode(png)), panel.render(arrays[panel.name]))
        assert html.unescape(alt) == want_alt
    assert split_states(lighter, "03_pooling") == (lighter, {})  # already split: left alone


def test_the_site_extension_writes_the_files_next_to_the_page(monkeypatch, tmp_path):
    """book/_ext/demo_states.py on a doctree as myst-nb renders a demo output (a raw html node)."""
    import importlib.util
    import types

    from docutils import nodes
    from docutils.utils import new_document
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser

    spec = importlib.util.spec_from_file_location("demo_states", ROOT / "book" / "_ext" / "demo_states.py")
    ext = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ext)
    monkeypatch.setenv(STATIC_ENV, "1")
    page = pooling_explorer()._repr_mimebundle_()["text/html"]
    doc = new_document("03_pooling", get_default_settings(Parser))
    doc += nodes.raw(text=page, format="html", classes=["output", "text_html"])
    app = types.SimpleNamespace(builder=types.SimpleNamespace(format="html"), outdir=str(tmp_path))
    ext.move_states(app, doc, "book/03_pooling")
    written = list((tmp_path / "book").iterdir())
    assert [p.name for p in written] == [_page_payloads(doc.astext())[0]["src"]]
    assert "cbDemoStateFiles" in written[0].read_text() and len(doc.astext()) < len(page) / 20
    other = new_document("x", get_default_settings(Parser))
    other += nodes.raw(text=page, format="html")
    ext.move_states(types.SimpleNamespace(builder=types.SimpleNamespace(format="latex"), outdir=str(tmp_path)),
                    other, "book/x")
    assert other.astext() == page  # other builders keep the self-contained page


def test_an_output_cached_before_the_split_is_left_alone_and_reported(monkeypatch, tmp_path):
    """An execution cache from an older convblocks holds demo payloads without an initial state."""
    import importlib.util
    import types

    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    old = ('<div class="cb-demo"><script type="application/json" class="cb-demo-data">'
           '{"controls":[["k",[1,2]]],"images":["x"],"states":{"0":{"images":[0],"labels":{}}}}</script></div>')
    assert split_states(old, "p") == (old, {})
    spec = importlib.util.spec_from_file_location("demo_states", ROOT / "book" / "_ext" / "demo_states.py")
    ext = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ext)
    warnings = []
    monkeypatch.setattr(ext.logger, "warning", lambda message, **kw: warnings.append(message))
    doc = new_document("p", get_default_settings(Parser))
    doc += nodes.raw(text=old, format="html")
    ext.move_states(types.SimpleNamespace(builder=types.SimpleNamespace(format="html"), outdir=str(tmp_path)),
                    doc, "book/p")
    assert doc.astext() == old and not any(tmp_path.iterdir())
    assert len(warnings) == 1 and "delete _build/.jupyter_cache" in warnings[0]
