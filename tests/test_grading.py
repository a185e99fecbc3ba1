"""The grading side: the checker hidden tests use, and the `python -m autograder` pipeline.

The checker tests run in-process (fast). The pipeline tests run real kernels on a
tiny fixture assignment (tests/fixtures/grading/) in temporary folders: one class
of adversarial submissions graded once (module fixture), then assertions on it.
"""

import sys
import types

import numpy as np
import pytest

from autograder.checks import checker


# --------------------------------------------------------------------------- checker
def _fails(fn, *args, match=None, **kwargs):
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    if match is not None:
        assert match in str(info.value), str(info.value)
    return str(info.value)


def test_checker_passes_correct_results():
    ck = checker()
    x = np.arange(12.0).reshape(3, 4)
    out = ck.call(lambda a, k=1: a * k, x, k=2)
    ck.shape(out, (3, 4), "double(x)")
    ck.close(out, 2 * x, "double(x)")
    ck.equal(int(out.sum()), 132, "the sum")
    ck.equal((1, 2), (1, 2), "a pair")
    ck.dtype(out, np.float64, "double(x)")
    ck.check(True, "never shown")


def test_call_passes_copies_and_reports_exceptions_kindly():
    ck = checker()
    x = np.ones((2, 2))

    def inplace(a):
        a += 1
        return a

    ck.call(inplace, x)
    assert (x == 1).all(), "the test's own input must stay intact"

    def broken(a):
        return a[5]

    msg = _fails(ck.call, broken, x, match="broken(array(2, 2) float64) raised IndexError")
    assert "line" in msg
    _fails(ck.call, None, x, match="is not a function")
    _fails(ck.close, ck.call(lambda a: None, x), x, "f(x)", match="forget the return")


def test_call_detects_library_implementations():
    import convblocks as cb
    import scipy.ndimage

    ck = checker()
    x = np.random.default_rng(0).standard_normal((1, 1, 5, 5))
    w = np.ones((1, 1, 3, 3))

    def via_convblocks(x, w):
        return cb.conv2d(x, w)

    def via_scipy(x, w):
        return scipy.ndimage.correlate(x[0, 0], w[0, 0])[None, None, 1:-1, 1:-1]

    _fails(ck.call, via_convblocks, x, w, match="calls convblocks")
    _fails(ck.call, via_scipy, x, w, match="calls SciPy")
    _fails(ck.call, cb.conv2d, x, w, match="not your own implementation")

    def sneaky(x, w):  # a library call that then fails must still be reported as the library
        cb.conv2d(x, w)
        raise ValueError("boom")

    _fails(ck.call, sneaky, x, w, match="calls convblocks")

    def stops_the_profiler(x, w):
        sys.setprofile(None)
        return cb.conv2d(x, w)

    _fails(ck.call, stops_the_profiler, x, w, match="integrity")
    assert sys.getprofile() is None or "coverage" in type(sys.getprofile()).__module__


def test_plain_numpy_is_allowed():
    ck = checker()
    x = np.random.default_rng(1).standard_normal((2, 3, 6, 6))

    def pool(x):
        v = np.lib.stride_tricks.sliding_window_view(x, (2, 2), axis=(2, 3))[:, :, ::2, ::2]
        return v.max(axis=(-1, -2))

    out = ck.call(pool, x)
    ck.shape(out, (2, 3, 3, 3), "max_pool2d(x, 2)")


def test_failure_messages_name_the_mistake_but_not_the_expected_values():
    ck = checker()
    rng = np.random.default_rng(2)
    expected = rng.standard_normal((2, 3)) + 10.0
    flipped = expected[:, ::-1].copy()
    msg = _fails(ck.close, flipped, expected, "conv2d(x, w, stride=2)",
                 mistakes={"you flipped the kernel": flipped, "you forgot the bias": expected - 1},
                 match="you flipped the kernel")
    assert "conv2d(x, w, stride=2)" in msg and "max abs error" in msg
    for v in expected.ravel():
        assert f"{v:.3g}" not in msg and repr(float(v)) not in msg
    _fails(ck.close, np.zeros((2, 4)), expected, "f", match="got (2, 4), expected (2, 3)")
    _fails(ck.shape, np.zeros((2, 4, 4, 4)), (2, 4, 5, 5), "conv2d",
           mistakes={"you forgot the +1": (2, 4, 4, 4)}, match="you forgot the +1")
    msg = _fails(ck.equal, 6400, 6656, "shared parameters", mistakes={"you forgot the biases": 6400},
                 match="you forgot the biases")
    assert "6656" not in msg and "6400" in msg
    _fails(ck.dtype, np.zeros(2), np.float32, "conv2d on float32", match="float64, expected float32")
    _fails(ck.close, np.array([np.nan, 1.0]), np.array([0.0, 1.0]), "f", match="NaN")
    _fails(ck.close, "text", np.zeros(2), "f", match="returned a str")
    _fails(ck.close, np.array(["a"], dtype=object), np.zeros(1), "f", match="dtype object")


