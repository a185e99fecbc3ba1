"""Helpers for the grading tests: a tiny fixture assignment and submission builders."""

import copy
import importlib.util
import json
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parent.parent
FIXTURE = "ps00_fixture"

HIDDEN_DOUBLE = '''from autograder.checks import checker
ck = checker()
_rng = ck.rng(7)
_x = _rng.standard_normal((3, 4)).astype(np.float32)
_out = ck.call(double, _x)
ck.shape(_out, (3, 4), "double(x)")
ck.close(_out, _x * 2, "double(x) on a (3, 4) float32 array",
         mistakes={"you squared x instead of doubling it": _x ** 2, "you added one": _x + 1})
ck.dtype(_out, np.float32, "double on float32 input")'''

HIDDEN_PARAMS = '''from autograder.checks import checker
ck = checker()
ck.equal(n_params, 5 * 5 * 256 + 256, "the number of parameters of 256 filters 5x5",
         mistakes={"you forgot the biases": 5 * 5 * 256})'''


def _md(kind, gid, **extra):
    md = {"grade_id": gid, "schema_version": 3, "locked": False, "solution": False, "grade": False}
    if kind == "locked":
        md.update(locked=True)
    elif kind == "code":
        md.update(solution=True)
    elif kind == "tests":
        md.update(grade=True, locked=True)
    elif kind == "answer":
        md.update(grade=True, solution=True)
    md.update(extra)
    return {"nbgrader": md}


def fixture_notebook():
    cells = [
        new_markdown_cell("# Fixture assignment\nDouble an array; count parameters.",
                          metadata=_md("locked", "ps00_intro")),
        new_code_cell("import numpy as np", metadata=_md("locked", "ps00_setup")),
        new_code_cell('def double(x):\n    """Return 2 * x, keeping the dtype."""\n    ### BEGIN SOLUTION\n'
                      "    return 2 * np.asarray(x)\n    ### END SOLUTION",
                      metadata=_md("code", "ps00_double_code")),
        new_code_cell('assert double(1) == 2, "double(1) should be 2"\n### BEGIN HIDDEN TESTS\n'
                      + HIDDEN_DOUBLE + "\n### END HIDDEN TESTS",
                      metadata=_md("tests", "ps00_double_tests", points=2)),
        new_code_cell("### BEGIN SOLUTION\nn_params = 5 * 5 * 256 + 256\n### END SOLUTION",
                      metadata=_md("code", "ps00_params_code")),
        new_code_cell('assert isinstance(n_params, int), "n_params must be an int"\n### BEGIN HIDDEN TESTS\n'
                      + HIDDEN_PARAMS + "\n### END HIDDEN TESTS",
                      metadata=_md("tests", "ps00_params_tests", points=1)),
        new_markdown_cell("Why does a filter's depth equal the input depth?\n\n"
                          "The filter must cover every input channel.\n\n=== BEGIN MARK SCHEME ===\n"
                          "1 point: mentions channels.\n=== END MARK SCHEME ===",
                          metadata=_md("answer", "ps00_depth_answer", points=1)),
    ]
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    for c in nb.cells:
        c.pop("id", None)
    nb.nbformat_minor = 4
    return nb


FIXTURE_BUGS = [
    {"name": "squared", "cell": "ps00_double_code",
     "source": "def double(x):\n    return np.asarray(x) ** 2 + (np.asarray(x) == 1)",
     "fails": ["ps00_double_tests"], "message": "you squared x instead of doubling it"},
    {"name": "no_bias", "cell": "ps00_params_code", "source": "n_params = 5 * 5 * 256",
     "fails": ["ps00_params_tests"], "message": "you forgot the biases"},
    {"name": "float64", "cell": "ps00_double_code",
     "source": "def double(x):\n    return 2.0 * np.asarray(x, dtype=np.float64)",
     "fails": ["ps00_double_tests"], "message": "expected float32"},
]


def write_fixture_source(root):
    root = Path(root)
    d = root / FIXTURE
    d.mkdir(parents=True, exist_ok=True)
    nbformat.write(fixture_notebook(), d / f"{FIXTURE}.ipynb")
    return root


# ------------------------------------------------------------------------- submissions
def load(path):
    return nbformat.read(path, as_version=4)


