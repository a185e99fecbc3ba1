"""Incremental grading, a gradebook that is always whole, and the submission-folder traps (issue 11).

A small class (two assignments, three students) is graded once through the command line;
then each test changes one thing and checks what the next run executed (the count the
command prints), that grades.csv and report.html still hold the whole class, and that
the rows it did not touch are byte-identical.
"""

import csv
import io
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

import grading_support as gs
from autograder import config
from autograder.grade import grade

A, B = gs.FIXTURE, "ps01_twin"
WRONG = gs.FIXTURE_BUGS[0]["source"]
COUNT = re.compile(r"executed (\d+) submission\(s\), skipped (\d+) unchanged")


def cli(subs, out, src, *extra):
    """Run `python -m autograder grade`; returns (exit code, stderr, (executed, skipped) or None)."""
    p = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--source",
                        str(src), "--workers", "2", "--timeout", "20", *map(str, extra)],
                       capture_output=True, text=True, cwd=gs.REPO)
    found = COUNT.findall(p.stderr)
    return p.returncode, p.stderr, tuple(map(int, found[-1])) if found else None


def csv_lines(out):
    """{(student, assignment): the raw line of grades.csv}."""
    lines = (out / "grades.csv").read_text(encoding="utf-8").splitlines()
    return {tuple(line.split(",")[:2]): line for line in lines[1:]}


def write_class(root, sol, twin):
    subs = root / "subs"
    gs.write_submission(subs, "alice", A, sol)
    gs.write_submission(subs, "alice", B, twin)
    gs.write_submission(subs, "bob", A, sol)
    gs.write_submission(subs, "bob", B, gs.with_cell(twin, "ps00_double_code", WRONG))
    gs.write_submission(subs, "carol", A, gs.with_cell(sol, "ps00_double_code", WRONG))
    (subs / "carol" / B).mkdir(parents=True)  # an assignment folder without its notebook: missing
    return subs


@pytest.fixture()
def made(tmp_path):
    """The sources of two assignments and the class's submissions, not graded yet."""
    src = gs.write_fixture_source(tmp_path / "source")
    sol = gs.load(src / A / f"{A}.ipynb")
    (src / B).mkdir()
    nbformat.write(sol, src / B / f"{B}.ipynb")
    twin = gs.load(src / B / f"{B}.ipynb")
    subs = write_class(tmp_path, sol, twin)
    return {"src": src, "subs": subs, "out": tmp_path / "out", "sol": sol, "twin": twin, "tmp": tmp_path}


@pytest.fixture()
def graded(made):
    code, err, counts = cli(made["subs"], made["out"], made["src"])
    assert counts == (5, 0), err[-3000:]
    return made


def test_a_rerun_executes_only_what_changed_and_keeps_every_other_row(graded):
    subs, out, src = graded["subs"], graded["out"], graded["src"]
    first = csv_lines(out)
    assert set(first) == {(s, a) for s in ("alice", "bob", "carol") for a in (A, B)}
    assert first[("carol", B)].split(",")[4] == config.MISSING
    code, err, counts = cli(subs, out, src)
    assert counts == (0, 5), err[-3000:]
    assert csv_lines(out) == first
    gs.write_submission(subs, "carol", A, graded["sol"])  # carol fixes her notebook
    code, err, counts = cli(subs, out, src)
    assert counts == (1, 4), err[-3000:]
    after = csv_lines(out)
    assert {k: v for k, v in after.items() if k != ("carol", A)} == {k: v for k, v in first.items()
                                                                    if k != ("carol", A)}
    assert gs.read_rows(out)[("carol", A)]["auto_score"] == "3" and first[("carol", A)] != after[("carol", A)]
    code, err, counts = cli(subs, out, src, "--force")
    assert counts == (5, 0), err[-3000:]


def test_a_changed_source_regrades_its_assignment_only(graded):
    subs, out, src = graded["subs"], graded["out"], graded["src"]
    (src / B / "weights.npy").write_bytes(b"data the notebooks may read")
    code, err, counts = cli(subs, out, src)
    assert counts == (2, 3), err[-3000:]   # alice and bob hand in B; carol's B is missing


def test_subset_runs_leave_the_whole_class_in_grades_csv_and_the_report(graded):
    subs, out, src = graded["subs"], graded["out"], graded["src"]
    first = csv_lines(out)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "graded: 5" in report and "missing: 1" in report
    gs.write_submission(subs, "alice", A, gs.with_cell(graded["sol"], "ps00_double_code", WRONG))
    gs.write_submission(subs, "bob", B, graded["twin"])  # bob fixes B
    code, err, counts = cli(subs, out, src, "--student", "bob")
    assert counts == (1, 1), err[-3000:]    # alice's change waits for a run that includes her
    after = csv_lines(out)
    assert set(after) == set(first)
    assert {k: v for k, v in after.items() if k != ("bob", B)} == {k: v for k, v in first.items() if k != ("bob", B)}
    assert gs.read_rows(out)[("bob", B)]["auto_score"] == "3"
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "graded: 5" in report and "missing: 1" in report
    # a folder that holds only late work grades that work and keeps everyone else
    late = graded["tmp"] / "late"
    gs.write_submission(late, "carol", A, graded["sol"])
    code, err, counts = cli(late, out, src, "--student", "carol", "--student", "carol")
    assert counts == (1, 0), err[-3000:]
    rows = gs.read_rows(out)
    assert len(rows) == 6 and rows[("carol", A)]["auto_score"] == "3"
    assert rows[("carol", B)]["status"] == config.MISSING and rows[("alice", B)]["status"] == config.GRADED