def test_close_accepts_within_tolerance_and_subclasses_cannot_lie():
    ck = checker()
    a = np.linspace(0, 1, 7)
    ck.close(a + 1e-9, a, "f")

    class Liar(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, bool)

        def __sub__(self, other):
            return np.zeros(self.shape)

    _fails(ck.close, np.zeros(7).view(Liar), a + 1, "f", match="wrong values")


# the two cheats, in-process
def test_cheat_patching_numpy_is_caught(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    _fails(checker, match="integrity: numpy.allclose was replaced")
    monkeypatch.undo()
    monkeypatch.setattr(np.testing, "assert_allclose", lambda *a, **k: None)
    _fails(checker, match="integrity: numpy.testing.assert_allclose")
    monkeypatch.undo()
    monkeypatch.setattr(np, "abs", lambda x: x * 0)
    _fails(checker, match="integrity: numpy.abs")
    monkeypatch.undo()
    monkeypatch.setattr(np, "isclose", np.equal)
    _fails(checker, match="integrity: numpy.isclose")
    monkeypatch.undo()
    checker()


def test_cheat_patching_builtins_is_caught(monkeypatch):
    import builtins

    monkeypatch.setattr(builtins, "abs", lambda x: 0)
    _fails(checker, match="integrity: the builtin abs()")
    monkeypatch.undo()
    monkeypatch.setattr(builtins, "AssertionError", type("AssertionError", (Exception,), {}))
    with pytest.raises(Exception, match="integrity"):
        checker()
    monkeypatch.undo()
    checker()


def test_cheat_replacing_the_checker_is_caught(monkeypatch):
    import autograder.checks as c

    # patching the class the module exports: checker() loads a fresh copy, and notices
    monkeypatch.setattr(c.Checker, "close", lambda *a, **k: None)
    _fails(checker, match="integrity: autograder.checks.Checker.close was replaced")
    monkeypatch.undo()
    monkeypatch.setattr(c, "_verify_numpy", lambda np: None)
    _fails(checker, match="integrity")
    monkeypatch.undo()
    # replacing the module in sys.modules
    fake = types.ModuleType("autograder.checks")
    fake.checker = lambda: types.SimpleNamespace(close=lambda *a, **k: None)
    monkeypatch.setitem(sys.modules, "autograder.checks", fake)
    _fails(checker, match="integrity: sys.modules['autograder.checks'] was replaced")
    monkeypatch.undo()
    ck = checker()
    _fails(ck.close, np.zeros(3), np.ones(3), "f", match="wrong values")


# --------------------------------------------------------------------------- pipeline
import html as _html  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import zipfile  # noqa: E402

import grading_support as gs  # noqa: E402

from autograder import config  # noqa: E402
from autograder.grade import grade  # noqa: E402

A = gs.FIXTURE
SIGINT_LOOP = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
CHECKER_CHEAT = ("import autograder.checks as c\n"
                 "class _Fake:\n    def __getattr__(self, name):\n        return lambda *a, **k: a[0] if a else None\n"
                 "c.checker = lambda: _Fake()")
WRONG = gs.FIXTURE_BUGS[0]["source"]  # squares instead of doubling: fails ps00_double_tests


def _class(sol):
    """student -> notebook (or raw text) and the expected (status, autograded score)."""
    wrong = gs.with_cell(sol, "ps00_double_code", WRONG)
    return {
        "good": (sol, config.GRADED, 3),
        "wrong": (wrong, config.GRADED, 1),
        "crash": (gs.insert_after(sol, "ps00_double_code", "raise RuntimeError('oops')"), config.GRADED, 3),
        "osexit": (gs.insert_after(sol, "ps00_double_code", "import os\nos._exit(3)"), config.KERNEL_DIED, 3),
        "loop": (gs.insert_after(sol, "ps00_setup", "while True:\n    pass"), config.TIMEOUT, 3),
        "sigint": (gs.insert_after(sol, "ps00_params_code", SIGINT_LOOP), config.TIMEOUT, 3),
        "badjson": ('{"cells": [{"cell_type": "code", ', config.INVALID, None),
        "tampered": (gs.with_cell(wrong, "ps00_double_tests", "pass  # all good"), config.GRADED, 1),
        "deleted": (gs.delete_cell(wrong, "ps00_double_tests"), config.GRADED, 1),
        "bigout": (gs.insert_after(sol, "ps00_setup", "print('x' * 50_000_000)\nfor i in range(200):\n"
                                   "    print('y' * 10_000)"), config.GRADED, 3),
        "allclose": (gs.insert_after(wrong, "ps00_setup", "np.allclose = lambda *a, **k: True"),
                     config.INTEGRITY, 0),
        "checkerswap": (gs.insert_after(wrong, "ps00_setup", CHECKER_CHEAT), config.INTEGRITY, 0),
        "shell": (gs.insert_after(sol, "ps00_setup", "!pip install --no-index nothing\n%cd /\nimport os\n"
                                  "assert os.getcwd() != '/'"), config.GRADED, 3),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    src = gs.write_fixture_source(tmp / "source")
    sol = gs.load(src / A / f"{A}.ipynb")
    subs = tmp / "subs"
    cls = _class(sol)
    for student, (nb, _, _) in cls.items():
        gs.write_submission(subs, student, A, nb)
    (subs / "nobody").mkdir()  # a student folder with nothing handed in
    out = tmp / "out"
    code, rows = grade(subs, out, source=src, workers=2, timeout=4, quiet=True)
    return {"tmp": tmp, "src": src, "sol": sol, "subs": subs, "out": out, "code": code, "cls": cls}


def test_every_adversarial_submission_ends_with_its_status(graded):
    rows = gs.read_rows(graded["out"])
    for student, (_, status, score) in graded["cls"].items():
        row = rows[(student, A)]
        assert row["status"] == status, (student, row)
        if score is None:
            assert row["score"] == "" and row["auto_score"] == "", row  # never looks like a zero
        else:
            assert float(row["auto_score"]) == score, (student, row)
            assert float(row["auto_max_score"]) == 3 and float(row["max_score"]) == 4
    assert rows[("nobody", A)]["status"] == config.MISSING and rows[("nobody", A)]["score"] == ""
    assert graded["code"] == 1  # invalid notebook and timeouts: something could not be graded


def test_grades_csv_columns(graded):
    header = (graded["out"] / "grades.csv").read_text().splitlines()[0].split(",")
    assert header[:5] == ["student", "assignment", "score", "max_score", "status"]
    assert len(gs.read_rows(graded["out"])) == len(graded["cls"]) + 1


def test_gradebook_holds_the_grades(graded):
    grades = gs.gradebook_grades(graded["out"])
    assert grades[("good", A, "ps00_double_tests")] == 2
    assert grades[("wrong", A, "ps00_double_tests")] == 0
    assert grades[("wrong", A, "ps00_params_tests")] == 1
    assert grades[("allclose", A, "ps00_params_tests")] == 0
    assert not any(s == "badjson" for s, _, _ in grades)
    con = sqlite3.connect(graded["out"] / "gradebook.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert not list(graded["out"].glob(".gradebook.db.*.tmp"))


def test_feedback_has_messages_but_no_hidden_tests(graded):
    out = graded["out"]
    hidden = gs.hidden_lines(graded["sol"])
    assert hidden
    for student in graded["cls"]:
        page = _html.unescape(gs.feedback(out, student, A))
        for line in hidden:
            assert line not in page, (student, line)
        assert "Traceback" not in page and "BEGIN HIDDEN" not in page
    wrong = _html.unescape(gs.feedback(out, "wrong", A))
    assert "you squared x instead of doubling it" in wrong
    assert "0 / 2" in wrong and "1 / 1" in wrong
    assert "restored" in _html.unescape(gs.feedback(out, "tampered", A))
    assert "not run by the grader: !pip install" in _html.unescape(gs.feedback(out, "shell", A))
    assert "np.allclose" in _html.unescape(gs.feedback(out, "allclose", A))
    assert "could not be read" in gs.feedback(out, "badjson", A)
    # the report aggregates the diagnostics
    report = _html.unescape((out / "report.html").read_text())
    assert "you squared x instead of doubling it" in report and (out / "report" / f"{A}.png").is_file()


def test_outputs_are_capped(graded):
    nb = (graded["out"] / "autograded" / "bigout" / A / f"{A}.ipynb")
    assert nb.stat().st_size < 2 * config.MAX_OUTPUT_CHARS + 200_000


def test_regrading_one_student_keeps_everyone_else(graded, tmp_path):
    out = graded["out"]
    before = gs.gradebook_grades(out)
    subs = tmp_path / "resubmit"
    gs.write_submission(subs, "wrong", A, graded["sol"])  # wrong fixed their notebook
    code, rows = grade(subs, out, source=graded["src"], workers=1, timeout=10, quiet=True)
    assert code == 0 and [r["status"] for r in rows] == [config.GRADED]
    after = gs.gradebook_grades(out)
    assert after[("wrong", A, "ps00_double_tests")] == 2
    for key, value in before.items():
        if key[0] != "wrong":
            assert after[key] == value, key


def test_gradebook_untouched_when_a_run_fails(graded, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out, ignore=shutil.ignore_patterns("feedback", "autograded", "report*"))
    before = (out / "gradebook.db").read_bytes()
    import autograder.grade as g

    def boom(*a, **k):
        raise RuntimeError("simulated crash in the middle of a run")

    monkeypatch.setattr(g, "_run_pool", boom)
    with pytest.raises(RuntimeError):
        grade(graded["subs"], out, source=graded["src"], workers=1, quiet=True)
    assert (out / "gradebook.db").read_bytes() == before
    assert not list(out.glob(".gradebook.db.*.tmp"))


def test_cli_zip_input_and_exit_codes(graded, tmp_path):
    zpath = tmp_path / "class.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for student in ("good", "badjson"):
            f = graded["subs"] / student / A / f"{A}.ipynb"
            zf.write(f, f"export/{student}/{A}/{A}.ipynb")
    env = dict(__import__("os").environ, PYTHONPATH=str(gs.REPO))
    cmd = [sys.executable, "-m", "autograder", "grade", str(zpath), "--out", str(tmp_path / "o1"),
           "--source", str(graded["src"]), "--workers", "1", "--timeout", "20"]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=gs.REPO)
    assert p.returncode == 1, p.stderr
    assert "submissions/minute" in p.stderr and "invalid_notebook" in p.stderr
    rows = gs.read_rows(tmp_path / "o1")
    assert rows[("good", A)]["status"] == config.GRADED and float(rows[("good", A)]["auto_score"]) == 3
    assert rows[("badjson", A)]["status"] == config.INVALID


def test_missing_rows_and_exit_code_zero(graded, tmp_path):
    from autograder.__main__ import main

    subs = tmp_path / "only"
    gs.write_submission(subs, "good", A, graded["sol"])
    (subs / "absent").mkdir()  # a student who handed in nothing
    code = main(["grade", str(subs), "--out", str(tmp_path / "o2"), "--source", str(graded["src"]),
                 "--workers", "1", "--quiet", "--assignments", A])
    assert code == 0  # a missing submission is not a grading failure
    rows = gs.read_rows(tmp_path / "o2")
    assert rows[("absent", A)]["status"] == config.MISSING and rows[("absent", A)]["score"] == ""
    assert "No submission" in gs.feedback(tmp_path / "o2", "absent", A)
    with pytest.raises(SystemExit):
        main(["grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o3"), "--source", str(graded["src"])])
    with pytest.raises(SystemExit):
        main(["grade", str(subs), "--out", str(tmp_path / "o4"), "--source", str(graded["src"]),
              "--assignments", "ps99_unknown"])


@pytest.fixture(scope="module")
def released(graded):
    from autograder.release import release

    dest = graded["tmp"] / "exercises"
    assert release(source=graded["src"], dest=dest, stream=open("/dev/null", "w")) == 0
    return dest


def test_release_hides_solutions_and_check_detects_drift(graded, released, tmp_path):
    import io

    from autograder.release import drift, release

    exercise = released / A / f"{A}.ipynb"
    text = exercise.read_text()
    for line in gs.hidden_lines(graded["sol"]) + ["n_params = 5 * 5 * 256 + 256", "mentions channels",
                                                  "return 2 * np.asarray(x)", "BEGIN SOLUTION"]:
        assert line not in text
    assert "raise NotImplementedError()" in text and "YOUR ANSWER HERE" in text
    assert list((released / A).iterdir()) == [exercise]  # the notebook only: no gradebook, no log
    msg = io.StringIO()
    assert release(source=graded["src"], dest=released, check=True, stream=msg) == 0, msg.getvalue()
    changed = tmp_path / "changed"
    shutil.copytree(released, changed)
    (changed / A / f"{A}.ipynb").write_text(text.replace("Double an array", "Triple an array"))
    (changed / A / "stray.txt").write_text("x")
    problems = "\n".join(drift(released, changed, [A]))
    assert "differs" in problems and "Triple an array" in problems and "stray.txt" in problems


def test_released_exercise_scores_zero_and_validate_exit_codes(graded, released, tmp_path):
    import io

    from autograder.release import validate

    subs = tmp_path / "subs"
    gs.write_submission(subs, "blank", A, gs.load(released / A / f"{A}.ipynb"))
    code, rows = grade(subs, tmp_path / "out", source=graded["src"], workers=1, timeout=20, quiet=True)
    assert rows[0]["status"] == config.GRADED and float(rows[0]["auto_score"]) == 0
    page = gs.feedback(tmp_path / "out", "blank", A)
    assert "NotImplementedError" in page
    exercise = released / A / f"{A}.ipynb"
    assert validate(exercise, source=graded["src"], stream=io.StringIO(), timeout=20) == 1
    sol = graded["src"] / A / f"{A}.ipynb"
    out = io.StringIO()
    assert validate(sol, source=graded["src"], hidden=True, stream=out, timeout=20) == 0, out.getvalue()
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json")
    assert validate(bad, source=graded["src"], stream=io.StringIO()) == 2
