"""Turn the corpus into a SUBMISSIONS folder (and the zip-slip zip) from the released notebooks."""

import base64
import copy
import hashlib
import io
import os
from pathlib import Path

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell

from . import ALL, REST

REPO = Path(__file__).resolve().parents[2]


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test(cell):
    md = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and md.get("grade") and not md.get("solution")


def is_answer_code(cell):
    md = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and md.get("solution")


class Context:
    """What the layout and edit functions of the corpus may use."""

    def __init__(self, subs, values):
        self.subs = Path(subs)
        self.values = values            # placeholder -> text
        self.repo = REPO

    def solution(self, assignment):
        return nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)

    def release(self, assignment):
        return nbformat.read(REPO / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)

    def notebook_bytes(self, nb):
        nb = copy.deepcopy(nb)
        for c in nb.cells:
            c.pop("id", None)
        nb.nbformat_minor = 4
        return nbformat.writes(nb).encode()

    def write(self, assignment, nb, root):
        d = Path(root) / assignment
        d.mkdir(parents=True, exist_ok=True)
        path = d / f"{assignment}.ipynb"
        path.write_bytes(self.notebook_bytes(nb))
        return path

    def fill(self, text):
        for key, value in self.values.items():
            text = text.replace(key, value)
        return text


def points_of(assignment):
    """{grade_id: points} of the autograded test cells, and the manual points, from the source."""
    nb = Context(".", {}).solution(assignment)
    auto = {grade_id(c): float(c.metadata.nbgrader.get("points", 0)) for c in nb.cells if is_test(c)}
    manual = sum(float(c.metadata.nbgrader.get("points", 0)) for c in nb.cells
                 if c.metadata.get("nbgrader", {}).get("grade") and not is_test(c))
    return auto, manual


def targets_and_honest(a):
    auto, _ = points_of(a["assignment"])
    targets = list(auto) if a["targets"] == ALL else list(a["targets"])
    if a["honest"] == REST:
        honest = [g for g in auto if g not in targets and g not in a["unchecked"]]
    else:
        honest = list(a["honest"])
    return targets, honest


def notebook(a, ctx):
    """The submitted notebook of one corpus entry."""
    assignment = a["assignment"]
    sol = ctx.solution(assignment)
    nb = copy.deepcopy(sol if a["base"] == "solution" else ctx.release(assignment))
    solution_source = {grade_id(c): c.source for c in sol.cells}
    if a["answers"] is not None:
        answers = [c for c in nb.cells if is_answer_code(c)]
        answers[0].source = a["answers"]
        for c in answers[1:]:
            c.source = "# answered in the first answer cell"
    for gid, src in a["cells"].items():
        cell = next(c for c in nb.cells if grade_id(c) == gid)
        cell.source = src(solution_source[gid]) if callable(src) else src
    for after, src in a["insert"]:
        cell = new_code_cell(src)
        cell.pop("id", None)
        if after is None:
            nb.cells.append(cell)
        else:
            i = next(i for i, c in enumerate(nb.cells) if grade_id(c) == after)
            nb.cells.insert(i + 1, cell)
    if a["edit"] is not None:
        nb = a["edit"](nb, ctx)
    for c in nb.cells:
        if c.cell_type == "code":
            c.source = ctx.fill(c.source)
    return nb


def build(corpus, subs, ctx):
    """Write every submitted notebook, then every layout (symlinks, planted folders)."""
    for a in corpus:
        if a["submit"]:
            ctx.write(a["assignment"], notebook(a, ctx), root=Path(subs) / a["student"])
    for a in corpus:
        if a["layout"] is not None:
            a["layout"](Path(subs), ctx)


def snapshot(root):
    """{relative path: sha256 or 'link -> target'} of a folder, never following symlinks."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = "link -> " + os.readlink(p)
            else:
                out[rel] = hashlib.sha256(Path(p).read_bytes()).hexdigest()
    return out


# ---------------------------------------------------------------- last year's conv2d inputs
KEY_CODE = r'''
import hashlib
import numpy as np


def _canon(v):
    if isinstance(v, str):
        return v
    try:
        return repr(np.asarray(v).astype(int).tolist())
    except Exception:
        return repr(v)


def _key(x, weight, bias, stride, padding, dilation):
    h = hashlib.sha256()
    for p in (x, weight, bias):
        a = np.asarray("None") if p is None else np.ascontiguousarray(p)
        h.update(str(a.shape).encode() + str(a.dtype).encode() + a.tobytes())
    h.update(repr((_canon(stride), _canon(padding), _canon(dilation))).encode())
    return h.hexdigest()
'''


def last_years_table():
    """Every (conv2d inputs -> reference output) of the ps02 conv2d tests, with the source's seeds.

    What a student who kept last year's hidden inputs (or read the source's seeds) would have:
    the test cell run with a recorder for `ck` (ck.rng(seed) gives the unsalted generator).
    """
    import convblocks as cb

    sol = Context(".", {}).solution("ps02_conv_arithmetic")
    setup = next(c.source for c in sol.cells if grade_id(c) == "ps02_setup")
    tests = next(c.source for c in sol.cells if grade_id(c) == "ps02_conv2d_tests")
    tests = "\n".join(ln for ln in tests.splitlines()
                      if "autograder" not in ln and not ln.strip().startswith("ck = checker"))
    keys = {}
    exec(KEY_CODE, keys)
    table = {}

    def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
        out = cb.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)
        table[keys["_key"](x, weight, bias, stride, padding, dilation)] = out
        return out

    class Recorder:
        def call(self, fn, *args, **kwargs):
            return fn(*args, **kwargs)

        def rng(self, seed, *args, **kwargs):
            return np.random.default_rng(seed)

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    ns = {}
    exec(setup, ns)
    ns.update(ck=Recorder(), conv2d=conv2d)
    exec(tests, ns)
    buf = io.BytesIO()
    np.savez_compressed(buf, **table)
    return base64.b64encode(buf.getvalue()).decode(), len(table)
