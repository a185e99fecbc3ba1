"""`python -m autograder bench`: grade a synthetic class, print submissions/minute.

The class: ``students`` students × every assignment in solutions/ (default 30 × 8).
Per assignment, 60% of the students hand in the solution, 30% a buggy variant from
tests/buggy_submissions/<id>.py (cycled), 10% the untouched released exercise. The
class is graded end to end (gradebook, feedback, report) once per worker count.
"""

import copy
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from . import config


def _bugs(assignment):
    path = config.REPO / "tests" / "buggy_submissions" / f"{assignment}.py"
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location(f"_bench_bugs_{assignment}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return list(getattr(mod, "BUGS", []))


def _with_cell(nb, gid, source):
    nb = copy.deepcopy(nb)
    for c in nb.cells:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid:
            c.source = source
    return nb


def build_class(root, students=30, assignments=None, source=None):
    from .release import generate, list_assignments

    source = Path(source or config.SOLUTIONS)
    ids = assignments or list_assignments(source)
    released = generate(ids, source, root / "released")
    subs = root / "submissions"
    for a in ids:
        sol = nbformat.read(source / a / f"{a}.ipynb", as_version=4)
        blank = nbformat.read(released / a / f"{a}.ipynb", as_version=4)
        bugs = _bugs(a)
        for i in range(students):
            kind = i % 10
            if kind == 0:
                nb = blank
            elif kind in (1, 2, 3) and bugs:
                bug = bugs[(i // 10 * 3 + kind) % len(bugs)]
                nb = _with_cell(sol, bug["cell"], bug["source"])
            else:
                nb = sol
            d = subs / f"student{i:03d}" / a
            d.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, d / f"{a}.ipynb")
    return subs, ids


def bench(students=30, assignments=None, workers=(1, 2), source=None, timeout=60.0, stream=sys.stdout):
    """Grade the synthetic class once per worker count; returns {workers: submissions/minute}."""
    from . import grade as grade_mod

    root = Path(tempfile.mkdtemp(prefix="autograder-bench-"))
    try:
        subs, ids = build_class(root, students, assignments, source)
        n = students * len(ids)
        print(f"synthetic class: {students} students x {len(ids)} assignments = {n} notebooks", file=stream)
        rates = {}
        for w in workers:
            out = root / f"out{w}"
            t0 = time.monotonic()
            code, rows = grade_mod.grade(subs, out, source=source, workers=w, timeout=timeout, quiet=True)
            dt = time.monotonic() - t0
            rates[w] = n / dt * 60
            starts = grade_mod.LAST_RUN.get("startup_seconds", [])
            per_nb = grade_mod.LAST_RUN.get("notebook_seconds", [])
            bad = [r for r in rows if r["status"] != config.GRADED]
            print(f"  {w} worker(s): {n} notebooks in {dt:6.1f} s = {rates[w]:6.1f} submissions/minute"
                  f"  (kernel start-up median {statistics.median(starts) if starts else 0:.2f} s, "
                  f"per notebook median {statistics.median(per_nb) if per_nb else 0:.2f} s"
                  + (f", {len(bad)} not graded" if bad else "") + ")", file=stream)
        if len(rates) > 1:
            base = rates[min(rates)]
            for w, r in rates.items():
                if w != min(rates):
                    print(f"  speedup {w} vs {min(rates)} worker(s): {r / base:.2f}x", file=stream)
        return rates
    finally:
        shutil.rmtree(root, ignore_errors=True)

