"""Performance tables for ``convblocks``, measured against references in the same run.

Run from the repository root::

    python -m benchmarks.bench              # plain-text tables (make bench)
    python -m benchmarks.bench --markdown   # the same as Markdown, for the README
    python -m benchmarks.bench --quick      # one repeat per measurement: a smoke run
    python -m benchmarks.bench --steady     # 3 blocks of 15 repeats each: slower, steadier ratios
    python -m benchmarks.bench --torch      # also time torch.nn.functional, if importable

Every measurement is the median of several repeats after one warm-up call.
Columns:

- ``ms``: our time; ``GFLOP/s``: ``2 * MACs / time`` with the MACs of the
  *direct* convolution (so FFT and Winograd rows show an "effective" rate that
  compares directly with the others); for max-pooling, comparisons per second.
- ``reference`` and ``ref ms``: what we compare with, timed in the same run --
  NumPy's own matmul of the GEMM the layer amounts to (``M = N H_out W_out``,
  ``K = C_in kH kW / groups``, ``N = C_out``), ``conv2d`` itself for the other
  algorithms, SciPy's ``correlate2d`` for the single-channel image.
- ``ours/ref``: our time / reference time (``2.0`` = twice as slow as the reference).
- with ``--torch``: torch's time and our time / torch's time (torch is never
  required; the project does not depend on it).
"""

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

import convblocks as cb

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ---------------------------------------------------------------------------
# timing
# ---------------------------------------------------------------------------


def measure(f, mode="normal", budget=0.5, settle=0.2):
    """Median wall time of ``f()`` in seconds.

    ``mode``: ``"quick"``, one call and no warm-up (a smoke run);
    ``"normal"``, one warm-up then 3-15 repeats (about ``budget`` seconds);
    ``"steady"``, three blocks of a warm-up and 15 repeats. Every block first
    waits ``settle`` seconds: OpenBLAS's and torch's worker threads keep
    spinning for a while after a call and would otherwise steal the cores
    from whatever runs next (the torch column of a case measured right after
    NumPy's GEMM came out up to 2.5x slower than when measured alone).
    """
    if mode == "quick":
        start = time.perf_counter()
        f()
        return time.perf_counter() - start
    times = []
    for _ in range(3 if mode == "steady" else 1):
        time.sleep(settle)
        start = time.perf_counter()
        f()
        first = time.perf_counter() - start
        repeats = 15 if mode == "steady" else int(min(15, max(3, budget / max(first, 1e-9))))
        for _ in range(repeats):
            start = time.perf_counter()
            f()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------


def conv_macs(x_shape, w_shape, out_hw):
    """Multiply-adds of a direct convolution: N C_out H_out W_out (C_in / groups) kH kW.

    ``w_shape`` is ``(C_out, C_in / groups, kH, kW)``, so groups are already counted.
    """
    n = x_shape[0]
    c_out, c_per_group, kh, kw = w_shape
    return n * c_out * out_hw[0] * out_hw[1] * c_per_group * kh * kw


def gemm(m, k, n, dtype, rng, batch=None):
    """A matmul of the given size (optionally batched), to time as the reference."""
    lead = () if batch is None else (batch,)
    a = rng.standard_normal(lead + (m, k)).astype(dtype)
    b = rng.standard_normal(lead + (k, n)).astype(dtype)
    return (f"numpy GEMM {m}x{k}x{n}" if batch is None else f"numpy {batch}x GEMM {m}x{k}x{n}"), lambda: a @ b


def torch_or_none(build):
    """Call ``build(torch, F)`` if torch is importable and was asked for."""
    if TORCH is None:
        return None
    return build(*TORCH)


def case_conv(name, n, c_in, c_out, hw, k, stride, padding, dtype, rng):
    """A conv2d layer against the GEMM it amounts to."""
    x = rng.standard_normal((n, c_in, hw, hw)).astype(dtype)
    w = rng.standard_normal((c_out, c_in, k, k)).astype(dtype)
    out = cb.conv_output_size(hw, k, stride, padding)
    ref_name, ref = gemm(n * out * out, c_in * k * k, c_out, dtype, rng)
    torch_run = torch_or_none(
        lambda torch, F: lambda: F.conv2d(torch.from_numpy(x), torch.from_numpy(w), None, stride, padding)
    )
    return dict(
        name=name,
        ours=lambda: cb.conv2d(x, w, stride=stride, padding=padding),
        flops=2 * conv_macs(x.shape, w.shape, (out, out)),
        reference=ref_name,
        ref=ref,
        torch=torch_run,
    )


def case_depthwise(rng):
    n, c, hw = 8, 128, 56
    x = rng.standard_normal((n, c, hw, hw)).astype(np.float32)
    w = rng.standard_normal((c, 1, 3, 3)).astype(np.float32)
    ref_name, ref = gemm(n * hw * hw, 9, 1, np.float32, rng, batch=c)  # one GEMV per channel
    return dict(
        name="depthwise 3x3, 128 ch, 56x56, N=8, p=1 (fp32)",
        ours=lambda: cb.depthwise_conv2d(x, w, padding=1),
        flops=2 * conv_macs(x.shape, w.shape, (hw, hw)),
        reference=ref_name,
        ref=ref,
        torch=torch_or_none(lambda torch, F: lambda: F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1, groups=c)),
    )


