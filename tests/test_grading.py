"""The grading side: the checker, the wire format, the kernel agent and the `python -m autograder` pipeline.

The checker and wire tests run in-process (fast); the kernel tests start a real agent
(in the sandbox when this machine has one). The pipeline tests grade a tiny fixture
assignment (tests/grading_support.py) in temporary folders: one class of submissions,
honest and careless, graded once (module fixture), then assertions on it. Attacks on
the grader's promises live in tests/test_attacks.py.
"""

import shutil
import sys

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

    _fails(ck.call, broken, x, match="broken(array(2, 2) float64) raised IndexError")
    _fails(ck.call, None, x, match="is not a function")
    _fails(ck.close, ck.call(lambda a: None, x), x, "f(x)", match="forget the return")


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


def test_rng_depends_on_the_seed_and_the_submission_salt(monkeypatch):
    import autograder.checks as c
    from autograder.trusted import submission_salt

    first = checker().rng(5).standard_normal(4)
    assert np.array_equal(first, checker().rng(5).standard_normal(4))  # repeatable
    assert not np.array_equal(first, checker().rng(6).standard_normal(4))
    salts = {submission_salt("alice", "ps01", b"{}"), submission_salt("bob", "ps01", b"{}"),
             submission_salt("alice", "ps01", b"{ }")}
    assert len(salts) == 3
    monkeypatch.setattr(c, "SALT", salts.pop())
    assert not np.array_equal(first, checker().rng(5).standard_normal(4))


# --------------------------------------------------------------------------- wire
def test_wire_round_trips_plain_data_exactly():
    from autograder import wire

    value = {"a": [1, 2.5, None, True, "s"], (1, 2): (np.arange(6, dtype=np.float32).reshape(2, 3),),
             "set": {1, "x", (2, 3)}, "scalar": np.float32(1.5), "dt": np.dtype("int16"), "t": np.float64,
             "py": float, "nan": float("nan"), "big": 2**70, "rng": np.random.default_rng(3)}
    frame = wire.pack(value)
    back = wire.unpack(frame[8:])
    assert back["a"] == [1, 2.5, None, True, "s"] and type(back["a"][1]) is float and back["a"][3] is True
    arr = back[(1, 2)][0]
    assert type(arr) is np.ndarray and arr.dtype == np.float32 and arr.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["set"] == {1, "x", (2, 3)} and type(back["scalar"]) is np.float32
    assert back["dt"] == np.dtype("int16") and back["t"] is np.float64 and back["py"] is float
    assert back["nan"] != back["nan"] and back["big"] == 2**70
    assert back["rng"].standard_normal(3).tolist() == np.random.default_rng(3).standard_normal(3).tolist()


def test_wire_refuses_what_is_not_plain_data():
    from autograder import wire

    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    for bad, name in [(object(), "object"), (np.array([object()]), "dtype object"), ([lambda x: x], "function"),
                      (b"bytes", "bytes")]:
        with pytest.raises(wire.WireError, match=name):
            wire.pack(bad)
    # a subclass crosses as a plain ndarray: its __eq__ stays behind
    back = wire.unpack(wire.pack(np.zeros(3).view(Liar))[8:])
    assert type(back) is np.ndarray and not (back == 1).any()
    nested = []
    for _ in range(40):
        nested = [nested]
    with pytest.raises(wire.WireError, match="nested"):
        wire.pack(nested)
    for frame in [b"", b"\x00\x00\x00\x05[1,2", wire.pack([1])[8:-3] + b"xyz"]:
        with pytest.raises(wire.WireError):
            wire.unpack(frame)
    tree = b'["a",0]'  # an array reference with no array
    with pytest.raises(wire.WireError):
        wire.unpack(len(tree).to_bytes(4, "big") + tree + (0).to_bytes(4, "big"))


def test_free_names_are_what_a_test_cell_reads_but_does_not_bind():
    from autograder.trusted import free_names

    code = compile("ck = checker()\nx = rng.normal()\nout = conv2d(x)\n"
                   "def f(z):\n    return helper(z) + x\nprint(sheet[0], out)", "<t>", "exec")
    free, bound = free_names(code)
    assert free == {"checker", "rng", "conv2d", "helper", "print", "sheet"}
    assert {"ck", "x", "out", "f"} <= bound


# --------------------------------------------------------------------------- kernel
@pytest.fixture
def kernel():
    import tempfile
    from pathlib import Path

    from autograder.kernel import Kernel
    from autograder.sandbox import available

    workdir = Path(tempfile.mkdtemp(prefix="kernel-test-"))  # reachable by the sandbox's uid
    k = Kernel(workdir, sandboxed=available()[0])
    k.deadline = float("inf")
    yield k
    k.kill()
    shutil.rmtree(workdir, ignore_errors=True)


