"""Grade one submitted notebook (runs in a worker process; never touches the gradebook).

The worker reads the submitted file, merges it with the master (locked and test
cells restored, hidden tests included), scans the student's code, executes the
merged notebook in a fresh sandboxed kernel, and returns everything the parent
needs to score it: the executed notebook (outputs capped), what happened
(timeouts, kernel deaths), the integrity findings and the restore notes.
"""

import shutil
import time
import traceback
from pathlib import Path

from . import config
from .integrity import neutralize, scan_cells
from .kernel import Sandbox, execute
from .notebooks import merge, read_notebook


def grade_notebook(task):
    """task: dict with keys student, assignment, notebook, path (or None), master (dict),
    data_files [(src, rel)], timeout, max_restarts, sandbox_root, mpl_cache."""
    import nbformat

    t0 = time.monotonic()
    res = {k: task[k] for k in ("student", "assignment", "notebook")}
    res.update(status=config.GRADED, reason="", notes=[], integrity=[], nb=None, events=[],
               startup_seconds=[], seconds=0.0, kinds={})
    path = task.get("path")
    if path is None:
        res.update(status=config.MISSING, reason="no submitted notebook")
        return res
    try:
        student_nb = read_notebook(path)
    except (ValueError, OSError) as exc:
        res.update(status=config.INVALID, reason=f"{Path(path).name}: {exc}")
        return res
    sandbox = None
    try:
        master = nbformat.from_dict(task["master"])
        merged, notes, student_idx = merge(student_nb, master, task.get("visible"))
        for i in student_idx:
            merged.cells[i].source, removed = neutralize(merged.cells[i].source)
            notes += [f"not run by the grader: {line}" for line in removed]
        res["notes"] = notes
        res["integrity"] = scan_cells(merged.cells, student_idx)
        sandbox = Sandbox(task.get("sandbox_root"), task.get("mpl_cache"))
        # the working copy holds only what the notebook needs: the submission and the
        # assignment's data files (as nbgrader copies them), never the gradebook or sources
        shutil.copyfile(path, sandbox.nb_dir / f"{task['notebook']}.ipynb")
        for src, rel in task.get("data_files", []):
            dest = sandbox.nb_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        nb = nbformat.from_dict(merged)
        run = execute(nb, sandbox, task["timeout"], task.get("max_restarts", config.DEFAULT_MAX_RESTARTS))
        res["events"] = run["events"]
        res["startup_seconds"] = run["startup_seconds"]
        res["kinds"] = {str(k): v for k, v in run["kinds"].items()}
        res["student_cells"] = student_idx
        res["nb"] = nb
        kinds = [e["kind"] for e in run["events"]]
        if res["integrity"]:
            res["status"] = config.INTEGRITY
            res["reason"] = "; ".join(f["finding"] for f in res["integrity"][:5])
        elif "timeout" in kinds:
            res["status"] = config.TIMEOUT
            res["reason"] = f"{kinds.count('timeout')} cell(s) exceeded {task['timeout']:g} s"
        elif "died" in kinds:
            res["status"] = config.KERNEL_DIED
            res["reason"] = f"the kernel died {kinds.count('died')} time(s)"
    except Exception as exc:  # noqa: BLE001 - a grader failure must not lose the other submissions
        res.update(status=config.ERROR, reason=f"grader error: {type(exc).__name__}: {exc}",
                   traceback=traceback.format_exc())
    finally:
        if sandbox is not None:
            sandbox.cleanup()
        res["seconds"] = time.monotonic() - t0
    if res.get("nb") is not None:
        res["nb"] = dict(res["nb"])  # plain dict for pickling
    return res


def warm_up():
    """Run once per worker process: import what grading needs before the clock starts."""
    import jupyter_client  # noqa: F401
    import jupyter_client.manager  # noqa: F401
    import nbformat  # noqa: F401
    return True
