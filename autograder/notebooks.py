"""Source notebooks → master (what the gradebook stores) and released versions; the merge.

The *master* of an assignment notebook is what ``nbgrader generate_assignment`` records in the gradebook
(SaveCells): solutions replaced by stubs, hidden tests in place, checksums computed. The *released* version
also drops the hidden tests and mark schemes. nbgrader's own preprocessors make both.

:func:`merge` restores a submission against the master with nbgrader's OverwriteCells semantics, made
robust: every locked cell (instructions, tests, hidden tests) comes from the master whatever the student did
to it (edited, retyped, moved, deleted); answer cells keep the student's source under the master's metadata;
cells the student added stay after the cell they followed; a copy of a test cell is dropped.
"""

import copy
import json
import re

from .config import MAX_NOTEBOOK_BYTES


def nbgrader_md(cell):
    md = cell.get("metadata", {}).get("nbgrader")
    return md if isinstance(md, dict) else {}


def grade_id(cell):
    gid = nbgrader_md(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def is_grade(cell):
    return bool(nbgrader_md(cell).get("grade"))


def is_solution(cell):
    return bool(nbgrader_md(cell).get("solution"))


def is_locked(cell):
    md = nbgrader_md(cell)
    return not md.get("solution") and bool(md.get("locked") or md.get("grade") or md.get("task"))


def is_autograded_test(cell):
    return cell.get("cell_type") == "code" and is_grade(cell) and not is_solution(cell)


def _run(preprocessors, nb, assignment_id, notebook_id, db_url=None):
    resources = {"nbgrader": {"assignment": assignment_id, "notebook": notebook_id,
                              "db_url": db_url or "sqlite://"}}
    for pp in preprocessors:
        nb, resources = pp.preprocess(nb, resources)
    return nb


def read_notebook(path):
    """Read a notebook file, raising ValueError with a readable reason if it is not one."""
    import nbformat  # here, not at the top: a re-run with nothing to grade never needs it
    with open(path, "rb") as fh:
        raw = fh.read(MAX_NOTEBOOK_BYTES + 1)
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the file is larger than {MAX_NOTEBOOK_BYTES / 2**20:.0f} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the file is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", None), list) \
            or not isinstance(data.get("nbformat"), int):
        raise ValueError("the file is JSON but not a Jupyter notebook (no 'cells' list or 'nbformat')")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any reader failure means an invalid notebook
        raise ValueError(f"the notebook cannot be read ({type(exc).__name__}: {exc})") from None
    for cell in nb.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise ValueError("the notebook has a cell of unknown type")
        if not isinstance(cell.get("source", ""), str):
            raise ValueError("the notebook has a cell whose source is not text")
        cell.setdefault("metadata", nbformat.NotebookNode())
        if not isinstance(cell.metadata, dict):
            cell.metadata = nbformat.NotebookNode()
    return nb


def make_master(source_nb, assignment_id, notebook_id, db_url=None, save=False):
    """nbgrader's generate_assignment chain up to SaveCells; with ``save`` the cells are
    recorded into the gradebook at ``db_url`` exactly as ``nbgrader generate_assignment`` does."""
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, ClearSolutions,
                                        ComputeChecksums, IncludeHeaderFooter, LockCells, SaveCells)
    nb = copy.deepcopy(source_nb)
    pps = [IncludeHeaderFooter(), LockCells(), ClearSolutions(), ClearOutput(), CheckCellMetadata(),
           ComputeChecksums()]
    if save:
        pps.append(SaveCells())
    return _run(pps, nb, assignment_id, notebook_id, db_url)


def make_released(master, assignment_id, notebook_id):
    from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme,
                                        ComputeChecksums)
    nb = copy.deepcopy(master)
    return _run([ClearHiddenTests(), ClearMarkScheme(), ComputeChecksums(), CheckCellMetadata()],
                nb, assignment_id, notebook_id)


def merge(student_nb, master, visible=None):
    """Return (merged notebook, notes).

    ``visible`` maps grade ids to the released source of their cells (what students
    were given: tests without their hidden part); a locked cell equal to either its
    master or its released source was not modified. ``notes`` lists what was restored
    or ignored (for the feedback and the instructor).
    """
    master_ids = {grade_id(cell): i for i, cell in enumerate(master.cells) if grade_id(cell) is not None}
    seen, head, after, current, notes = {}, [], {}, None, []
    tests = {src.strip() for g, src in (visible or {}).items()
             if g in master_ids and is_autograded_test(master.cells[master_ids[g]])}
    for cell in student_nb.cells:
        gid = grade_id(cell)
        if gid is not None and gid in master_ids and gid not in seen:
            seen[gid] = cell
            current = gid
            continue
        if cell.get("cell_type") == "code" and ((gid in seen and not is_solution(master.cells[master_ids[gid]]))
                                                or str(cell.get("source", "")).strip() in tests):
            notes.append(f"a copy of test cell {gid + ' ' if gid else ''}was ignored (the grader runs each test once)")
            continue
        extra = copy.deepcopy(cell)
        if "nbgrader" in extra.get("metadata", {}):
            del extra.metadata["nbgrader"]
        (after.setdefault(current, []) if current is not None else head).append(extra)

    cells = list(head)
    for gid, i in master_ids.items():
        mcell = master.cells[i]
        scell = seen.get(gid)
        new = copy.deepcopy(mcell)
        if is_solution(mcell) and scell is None:
            notes.append(f"answer cell {gid} was missing from the submission; graded as unanswered")
        elif is_solution(mcell):
            new.source = scell.get("source", "")
            if scell.get("cell_type") != mcell.cell_type:
                notes.append(f"answer cell {gid} had its type changed; restored to {mcell.cell_type}")
        elif scell is None:
            notes.append(f"cell {gid} was missing from the submission; restored from the source")
        elif scell.get("source", "") not in (mcell.source, (visible or {}).get(gid, mcell.source)) \
                or scell.get("cell_type") != mcell.cell_type:
            notes.append(f"cell {gid} had been modified; restored from the source")
        cells += [new, *after.get(gid, [])]

    import nbformat
    merged = nbformat.v4.new_notebook()
    merged.metadata = copy.deepcopy(master.metadata)
    merged.cells = cells
    for cell in merged.cells:
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    merged.nbformat, merged.nbformat_minor = 4, 4
    return merged, notes


_IPYTHON_LINE = re.compile(r"^(\s*)(%|!|[A-Za-z_][\w.,\s]*=\s*[!%])")


def strip_ipython(source):
    """Python only: the kernel runs plain Python, so IPython syntax (``%magic``, ``%%cell magic``,
    ``!shell``, ``x = !cmd``) is commented out. Returns (source, [removed lines])."""
    lines = source.split("\n")
    first = next((ln for ln in lines if ln.strip()), "")
    if first.lstrip().startswith("%%"):
        return "pass  # [grader] a %% cell magic is not run", [first.strip()]
    out, removed = [], []
    for ln in lines:
        m = _IPYTHON_LINE.match(ln)
        if m:
            out.append(f"{m.group(1)}pass  # [grader] not run: {ln.strip()}")
            removed.append(ln.strip())
        else:
            out.append(ln)
    return "\n".join(out), removed
