"""Grade one submitted notebook (in a worker process; never touches the gradebook).

The submission is merged with the master (locked and test cells restored) and its code
cells run in order: test cells here (:mod:`trusted`), every other cell in the student's
sandboxed kernel (:mod:`kernel`). A cell that times out or kills the kernel is recorded,
the kernel restarted and the completed cells replayed without it, all within the
notebook's one time budget. The result holds the executed notebook for nbgrader to score.
"""

import shutil
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

from . import config
from .kernel import Kernel, KernelDied, KernelTimeout
from .notebooks import grade_id, is_autograded_test, is_locked, merge, read_notebook, strip_ipython
from .checks import IMPORT_HINT
from .trusted import Trusted, submission_salt

STOPPED = {"timeout": ("CellTimeoutError", "this cell did not finish within {t:g} s; the grader stopped the kernel "
                       "(an infinite loop, or code far too slow)"),
           "died": ("DeadKernelError", "the kernel died while running this cell ({why}); it was restarted and "
                    "the rest of the notebook graded without this cell")}


def error_output(ename, evalue):
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]}


class Budget:
    """Caps on what one notebook's cells may show (characters and outputs)."""

    def __init__(self):
        self.chars, self.count = config.MAX_NOTEBOOK_OUTPUT_CHARS, config.MAX_NOTEBOOK_OUTPUTS

    def outputs(self, raw):
        """Notebook outputs of the kernel's ``[[kind, text], ...]`` (anything else dropped), capped."""
        out, cell_chars = [], config.MAX_OUTPUT_CHARS
        for item in raw if type(raw) is list else []:
            if type(item) is not list or len(item) != 2 or type(item[1]) is not str or len(out) >= config.MAX_OUTPUTS \
                    or self.count <= 0:
                continue
            text = item[1][:max(min(cell_chars, self.chars), 0)]
            self.count, self.chars, cell_chars = self.count - 1, self.chars - len(text), cell_chars - len(text)
            if item[0] == "result":
                out.append({"output_type": "execute_result", "execution_count": None,
                            "data": {"text/plain": text}, "metadata": {}})
            elif item[0] in ("stdout", "stderr"):
                out.append({"output_type": "stream", "name": item[0], "text": text})
        return out


def run_notebook(nb, workdir, timeout, max_restarts=config.DEFAULT_MAX_RESTARTS, salt=0, sandboxed=True, slot=0):
    """Execute ``nb`` (merged) in place; returns {kinds, events, startup_seconds, cell_errors}."""
    trusted, budget = Trusted(salt), Budget()
    end = time.monotonic() + timeout * config.NOTEBOOK_BUDGET_CELLS
    run = {"kinds": {}, "events": [], "startup_seconds": [], "cell_errors": [], "notes": []}
    completed, restarts = [], 0

    def start(replay=()):
        k = Kernel(workdir, sandboxed=sandboxed, slot=slot)
        run["startup_seconds"].append(k.startup_seconds)
        for j in replay:
            k.deadline = min(time.monotonic() + timeout, end)
            k.run(nb.cells[j].source)
        return k

    try:
        kernel = start()
    except (KernelTimeout, KernelDied) as exc:  # the grader's failure (status error), not the student's
        raise RuntimeError(f"the kernel could not start: {exc.args[:1]}") from None
    try:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            cell.outputs, cell.execution_count = [], None
            if kernel is None or time.monotonic() >= end:
                run["kinds"][i] = "skipped"
                cell.outputs = [error_output("NotExecuted", "not run: the notebook used up its time budget, or "
                                             "the kernel kept timing out or dying earlier in the notebook")]
                continue
            kernel.deadline = min(time.monotonic() + timeout, end)
            try:
                if is_autograded_test(cell):
                    text, error = trusted.run_test(cell.source, kernel, kernel.deadline)
                    cell.outputs = budget.outputs([["stdout", text]] if text else [])
                else:
                    if is_locked(cell):
                        trusted.run_locked(cell.source, kernel.deadline)
                    else:  # the kernel runs plain Python
                        cell.source, removed = strip_ipython(cell.source)
                        run["notes"] += [f"not run by the grader: {line}" for line in removed]
                    reply = kernel.run(cell.source)
                    cell.outputs = budget.outputs(reply.get("outputs"))
                    error = _cell_error(reply.get("error"))
                    completed.append(i)
                    if error and not is_locked(cell):
                        run["cell_errors"].append({"cell": grade_id(cell) or f"cell {i + 1}",
                                                   "ename": error[0], "evalue": error[1]})
                if error:
                    cell.outputs.append(error_output(*error))
                run["kinds"][i] = "error" if error else "ok"
            except (KernelTimeout, KernelDied) as exc:
                kind = "timeout" if isinstance(exc, KernelTimeout) else "died"
                ename, evalue = STOPPED[kind]
                cell.outputs.append(error_output(ename, evalue.format(t=timeout, why=(exc.args or ["it ended"])[0])))
                run["kinds"][i] = kind
                run["events"].append({"cell": i, "kind": kind})
                kernel.kill()  # a timeout on the grader's side leaves it running
                kernel = None
                if restarts < max_restarts and time.monotonic() < end:
                    restarts += 1
                    try:
                        kernel = start(completed)
                    except (KernelTimeout, KernelDied) as again:
                        run["events"].append({"cell": i, "kind": "replay failed", "why": str(again.args[:1])})
    finally:
        if kernel is not None:
            kernel.kill()
    return run


