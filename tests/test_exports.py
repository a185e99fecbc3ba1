"""Exports, feedback zips, the report and the feedback pages of a small graded class.

The class (graded once, in the sandbox): two assignments; `good` did both, `wrong` made a
mistake in one and skipped the other, `badjson` handed in an unreadable notebook, `f64` returned
float64, `blank` handed in the released exercise untouched (not attempted), `nobody` has an
empty folder and `zoe` is only in the gradebook's roster (no submission at all). Expected values
come from grades.csv and the gradebook, read independently of the export code.
"""

import csv
import hashlib
import html as _html
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import grading_support as gs
from autograder import config, exports
from autograder.grade import grade

A = gs.FIXTURE
B = "ps01_fixture"
NOT_ATTEMPTED = "def double(x):\n    raise NotImplementedError()"


def _nbgrader():
    exe = Path(sys.executable).parent / "nbgrader"
    if not exe.is_file():
        pytest.fail("nbgrader is not installed in this venv: `.venv/bin/pip install -r requirements.txt`")
    return exe


def _env():
    return dict(os.environ, PYTHONPATH=str(gs.REPO))


@pytest.fixture(scope="module")
def cls(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exports")
    src = gs.write_fixture_source(tmp / "source")
    (src / B).mkdir()
    shutil.copy(src / A / f"{A}.ipynb", src / B / f"{B}.ipynb")
    sol = gs.load(src / A / f"{A}.ipynb")
    subs = tmp / "subs"
    wrong = gs.with_cell(sol, "ps00_double_code", gs.FIXTURE_BUGS[0]["source"])
    gs.write_submission(subs, "good", A, sol)
    gs.write_submission(subs, "good", B, sol)
    gs.write_submission(subs, "wrong", A, wrong)
    gs.write_submission(subs, "badjson", A, '{"cells": [')
    gs.write_submission(subs, "badjson", B, sol)
    gs.write_submission(subs, "f64", A, gs.with_cell(sol, "ps00_double_code", gs.FIXTURE_BUGS[2]["source"]))
    gs.write_submission(subs, "blank", A, gs.with_cell(sol, "ps00_double_code", NOT_ATTEMPTED))
    (subs / "nobody").mkdir()
    out = tmp / "out"
    code, _ = grade(subs, out, source=src, workers=2, timeout=10, quiet=True)
    from autograder.gradebook import open_gradebook
    with open_gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:  # a student on the roster only
        gb.update_or_create_student("zoe", first_name="Zoe", last_name="Roster", email="zoe@example.org")
    written = exports.write_all(out)
    return {"tmp": tmp, "src": src, "out": out, "code": code, "written": written,
            "rows": gs.read_rows(out)}


def _read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


STUDENTS = ["badjson", "blank", "f64", "good", "nobody", "wrong", "zoe"]


def test_the_class_graded_as_expected(cls):
    rows = cls["rows"]
    assert rows[("good", A)]["status"] == config.GRADED and rows[("good", B)]["status"] == config.GRADED
    assert rows[("wrong", B)]["status"] == config.MISSING
    assert rows[("badjson", A)]["status"] == config.INVALID
    assert {s for s, _ in rows} == set(STUDENTS) - {"zoe"}


def test_long_is_grades_csv_plus_the_roster(cls):
    out = cls["out"]
    long = _read(out / "grades-long.csv")
    header = (out / "grades.csv").read_text().splitlines()[0]
    assert (out / "grades-long.csv").read_text().splitlines()[0] == header
    by_key = {(r["student"], r["assignment"]): r for r in long}
    assert sorted(by_key) == sorted((s, a) for s in STUDENTS for a in (A, B))
    for key, row in cls["rows"].items():
        assert by_key[key] == row, key
    for a in (A, B):
        zoe = by_key[("zoe", a)]
        assert zoe["status"] == config.MISSING and zoe["score"] == "" and zoe["max_score"] == "4"


def test_wide_has_one_row_per_student_blank_cells_with_status_and_right_totals(cls):
    wide = _read(cls["out"] / "grades-wide.csv")
    assert [r["student"] for r in wide] == STUDENTS
    assert list(wide[0]) == ["student", A, f"{A} status", B, f"{B} status", "total", "max_total"]
    rows = cls["rows"]
    for r in wide:
        s = r["student"]
        expected = []
        for a in (A, B):
            src = rows.get((s, a), {"score": "", "status": config.MISSING})
            assert r[a] == src["score"] and r[f"{a} status"] == src["status"], (s, a)
            if src["status"] in config.NO_SCORE:
                assert r[a] == ""  # never a zero
            else:
                expected.append(float(src["score"]))
        assert r["total"] == ("" if not expected else f"{sum(expected):g}"), s
        assert float(r["max_total"]) == 8
    cell = {r["student"]: r for r in wide}
    assert cell["badjson"][A] == "" and cell["badjson"][f"{A} status"] == config.INVALID
    assert cell["wrong"][B] == "" and cell["wrong"][f"{B} status"] == config.MISSING
    assert cell["zoe"]["total"] == "" and cell["good"]["total"] == "6"


def test_canvas_layout(cls):
    lines = list(csv.reader(io.StringIO((cls["out"] / "grades-canvas.csv").read_text())))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A, f"{A} status", B, f"{B} status"]
    assert lines[1][0] == "Points Possible" and lines[1][5] == "4" and lines[1][7] == "4"
    body = {r[3]: r for r in lines[2:]}
    assert sorted(body) == STUDENTS
    assert body["zoe"][0] == "Roster, Zoe" and body["good"][0] == "good"
    assert body["good"][5:] == ["3", config.GRADED, "3", config.GRADED]
    assert body["badjson"][5:7] == ["", config.INVALID]
    assert body["nobody"][5:] == ["", config.MISSING, "", config.MISSING]


