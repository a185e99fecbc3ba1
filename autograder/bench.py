"""`python -m autograder bench`: grade a synthetic class, print submissions/minute.

The class: every assignment in solutions/, as many students as it takes to reach
``--submissions`` notebooks (default 1,000). Per assignment, 60% of the students hand in
the solution, 30% a buggy variant from tests/buggy_submissions/<id>.py (cycled), 10% the
untouched released exercise. Each run is end to end (gradebook, feedback, report).

What is measured (``--measure``, all by default):

* ``throughput``: the whole class, locally, 2 workers (the default engine: a local Dask
  cluster, its start-up included);
* ``rerun``: the same command again with nothing changed;
* ``scaling``: the first ``--subset`` submissions with 1 and with 2 local workers;
* ``cluster``: that subset through ``--scheduler`` on a ``dask scheduler`` + 2 ``dask
  worker`` processes started here on 127.0.0.1, against the local 2-worker run.
"""

import contextlib
import copy
import importlib.util
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import nbformat

from . import config

MEASURES = ("throughput", "rerun", "scaling", "cluster")


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


def bench(submissions=1000, subset=120, assignments=None, measure=MEASURES, source=None, timeout=60.0,
          stream=sys.stdout):
    """Run the measurements; returns {name: figures}."""
    from . import grade as grade_mod
    from .release import list_assignments

    def say(msg):
        print(msg, file=stream, flush=True)

    def run(subs, out, **kw):
        t0 = time.monotonic()
        code, rows = grade_mod.grade(subs, out, source=source, timeout=timeout, quiet=True, **kw)
        dt = time.monotonic() - t0
        n = sum(1 for r in rows if r["status"] != config.MISSING)
        bad = [r for r in rows if r["status"] not in (config.GRADED, config.MISSING)]
        return {"seconds": dt, "n": n, "rate": n / dt * 60, "rows": rows, "bad": len(bad),
                "startup": grade_mod.LAST_RUN.get("startup_seconds", []),
                "skipped": grade_mod.LAST_RUN.get("skipped"), "executed": grade_mod.LAST_RUN.get("executed")}

    def line(label, r):
        starts = r["startup"]
        return (f"{label}: {r['n']} submissions in {r['seconds']:6.1f} s = {r['rate']:6.1f} submissions/minute"
                + (f" (kernel start-up median {statistics.median(starts):.2f} s)" if starts else "")
                + (f", {r['bad']} not graded" if r["bad"] else ""))

    ids = assignments or list_assignments(Path(source or config.SOLUTIONS))
    students = max(1, math.ceil(submissions / len(ids)))
    root = Path(tempfile.mkdtemp(prefix="autograder-bench-"))
    figures = {}
    try:
        subs, ids = build_class(root / "class", students, ids, source)
        few = min(students, max(1, math.ceil(subset / len(ids))))
        small = root / "subset" / "submissions"
        for s in sorted(subs.iterdir())[:few]:
            shutil.copytree(s, small / s.name)
        say(f"synthetic class: {students} students x {len(ids)} assignments = {students * len(ids)} submissions "
            f"(60% solution, 30% buggy, 10% blank release); subset: {few * len(ids)}")
        if "throughput" in measure or "rerun" in measure:
            r = figures["throughput"] = run(subs, root / "out", workers=2)
            say(line("local, 2 workers", r))
            per = defaultdict(list)
            for row in r["rows"]:
                if row["status"] != config.MISSING:
                    per[row["assignment"]].append(float(row["seconds"]))
            say("  seconds per notebook, mean by assignment: "
                + ", ".join(f"{a} {statistics.mean(v):.2f}" for a, v in sorted(per.items())))
        if "rerun" in measure:
            r = figures["rerun"] = run(subs, root / "out", workers=2)
            if r["skipped"] is None:
                say(line("re-run, nothing changed", r) + " (no incremental grading: every one graded again)")
            else:
                say(f"re-run, nothing changed: {r['seconds']:.1f} s for {r['n']} submissions "
                    f"({r['executed']} executed, {r['skipped']} skipped as unchanged)")
        if "scaling" in measure or "cluster" in measure:
            local2 = figures["local2"] = run(small, root / "small2", workers=2)
        if "scaling" in measure:
            local1 = figures["local1"] = run(small, root / "small1", workers=1)
            say(line("subset, local, 1 worker ", local1))
            say(line("subset, local, 2 workers", local2))
            say(f"  speedup 2 vs 1 worker(s): {local2['rate'] / local1['rate']:.2f}x")
        if "cluster" in measure:
            with dask_cluster(2, root / "dask-logs") as address:
                r = figures["cluster"] = run(small, root / "small-cluster", workers=2, scheduler=address)
            if "scaling" not in measure:
                say(line("subset, local, 2 workers", local2))
            say(line("subset, --scheduler (dask scheduler + 2 dask workers)", r))
            say(f"  cluster path overhead: {(r['seconds'] - local2['seconds']) / r['n']:+.3f} s per submission "
                "(the local run includes starting its own cluster; the existing one was already running)")
        return figures
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(n_workers, log_dir, env=None):
    """``dask scheduler`` + ``n_workers`` x ``dask worker --nworkers 1 --nthreads 1`` of this venv, on
    127.0.0.1 only; yields the scheduler's address once every worker has joined; kills them all
    (each process group, by its leader's PID) at the end."""
    from distributed import Client

    dask = Path(sys.executable).parent / "dask"
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = dict(env or os.environ, PYTHONPATH=str(config.REPO))  # workers import this checkout's autograder
    commands = [[dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard",
                 "--dashboard-address", f"127.0.0.1:{_free_port()}"]]
    commands += [[dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1",
                  "--no-dashboard", "--dashboard-address", "127.0.0.1:0", "--memory-limit", "0", "--name", f"w{i}"]
                 for i in range(n_workers)]
    procs = []
    try:
        for i, cmd in enumerate(commands):
            with open(log_dir / f"{i}.log", "wb") as log:
                procs.append(subprocess.Popen([str(c) for c in cmd], cwd=config.REPO, env=env, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(n_workers, timeout=90)
        yield address
    finally:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)  # the nanny, its worker and whatever they started
            p.wait(timeout=30)