def _cell_error(error):
    if type(error) is not dict:
        return None
    ename, evalue = str(error.get("type", "Error"))[:100], str(error.get("message", ""))[:500]
    line = error.get("line")
    if type(line) is int:
        evalue = f"{evalue} (line {line})".lstrip()
    if ename in ("ModuleNotFoundError", "ImportError"):
        evalue += IMPORT_HINT
    return ename, evalue


def grade_notebook(task):
    """task: dict with keys student, assignment, notebook, path (or None), master (dict), visible,
    data_files [(src, rel)], timeout, max_restarts, sandboxed, slot."""
    import nbformat

    t0 = time.monotonic()
    res = {k: task[k] for k in ("student", "assignment", "notebook")}
    res.update(status=config.GRADED, reason="", notes=[], nb=None, events=[], startup_seconds=[], seconds=0.0,
               kinds={}, cell_errors=[])
    path = task.get("path")
    if path is None:
        res.update(status=config.MISSING, reason="no submitted notebook")
        return res
    try:
        if Path(path).is_symlink():
            raise ValueError("it is a symbolic link, which the grader does not follow")
        raw = Path(path).read_bytes()
        student_nb = read_notebook(path)
    except (ValueError, OSError) as exc:
        res.update(status=config.INVALID, reason=f"{Path(path).name}: {exc}")
        return res
    workdir = Path(tempfile.mkdtemp(prefix="sub-", dir=task.get("sandbox_root")))
    try:
        nb, res["notes"] = merge(student_nb, nbformat.from_dict(task["master"]), task.get("visible"))
        for src, rel in task.get("data_files", []):
            dest = workdir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        salt = submission_salt(task["student"], task["assignment"], task["notebook"], raw)
        with np.printoptions(), np.errstate():  # locked cells may change them in this process
            run = run_notebook(nb, workdir, task["timeout"], task.get("max_restarts", config.DEFAULT_MAX_RESTARTS),
                               salt, task.get("sandboxed", True), task.get("slot", 0))
        res.update(events=run["events"], startup_seconds=run["startup_seconds"], cell_errors=run["cell_errors"],
                   kinds={str(k): v for k, v in run["kinds"].items()}, nb=dict(nb), notes=res["notes"] + run["notes"])
        kinds = [e["kind"] for e in run["events"]]
        if "timeout" in kinds:
            res.update(status=config.TIMEOUT,
                       reason=f"{kinds.count('timeout')} cell(s) exceeded {task['timeout']:g} s")
        elif "died" in kinds:
            res.update(status=config.KERNEL_DIED, reason=f"the kernel died {kinds.count('died')} time(s)")
    except Exception as exc:  # noqa: BLE001 - a grader failure must not lose the other submissions
        res.update(status=config.ERROR, reason=f"grader error: {type(exc).__name__}: {exc}",
                   traceback=traceback.format_exc())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        res["seconds"] = time.monotonic() - t0
    return res

