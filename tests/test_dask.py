"""Grading on Dask: a real 2-worker cluster on 127.0.0.1, started here from the venv's `dask`.

The same small class (solutions, buggy variants and untouched releases of three
assignments) is graded by the local default engine and through ``--scheduler``; the
two grades.csv must agree (the ``seconds`` column aside). Then one worker is killed
with SIGKILL while it grades: every row must still be there, graded once, as before.
"""

import csv
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder import config
from autograder import grade as grade_mod
from autograder.__main__ import main
from autograder.bench import build_class, dask_cluster
from autograder.engine import sandbox_slot

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ["ps02_conv_arithmetic", "ps03_pooling", "ps04_one_by_one"]
STUDENTS = 6  # per assignment: 1 blank release, 3 buggy, 2 solutions (bench.build_class)


def _require_dask():
    try:
        import distributed  # noqa: F401
    except ImportError:
        pytest.fail("dask[distributed] is not installed: .venv/bin/pip install -r requirements.txt")
    if not (Path(sys.executable).parent / "dask").exists():
        pytest.fail(f"no `dask` command beside {sys.executable}: .venv/bin/pip install -r requirements.txt")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """``dask scheduler`` + 2 x ``dask worker --nworkers 1 --nthreads 1`` of this venv, on 127.0.0.1
    (free ports; every process killed by its PID at the end: bench.dask_cluster)."""
    _require_dask()
    from distributed import Client

    with dask_cluster(2, tmp_path_factory.mktemp("dask-logs")) as address, Client(address, timeout=60) as client:
        yield {"address": address, "client": client}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    _require_dask()
    root = tmp_path_factory.mktemp("dask-class")
    subs, ids = build_class(root, students=STUDENTS, assignments=ASSIGNMENTS)
    (subs / "student099").mkdir()  # a student who handed in nothing: `missing` rows
    return {"root": root, "subs": subs, "notebooks": STUDENTS * len(ids)}


def _grade(subs, out, *extra):
    code = main(["grade", str(subs), "--out", str(out), "--quiet", "--timeout", "60", *extra])
    bad = [r for r in csv.DictReader((out / "grades.csv").open(encoding="utf-8")) if r["status"] in config.FAILING]
    assert code == 0 and not bad, f"exit code {code}; not graded: {bad}"
    return out / "grades.csv"


def _without_seconds(path):
    """grades.csv's text with its only timing column (`seconds`) dropped."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    keep = [i for i, name in enumerate(rows[0]) if name != "seconds"]
    assert len(keep) == len(rows[0]) - 1 and len(rows) > 1
    return "\n".join(",".join(r[i] for i in keep) for r in rows)


@pytest.fixture(scope="module")
def local_csv(corpus):
    return _grade(corpus["subs"], corpus["root"] / "local")


def test_local_run_grades_the_class(local_csv, corpus):
    rows = list(csv.DictReader(local_csv.open(encoding="utf-8")))
    assert len(rows) == (STUDENTS + 1) * len(ASSIGNMENTS)
    assert len(grade_mod.LAST_RUN["notebook_seconds"]) == corpus["notebooks"]
    statuses = {r["student"]: r["status"] for r in rows}
    assert statuses["student099"] == config.MISSING
    scores = {(r["student"], r["assignment"]): float(r["auto_score"] or 0) for r in rows}
    for a in ASSIGNMENTS:  # the solution earns more than the blank release: the grades are real
        assert scores[("student004", a)] > scores[("student000", a)]


def test_scheduler_run_gives_the_same_grades_csv(cluster, corpus, local_csv):
    remote = _grade(corpus["subs"], corpus["root"] / "remote", "--scheduler", cluster["address"])
    assert _without_seconds(remote) == _without_seconds(local_csv)


def test_a_worker_killed_mid_run_loses_nothing(cluster, corpus, local_csv):
    client, killed = cluster["client"], {}

    def kill_a_busy_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            time.sleep(0.05)
            if len(grade_mod.LAST_RUN.get("notebook_seconds", [])) < 2:
                continue  # let the run get going first
            busy = {w: keys for w, keys in client.processing().items() if keys}
            if busy:
                addr, keys = sorted(busy.items())[0]
                pid = client.run(os.getpid, workers=[addr])[addr]
                os.kill(pid, signal.SIGKILL)
                killed.update(addr=addr, pid=pid, keys=list(keys))

    grade_mod.LAST_RUN.clear()
    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        out = _grade(corpus["subs"], corpus["root"] / "killed", "--scheduler", cluster["address"])
    finally:
        killer.join()
    assert killed, "the run ended before a worker could be killed mid-task"
    assert _without_seconds(out) == _without_seconds(local_csv)
    # every submitted notebook's result was handled exactly once
    assert len(grade_mod.LAST_RUN["notebook_seconds"]) == corpus["notebooks"]
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len({(r["student"], r["assignment"]) for r in rows}) == len(rows) == (STUDENTS + 1) * len(ASSIGNMENTS)

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{out.parent / 'gradebook.db'}") as gb:
        submitted = [(s.student.id, s.assignment.name) for a in ASSIGNMENTS
                     for s in gb.find_assignment(a).submissions]
        assert sorted(submitted) == sorted((r["student"], r["assignment"]) for r in rows
                                           if r["status"] != config.MISSING)
        for r in rows:
            if r["status"] == config.GRADED:
                assert gb.find_submission(r["assignment"], r["student"]).score == float(r["score"])
    client.wait_for_workers(2, timeout=90)  # the nanny restarted the killed worker


def test_sandbox_slots_are_distinct_across_processes():
    code = ("import sys, time; sys.path.insert(0, %r)\n"
            "from autograder.engine import sandbox_slot\n"
            "with sandbox_slot() as s:\n    print(s, flush=True); time.sleep(30)" % str(REPO))
    other = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        theirs = int(other.stdout.readline())
        with sandbox_slot() as a, sandbox_slot() as b:
            assert len({a, b, theirs}) == 3
        with sandbox_slot() as again:
            assert again == min({a, b})  # released slots are taken again
    finally:
        other.kill()
        other.wait()
