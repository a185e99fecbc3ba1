"""The demo framework (controls, views, static pages) and the chapter 3 pooling demo.

Everything is checked against convblocks called directly in the test, and the
pictures against an independent decode of the PNG bytes.
"""

import base64
import json
import re

import numpy as np
import pytest

import convblocks as cb
from convblocks.demos import PoolingExplorer, draw_pooling, pooling_explorer, sample_image
from convblocks.demos._base import STATIC_ENV, Control, DemoView, state_key
from convblocks.demos._render import decode_png, encode_png, grid_image, to_rgb, upscale


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
