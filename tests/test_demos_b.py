"""The chapter 5-8 demos: separable, upsampling, activations, feature scaling.

Every view is driven through its widgets, and what it shows is checked against
convblocks (and NumPy) called directly here; the pictures against a decode of
the PNG bytes; the plot panels against a fresh render of the same data.
"""

import base64
import json
import re

import numpy as np
import pytest

import convblocks as cb
from convblocks.demos import sample_image
from convblocks.demos._base import STATIC_ENV, state_key
from convblocks.demos._render import decode_png
from convblocks.demos.activations import (ActivationExplorer, activation_explorer, draw_activation)
from convblocks.demos.feature_scaling import (FeatureScalingExplorer, draw_feature_scaling,
                                              feature_scaling_explorer)
from convblocks.demos.separable import SeparableExplorer, draw_separable, separable_explorer
from convblocks.demos.upsampling import UpsamplingGallery, draw_upsampling, upsampling_gallery

INITS = ["small: std 0.01", "Xavier", "He", "large: std 1"]


def _set(view, **settings):
    for name, value in settings.items():
        view.controls[name].value = value


def _assert_pictures_match(view):
    """Every image widget holds the PNG of its panel's rendering of the view's arrays, and its alt text."""
    for widget, panel in zip(view.images, view.demo.panels):
        assert np.array_equal(decode_png(widget.value), panel.render(view.arrays[panel.name]))
    settings = {name: w.value for name, w in view.controls.items()}
    assert [w.tooltip for w in view.images] == view.demo.alt_texts(settings, view.arrays, view.labels)


# -- chapter 5: separable ----------------------------------------------------------


def _expected_separable_images(kernel):
    x = sample_image("hopper", 96, gray=False).transpose(2, 0, 1)[None]
    weight = cb.kaiming_normal((3, 3, kernel, kernel), np.random.default_rng(0), nonlinearity="linear")
    dw, pw = np.empty((3, 1, kernel, kernel)), np.empty((3, 3))
    for c in range(3):  # the best rank-1 approximation of every input channel's (C', K²) slice
        u, s, vt = np.linalg.svd(weight[:, c].reshape(3, -1))
        dw[c, 0], pw[:, c] = vt[0].reshape(kernel, kernel), u[:, 0] * s[0]
    y_std = cb.conv2d(x, weight, padding="same")[0]
    y_sep = cb.separable_conv2d(x, dw, pw, padding="same")[0]
    return x[0], y_std, y_sep, weight, dw, pw


@pytest.mark.parametrize("c_in,c_out,kernel", [(32, 64, 3), (3, 16, 7), (128, 256, 5), (3, 256, 3)])
def test_separable_view_shows_what_convblocks_computes(c_in, c_out, kernel):
    view = separable_explorer()
    _set(view, c_in=c_in, c_out=c_out, kernel=kernel)
    x, y_std, y_sep, weight, dw, pw = _expected_separable_images(kernel)
    assert np.array_equal(view.arrays["input"], x)
    assert np.allclose(view.arrays["standard"], y_std, rtol=0, atol=1e-12)
    assert np.allclose(view.arrays["separable"], y_sep, rtol=0, atol=1e-12)
    assert np.allclose(view.arrays["difference"], np.abs(y_std - y_sep).mean(axis=0), rtol=0, atol=1e-12)
    standard = cb.conv2d_params(c_in, c_out, kernel, bias=False)
    separable = cb.separable_conv2d_params(c_in, c_out, kernel, bias=False)
    assert view.labels["standard"].endswith(f"= {kernel}²·{c_in}·{c_out} = {standard:,} weights")
    assert view.labels["separable"].endswith(
        f"= {c_in}·{kernel}² + {c_in}·{c_out} = {c_in * kernel ** 2:,} + {c_in * c_out:,} = {separable:,} weights")
    assert f"= 1/{c_out} + 1/{kernel * kernel}" in view.labels["ratio"]
    assert f"{separable / standard:.4f}" == f"{1 / c_out + 1 / kernel ** 2:.4f}"
    macs = cb.conv2d_macs(56, c_in, c_out, kernel, padding="same")
    dw_macs = cb.conv2d_macs(56, c_in, c_in, kernel, padding="same", groups=c_in)
    pw_macs = cb.conv2d_macs(56, c_in, c_out, 1)
    assert f"standard {macs:,} vs separable {dw_macs:,} + {pw_macs:,} = {dw_macs + pw_macs:,}" in view.labels["macs"]
    rel = np.linalg.norm(y_std - y_sep) / np.linalg.norm(y_std)
    assert f"‖Δ‖/‖y‖ = {rel:.3f}" in view.labels["photo"]
    # The weights panel: C, C and C′ channels; K²CC′ against CK² + CC′ weights.
    assert view.arrays["weights"]["channels"] == [c_in, c_in, c_out]
    assert view.arrays["weights"]["bars"] == [[kernel * kernel * c_in * c_out], [c_in * kernel * kernel, c_in * c_out]]
    _assert_pictures_match(view)