def case_transposed(rng):
    n, c_in, c_out, hw, k = 8, 64, 32, 28, 4
    x = rng.standard_normal((n, c_in, hw, hw)).astype(np.float32)
    w = rng.standard_normal((c_in, c_out, k, k)).astype(np.float32)  # (C_in, C_out, kH, kW)
    # every input pixel scatters a C_out x k x k block: GEMM (N H W, C_in) @ (C_in, C_out k k)
    ref_name, ref = gemm(n * hw * hw, c_in, c_out * k * k, np.float32, rng)
    return dict(
        name="conv_transpose2d 4x4/2, 64->32, 28x28 -> 56x56, N=8, p=1 (fp32)",
        ours=lambda: cb.conv_transpose2d(x, w, stride=2, padding=1),
        flops=2 * n * hw * hw * c_in * c_out * k * k,
        reference=ref_name,
        ref=ref,
        torch=torch_or_none(
            lambda torch, F: lambda: F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), stride=2, padding=1)
        ),
    )


def case_max_pool(rng):
    n, c, hw = 8, 64, 112
    x = rng.standard_normal((n, c, hw, hw)).astype(np.float32)
    return dict(
        name="max_pool2d 2x2/2, N=8, C=64, 112x112 (fp32)",
        ours=lambda: cb.max_pool2d(x, 2),
        flops=n * c * (hw // 2) ** 2 * 3,  # 3 comparisons per output
        reference="numpy max of 4 strided slices",
        ref=lambda: np.maximum(
            np.maximum(x[..., ::2, ::2], x[..., ::2, 1::2]), np.maximum(x[..., 1::2, ::2], x[..., 1::2, 1::2])
        ),
        torch=torch_or_none(lambda torch, F: lambda: F.max_pool2d(torch.from_numpy(x), 2)),
    )


def case_image(rng):
    x = rng.standard_normal((1, 1, 256, 256))
    w = rng.standard_normal((1, 1, 5, 5))
    try:
        from scipy.signal import correlate2d

        ref_name, ref = "scipy correlate2d", lambda: correlate2d(x[0, 0], w[0, 0], mode="same")
    except ImportError:  # pragma: no cover - scipy comes with the test requirements
        ref_name, ref = gemm(256 * 256, 25, 1, np.float64, rng)
    return dict(
        name="one-channel 256x256 image, 5x5, p=2 (demo, fp64)",
        ours=lambda: cb.conv2d(x, w, padding=2),
        flops=2 * conv_macs(x.shape, w.shape, (256, 256)),
        reference=ref_name,
        ref=ref,
        torch=torch_or_none(lambda torch, F: lambda: F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=2)),
    )


def layer_cases():
    """Library layers against the plain-NumPy work they amount to."""
    yield lambda rng: case_conv("conv2d 3x3, 64->64, 56x56, N=8, p=1 (fp32)", 8, 64, 64, 56, 3, 1, 1, np.float32, rng)
    yield lambda rng: case_conv("conv2d 3x3, 64->64, 56x56, N=8, p=1 (fp64)", 8, 64, 64, 56, 3, 1, 1, np.float64, rng)
    yield lambda rng: case_conv("conv2d 7x7/2, 3->64, 224x224, N=1, p=3 (fp32)", 1, 3, 64, 224, 7, 2, 3, np.float32, rng)
    yield lambda rng: case_conv("conv2d 1x1, 256->64, 28x28, N=8 (fp32)", 8, 256, 64, 28, 1, 1, 0, np.float32, rng)
    yield case_depthwise
    yield case_transposed
    yield case_max_pool
    yield case_image


def case_algorithm(name, f, n, c_in, c_out, hw, k, padding, rng, dtype=np.float32):
    """``f`` (a conv2d variant) against convblocks.conv2d on the same problem."""
    x = rng.standard_normal((n, c_in, hw, hw)).astype(dtype)
    w = rng.standard_normal((c_out, c_in, k, k)).astype(dtype)
    out = cb.conv_output_size(hw, k, 1, padding)
    return dict(
        name=name,
        ours=lambda: f(x, w, padding=padding),
        flops=2 * conv_macs(x.shape, w.shape, (out, out)),
        reference="convblocks.conv2d",
        ref=lambda: cb.conv2d(x, w, padding=padding),
        torch=torch_or_none(lambda torch, F: lambda: F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=padding)),
    )


def im2col_gemm(x, weight, padding):
    """conv2d's general method forced on a stride-1 case: im2col per image + one GEMM.

    The textbook recipe, which conv2d replaces at stride 1 on large maps (kW
    shifted copies instead of kH kW); timing both shows what that saves.
    """
    pads = ((padding, padding), (padding, padding))
    out_hw = tuple(cb.conv_output_size(n, k, 1, padding) for n, k in zip(x.shape[2:], weight.shape[2:]))
    return cb.conv._conv_gemm(x, weight, pads, (1, 1), (1, 1), 1, out_hw)