def cell_index(nb, gid):
    for i, c in enumerate(nb.cells):
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid:
            return i
    raise KeyError(gid)


def with_cell(nb, gid, source):
    """A copy of nb with cell `gid`'s source replaced (what a student's answer looks like)."""
    nb = copy.deepcopy(nb)
    nb.cells[cell_index(nb, gid)].source = source
    return nb


def insert_after(nb, gid, source):
    nb = copy.deepcopy(nb)
    nb.cells.insert(cell_index(nb, gid) + 1, new_code_cell(source))
    return nb


def delete_cell(nb, gid):
    nb = copy.deepcopy(nb)
    del nb.cells[cell_index(nb, gid)]
    return nb


def write_submission(root, student, assignment, nb_or_text, name=None):
    d = Path(root) / student / assignment
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{name or assignment}.ipynb"
    if isinstance(nb_or_text, (str, bytes)):
        path.write_bytes(nb_or_text.encode() if isinstance(nb_or_text, str) else nb_or_text)
    else:
        nb = copy.deepcopy(nb_or_text)
        for c in nb.cells:
            c.pop("id", None)
        nb.nbformat_minor = 4
        nbformat.write(nb, path)
    return path


def load_bugs(assignment):
    """BUGS from tests/buggy_submissions/<assignment>.py ([] if there is no such file)."""
    path = REPO / "tests" / "buggy_submissions" / f"{assignment}.py"
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location(f"buggy_{assignment}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return list(mod.BUGS)


def read_rows(out):
    import csv
    with open(Path(out) / "grades.csv", newline="") as fh:
        return {(r["student"], r["assignment"]): r for r in csv.DictReader(fh)}


def gradebook_grades(out):
    """{(student, assignment, grade_id): score} read straight from the sqlite gradebook."""
    import sqlite3
    con = sqlite3.connect(Path(out) / "gradebook.db")
    try:
        q = """SELECT student.id, assignment.name, base_cell.name, grade.auto_score
               FROM grade JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id
               JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id
               JOIN student ON submitted_assignment.student_id = student.id
               JOIN assignment ON submitted_assignment.assignment_id = assignment.id
               JOIN base_cell ON grade.cell_id = base_cell.id"""
        return {(s, a, g): v for s, a, g, v in con.execute(q)}
    finally:
        con.close()


def feedback(out, student, assignment):
    return (Path(out) / "feedback" / student / assignment / f"{assignment}.html").read_text()


def _blocks(source_nb, begin, end):
    """(lines inside `begin`..`end` blocks, lines outside any such block) of a source notebook."""
    inside_lines, outside = [], set()
    for c in source_nb.cells:
        inside = False
        for ln in c.get("source", "").splitlines():
            if re.search(begin, ln):
                inside = True
                continue
            if re.search(end, ln):
                inside = False
                continue
            (inside_lines.append if inside else outside.add)(ln.strip())
    return inside_lines, outside


def hidden_lines(source_nb, min_len=12):
    """Substantial lines of the hidden-test blocks that appear nowhere else in the notebook
    (a line such as `import numpy as np` that is also visible is not a secret)."""
    inside, _ = _blocks(source_nb, r"BEGIN HIDDEN TESTS", r"END HIDDEN TESTS")
    _, public = _blocks(source_nb, r"BEGIN (HIDDEN TESTS|SOLUTION|MARK SCHEME)",
                        r"END (HIDDEN TESTS|SOLUTION|MARK SCHEME)")
    return [ln for ln in inside if len(ln) >= min_len and ln not in public]


def solution_lines(source_nb, min_len=20):
    """Substantial lines of the solution and mark-scheme blocks that appear nowhere else."""
    inside, _ = _blocks(source_nb, r"BEGIN (SOLUTION|MARK SCHEME)", r"END (SOLUTION|MARK SCHEME)")
    _, public = _blocks(source_nb, r"BEGIN (HIDDEN TESTS|SOLUTION|MARK SCHEME)",
                        r"END (HIDDEN TESTS|SOLUTION|MARK SCHEME)")
    return [ln for ln in inside if len(ln) >= min_len and ln not in public]


def dumps(obj):
    return json.dumps(obj, indent=1, sort_keys=True)
