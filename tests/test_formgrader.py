"""`python -m autograder formgrader DIR` on a graded class, and manual grades that survive re-grading.

A small class is graded once; formgrader (jupyter server + nbgrader's extension) is started
on its --out folder on 127.0.0.1 and asked over its REST API, the way its pages ask. A manual
grade and comment are entered through that API, then `grade` runs again while formgrader keeps
running: the grades stay, grades.csv and the feedback pages show them, `manual_pending` agrees
with the gradebook (read with sqlite3, not through our code), and formgrader can still write afterwards.
The server is stopped by its PID at teardown.
"""

import csv
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile

import pytest

import grading_support as gs

A = gs.FIXTURE
ANSWER = "ps00_depth_answer"


def _grade(subs, out, src):
    from autograder.__main__ import main

    return main(["grade", str(subs), "--out", str(out), "--source", str(src), "--workers", "1", "--timeout", "10",
                 "--quiet"])


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formgrader")
    src = gs.write_fixture_source(tmp / "source")
    sol = gs.load(src / A / f"{A}.ipynb")
    subs = tmp / "subs"
    gs.write_submission(subs, "good", A, sol)
    gs.write_submission(subs, "wrong", A, gs.with_cell(sol, "ps00_double_code", gs.FIXTURE_BUGS[0]["source"]))
    gs.write_submission(subs, "badjson", A, '{"cells": [')
    (subs / "nobody").mkdir()
    out = tmp / "out"
    _grade(subs, out, src)
    return {"src": src, "sol": sol, "subs": subs, "out": out}


@pytest.fixture(scope="module")
def server(graded):
    try:
        import jupyter_server  # noqa: F401
        import nbgrader.server_extensions.formgrader  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"formgrader needs jupyter_server and nbgrader ({exc}): `.venv/bin/pip install -r requirements.txt`")
    from autograder import formgrader

    proc, url = formgrader.start(graded["out"], source=graded["src"])
    yield {"proc": proc, "url": url, "base": url.split("/formgrader")[0], "token": url.split("token=")[1]}
    formgrader.stop(proc)
    with pytest.raises(ProcessLookupError):
        os.kill(proc.pid, 0)