def algorithm_cases():
    """The other algorithms of convblocks.fast (and conv2d's general im2col method) against conv2d."""
    three = (8, 64, 64, 56, 3, 1)
    yield lambda rng: case_algorithm("im2col + GEMM per image 3x3, 64->64, 56x56, N=8", im2col_gemm, *three, rng)
    yield lambda rng: case_algorithm("conv2d_winograd 3x3, 64->64, 56x56, N=8", cb.conv2d_winograd, *three, rng)
    yield lambda rng: case_algorithm("conv2d_fft 3x3, 64->64, 56x56, N=8", cb.conv2d_fft, *three, rng)
    large = (1, 4, 4, 128, 15, 7)
    yield lambda rng: case_algorithm("conv2d_fft 15x15, 4->4, 128x128, N=1", cb.conv2d_fft, *large, rng)
    yield lambda rng: case_algorithm("conv2d_naive 3x3, 3->8, 16x16, N=1 (loops)", cb.conv2d_naive, 1, 3, 8, 16, 3, 1, rng)


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------


def run(case, mode):
    """Time one case; returns the table row."""
    ours = measure(case["ours"], mode)
    ref = measure(case["ref"], mode)
    row = [case["name"], num(ours * 1e3), num(case["flops"] / ours / 1e9), case["reference"], num(ref * 1e3), num(ours / ref)]
    if TORCH is not None:
        torch_time = measure(case["torch"], mode)
        row += [num(torch_time * 1e3), num(ours / torch_time)]
    return row


def num(value):
    """Three significant figures, never in scientific notation: 1234, 123.4 -> 123, 0.001234 -> 0.00123."""
    value = float(f"{value:.3g}")
    if value >= 100:
        return f"{value:.0f}"
    digits = 2 - int(np.floor(np.log10(value))) if value > 0 else 2
    return f"{value:.{digits}f}"


def header():
    cols = ["case", "ms", "GFLOP/s", "reference", "ref ms", "ours/ref"]
    if TORCH is not None:
        cols += ["torch ms", "ours/torch"]
    return cols


def format_table(rows, markdown):
    """Rows (lists of strings, the first the header) as aligned text or a Markdown table."""
    numeric = [all(_is_number(r[i]) for r in rows[1:]) for i in range(len(rows[0]))]
    if markdown:
        rule = ["---:" if num else ":---" for num in numeric]
        return "\n".join("| " + " | ".join(r) + " |" for r in [rows[0], rule, *rows[1:]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        cells = [c.rjust(wd) if num else c.ljust(wd) for c, wd, num in zip(r, widths, numeric)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * wd for wd in widths))
    return "\n".join(lines)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def environment():
    """One line on what the numbers were measured with."""
    threads = ", ".join(f"{v}={os.environ.get(v, 'unset')}" for v in THREAD_VARS)
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no mode="dicts"
        blas = "unknown BLAS"
    line = (
        f"Python {platform.python_version()}, NumPy {np.__version__} ({blas}), "
        f"{os.cpu_count()} CPUs, {threads}"
    )
    if TORCH is not None:
        line += f"; torch {TORCH[0].__version__} ({TORCH[0].get_num_threads()} threads)"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > max(1.0, 0.5 * (os.cpu_count() or 1)):
        line += (
            f"\nWARNING: load average {load:.1f} on {os.cpu_count()} CPUs -- other processes compete; "
            "multi-threaded BLAS times are unreliable (OPENBLAS_NUM_THREADS=1 gives steadier numbers)"
        )
    return line


TORCH = None  # (torch, torch.nn.functional) when --torch is given and torch imports


def main(argv=None):
    global TORCH
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, no warm-up: a smoke run")
    parser.add_argument("--steady", action="store_true", help="3 blocks of 15 repeats per measurement: steadier ratios")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables (for the README)")
    parser.add_argument("--torch", action="store_true", help="also time torch.nn.functional, if importable")
    args = parser.parse_args(argv)
    if args.torch:
        try:
            import torch
            import torch.nn.functional as F

            TORCH = (torch, F)
        except ImportError:
            print("(--torch: torch is not importable here; its columns are left out)", file=sys.stderr)

    mode = "quick" if args.quick else "steady" if args.steady else "normal"
    print(environment())
    print("ms: median wall time; GFLOP/s: 2 MACs of the direct convolution / time; ours/ref: ms / ref ms")
    sections = [
        ("Layers against the plain-NumPy work they amount to", layer_cases),
        ("Other algorithms (convblocks.fast, im2col) against conv2d, fp32", algorithm_cases),
    ]
    for title, cases in sections:
        rng = np.random.default_rng(0)
        rows = [header()]
        for make in cases():
            rows.append(run(make(rng), mode))  # arrays of one case at a time
        print()
        print(f"**{title}**" if args.markdown else title)
        print()
        print(format_table(rows, args.markdown))
    print()
    print("max_pool2d: GFLOP/s counts comparisons (3 per 2x2 window).")


if __name__ == "__main__":
    main()