def test_the_record_survives_a_run_that_fails(graded, monkeypatch):
    import autograder.grade as g

    out = graded["out"]
    before = json.loads((out / "rows.json").read_text())
    gs.write_submission(graded["subs"], "alice", A, gs.with_cell(graded["sol"], "ps00_double_code", WRONG))

    def boom(*a, **k):
        raise RuntimeError("simulated crash in the middle of a run")

    monkeypatch.setattr(g, "_run_pool", boom)
    with pytest.raises(RuntimeError):
        grade(graded["subs"], out, source=graded["src"], workers=1, quiet=True)
    assert json.loads((out / "rows.json").read_text()) == before
    assert not list(out.glob(".rows.json.*"))


# ------------------------------------------------------------------------------------ traps
def refused(subs, out, src, **kwargs):
    """(exit code, message) of a grade call that must refuse."""
    stream = io.StringIO()
    with pytest.raises(SystemExit) as info:
        grade(subs, out, source=src, workers=1, stream=stream, **kwargs)
    return info.value.code, stream.getvalue()


def test_a_folder_without_the_layout_is_an_error_that_says_what_it_found(made):
    src, subs, tmp = made["src"], made["subs"], made["tmp"]
    code, msg = refused(subs / "alice", tmp / "o1", src)        # one level too deep
    assert code == 2 and "one student's folder" in msg and A in msg and "<student>/<assignment>" in msg, msg
    code, msg = refused(subs / "alice" / A, tmp / "o2", src)    # two levels too deep
    assert code == 2 and f"{A}.ipynb" in msg, msg
    shutil.copytree(subs, tmp / "export" / "class")
    code, msg = refused(tmp / "export", tmp / "o3", src)        # one level too high
    assert code == 2 and "one level deeper" in msg and "class/" in msg, msg
    (tmp / "empty").mkdir()
    code, msg = refused(tmp / "empty", tmp / "o4", src)
    assert code == 2 and "it is empty" in msg, msg
    code, msg = refused(subs, tmp / "o5", src, students=["dave"])
    assert code == 2 and "dave" in msg, msg
    assert not [p for p in tmp.iterdir() if re.fullmatch(r"o\d", p.name)], "a refused run created its --out"
    code, err, _ = cli(subs / "alice", tmp / "o6", src)
    assert code == 2 and "one student's folder" in err and not (tmp / "o6").exists(), err[-2000:]


def test_a_refused_out_creates_nothing_and_no_phantom_student(graded):
    subs, out, src = graded["subs"], graded["out"], graded["src"]
    code, msg = refused(subs, subs / "out", src)
    assert code == 2 and "inside SUBMISSIONS" in msg, msg
    assert not (subs / "out").exists()
    code, err, counts = cli(subs, out, src)
    assert counts == (0, 5) and "out" not in {s for s, _ in gs.read_rows(out)}, err[-2000:]


def test_a_class_that_handed_in_nothing_gets_every_output(made):
    """Only empty assignment folders: nothing executes and no gradebook is written by grading, yet
    grades.csv, the exports and the pages show each row as missing (blank score, never 0)."""
    src, tmp = made["src"], made["tmp"]
    subs = tmp / "nothing"
    (subs / "dave" / A).mkdir(parents=True)
    (subs / "erin" / A).mkdir(parents=True)
    code, err, counts = cli(subs, tmp / "out-nothing", src)
    out = tmp / "out-nothing"
    assert code == 0 and counts == (0, 0) and "error" not in err and "warning: could not" not in err, err[-2000:]
    rows = gs.read_rows(out)
    assert {k: (r["status"], r["score"]) for k, r in rows.items()} == {
        ("dave", A): (config.MISSING, ""), ("erin", A): (config.MISSING, "")}
    with open(out / "grades-wide.csv", newline="", encoding="utf-8") as fh:
        wide = {r["student"]: r for r in csv.DictReader(fh)}
    assert {s: (r[A], r[f"{A} status"]) for s, r in wide.items()} == {
        "dave": ("", config.MISSING), "erin": ("", config.MISSING)}
    assert "No submission was found" in gs.feedback(out, "dave", A)
    assert (out / "feedback" / "dave.zip").is_file()