def _call(server, path, data=None, method=None):
    req = urllib.request.Request(server["base"] + path, method=method,
                                 data=None if data is None else json.dumps(data).encode(),
                                 headers={"Authorization": f"token {server['token']}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 200
        body = r.read().decode()
    return json.loads(body) if body.startswith(("[", "{")) else body


def _gradebook(out, student):
    """{grade name: (manual_score, needs_manual_grade)} and {comment name: manual_comment}, via sqlite3."""
    con = sqlite3.connect(out / "gradebook.db")
    try:
        join = """JOIN submitted_notebook n ON x.notebook_id = n.id JOIN submitted_assignment s ON n.assignment_id = s.id
                  JOIN base_cell c ON x.cell_id = c.id WHERE s.student_id = ?"""
        grades = {name: (m, bool(f)) for name, m, f in con.execute(
            f"SELECT c.name, x.manual_score, x.needs_manual_grade FROM grade x {join}", (student,))}
        comments = dict(con.execute(f"SELECT c.name, x.manual_comment FROM comment x {join}", (student,)))
        return grades, comments
    finally:
        con.close()


def _ids(server, student):
    nbs = _call(server, f"/formgrader/api/submitted_notebooks/{A}/{A}")
    nb = next(n for n in nbs if n["student"] == student)
    grade = next(g for g in _call(server, f"/formgrader/api/grades?submission_id={nb['id']}") if g["name"] == ANSWER)
    comment = next(c for c in _call(server, f"/formgrader/api/comments?submission_id={nb['id']}")
                   if c["name"] == ANSWER)
    return grade["id"], comment["id"]


def test_url_and_pages_on_localhost(graded, server):
    assert server["url"].startswith("http://127.0.0.1:") and "/formgrader?token=" in server["url"]
    page = _call(server, "/formgrader/manage_submissions/" + A)
    assert "nbgrader formgrade" in page and A in page
    try:  # without the token: the login page (or a refusal), never the data
        with urllib.request.urlopen(server["base"] + "/formgrader/api/students", timeout=60) as r:
            assert "/login" in r.geturl() and "good" not in r.read().decode()
    except urllib.error.HTTPError as err:
        assert err.code == 403
    assert "c.CourseDirectory.root" in (graded["out"] / "nbgrader_config.py").read_text()


def test_formgrader_sees_the_students_and_submissions_of_grades_csv(graded, server):
    rows = gs.read_rows(graded["out"])
    scored = {s for (s, a), r in rows.items() if r["score"] != ""}
    assert scored == {"good", "wrong"}
    students = {s["id"] for s in _call(server, "/formgrader/api/students")}
    assert scored <= students
    subs = {s["student"]: s for s in _call(server, f"/formgrader/api/submissions/{A}")}
    assert set(subs) == scored
    for s in scored:
        assert subs[s]["score"] == float(rows[(s, A)]["score"]) and subs[s]["autograded"]
        assert subs[s]["needs_manual_grade"]  # the written answer waits for a hand grade


def test_manual_grades_survive_regrading_and_show_in_grades_csv(graded, server):
    out, subs = graded["out"], graded["subs"]
    grade_id, comment_id = _ids(server, "good")
    _call(server, f"/formgrader/api/grade/{grade_id}", {"manual_score": 1}, "PUT")
    _call(server, f"/formgrader/api/comment/{comment_id}", {"manual_comment": "Right: one weight per channel."}, "PUT")
    grades, comments = _gradebook(out, "good")
    assert grades[ANSWER] == (1, False)

    before = gs.feedback(out, "good", A)
    assert "to be graded by hand" in before and "one weight per channel" not in before

    # re-grade the same notebooks while formgrader keeps running (nothing changed: nothing executes)
    _grade(subs, out, graded["src"])
    grades, comments = _gradebook(out, "good")
    assert grades[ANSWER] == (1, False)  # unchanged answer: the hand grade stands, nothing to review
    assert comments[ANSWER] == "Right: one weight per channel."
    # ... and the page handed back (and its zip) shows the hand grade and its comment
    page = html.unescape(gs.feedback(out, "good", A))
    assert "graded by hand: Right: one weight per channel." in page and "1 / 1" in page
    assert "written answer(s) will be graded by hand" not in page
    with zipfile.ZipFile(out / "feedback" / "good.zip") as zf:
        assert html.unescape(zf.read(f"good/{A}/{A}.html").decode()) == page
    rows = gs.read_rows(out)
    assert float(rows[("good", A)]["score"]) == 3 + 1
    for s in ("good", "wrong"):
        pending = sum(f for _, f in _gradebook(out, s)[0].values())
        assert int(rows[(s, A)]["manual_pending"]) == pending, s
    assert rows[("wrong", A)]["manual_pending"] == "1"

    # formgrader still writes to the gradebook the run replaced
    grade_id, _ = _ids(server, "wrong")
    _call(server, f"/formgrader/api/grade/{grade_id}", {"manual_score": 0.5}, "PUT")
    assert _gradebook(out, "wrong")[0][ANSWER] == (0.5, False)

    # good changes the written answer: the grade is kept and flagged for review, in both places
    nb = gs.with_cell(graded["sol"], ANSWER, "Each filter must see every input channel, so depth = C_in.")
    gs.write_submission(subs, "good", A, nb)
    _grade(subs, out, graded["src"])
    grades, comments = _gradebook(out, "good")
    assert grades[ANSWER] == (1, True)
    page = gs.feedback(out, "good", A)  # re-graded: the page shows the hand grade and its comment
    assert "graded by hand: Right: one weight per channel." in page and "1 / 1" in page
    rows = gs.read_rows(out)
    assert rows[("good", A)]["manual_pending"] == "1" and float(rows[("good", A)]["score"]) == 4
    assert float(rows[("wrong", A)]["score"]) == 1 + 0.5 and rows[("wrong", A)]["manual_pending"] == "0"
    wide = {r["student"]: r for r in csv.DictReader(open(out / "grades-wide.csv", newline=""))}
    assert wide["wrong"][A] == "1.5"


def test_cli_refuses_a_folder_without_a_gradebook(tmp_path):
    p = subprocess.run([sys.executable, "-m", "autograder", "formgrader", str(tmp_path)], capture_output=True,
                       text=True, env=dict(os.environ, PYTHONPATH=str(gs.REPO)), cwd=gs.REPO, timeout=120)
    assert p.returncode != 0 and "no gradebook.db" in p.stderr
    assert not (tmp_path / "nbgrader_config.py").exists()


def test_hand_grades_entered_during_a_run_are_kept(graded, server):
    from autograder.gradebook import GradebookWriter

    out = graded["out"]
    grade_id, comment_id = _ids(server, "wrong")
    writer = GradebookWriter(out / "gradebook.db")  # a run has loaded the gradebook ...
    try:
        _call(server, f"/formgrader/api/grade/{grade_id}", {"manual_score": 0.25}, "PUT")  # ... the instructor grades
        _call(server, f"/formgrader/api/comment/{comment_id}", {"manual_comment": "Half right."}, "PUT")
        writer.commit()  # ... and the run ends
    finally:
        writer.close()
    grades, comments = _gradebook(out, "wrong")
    assert grades[ANSWER] == (0.25, False) and comments[ANSWER] == "Half right."
    assert _call(server, f"/formgrader/api/grade/{grade_id}")["manual_score"] == 0.25


def test_cli_prints_the_url_and_stops_its_server(graded, tmp_path):
    import signal

    p = subprocess.Popen([sys.executable, "-m", "autograder", "formgrader", str(graded["out"]), "--source",
                          str(graded["src"])], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=dict(os.environ, PYTHONPATH=str(gs.REPO)), cwd=gs.REPO)
    try:
        lines = []
        for line in p.stdout:
            lines.append(line)
            if "token=" in line:
                break
        url = lines[-1].strip()
        assert url.startswith("http://127.0.0.1:") and "/formgrader?token=" in url, "".join(lines)
        server_pid = int(re.search(r"jupyter server PID (\d+)", "".join(lines)).group(1))
        with urllib.request.urlopen(url, timeout=60) as r:  # the page that logs the browser in
            assert r.status == 200
        base, token = url.split("/formgrader")[0], url.split("token=")[1]
        req = urllib.request.Request(base + "/formgrader/manage_assignments", headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=60) as r:
            assert "nbgrader formgrade" in r.read().decode()
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
    with pytest.raises(ProcessLookupError):
        os.kill(server_pid, 0)
