"""`release` (solutions/ → exercises/ with nbgrader generate_assignment) and `validate`."""

import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import config

SKIP = {".nbgrader.log", "gradebook.db", ".ipynb_checkpoints", "__pycache__"}


def list_assignments(source):
    return sorted(d.name for d in Path(source).iterdir()
                  if d.is_dir() and not d.name.startswith(".") and any(d.glob("*.ipynb")))


def generate(assignments, source, dest):
    """Run `nbgrader generate_assignment` for each assignment into ``dest`` (a fresh folder).

    The run happens in a scratch course folder with its own throwaway gradebook and an
    isolated Jupyter config, so it is deterministic and touches nothing else.
    """
    source = Path(source).resolve()
    dest = Path(dest).resolve()
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "jupyter"), JUPYTER_DATA_DIR=str(tmp / "jdata"),
                   JUPYTER_CONFIG_PATH=str(tmp / "jupyter"), JUPYTER_PATH=str(tmp / "jdata"),
                   IPYTHONDIR=str(tmp / "ipython"),
                   PATH=config.venv_bin() + os.pathsep + os.environ.get("PATH", ""))
        env.pop("AUTOGRADER_WORK", None)
        release_dir = tmp / "release"
        # one nbgrader run for all of them when all are asked for (nbgrader's start-up is slow)
        runs = ["*"] if sorted(assignments) == list_assignments(source) else list(assignments)
        for a in runs:
            cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", a, "--force", "--create",
                   "--log-level=WARN", f"--CourseDirectory.root={tmp}",
                   f"--CourseDirectory.source_directory={source}",
                   f"--CourseDirectory.release_directory={release_dir}",
                   f"--CourseDirectory.db_url=sqlite:///{tmp / 'gradebook.db'}"]
            p = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit(f"nbgrader generate_assignment {a} failed:\n{p.stdout}\n{p.stderr}")
        for a in assignments:
            src = release_dir / a
            if not src.is_dir():
                raise SystemExit(f"nbgrader generate_assignment produced nothing for {a}")
            for f in sorted(src.rglob("*")):
                if f.is_dir() or set(f.relative_to(src).parts) & SKIP:
                    continue
                target = dest / a / f.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                data = f.read_bytes()
                if f.suffix == ".ipynb" and not data.endswith(b"\n"):
                    data += b"\n"
                target.write_bytes(data)
    return dest


def release(assignments=None, source=None, dest=None, check=False, stream=sys.stdout):
    source = Path(source or config.SOLUTIONS)
    dest = Path(dest or config.EXERCISES)
    ids = assignments or list_assignments(source)
    if not ids:
        print(f"no assignments in {source}", file=stream)
        return 1
    with tempfile.TemporaryDirectory(prefix="autograder-release-out-") as tmp:
        generate(ids, source, tmp)
        problems = drift(Path(tmp), dest, ids) if check else []
        for a in [] if check else ids:
            shutil.rmtree(dest / a, ignore_errors=True)
            shutil.copytree(Path(tmp) / a, dest / a)
            print(f"released {a} -> {dest / a}", file=stream)
    if problems:
        print("exercises/ is out of date with solutions/ (run `python -m autograder release`):", file=stream)
        print("\n".join(problems), file=stream)
        return 1
    if check:
        print(f"exercises/ matches solutions/ ({len(ids)} assignment(s))", file=stream)
    return 0


def drift(fresh, committed, ids):
    problems = []
    for a in ids:
        new_files = {p.relative_to(fresh / a) for p in (fresh / a).rglob("*") if p.is_file()}
        old_files = {p.relative_to(committed / a) for p in (committed / a).rglob("*") if p.is_file()}
        old_files = {p for p in old_files if not set(p.parts) & SKIP}
        for p in sorted(new_files - old_files):
            problems.append(f"  missing: {committed / a / p}")
        for p in sorted(old_files - new_files):
            problems.append(f"  not produced by the release (remove it): {committed / a / p}")
        for p in sorted(new_files & old_files):
            if not filecmp.cmp(fresh / a / p, committed / a / p, shallow=False):
                diff = list(difflib.unified_diff(
                    (committed / a / p).read_text(errors="replace").splitlines(),
                    (fresh / a / p).read_text(errors="replace").splitlines(),
                    f"committed/{a}/{p}", f"regenerated/{a}/{p}", lineterm="", n=1))
                problems.append(f"  differs: {committed / a / p}\n" + "\n".join(
                    "    " + d for d in diff[:40]) + ("\n    ..." if len(diff) > 40 else ""))
    return problems


