"""The demos of chapters 1, 2 and 4: weight sharing, sliding window, padding modes, channel mixer.

Every view is driven from Python through its controls; what it shows (arrays,
labels, PNG panels, the static page) is checked against convblocks called
directly in the test.
"""

import base64
import json
import math
import re

import numpy as np
import pytest

import convblocks as cb
from convblocks.demos._base import STATIC_ENV, state_key
from convblocks.demos._render import decode_png
from convblocks.demos.channel_mixer import PRESETS, ChannelMixer, channel_mixer, draw_channel_mixer
from convblocks.demos.images import sample_image
from convblocks.demos.padding_modes import CANVAS, FRAME, PaddingModes, draw_padding_modes, padding_modes_explorer
from convblocks.demos.sliding_window import (
    BACKGROUND, CHOSEN, OUTPUT, PAD, POSITIONS, SPAN, TAP, TAP_PAD, SlidingWindowExplorer,
    draw_sliding_window, sliding_window_explorer,
)
from convblocks.demos.weight_sharing import (
    KERNELS, LAYERS, SHIFTS, WeightSharingExplorer, draw_weight_sharing, weight_sharing_explorer,
)


@pytest.fixture(autouse=True)
def live_widgets(monkeypatch):
    """The live widget path, whatever the environment of the test run."""
    monkeypatch.delenv(STATIC_ENV, raising=False)


def set_controls(view, **settings):
    """Move the widgets as a reader would (each change triggers an update)."""
    for name, value in settings.items():
        view.controls[name].value = value
    current = view.settings()
    assert all(current[name] == value for name, value in settings.items())


def assert_panels_show_arrays(view):
    """Each image widget's PNG is exactly the panel rendering of the current array; its tooltip the alt text."""
    assert len(view.images) == len(view.demo.panels)
    for image_widget, panel in zip(view.images, view.demo.panels):
        assert np.array_equal(decode_png(image_widget.value), panel.render(view.arrays[panel.name])), panel.name
    alts = view.demo.alt_texts(view.settings(), view.arrays, view.labels)
    assert [w.tooltip for w in view.images] == alts == view.alts


def shift(a, s):
    """Independent copy of the shift: down and right by s, zeros coming in."""
    out = np.zeros_like(a)
    if s == 0:
        return a.copy()
    out[..., s:, s:] = a[..., :-s, :-s]
    return out


# ---------------------------------------------------------------------------
# chapter 1: weight sharing
# ---------------------------------------------------------------------------


