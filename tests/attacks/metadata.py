"""Tampering with the notebook's structure: points, grade flags, grade ids, cell types, kernelspec.

Promise (README, grading step 2 and the issue's design): what is graded, and for how many
points, comes from the source notebook in solutions/, never from the submitted file. Every
row's max_score is checked against the source for all students, these included.
"""

from nbformat.v4 import new_code_cell

from . import attack

PS02 = "ps02_conv_arithmetic"
FROM_SOURCE = ("test cells, points and grade ids come from the source notebook; the submitted "
               "file's metadata changes nothing")


def _nbg(cell):
    return cell.setdefault("metadata", {}).setdefault("nbgrader", {})


def _is_test(cell):
    md = cell.get("metadata", {}).get("nbgrader", {})
    return md.get("grade") and not md.get("solution") and cell.get("cell_type") == "code"


def _is_answer(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("solution")


def inflate_points(nb, ctx):
    for c in nb.cells:
        if _is_test(c):
            _nbg(c)["points"] = 100
        elif _is_answer(c):
            _nbg(c).update(grade=True, points=50)
    nb.metadata.setdefault("nbgrader", {})["total_points"] = 10_000
    return nb


def flip_flags(nb, ctx):
    for c in nb.cells:
        if _is_test(c):
            _nbg(c).update(grade=False, locked=False, solution=True)
            c.source = 'print("visible tests passed")'
            c.metadata["editable"] = True
            c.metadata["deletable"] = True
    return nb


def rotate_grade_ids(nb, ctx):
    tests = [c for c in nb.cells if _is_test(c)]
    ids = [_nbg(c)["grade_id"] for c in tests]
    for c, gid in zip(tests, ids[1:] + ids[:1]):
        _nbg(c)["grade_id"] = gid
        c.source = "pass"
    for c in nb.cells:                         # and give the answer cells test ids of their own
        if _is_answer(c) and c.cell_type == "code":
            _nbg(c)["grade_id"] = _nbg(c)["grade_id"].replace("_code", "_tests")
            _nbg(c).update(grade=True, points=5)
    return nb


def change_cell_types(nb, ctx):
    tests = [c for c in nb.cells if _is_test(c)]
    for i, c in enumerate(tests):
        c.cell_type = "markdown" if i % 2 else "raw"
        c.pop("outputs", None)
        c.pop("execution_count", None)
    return nb


def fake_test_cells(nb, ctx):
    real = [c for c in nb.cells if _is_test(c)]
    ids = [_nbg(c)["grade_id"] for c in real]
    nb.cells = [c for c in nb.cells if not _is_test(c)]     # delete every real test cell
    for gid in ids + ["atk_bonus_1", "atk_bonus_2"]:
        cell = new_code_cell("print('visible tests passed')", metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": True, "points": 100, "grade_id": gid,
            "schema_version": 3, "cell_type": "code"}})
        cell.pop("id", None)
        nb.cells.append(cell)
    return nb


def foreign_kernel(nb, ctx):
    nb.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    nb.metadata["language_info"] = {"name": "bash"}
    for c in nb.cells:
        c.metadata["tags"] = ["raises-exception", "skip-execution", "remove-cell"]
        if _is_test(c):
            _nbg(c)["checksum"] = "0" * 32
    return nb


ATTACKS = [
    attack("atk_meta_points", PS02, FROM_SOURCE, "every test cell worth 100 points, every answer cell "
           "made a graded cell worth 50, a notebook-level total", "every item 0; max_score as in "
           "the source", edit=inflate_points),
    attack("atk_meta_flags", PS02, FROM_SOURCE, "test cells marked solution (unlocked, grade=False) "
           "and replaced by a print of 'visible tests passed'", "every item 0", edit=flip_flags),
    attack("atk_meta_grade_ids", PS02, FROM_SOURCE, "test cells' grade ids rotated and their code "
           "replaced by `pass`; answer cells renamed to the test ids and marked graded",
           "every item 0", edit=rotate_grade_ids),
    attack("atk_meta_cell_types", PS02, FROM_SOURCE, "test cells turned into markdown and raw cells",
           "every item 0", edit=change_cell_types),
    attack("atk_meta_fake_tests", PS02, FROM_SOURCE, "every test cell deleted and re-added at the "
           "end as a print with the same grade id and 100 points, plus two bonus test cells",
           "every item 0; no bonus item in the gradebook", edit=fake_test_cells),
    attack("atk_meta_kernel", PS02, "the grader runs its own kernel, whatever the notebook asks for",
           "kernelspec bash, language_info bash, tags raises-exception/skip-execution/remove-cell on "
           "every cell, wrong checksums on the test cells",
           "every item 0", edit=foreign_kernel),
]