def test_kernel_runs_cells_and_answers_with_plain_data(kernel):
    import time

    from autograder.kernel import Proxy, StudentError

    kernel.deadline = time.monotonic() + 20
    reply = kernel.run("import numpy as np\ndef f(x, scale=1):\n    return x * scale\n"
                       "def g(layer, x):\n    return layer(x) + 1\nvalues = {'a': (1, 2.0)}\nprint('hi')\n3 * 7")
    assert reply["error"] is None and reply["outputs"] == [["stdout", "hi\n"], ["result", "21"]]
    names = kernel.names({"f", "values", "np", "nothing"})
    assert names["np"][0] == "unsendable" and names["np"][1].startswith("module (a value of type module")
    assert {k: v for k, v in names.items() if k != "np"} == {
        "f": ["function"], "values": ["value", {"a": (1, 2.0)}], "nothing": ["missing"]}
    f, g = Proxy(kernel, "f", "f"), Proxy(kernel, "g", "g")
    out = f(np.arange(3, dtype=np.float32), scale=2)
    assert type(out) is np.ndarray and out.dtype == np.float32 and out.tolist() == [0, 2, 4]
    # a grader function passed as an argument stays here and is called back (also into the kernel)
    assert g(lambda z: f(z, scale=10), np.ones(2)).tolist() == [11, 11]
    kernel.run("def bad(x):\n    raise ValueError('no ' * 400)\ndef weird():\n    return object()\n"
               "import warnings\ndef warns():\n    warnings.warn('overflow!', RuntimeWarning)\n    return 1")
    with pytest.raises(ValueError) as info:
        Proxy(kernel, "bad", "bad")(1)
    assert isinstance(info.value, StudentError) and len(info.value.message) == 500 and info.value.line == 2
    with pytest.raises(StudentError, match="object cannot be sent"):
        Proxy(kernel, "weird", "weird")()
    with pytest.warns(RuntimeWarning, match="overflow!"):
        assert Proxy(kernel, "warns", "warns")() == 1
    # more than the wire accepts fails only that request, before anything large is copied
    kernel.run("def many():\n    return list(range(1_100_000))\n"
               "def huge():\n    return np.broadcast_to(np.float64(1.0), (2 ** 16, 2 ** 16))")
    with pytest.raises(StudentError, match="more than 1000000 items"):
        Proxy(kernel, "many", "many")()
    with pytest.raises(StudentError, match="MB of array data"):
        Proxy(kernel, "huge", "huge")()
    assert f(1) == 1 and kernel.dead is None


def test_kernel_death_and_timeout_are_not_exceptions_tests_can_swallow(kernel):
    import time

    from autograder.kernel import KernelDied, KernelTimeout, Proxy

    kernel.deadline = time.monotonic() + 20
    assert kernel.run("exit()")["error"]["type"] == "SystemExit"  # exit() ends the cell, not the kernel
    kernel.run("import os, time\ndef die():\n    os._exit(3)\ndef slow():\n    time.sleep(60)")
    assert not issubclass(KernelDied, Exception) and not issubclass(KernelTimeout, Exception)
    kernel.deadline = time.monotonic() + 1
    with pytest.raises(KernelTimeout):
        Proxy(kernel, "slow", "slow")()
    with pytest.raises(KernelTimeout):  # a killed kernel stays dead
        kernel.run("1")


def test_kernel_that_exits_is_reported_dead(kernel):
    import time

    from autograder.kernel import KernelDied

    kernel.deadline = time.monotonic() + 20
    with pytest.raises(KernelDied):
        kernel.run("import os\nos._exit(0)")


def test_a_test_cells_own_code_stops_at_the_cell_deadline(tmp_path):
    """Test cells (and the locked helpers they call) run in the grader's process: a loop there is
    stopped by the cell's deadline, recorded as a timeout of that item, and the notebook goes on."""
    import threading

    from nbformat.v4 import new_code_cell, new_notebook

    from autograder.sandbox import available
    from autograder.worker import run_notebook

    nb = new_notebook(cells=[
        new_code_cell("def spin():\n    while True:\n        pass", metadata=gs._md("locked", "setup")),
        new_code_cell("x = 1", metadata=gs._md("code", "answer")),
        new_code_cell("while True:\n    pass", metadata=gs._md("tests", "loop_tests", points=1)),
        new_code_cell("spin()", metadata=gs._md("tests", "helper_tests", points=1)),
        new_code_cell("assert x == 1", metadata=gs._md("tests", "after_tests", points=1))])
    result = {}
    thread = threading.Thread(daemon=True, target=lambda: result.update(
        run=run_notebook(nb, tmp_path, timeout=1.0, sandboxed=available()[0])))
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "a loop in a test cell ran on past the notebook's time budget"
    assert result["run"]["kinds"] == {0: "ok", 1: "ok", 2: "timeout", 3: "timeout", 4: "ok"}
    assert [o.get("ename") for o in nb.cells[2].outputs] == ["CellTimeoutError"]


# --------------------------------------------------------------------------- pipeline
import html as _html  # noqa: E402
import re  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import zipfile  # noqa: E402

import grading_support as gs  # noqa: E402