def test_separable_factors_form_a_rank_structured_standard_kernel():
    x, _, y_sep, weight, dw, pw = _expected_separable_images(5)
    demo = SeparableExplorer()
    _, dw_demo, pw_demo = demo.kernels(5)
    full = pw_demo[:, :, None, None] * dw_demo[None, :, 0]  # k[o, c] = p[o, c] d[c]
    assert np.allclose(cb.conv2d(x[None], full, padding="same")[0], y_sep, atol=1e-12)
    # The best separable kernel is at least as close as the separable kernel from the test's own SVD.
    ours = pw[:, :, None, None] * dw[None, :, 0]
    assert np.linalg.norm(weight - full) <= np.linalg.norm(weight - ours) + 1e-12


def test_an_already_separable_kernel_is_kept_exactly():
    from convblocks.demos.separable import best_separable

    rng = np.random.default_rng(1)
    d, p = rng.normal(size=(4, 1, 3, 3)), rng.normal(size=(6, 4))
    dw, pw = best_separable(p[:, :, None, None] * d[None, :, 0])
    assert np.allclose(pw[:, :, None, None] * dw[None, :, 0], p[:, :, None, None] * d[None, :, 0])


# -- chapter 6: upsampling -----------------------------------------------------------


def _face_crop(size):
    full = sample_image("hopper", 2 * size)
    top, left = round(0.38 * size), round(0.56 * size)
    return full[top:top + size, left:left + size]


