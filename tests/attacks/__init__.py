"""The attack corpus of issue 9: submissions that try to break the grader's promises.

Written black-box, against the promises of the issue and the instructor README, not
against the grader's code. Each attack is a dict made by ``attack()``:

- ``name``        the student folder (``atk_...``; honest students are ``honest_...``,
                  ``victim_...``); ``assignment`` the assignment it is handed in for.
- ``promise``     the grader promise it tests; ``attack`` what it does; ``expect`` the outcome.
- ``base``        ``"release"`` (every answer a stub) or ``"solution"`` (every answer right).
- ``cells``       {grade_id: new source, or f(solution source) -> new source} for answer cells.
- ``answers``     source put into the first answer cell, every other answer cell emptied:
                  how an attack defines all functions and values at once (an attack placed
                  after the stubs would be overwritten by them before the tests run).
- ``insert``      [(grade_id or None, source)]: new cells after that cell (None: at the end).
- ``edit``        f(notebook, ctx) -> notebook, for metadata tampering.
- ``layout``      f(submissions_folder, ctx): extra files, folders and symlinks of the upload.
- ``targets``     test grade_ids that must score 0 (``ALL``: every autograded test cell).
- ``honest``      test grade_ids that must keep full points (``REST``: all but the targets
                  and the ``unchecked`` ones, whose outcome the issue leaves open).
- ``status``      the row status it must end with, when the issue says which.
- ``student``     the student folder, when one student hands in several assignments;
                  ``submit=False``: no notebook is written (the ``layout`` is the attack).
- ``must_print`` / ``must_not_print``: strings that must / must not appear in the outputs
                  of the student's own cells in the executed notebook (probes report there).

Placeholders such as ``@MARKER@`` are explained in ``attacks.snippets``.
"""

import importlib

ALL = "ALL"
REST = "REST"

MODULES = ["forgery", "library", "leaks", "neighbours", "resources", "wire", "metadata", "plain_data",
           "discovery", "honest"]


def attack(name, assignment, promise, attack, expect, *, base="release", answers=None, cells=None,
           insert=(), edit=None, layout=None, targets=ALL, honest=(), unchecked=(), must_print=(),
           must_not_print=(), submit=True, student=None, status=None):
    return dict(name=name, student=student or name, assignment=assignment, promise=promise,
                attack=attack, expect=expect, base=base, answers=answers, cells=dict(cells or {}),
                insert=list(insert), edit=edit, layout=layout, unchecked=list(unchecked), status=status,
                targets=targets, honest=honest, must_print=list(must_print),
                must_not_print=list(must_not_print), submit=submit)


def corpus():
    """Every attack and honest submission of every module, in a stable order."""
    out = []
    for mod in MODULES:
        out.extend(importlib.import_module(f"{__name__}.{mod}").ATTACKS)
    names = [a["name"] for a in out]
    assert len(names) == len(set(names)), "two attacks share a student name"
    return out