def test_moodle_layout(cls):
    rows = _read(cls["out"] / "grades-moodle.csv")
    assert list(rows[0]) == ["Username", "First name", "Last name", "Email address", A, f"{A} status", B,
                             f"{B} status"]
    by = {r["Username"]: r for r in rows}
    assert sorted(by) == STUDENTS
    assert by["zoe"]["Email address"] == "zoe@example.org" and by["zoe"][A] == ""
    assert by["wrong"][A] == "1" and by["wrong"][B] == "" and by["wrong"][f"{B} status"] == config.MISSING


def test_cli_and_nbgrader_exporters_write_the_same_files(cls, tmp_path):
    out = cls["out"]
    for fmt in exports.FORMATS:
        ours = tmp_path / f"ours-{fmt}.csv"
        p = subprocess.run([sys.executable, "-m", "autograder", "export", str(out), "--format", fmt, "--to", str(ours)],
                           capture_output=True, text=True, env=_env(), cwd=gs.REPO)
        assert p.returncode == 0, p.stderr
        assert ours.read_bytes() == (out / f"grades-{fmt}.csv").read_bytes(), fmt
        theirs = tmp_path / f"nbgrader-{fmt}.csv"
        p = subprocess.run([str(_nbgrader()), "export", "--exporter", f"autograder.exports.{fmt.title()}Export",
                            "--db", f"sqlite:///{out / 'gradebook.db'}", "--to", str(theirs)],
                           capture_output=True, text=True, env=_env(), cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        assert theirs.read_bytes() == ours.read_bytes(), fmt
    # without --to both write DIR/grades-<format>.csv
    (out / "grades-wide.csv").unlink()
    p = subprocess.run([str(_nbgrader()), "export", "--exporter", "autograder.exports.WideExport",
                        "--db", f"sqlite:///{out / 'gradebook.db'}"], capture_output=True, text=True, env=_env(),
                       cwd=tmp_path)
    assert p.returncode == 0 and (out / "grades-wide.csv").read_bytes() == (tmp_path / "ours-wide.csv").read_bytes()
    p = subprocess.run([sys.executable, "-m", "autograder", "export", str(tmp_path), "--format", "wide"],
                       capture_output=True, text=True, env=_env(), cwd=gs.REPO)
    assert p.returncode != 0 and "gradebook.db" in p.stderr


def test_feedback_zips_hold_exactly_each_students_pages(cls):
    out = cls["out"]
    fb = out / "feedback"
    manifest = {r["student"]: r for r in _read(fb / "returned.csv")}
    folders = sorted(d.name for d in fb.iterdir() if d.is_dir())
    assert sorted(manifest) == folders == sorted(set(STUDENTS) - {"zoe"})
    for s in folders:
        pages = {p.relative_to(fb).as_posix(): p.read_bytes() for p in (fb / s).rglob("*.html")}
        zpath = out / manifest[s]["file"]
        assert zpath == fb / f"{s}.zip"
        with zipfile.ZipFile(zpath) as zf:
            assert {n: zf.read(n) for n in zf.namelist()} == pages, s
        assert manifest[s]["sha256"] == hashlib.sha256(zpath.read_bytes()).hexdigest()
        assert manifest[s]["assignments"].split(";") == sorted({Path(n).parts[1] for n in pages})
        assert int(manifest[s]["pages"]) == len(pages)
    # nothing changed: the same bytes and the same times on a second write
    before = {p: p.read_bytes() for p in fb.glob("*.zip")} | {fb / "returned.csv": (fb / "returned.csv").read_bytes()}
    exports.write_all(out)
    assert {p: p.read_bytes() for p in before} == before


def test_every_status_page_says_why(cls):
    out = cls["out"]
    invalid = _html.unescape(gs.feedback(out, "badjson", A))
    assert "could not be read" in invalid and "not valid JSON" in invalid
    missing = _html.unescape(gs.feedback(out, "wrong", B))
    assert "No submission" in missing and "no submission" in missing.split("No submission", 1)[1]


def test_report_has_real_item_names_and_a_not_attempted_column(cls):
    report = _html.unescape((cls["out"] / "report.html").read_text())
    assert "float32" in report and "#d" not in report and "float#" not in report
    assert "not attempted" in report
    assert "NotImplementedError" not in report  # counted in its own column, not a diagnostic
    table = report.split(f"<h2>{A}</h2>", 1)[1].split("</table>")[1]
    row = re.search(r"<tr><td>ps00_double_tests</td>(.*?)</tr>", table).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    # failed: wrong (squared) and f64 (dtype); not attempted: blank, both out of the 4 graded
    assert re.search(r"\b2/4\b", cells[0]) and re.search(r"\b1\b", re.sub(r"<[^>]+>", "", cells[1]))


def test_nbgrader_release_feedback_hands_out_our_pages_and_generate_feedback_is_refused(cls, tmp_path):
    from nbgrader.utils import notebook_hash

    out = tmp_path / "out"
    for student in ("good", "wrong"):  # what `nbgrader collect` leaves in DIR/submitted
        collected = out / "submitted" / student / A
        collected.mkdir(parents=True)
        shutil.copy(cls["tmp"] / "subs" / student / A / f"{A}.ipynb", collected)
        (collected / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
        (collected / "submission_secret.txt").write_text(student * 16)
    (out / "submitted" / "late").mkdir()  # a `missing` page with no nbgrader files must not stop release_feedback
    grade(out / "submitted", out, source=cls["src"], workers=2, timeout=10, quiet=True)
    assert (out / "feedback" / "late" / A / f"{A}.html").is_file()
    assert (out / "nbgrader_config.py").is_file() and (out / "grades-wide.csv").is_file()  # the run wrote them
    exchange = tmp_path / "exchange"  # an admin creates it, writable by everyone (nbgrader's docs)
    exchange.mkdir()
    exchange.chmod(0o777)
    p = subprocess.run([str(_nbgrader()), "release_feedback", A, f"--Exchange.root={exchange}"],
                       capture_output=True, text=True, env=_env(), cwd=out)
    assert p.returncode == 0, p.stderr
    released = {f.name: f.read_bytes() for f in (exchange / "convblocks" / "feedback").iterdir()}
    assert sorted(released) == sorted(f"{notebook_hash(secret=s * 16, notebook_id=A)}.html" for s in ("good", "wrong"))
    for s in ("good", "wrong"):
        page = out / "feedback" / s / A / f"{A}.html"
        assert released[f"{notebook_hash(secret=s * 16, notebook_id=A)}.html"] == page.read_bytes()
    assert "submitted" not in {r["student"] for r in _read(out / "grades-long.csv")}
    before = page.read_bytes()
    p = subprocess.run([str(_nbgrader()), "generate_feedback", A, "--force"], capture_output=True, text=True,
                       env=_env(), cwd=out)
    assert p.returncode != 0 and "hidden tests" in p.stdout + p.stderr
    assert page.read_bytes() == before
    p = subprocess.run([sys.executable, "-m", "autograder", "export", str(out), "--format", "long"],
                       capture_output=True, text=True, env=_env(), cwd=gs.REPO)
    assert p.returncode == 0, p.stderr
    staged = out / "exchange_feedback" / "good" / A
    assert sorted(f.name for f in staged.iterdir()) == sorted([f"{A}.html", *exports.EXCHANGE_FILES])
    assert (staged / f"{A}.html").read_bytes() == (out / "feedback" / "good" / A / f"{A}.html").read_bytes()
    hidden = gs.hidden_lines(gs.load(cls["src"] / A / f"{A}.ipynb"))
    for f in (out / "exchange_feedback").rglob("*.html"):
        assert not any(line in _html.unescape(f.read_text()) for line in hidden), f