def _layer(demo, layer, k, x):
    if layer == "convolution":
        return cb.conv2d(x, demo.conv_weight[k], demo.conv_bias[k], padding=k // 2)
    if layer == "locally connected":
        return cb.locally_connected2d(x, demo.local_weight[k], demo.local_bias[k], padding=k // 2)
    return (demo.dense_a @ x[0, 0] @ demo.dense_b.T + demo.dense_bias)[None, None]


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("kernel,s", [(3, 0), (5, 2), (7, 4), (3, 1)])
def test_weight_sharing_view_shows_what_convblocks_computes(layer, kernel, s):
    view = weight_sharing_explorer()
    set_controls(view, layer=layer, kernel=kernel, shift=s)
    demo, n = view.demo, 64
    x = sample_image("hopper", n)[None, None]
    plain, out = _layer(demo, layer, kernel, x), _layer(demo, layer, kernel, shift(x, s))[0, 0]
    moved, scale = shift(plain, s)[0, 0], np.abs(plain).max()
    r = kernel // 2
    keep = np.zeros((n, n), dtype=bool)
    keep[s + r: n - r, s + r: n - r] = True
    assert np.array_equal(view.arrays["shifted"], shift(x, s)[0, 0])
    assert np.array_equal(view.arrays["output"], out / scale)
    expected_error = np.abs(out - moved) / scale
    assert np.array_equal(view.arrays["error"][keep], expected_error[keep])
    assert np.all(np.isnan(view.arrays["error"][~keep]))
    err = np.linalg.norm((out - moved)[keep]) / np.linalg.norm(moved[keep])
    side = n - s - 2 * r
    assert view.labels["error"] == (f"{layer}, shift {s} px: equivariance error ‖f(Tx) − Tf(x)‖ / ‖Tf(x)‖ "
                                    f"= {err:.2g} on the {side}×{side} interior")
    hw = n * n
    assert view.labels["dense"] == f"dense: (HW)² + HW = 4096² + 4096 = {cb.dense_params(hw, hw):,} parameters"
    local = cb.locally_connected2d_params((n, n), 1, 1, kernel, padding=r)
    assert view.labels["local"].endswith(f"= {local:,} parameters")
    assert view.labels["conv"] == f"convolution: K² + 1 = {kernel}² + 1 = {cb.conv2d_params(1, 1, kernel)} parameters"
    assert_panels_show_arrays(view)
    if layer == "convolution" or s == 0:
        assert err == 0  # exactly equivariant away from the borders (and trivially for no shift)
    else:
        assert err > 0.5  # unshared weights: the shifted input meets different weights


def test_dense_layer_is_the_full_kronecker_matrix_as_a_1x1_convolution():
    demo = WeightSharingExplorer(size=16)
    x = demo.image[None, None]
    y = demo.apply("dense", 3, x)
    # A dense layer on the flattened image = a 1x1 convolution on a (1, HW, 1, 1) input.
    flat = cb.pointwise_conv2d(x.reshape(1, 256, 1, 1), demo.dense_matrix(), demo.dense_bias.reshape(256))
    assert np.allclose(y.reshape(256), flat.reshape(256))
    assert np.all(demo.dense_matrix() != 0)  # every output connected to every input
    assert demo.dense_matrix().shape == (256, 256)


def test_weight_sharing_parameter_counts_scale_as_the_chapter_says():
    _, labels = WeightSharingExplorer(size=32).state(layer="dense", kernel=3, shift=1)
    assert "1024² + 1024 = 1,049,600" in labels["dense"]
    assert "1024·10 = 10,240" in labels["local"]
    assert labels["conv"].endswith("= 10 parameters")


def test_weight_sharing_bad_settings_name_the_control():
    view = weight_sharing_explorer()
    with pytest.raises(ValueError, match="kernel=4 is not one of"):
        view.update(kernel=4)
    with pytest.raises(ValueError, match="layer='pooling' is not one of"):
        view.update(layer="pooling")


# ---------------------------------------------------------------------------
# chapter 2: sliding window
# ---------------------------------------------------------------------------


def _cells(canvas, colour):
    return np.all(np.isclose(canvas, colour), axis=-1)


def _check_sliding_state(demo, kernel, stride, padding, dilation, position):
    arrays, labels = demo.state(kernel=kernel, stride=stride, padding=padding, dilation=dilation, position=position)
    n, side = 7, 13
    span = dilation * (kernel - 1) + 1
    grid_in, grid_out = arrays["input"], arrays["output"]
    assert grid_in.shape == grid_out.shape == (side, side, 3)
    assert labels["span"] == f"span = D(K − 1) + 1 = {dilation}·({kernel} − 1) + 1 = {span}"
    top = 3 - padding
    padded = n + 2 * padding
    assert np.all(_cells(grid_in, BACKGROUND).sum() == side * side - padded * padded)
    pad_cells = _cells(grid_in, PAD) | _cells(grid_in, TAP_PAD)
    assert pad_cells.sum() == padded * padded - n * n
    try:
        out = cb.conv_output_size(n, kernel, stride, padding, dilation)
    except ValueError:
        assert "does not fit" in labels["size"] and f"spans {span} > {n} + 2·{padding}" in labels["size"]
        assert np.all(_cells(grid_out, BACKGROUND))
        assert not (_cells(grid_in, TAP) | _cells(grid_in, TAP_PAD)).any()
        return None
    assert labels["size"] == f"O = ⌊({n} − {span} + 2·{padding})/{stride}⌋ + 1 = {out}   ({out}×{out} outputs)"
    # The output grid: O x O cells, one of them chosen.
    assert (_cells(grid_out, OUTPUT) | _cells(grid_out, CHOSEN)).sum() == out * out
    chosen = np.argwhere(_cells(grid_out, CHOSEN))
    assert len(chosen) == 1
    left = (side - out) // 2
    row, col = chosen[0] - left
    expected = {"top-left": (0, 0), "top-right": (0, out - 1), "centre": ((out - 1) // 2,) * 2,
                "bottom-left": (out - 1, 0), "bottom-right": (out - 1, out - 1)}[position]
    assert (row, col) == expected
    # The taps: im2col of the numbered input (1..49, zero padding) lists the cells the output reads.
    numbers = np.arange(1, n * n + 1, dtype=float).reshape(1, 1, n, n)
    cols = cb.im2col(numbers, kernel, stride, padding, dilation)[0][:, row * out + col]
    read = {(int(v - 1) // n, int(v - 1) % n) for v in cols if v > 0}
    taps_on_input = {(r - top - padding, c - top - padding) for r, c in np.argwhere(_cells(grid_in, TAP))}
    assert taps_on_input == read
    assert _cells(grid_in, TAP_PAD).sum() == np.sum(cols == 0)
    # By definition: padded rows row*S + i*D, cols col*S + j*D.
    rows = [row * stride + i * dilation - padding for i in range(kernel)]
    cols_ = [col * stride + j * dilation - padding for j in range(kernel)]
    assert labels["reads"].startswith(f"output ({row}, {col}) reads input rows "
                                      + ", ".join(str(v).replace("-", "−") for v in rows))
    assert ("padding" in labels["reads"]) == (min(rows + cols_) < 0 or max(rows + cols_) >= n)
    # Skipped cells inside the window's span (dilation > 1) are marked as span.
    in_span = np.zeros((n, n), bool)  # input cells inside the span, between the dilated taps
    first_r, first_c = row * stride - padding, col * stride - padding
    in_span[max(first_r, 0): max(first_r + span, 0), max(first_c, 0): max(first_c + span, 0)] = True
    assert _cells(grid_in, SPAN).sum() == in_span.sum() - len(read)
    seen = {i * stride + t * dilation - padding for i in range(out) for t in range(kernel)}
    unread = sorted(set(range(n)) - seen)
    assert ("never read" in labels["unread"]) == bool(unread)
    return out


def test_sliding_window_every_state_matches_convblocks():
    demo = SlidingWindowExplorer()
    refused = 0
    for settings in demo.grid():
        refused += _check_sliding_state(demo, **settings) is None
    assert refused > 0  # some kernels do not fit, and the demo says so instead of crashing


def test_sliding_window_formula_of_the_issue_and_unread_rows():
    view = sliding_window_explorer()
    set_controls(view, kernel=3, stride=2, padding=1, dilation=1, position="top-left")
    assert view.labels["size"].startswith("O = ⌊(7 − 3 + 2·1)/2⌋ + 1 = 4")
    assert view.labels["reads"] == "output (0, 0) reads input rows −1, 0, 1 × cols −1, 0, 1  (outside 0–6: padding)"
    assert_panels_show_arrays(view)
    set_controls(view, kernel=3, stride=2, padding=1, dilation=2, position="bottom-right")
    assert view.labels["unread"] == "rows and cols never read by any output: 0, 2, 4, 6"
    set_controls(view, kernel=1, stride=3, padding=0, dilation=1, position="centre")
    assert view.labels["unread"] == "rows and cols never read by any output: 1–2, 4–5"
    assert_panels_show_arrays(view)
    set_controls(view, kernel=5, stride=1, padding=0, dilation=3)
    assert "does not fit" in view.labels["size"] and view.labels["reads"] == "increase P, or decrease K or D"
    assert_panels_show_arrays(view)


def test_sliding_window_bad_settings_name_the_control():
    view = sliding_window_explorer()
    with pytest.raises(ValueError, match="stride=4 is not one of"):
        view.update(stride=4)
    with pytest.raises(ValueError, match="position='middle' is not one of"):
        view.update(position="middle")


# ---------------------------------------------------------------------------
# chapter 2: padding modes
# ---------------------------------------------------------------------------


def _expected_canvas(values, offset, n=96, margin=16):
    side = n + 2 * margin
    rgb = np.empty((side, side, 3))
    rgb[:] = CANVAS
    h, w = values.shape
    rgb[offset: offset + h, offset: offset + w] = np.clip(values, 0, 1)[..., None]
    lo, hi = margin - 1, margin + n
    rgb[[lo, hi], lo: hi + 1] = FRAME
    rgb[lo: hi + 1, [lo, hi]] = FRAME
    return rgb


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad,blur", [(4, 9), (16, 15), (8, 1), (4, 15)])
def test_padding_modes_view_shows_what_convblocks_computes(mode, pad, blur):
    view = padding_modes_explorer()
    set_controls(view, mode=mode, pad=pad, blur=blur)
    n, r = 96, blur // 2
    img = sample_image("hopper", n)
    padded = cb.pad2d(img[None, None], pad, mode=mode)
    rows = cb.conv2d(padded, np.full((1, 1, 1, blur), 1 / blur))
    blurred = cb.conv2d(rows, np.full((1, 1, blur, 1), 1 / blur))[0, 0]
    box = cb.conv2d(padded, np.full((1, 1, blur, blur), 1 / blur ** 2))[0, 0]  # one K x K box
    assert np.allclose(blurred, box)
    assert np.array_equal(view.arrays["padded"], _expected_canvas(padded[0, 0], 16 - pad))
    assert np.array_equal(view.arrays["blurred"], _expected_canvas(blurred, 16 - pad + r))
    out = cb.conv_output_size(n, blur, padding=pad)
    assert blurred.shape == (out, out)
    assert view.labels["padded"] == f"padded: N + 2P = 96 + 2·{pad} = {96 + 2 * pad}  →  {96 + 2 * pad}×{96 + 2 * pad}"
    assert view.labels["blurred"].startswith(f"blurred (valid): N + 2P − K + 1 = 96 + 2·{pad} − {blur} + 1 = {out}")
    assert ("smaller than the image" in view.labels["blurred"]) == (out < n)
    # Border strip: the outer 4 px of the original frame where the output reaches.
    frame = np.full((n, n), np.nan)
    lo = max(r - pad, 0)
    frame[lo: n - lo, lo: n - lo] = blurred[pad - r + lo: pad - r + n - lo, pad - r + lo: pad - r + n - lo]
    strip = np.ones((n, n), bool)
    strip[4:-4, 4:-4] = False
    strip &= np.isfinite(frame)
    border, border0 = frame[strip].mean(), img[strip].mean()
    assert f"mean {border:.3f} after the blur vs {border0:.3f} before" in view.labels["border"]
    if mode == "zeros" and blur > 1:
        assert border < 0.8 * border0  # zero padding darkens the border of a blur
    if mode == "reflect":
        assert border > 0.85 * border0
    assert_panels_show_arrays(view)


def test_padding_modes_bad_settings_name_the_control():
    view = padding_modes_explorer()
    with pytest.raises(ValueError, match="mode='constant' is not one of"):
        view.update(mode="constant")
    with pytest.raises(ValueError, match="pad=3 is not one of"):
        view.update(pad=3)


# ---------------------------------------------------------------------------
# chapter 4: channel mixer
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("gain,width", [(1.0, 16), (0.5, 8), (2.0, 64)])
def test_channel_mixer_view_shows_what_convblocks_computes(preset, gain, width):
    view = channel_mixer()
    set_controls(view, preset=preset, gain=gain, width=width)
    n = 96
    rgb = sample_image("hopper", n, gray=False)
    m = PRESETS[preset] * gain
    mixed = cb.pointwise_conv2d(rgb.transpose(2, 0, 1)[None], m.T)[0]
    c_out = m.shape[1]
    assert np.array_equal(view.arrays["input"], rgb)
    strip = view.arrays["channels"]
    for c in range(3):
        block = strip[:, c * (n + 4): c * (n + 4) + n]
        assert np.array_equal(block, mixed[c]) if c < c_out else np.all(np.isnan(block))
    assert np.allclose(mixed.transpose(1, 2, 0), rgb @ m)  # p M at every pixel
    composite = view.arrays["output"]
    assert np.array_equal(composite[..., 0], np.clip(mixed[0], 0, 1))
    assert np.array_equal(composite[..., 2], np.clip(mixed[2 if c_out == 3 else 0], 0, 1))
    params = cb.conv2d_params(3, c_out, 1)
    assert view.labels["params"] == f"parameters: C·C′ + C′ = 3·{c_out} + {c_out} = {params}"
    assert params == 3 * c_out + c_out
    direct = cb.conv2d_macs(28, 192, 32, 5, padding="same")
    assert direct == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    assert view.labels["direct"] == "direct 5×5, 192 → 32 on 28×28: 28·28·32·5·5·192 = 120,422,400 MACs"
    reduce, conv5 = cb.conv2d_macs(28, 192, width, 1), cb.conv2d_macs(28, width, 32, 5, padding=2)
    assert view.labels["bottleneck"] == (f"1×1 192 → {width}, then 5×5 {width} → 32: {reduce:,} + {conv5:,} = "
                                         f"{reduce + conv5:,} MACs  ({direct / (reduce + conv5):.1f}× fewer)")
    assert view.labels["matrix"].startswith(f"M (3×{c_out}) = R [")
    # The bottleneck panel draws the three volumes and the MACs to scale.
    stacks = view.arrays["bottleneck"]
    assert stacks["channels"] == [192, width, 32]
    assert stacks["bars"] == [[direct], [reduce, conv5]]
    assert_panels_show_arrays(view)


def test_channel_mixer_matrix_label_and_the_chapter_numbers():
    _, labels = ChannelMixer(size=64).state(preset="R − G", gain=2.0, width=16)
    assert labels["matrix"] == "M (3×1) = R [2] · G [−2] · B [0]"
    assert "2,408,448 + 10,035,200 = 12,443,648 MACs  (9.7× fewer)" in labels["bottleneck"]


def test_channel_mixer_bad_settings_name_the_control():
    view = channel_mixer()
    with pytest.raises(ValueError, match="width=12 is not one of"):
        view.update(width=12)
    with pytest.raises(ValueError, match="unknown control 'bias'"):
        view.update(bias=1)


# ---------------------------------------------------------------------------
# all four: static pages, figures, sizes
# ---------------------------------------------------------------------------

DEMOS = {
    "weight_sharing": (WeightSharingExplorer, draw_weight_sharing, dict(layer="dense", kernel=7, shift=4)),
    "sliding_window": (SlidingWindowExplorer, draw_sliding_window,
                       dict(kernel=5, stride=1, padding=3, dilation=2, position="bottom-left")),
    "padding_modes": (PaddingModes, draw_padding_modes, dict(mode="circular", pad=4, blur=15)),
    "channel_mixer": (ChannelMixer, draw_channel_mixer, dict(preset="swap R/B", gain=1.5, width=64)),
}
_PAGES = {}


def _page(name):
    if name not in _PAGES:
        _PAGES[name] = DEMOS[name][0]().static_html()
    return _PAGES[name]


@pytest.mark.parametrize("name", list(DEMOS))
def test_static_page_holds_every_state_and_matches_fresh_states(name):
    cls, _, other = DEMOS[name]
    demo = cls()
    page = _page(name)
    assert len(page) <= 3_000_000, f"{name}: static page is {len(page) / 1e6:.2f} MB"
    assert "<script src" not in page and 'src="http' not in page
    data = json.loads(re.search(r'<script type="application/json" class="cb-demo-data">(.*?)</script>',
                                page, re.S).group(1))
    grid = list(demo.grid())
    assert len(grid) == math.prod(len(c.options) for c in demo.controls) == len(data["states"])
    assert set(data["states"]) == {state_key(demo.controls, s) for s in grid}
    for settings in [demo.defaults(), {**demo.defaults(), **other}]:
        state = data["states"][state_key(demo.controls, settings)]
        arrays, labels = demo.state(**settings)
        assert state["labels"] == labels
        assert state["alts"] == demo.alt_texts(settings, arrays, labels)
        for image_id, panel in zip(state["images"], demo.panels):
            png = base64.b64decode(data["images"][image_id])
            assert np.array_equal(decode_png(png), panel.render(arrays[panel.name]))


@pytest.mark.parametrize("name", list(DEMOS))
def test_draw_returns_a_figure(name):
    import matplotlib.pyplot as plt

    cls, draw, other = DEMOS[name]
    fig = draw(**other)
    assert isinstance(fig, plt.Figure) and len(fig.axes) == len(cls().panels)
    plt.close(fig)


@pytest.mark.parametrize("cls", [WeightSharingExplorer, PaddingModes, ChannelMixer])
def test_image_demos_run_at_another_size(cls):
    demo = cls(size=48)
    arrays, _ = demo.state(**demo.defaults())
    assert all(image.shape[0] >= 48 for image in demo.images(arrays))


def test_default_views_start_at_the_defaults():
    for view in [weight_sharing_explorer(), sliding_window_explorer(), padding_modes_explorer(), channel_mixer()]:
        assert view.settings() == view.demo.defaults()
        assert_panels_show_arrays(view)


def test_the_bottleneck_picture_grows_with_the_width():
    """The middle volume of the bottleneck panel is drawn taller for a wider bottleneck (pixels counted)."""
    demo = ChannelMixer(size=48)
    panel = next(p for p in demo.panels if p.name == "bottleneck")
    heights = []
    for width in [8, 16, 32, 64]:
        image = panel.render(demo.state(preset="sepia", gain=1.0, width=width)[0]["bottleneck"])
        middle = image[:, image.shape[1] // 2]  # the column through the middle volume
        blue = np.all(np.abs(middle.astype(int) - [158, 202, 225]) < 12, axis=1)  # its fill colour
        heights.append(int(blue.sum()))
    assert heights == sorted(heights) and heights[-1] > 4 * heights[0], heights
    assert KERNELS == [3, 5, 7] and SHIFTS == [0, 1, 2, 3, 4] and len(POSITIONS) == 5
