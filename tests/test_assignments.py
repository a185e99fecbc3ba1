"""Every assignment in solutions/, graded by the real pipeline.

One grading run (module fixture) holds, for each assignment: the solution notebook
(full marks on autograded items), the released exercise (zero), and every buggy
submission of tests/buggy_submissions/<id>.py (points lost exactly on its `fails`
items, its `message` in the feedback). Also: exercises/ matches a fresh release and
leaks no solution code or hidden test.
"""

import html
import re
from pathlib import Path

import pytest

import grading_support as gs
from autograder import config
from autograder.notebooks import grade_id, is_autograded_test

SOLUTIONS = gs.REPO / "solutions"
EXERCISES = gs.REPO / "exercises"
ASSIGNMENTS = sorted(d.name for d in SOLUTIONS.iterdir()
                     if d.is_dir() and any(d.glob("*.ipynb"))) if SOLUTIONS.is_dir() else []

pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no assignments in solutions/ yet")


def _source(a):
    return gs.load(SOLUTIONS / a / f"{a}.ipynb")


def _auto_items(nb):
    return {grade_id(c): float(c.metadata.nbgrader["points"]) for c in nb.cells if is_autograded_test(c)}


def _bug_student(bug):
    return "bug-" + re.sub(r"[^\w-]", "_", bug["name"])


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    from autograder.release import generate
    return generate(ASSIGNMENTS, SOLUTIONS, tmp_path_factory.mktemp("released"))


@pytest.fixture(scope="module")
def graded(released, tmp_path_factory):
    from autograder.grade import grade

    tmp = tmp_path_factory.mktemp("class")
    subs = tmp / "subs"
    for a in ASSIGNMENTS:
        sol = _source(a)
        gs.write_submission(subs, "solution", a, sol)
        gs.write_submission(subs, "released", a, gs.load(released / a / f"{a}.ipynb"))
        for bug in gs.load_bugs(a):
            gs.write_submission(subs, _bug_student(bug), a, gs.with_cell(sol, bug["cell"], bug["source"]))
    out = tmp / "out"
    code, rows = grade(subs, out, source=SOLUTIONS, workers=2, timeout=60, quiet=True)
    return {"out": out, "rows": gs.read_rows(out), "grades": gs.gradebook_grades(out)}


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_solution_gets_full_marks(graded, a):
    row = graded["rows"][("solution", a)]
    items = _auto_items(_source(a))
    got = {g: graded["grades"].get(("solution", a, g)) for g in items}
    assert row["status"] == config.GRADED, row
    assert got == items, (got, html.unescape(gs.feedback(graded["out"], "solution", a)))


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_released_exercise_gets_zero(graded, a):
    row = graded["rows"][("released", a)]
    assert row["status"] == config.GRADED, row
    assert float(row["auto_score"]) == 0, row


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_buggy_submissions_lose_points_on_the_right_items(graded, a):
    bugs = gs.load_bugs(a)
    assert len(bugs) >= 5, f"tests/buggy_submissions/{a}.py needs at least five BUGS (has {len(bugs)})"
    items = _auto_items(_source(a))
    problems = []
    for bug in bugs:
        student = _bug_student(bug)
        row = graded["rows"][(student, a)]
        if row["status"] != config.GRADED:
            problems.append(f"{bug['name']}: status {row['status']} ({row['detail']})")
            continue
        for g, pts in items.items():
            score = graded["grades"].get((student, a, g))
            if g in bug["fails"] and not (score is not None and score < pts):
                problems.append(f"{bug['name']}: {g} should lose points but scored {score}/{pts}")
            if g not in bug["fails"] and score != pts:
                problems.append(f"{bug['name']}: {g} should keep full marks but scored {score}/{pts}")
        unknown = set(bug["fails"]) - set(items)
        if unknown:
            problems.append(f"{bug['name']}: fails names unknown test cells {sorted(unknown)}")
        # the diagnostic shown for a failed item (not just anywhere on the page)
        msgs = {g: html.unescape(m) for g, m in re.findall(
            r"<h3>([^<]*)</h3><pre class='msg'>(.*?)</pre>", gs.feedback(graded["out"], student, a), re.S)}
        if not any(bug["message"] in msgs.get(g, "") for g in bug["fails"]):
            problems.append(f"{bug['name']}: message {bug['message']!r} not in the feedback of {bug['fails']}; "
                            "it says: " + " | ".join(f"{g}: {m[:300]}" for g, m in msgs.items()))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_feedback_never_shows_hidden_tests(graded, a):
    hidden = gs.hidden_lines(_source(a))
    students = {s for s, aa in graded["rows"] if aa == a and graded["rows"][(s, aa)]["status"] != config.MISSING}
    for s in students:
        page = html.unescape(gs.feedback(graded["out"], s, a))
        leaked = [ln for ln in hidden if ln in page]
        assert not leaked, (s, leaked[:3])


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_exercise_leaks_no_solution_or_hidden_test(released, a):
    nb = _source(a)
    for folder in (released, EXERCISES):
        path = folder / a / f"{a}.ipynb"
        if not path.is_file():
            continue
        text = "\n".join(c.source for c in gs.load(path).cells)
        leaked = [ln for ln in gs.hidden_lines(nb) + gs.solution_lines(nb) if ln in text]
        assert not leaked, (str(path), leaked[:3])


def test_exercises_match_a_fresh_release(released):
    from autograder.release import drift

    assert EXERCISES.is_dir(), "exercises/ is missing: run `python -m autograder release`"
    problems = drift(Path(released), EXERCISES, ASSIGNMENTS)
    extra = sorted(d.name for d in EXERCISES.iterdir() if d.is_dir() and d.name not in ASSIGNMENTS)
    assert not problems and not extra, (
        "exercises/ is out of date with solutions/: run `python -m autograder release`\n"
        + "\n".join(problems) + ("\n  no source for: " + ", ".join(extra) if extra else ""))


def _secrets(nb):
    """What must never be published: hidden-test lines that use the checker or its seeds,
    and any three consecutive lines of a solution block (single generic lines such as
    `import numpy as np` are not secrets)."""
    marks = ("ck.", "checker(", "default_rng(", "mistakes")
    found = [ln for ln in gs.hidden_lines(nb) if any(m in ln for m in marks)]
    for c in nb.cells:
        block, inside = [], False
        for ln in c.source.splitlines():
            if "BEGIN SOLUTION" in ln:
                inside, block = True, []
            elif "END SOLUTION" in ln:
                inside = False
            elif inside and len(ln.strip()) >= 10 and not ln.strip().startswith("#"):
                block.append(ln.strip())
                if len(block) >= 3:
                    found.append("\n".join(block[-3:]))
    return found


def _page_text(path):
    text = path.read_text(errors="replace")
    if path.suffix == ".html":
        text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(ln.strip() for ln in html.unescape(text).splitlines() if ln.strip())


def test_site_leaks_no_solution_or_hidden_test(built_site):
    """The published site (built from scratch by the shared fixture) holds no secret."""
    secrets = {sec: a for a in ASSIGNMENTS for sec in _secrets(_source(a))}
    leaks = []
    for page in Path(built_site).rglob("*"):
        if page.is_file() and page.suffix in (".html", ".ipynb", ".txt", ".md", ".py", ".js", ".json"):
            text = _page_text(page)
            leaks += [f"{page.relative_to(built_site)}: {sec!r} ({a})" for sec, a in secrets.items() if sec in text]
    assert not leaks, "\n".join(leaks[:20])