@pytest.mark.parametrize("factor", [2, 3, 4])
@pytest.mark.parametrize("align_corners", [False, True])
def test_upsampling_gallery_shows_what_convblocks_computes(factor, align_corners):
    view = upsampling_gallery()
    _set(view, factor=factor, align_corners=align_corners)
    crop = _face_crop(48)[None, None]
    x, idx = cb.max_pool2d(crop, factor, return_indices=True)
    expected = {
        "crop": crop, "input": x,
        "nearest": cb.upsample_nearest2d(x, scale_factor=factor),
        "bilinear": cb.upsample_bilinear2d(x, scale_factor=factor, align_corners=align_corners),
        "bed_of_nails": cb.bed_of_nails2d(x, factor),
        "max_unpool": cb.max_unpool2d(x, idx, factor),
        "transposed": cb.bilinear_upsample_transposed(x, factor),
    }
    for name, value in expected.items():
        assert np.array_equal(view.arrays[name], value[0, 0]), name
        assert view.arrays[name].shape == (48, 48) or name == "input"
    n = 48 // factor
    k, p = 2 * factor - factor % 2, -(-(factor - 1) // 2)
    o = cb.conv_transpose_output_size(n, k, stride=factor, padding=p)
    assert o == 48
    assert view.labels["bilinear_kernel"].endswith(
        f"→ O = ({n}−1)·{factor} − 2·{p} + 1·({k}−1) + 0 + 1 = {o}")
    assert f"nearest {np.abs(expected['nearest'] - crop).mean():.3f}" in view.labels["error"]
    _assert_sample_points(view.arrays["samples"], x[0, 0], factor, align_corners)
    _assert_pictures_match(view)


def _assert_sample_points(picture, x, factor, align_corners):
    """The red marks sit where bilinear interpolation samples, by the formulas of the chapter."""
    from convblocks.demos.upsampling import CORNER, CORNER_GAP, SAMPLE, ZOOM

    n = x.shape[0]
    dst = np.arange(n * factor)
    if align_corners:  # corner centres onto corner centres
        src = dst * (n - 1) / (n * factor - 1)
    else:  # pixel areas onto pixel areas, clamped at the first centre
        src = np.maximum((dst + 0.5) / factor - 0.5, 0)
    red = np.all(np.isclose(picture, SAMPLE), axis=-1)
    side = CORNER * ZOOM
    for corner, first in enumerate((0, n - CORNER)):
        block = red[:, corner * (side + CORNER_GAP): corner * (side + CORNER_GAP) + side]
        near = src[(src > first - 0.5) & (src < first + CORNER - 0.5)]
        want = np.unique(np.clip(np.floor((near - first + 0.5) * ZOOM).astype(int), 2, side - 3))
        # every mark is 3×3 pixels around its position: the marked rows and columns are exactly want ± 1
        for axis in (1, 0):
            marked = set(np.flatnonzero(block.any(axis=axis)).tolist())
            assert marked == {p + d for p in want for d in (-1, 0, 1)}, (corner, sorted(marked), want)


@pytest.mark.parametrize("kernel", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("stride", [1, 2, 3, 4])
def test_overlap_map_and_checkerboard_label(kernel, stride):
    view = upsampling_gallery()
    _set(view, kernel=kernel, stride=stride)
    counts = cb.conv_transpose2d(np.ones((1, 1, 6, 6)), np.ones((1, 1, kernel, kernel)), stride=stride)[0, 0]
    assert np.array_equal(view.arrays["overlap"], counts)
    o = cb.conv_transpose_output_size(6, kernel, stride=stride)
    assert counts.shape == (o, o)
    assert view.labels["overlap_size"].endswith(f"(6−1)·{stride} − 2·0 + 1·({kernel}−1) + 0 + 1 = {o}")
    inner = counts[kernel - 1:o - kernel + 1, kernel - 1:o - kernel + 1]
    assert inner.size >= stride * stride  # at least one full period of the pattern
    label = view.labels["checkerboard"]
    if kernel % stride == 0:
        assert inner.min() == inner.max() == (kernel // stride) ** 2
        assert f"covered {(kernel // stride) ** 2} times, no checkerboard" in label
    else:
        lo, hi = (kernel // stride) ** 2, (-(-kernel // stride)) ** 2
        assert (inner.min(), inner.max()) == (lo, hi)
        assert f"interior counts {lo} to {hi}" in label
        assert ("gaps" in label) == (kernel < stride) and ("checkerboard" in label) == (kernel > stride)
    # The stamps panel: the pooled input stamped with K x K boxes of ones every S pixels (loops), x S²/K².
    x = view.arrays["input"]
    n = x.shape[0]
    stamps = np.zeros(((n - 1) * stride + kernel,) * 2)
    for i in range(n):
        for j in range(n):
            stamps[i * stride: i * stride + kernel, j * stride: j * stride + kernel] += x[i, j]
    assert np.allclose(view.arrays["stamps"], stamps * stride ** 2 / kernel ** 2, rtol=0, atol=1e-12)
    _assert_pictures_match(view)


def test_upsampling_at_a_size_the_factor_does_not_divide():
    demo = UpsamplingGallery(size=256)
    arrays, labels = demo.state(factor=3, align_corners=True, kernel=4, stride=2)
    assert arrays["input"].shape == (85, 85) and arrays["nearest"].shape == (255, 255)
    assert "back to 255×255" in labels["input"]


# -- chapter 7: activations ----------------------------------------------------------


def _expected_stats(activation, init_name):
    f, df = cb.ACTIVATIONS[activation]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((16, 256))
    weights = []
    for _ in range(10):
        if init_name == "Xavier":
            weights.append(cb.xavier_normal((256, 256), rng))
        elif init_name == "He":
            weights.append(cb.kaiming_normal((256, 256), rng, nonlinearity="relu"))
        else:
            weights.append(rng.normal(0.0, 0.01 if init_name.startswith("small") else 1.0, size=(256, 256)))
    std, sat = [], []
    for w in weights:
        z = a @ w.T
        a = f(z)
        std.append(a.std())
        sat.append(np.mean(np.abs(df(z)) < 0.05))
    return np.array(std), np.array(sat), weights


@pytest.mark.parametrize("activation", list(cb.ACTIVATIONS))
def test_activation_curves_are_the_convblocks_functions(activation):
    view = activation_explorer()
    for scale in [1, 3, 10]:
        _set(view, activation=activation, scale=scale)
        f, df = cb.ACTIVATIONS[activation]
        xs = np.linspace(-scale, scale, 401)
        curve = view.arrays["curve"]
        assert np.array_equal(curve["x"], xs)
        assert np.array_equal(curve["f"], f(xs)) and np.array_equal(curve["df"], df(xs))
        assert view.labels["slope"] == f"on [−{scale}, {scale}]: f′ from {df(xs).min():.3g} to {df(xs).max():.3g}"
        _assert_pictures_match(view)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu"])
@pytest.mark.parametrize("init_name", INITS)
def test_layer_statistics_under_each_init(activation, init_name):
    view = activation_explorer()
    _set(view, activation=activation, init=init_name)
    std, sat, weights = _expected_stats(activation, init_name)
    assert np.array_equal(view.arrays["std"]["std"], std)
    assert np.array_equal(view.arrays["saturated"]["saturated"], sat)
    assert np.array_equal(view.arrays["std"]["layer"], np.arange(1, 11))
    assert view.labels["layer10"] == (f"{activation}, layer 10: std of activations = {std[-1]:.3g}, "
                                      f"|f′(z)| < 0.05 for {sat[-1]:.0%} of the units")
    fan_in, fan_out = cb.fan_in_and_fan_out((256, 256))
    formula = {
        "Xavier": f"Xavier: Var(w) = 2/(fan_in + fan_out) = 2/({fan_in} + {fan_out}) = {2 / (fan_in + fan_out):.6f}",
        "He": f"He: Var(w) = 2/fan_in = 2/{fan_in} = {2 / fan_in:.6f}",
        "small: std 0.01": "small: Var(w) = 0.01² = 0.0001",
        "large: std 1": "large: Var(w) = 1² = 1",
    }[init_name]
    var = {"Xavier": 2 / (fan_in + fan_out), "He": 2 / fan_in, "small: std 0.01": 1e-4, "large: std 1": 1.0}[init_name]
    drawn = np.mean([w.var() for w in weights])
    assert view.labels["init"] == f"{formula} (drawn {drawn:.3g}); fan_in·Var(w) = {fan_in}·{var:.4g} = {fan_in * var:.4g}"
    _assert_pictures_match(view)


def test_init_scales_do_what_the_chapter_says():
    demo = ActivationExplorer()
    relu = {name: demo.state("relu", 3, name)[0]["std"]["std"][-1] for name in INITS}
    assert relu["small: std 0.01"] < 1e-6 < 1e6 < relu["large: std 1"]  # vanish / explode
    assert 0.5 < relu["He"] < 2 and relu["Xavier"] < 0.1  # He keeps ReLU's scale, Xavier halves it per layer
    tanh_large = demo.state("tanh", 3, "large: std 1")[0]["saturated"]["saturated"]
    assert tanh_large.min() > 0.8  # saturated in every layer


# -- chapter 8: feature scaling ------------------------------------------------------


def _expected_descent(lr, steps):
    rng = np.random.default_rng(0)
    area = np.clip(rng.normal(100.0, 30.0, 200), 20.0, None)
    distance = rng.uniform(0.5, 15.0, 200)
    price = 3.0 * area - 20.0 * distance + rng.normal(0.0, 30.0, 200)
    X = np.column_stack([area, distance])
    out = {}
    for name, A in [("raw", X), ("scaled", cb.standardize(X)[0])]:
        H, g = A.T @ A / 200, A.T @ price / 200
        w_star = np.linalg.solve(H, g)
        w, path, outcome = np.zeros(2), [np.zeros(2)], "not converged"
        for _ in range(5000):
            w = w - lr * (H @ w - g)
            path.append(w)
            if np.linalg.norm(w - w_star) <= 1e-3 * np.linalg.norm(w_star):
                outcome = "converged"
                break
            if np.linalg.norm(w - w_star) > 1e6 * np.linalg.norm(w_star):
                outcome = "diverged"
                break
        out[name] = (np.array(path), outcome, H, A)
    return out


@pytest.mark.parametrize("lr", [1e-4, 1.7e-4, 2e-4, 0.01, 0.1, 0.5, 1.0, 2.0])
def test_gradient_descent_paths_and_counts(lr):
    view = feature_scaling_explorer()
    for steps in [1, 100, 5000]:
        _set(view, lr=lr, steps=steps)
        expected = _expected_descent(lr, steps)
        for name, (path, outcome, H, _) in expected.items():
            shown = view.arrays[name]
            assert shown.shape == path[:steps + 1].shape
            assert np.allclose(shown, path[:steps + 1], rtol=1e-9, atol=1e-9)
            label = view.labels[name]
            n = len(path) - 1
            stable = 2 / np.linalg.eigvalsh(H)[-1]
            if outcome == "converged":
                assert f"reaches the tolerance in {n:,} steps" in label
            elif outcome == "diverged":
                assert f"diverged (‖w − w*‖ > 10⁶·‖w₀ − w*‖ after {n} steps)" in label
            else:
                assert "not converged in 5,000 steps" in label
            assert (outcome == "diverged") == (lr > stable)  # the largest stable step is 2/λ_max
            assert f"{stable:.3g}" in view.labels["stable"]
        _assert_pictures_match(view)
    conds = [np.linalg.cond(A.T @ A) for _, _, _, A in expected.values()]
    assert view.labels["cond"] == f"cond(XᵀX): raw {conds[0]:,.1f}, standardised {conds[1]:.3f}"


def test_scaling_converges_far_faster_at_its_best_step():
    out_raw = _expected_descent(1.7e-4, 5000)["raw"]
    out_scaled = _expected_descent(1.0, 5000)["scaled"]
    assert out_raw[1] == out_scaled[1] == "converged"
    assert len(out_scaled[0]) * 100 < len(out_raw[0])


# -- all four: plots, static pages, figures, bad settings ----------------------------

DEMOS = [
    (SeparableExplorer, separable_explorer, draw_separable, dict(c_in=128, c_out=16, kernel=7)),
    (UpsamplingGallery, upsampling_gallery, draw_upsampling, dict(factor=4, align_corners=True, kernel=5, stride=3)),
    (ActivationExplorer, activation_explorer, draw_activation, dict(activation="sigmoid", scale=10, init="He")),
    (FeatureScalingExplorer, feature_scaling_explorer, draw_feature_scaling, dict(lr=0.1, steps=1000)),
]


def _static_payload(page):
    match = re.search(r'<script type="application/json" class="cb-demo-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


@pytest.mark.parametrize("cls,explorer,draw,other", DEMOS, ids=[d[0].__name__ for d in DEMOS])
def test_static_page_holds_every_state(cls, explorer, draw, other, monkeypatch):
    monkeypatch.setenv(STATIC_ENV, "1")
    page = explorer()._repr_mimebundle_()["text/html"]
    assert len(page) <= 3_000_000, f"static demo page is {len(page) / 1e6:.2f} MB"
    assert "<script src" not in page and 'src="http' not in page
    data = _static_payload(page)
    demo = cls()
    assert len(data["states"]) == len(list(demo.grid()))
    for settings in [demo.defaults(), {**demo.defaults(), **other}]:
        state = data["states"][state_key(demo.controls, settings)]
        arrays, labels = demo.state(**settings)
        assert state["labels"] == labels
        assert state["alts"] == demo.alt_texts(settings, arrays, labels)
        for image_id, panel in zip(state["images"], demo.panels):
            png = base64.b64decode(data["images"][image_id])
            assert np.array_equal(decode_png(png), panel.render(arrays[panel.name]))


@pytest.mark.parametrize("cls,explorer,draw,other", DEMOS, ids=[d[0].__name__ for d in DEMOS])
def test_draw_returns_a_figure_and_bad_settings_name_the_control(cls, explorer, draw, other):
    import matplotlib.pyplot as plt

    fig = draw(**other)
    assert len(fig.axes) == len(cls().panels)
    plt.close(fig)
    view = explorer()
    name = cls.controls[0].name
    with pytest.raises(ValueError, match=f"{name}=12345 is not one of"):
        view.update(**{name: 12345})
    with pytest.raises(ValueError, match="unknown control 'colour'"):
        view.update(colour=1)


@pytest.mark.parametrize("cls,explorer,draw,other", DEMOS, ids=[d[0].__name__ for d in DEMOS])
def test_demos_run_at_256_pixels(cls, explorer, draw, other):
    demo = cls(size=256)
    arrays, _ = demo.state(**{**demo.defaults(), **other})
    images = demo.images(arrays)
    assert all(img.dtype == np.uint8 and img.ndim == 3 for img in images)
    assert max(img.shape[1] for img in images) >= 256


def test_plot_panels_blit_the_same_pixels_whatever_came_before():
    demo = ActivationExplorer()
    a, _ = demo.state("tanh", 3, "He")
    b, _ = demo.state("relu", 10, "large: std 1")
    panels = demo.panels
    first = [p.render(a[p.name]) for p in panels]
    other = [p.render(b[p.name]) for p in panels]
    again = [p.render(a[p.name]) for p in panels]
    for x, y, z in zip(first, other, again):
        assert np.array_equal(x, z) and not np.array_equal(x, y)
        assert x.shape == (200, 240, 3)
    fresh = ActivationExplorer().panels[0].render(a["curve"])  # a panel that never saw other data
    assert np.array_equal(fresh, first[0])
