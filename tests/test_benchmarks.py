"""Smoke tests for the benchmark commands behind `make bench`.

They check that every table is printed, complete and self-consistent -- never how fast
anything is (timings are the benchmarks' job, not the tests').
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import bench
from convblocks.demos import DEMOS

ROOT = Path(__file__).resolve().parents[1]


def run_module(*args):
    result = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def markdown_rows(text):
    """The body rows of every Markdown table in ``text``, as lists of cells."""
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] != "case" and not cells[0].startswith(":--"):
            rows.append(cells)
    return rows


@pytest.fixture(scope="module")
def layer_table():
    return run_module("benchmarks.bench", "--quick", "--markdown")


def case_names():
    rng = np.random.default_rng(0)
    return [make(rng)["name"] for cases in (bench.layer_cases, bench.algorithm_cases) for make in cases()]


def test_bench_prints_one_complete_row_per_case(layer_table):
    rows = markdown_rows(layer_table)
    assert [row[0] for row in rows] == case_names()
    for name, ms, gflops, reference, ref_ms, ratio in rows:
        assert reference, f"{name}: no reference named"
        for cell in (ms, gflops, ref_ms, ratio):
            assert float(cell) > 0, f"{name}: {cell!r} is not a positive number"


def test_bench_ratio_column_is_ms_over_ref_ms(layer_table):
    # each cell is rounded to 3 significant figures, so the check allows for that rounding
    for name, ms, _, _, ref_ms, ratio in markdown_rows(layer_table):
        assert float(ratio) == pytest.approx(float(ms) / float(ref_ms), rel=0.01), name


@pytest.mark.parametrize("mode, calls", [("quick", 1), ("normal", None), ("steady", 3 * 16)])
def test_measure_calls_the_function_as_documented(mode, calls):
    counter = []
    seconds = bench.measure(lambda: counter.append(1), mode, settle=0)
    assert seconds >= 0
    if calls is None:  # one warm-up, then 3 to 15 repeats
        assert 4 <= len(counter) <= 16
    else:
        assert len(counter) == calls


def test_demo_bench_times_every_demo():
    out = run_module("benchmarks.demos", "--size", "32", "--markdown")
    for name in DEMOS:
        assert f"{name}()" in out, f"demo {name} missing from the demo benchmark"