from autograder import config  # noqa: E402
from autograder.grade import grade  # noqa: E402

A = gs.FIXTURE
SIGINT_LOOP = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
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
        # patching NumPy in the kernel changes nothing: the checks run in the grader's process
        "allclose": (gs.insert_after(wrong, "ps00_setup", "np.allclose = lambda *a, **k: True"), config.GRADED, 1),
        "shell": (gs.insert_after(sol, "ps00_setup", "!pip install --no-index nothing\n%cd /\nimport os\n"
                                  "assert os.getcwd() != '/'"), config.GRADED, 3),
        # honest mistakes cost nothing beyond the cell itself
        "exit": (gs.insert_after(sol, "ps00_double_code", "exit()"), config.GRADED, 3),
        "dupe": (_duplicate(sol, "ps00_double_tests"), config.GRADED, 3),
        "wrong2": (wrong, config.GRADED, 1),
        "importcb": (gs.with_cell(sol, "ps00_double_code", "def double(x):\n    import convblocks\n"
                                  "    return 2 * x"), config.GRADED, 1),
    }


def _duplicate(nb, gid):
    """A student copy-pasted a visible test cell (Jupyter keeps its nbgrader metadata)."""
    import copy

    nb = copy.deepcopy(nb)
    i = gs.cell_index(nb, gid)
    nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))
    return nb


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
    assert grades[("allclose", A, "ps00_params_tests")] == 1
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
    assert "copy of test cell ps00_double_tests was ignored" in _html.unescape(gs.feedback(out, "dupe", A))
    assert "SystemExit" in _html.unescape(gs.feedback(out, "exit", A))
    # the same wrong code, two students: hidden inputs drawn per submission, so the errors differ
    errors = [re.search(r"max abs error ([\d.e+-]+)", _html.unescape(gs.feedback(out, s, A))).group(1)
              for s in ("wrong", "wrong2")]
    assert errors[0] != errors[1]
    page = _html.unescape(gs.feedback(out, "importcb", A))
    assert "ModuleNotFoundError" in page and "only NumPy is available" in page
    assert "could not be read" in gs.feedback(out, "badjson", A)
    # the report aggregates the diagnostics
    report = _html.unescape((out / "report.html").read_text())
    assert "you squared x instead of doubling it" in report and "ps00_double_tests" in report


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


def test_discovery_is_exact_and_follows_no_symlink(graded, tmp_path):
    subs = tmp_path / "subs"
    gs.write_submission(subs, "alice", A, graded["sol"])
    wrong = gs.with_cell(graded["sol"], "ps00_double_code", WRONG)
    gs.write_submission(subs / "alice" / A, "bob", A, wrong)          # planted deeper: never bob's
    gs.write_submission(subs, "gradebook.db", A, graded["sol"])          # any legal name is a student
    (subs / "bob").mkdir()
    outside = gs.write_submission(tmp_path / "elsewhere", "x", A, graded["sol"])
    (subs / "carol" / A).mkdir(parents=True)
    (subs / "carol" / A / f"{A}.ipynb").symlink_to(outside)
    (subs / "mallory").symlink_to(subs / "alice")
    out = tmp_path / "out"
    code, rows = grade(subs, out, source=graded["src"], workers=1, timeout=20, quiet=True)
    rows = gs.read_rows(out)
    assert sorted(s for s, _ in rows) == ["alice", "bob", "carol", "gradebook.db"]
    assert float(rows[("alice", A)]["auto_score"]) == 3 and "bob not graded" in rows[("alice", A)]["detail"]
    assert float(rows[("gradebook.db", A)]["auto_score"]) == 3
    assert rows[("bob", A)]["status"] == config.MISSING
    assert rows[("carol", A)]["status"] == config.INVALID and "symbolic link" in rows[("carol", A)]["detail"]
    assert (out / "gradebook.db").is_file() and (out / "feedback" / "gradebook.db" / A / f"{A}.html").is_file()


def test_no_sandbox_warns_on_stderr_and_in_the_report(graded, tmp_path):
    import io

    subs = tmp_path / "subs"
    gs.write_submission(subs, "good", A, graded["sol"])
    err = io.StringIO()
    code, rows = grade(subs, tmp_path / "out", source=graded["src"], workers=1, timeout=20, quiet=True,
                       stream=err, sandbox=False)
    assert code == 0 and float(rows[0]["auto_score"]) == 3
    assert "WARNING: --no-sandbox" in err.getvalue()
    assert "WARNING: --no-sandbox" in (tmp_path / "out" / "report.html").read_text()


def test_validate_gives_the_notebook_its_data_files():
    """ps10 loads digits.npz from beside the notebook: validate must see it, as grading does."""
    import io

    from autograder.release import validate

    sol = gs.REPO / "solutions" / "ps10_backprop" / "ps10_backprop.ipynb"
    out = io.StringIO()
    assert validate(sol, hidden=True, stream=out, timeout=60) == 0, out.getvalue()