# ------------------------------------------------------------------------------ validate
def validate(path, source=None, hidden=False, timeout=config.DEFAULT_TIMEOUT, stream=sys.stdout):
    """Run a notebook the way the grader does and report its test cells; 0 only if every test passes.

    Without ``hidden`` the notebook runs as it is (what a student sees: visible tests).
    With ``hidden`` it is first merged with its assignment's master (locked cells and
    hidden tests restored). Student code runs in a sandbox when this machine has one.
    """
    from .feedback import failure_message
    from .grade import Assignment
    from .notebooks import grade_id, is_autograded_test, is_grade, merge, read_notebook
    from .sandbox import RUNTIME, available
    from .worker import run_notebook

    path = Path(path)
    try:
        nb = read_notebook(path)
    except (ValueError, OSError) as exc:
        print(f"INVALID {path}: {exc}", file=stream)
        return 2
    source = Path(source or config.SOLUTIONS)
    src_path = next((source / a / path.name for a in ([path.parent.name] + (
        list_assignments(source) if source.is_dir() else [])) if (source / a / path.name).is_file()), None)
    notes = []
    if src_path is not None:
        asg = Assignment(src_path.parent)
        merged, notes = merge(nb, asg.masters[path.stem], asg.visible[path.stem])
        if hidden:
            nb = merged
    elif hidden:
        print(f"note: no source for {path.name} under {source}; running it as it is", file=stream)
    sandboxed, why = available()
    if not sandboxed:
        if not (RUNTIME / "venv" / "bin" / "python").is_file():
            print(f"cannot run {path}: the grading runtime {RUNTIME / 'venv'} is missing (run `make setup`)", file=stream)
            return 2
        print(f"note: no sandbox on this machine ({why}); the notebook runs as a plain process", file=stream)
    with tempfile.TemporaryDirectory(prefix="autograder-validate-") as tmp:
        # the data files the assignment ships (digits.npz ...) sit beside the notebook, as when grading
        for data in sorted(path.resolve().parent.iterdir()):
            if data.is_file() and not data.is_symlink() and data.suffix != ".ipynb":
                shutil.copyfile(data, Path(tmp) / data.name)
        run = run_notebook(nb, Path(tmp), timeout, sandboxed=sandboxed)
    lines = []
    for i, cell in enumerate(nb.cells):
        if not is_autograded_test(cell):
            lines += [f"  [manual] {grade_id(cell)}"] if is_grade(cell) else []
            continue
        msg = failure_message(cell) or ("" if run["kinds"].get(i) == "ok" else run["kinds"].get(i, "not run"))
        lines.append(f"  FAIL {grade_id(cell)}: {msg}" if msg else f"  ok   {grade_id(cell)}")
    passed = sum(line.startswith("  ok") for line in lines)
    failed = sum(line.startswith("  FAIL") for line in lines)
    print(f"{path}: {passed} test cell(s) passed, {failed} failed"
          + (f" ({'with hidden tests' if hidden else 'visible tests only'})" if src_path else ""), file=stream)
    lines += [f"  error in {c['cell']}: {c['ename']}: {c['evalue']}" for c in run["cell_errors"]]
    for line in lines + [f"  warning: {n}" for n in notes + run["notes"]]:
        print(line, file=stream)
    ok = failed == 0 and not run["cell_errors"]
    print("VALID" if ok else "NOT VALID", file=stream)
    return 0 if ok else 1
