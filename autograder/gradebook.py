"""The one nbgrader gradebook, written only by the grader process, replaced atomically.

``GradebookWriter`` loads ``DIR/gradebook.db`` into an in-memory SQLite database of the grader process,
writes through nbgrader's own ``Gradebook`` API and ``SaveCells``/``SaveAutoGrades`` preprocessors, and on
``commit()`` copies it into the original file in one SQLite transaction (the same file, so a formgrader that
has it open sees the new grades and goes on writing to it; a rename would leave it writing to a deleted file).
A crash or Ctrl-C before or during that leaves the original as it was; other students' rows are never
deleted; re-grading a student updates only that student's grades (hand grades already given are kept:
flagged for review, as nbgrader does, when the written answer changed since, left as they are when not).
What an instructor does in formgrader while a run goes on (hand grades, comments, flags, students) is
merged in at commit. `grade` holds DIR's lock, so one run at a time writes here.
"""

import json
import os
import secrets
import sqlite3
import warnings
from pathlib import Path

from . import config
from .notebooks import grade_id, is_grade, is_solution, make_master

# what an instructor changes in formgrader (kept when a run commits: see GradebookWriter.commit)
MANUAL_FIELDS = {"grade": ("manual_score", "extra_credit", "needs_manual_grade"), "comment": ("manual_comment",),
                 "submitted_notebook": ("flagged",), "student": ("first_name", "last_name", "email", "lms_user_id")}


def manual_state(con):
    """{table: (fields, {id: values})} of MANUAL_FIELDS in an open sqlite3 connection."""
    state = {}
    for table, fields in MANUAL_FIELDS.items():
        cols = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
        fields = [f for f in fields if f in cols]
        if fields:
            rows = con.execute(f"SELECT id, {', '.join(fields)} FROM {table}")
            state[table] = (fields, {r[0]: tuple(r[1:]) for r in rows})
    return state


def _answers(nb):
    """{grade_id: source} of the written-answer cells of a notebook."""
    return {grade_id(c): c.get("source", "") for c in nb.get("cells", []) if is_grade(c) and is_solution(c)}


def patch_nbgrader_alembic():
    """nbgrader shells out to an `alembic` found on PATH to create a gradebook; compute the
    same revision in-process instead (works from the venv whatever PATH says)."""
    import nbgrader.api
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    if getattr(nbgrader.api.get_alembic_version, "_autograder", False):
        return
    cfg = Config()
    cfg.set_main_option("script_location", ALEMBIC_DIR)
    head = ScriptDirectory.from_config(cfg).get_current_head()

    def get_alembic_version():
        return head

    get_alembic_version._autograder = True
    nbgrader.api.get_alembic_version = get_alembic_version
    config.ensure_venv_on_path()


def open_gradebook(db_url):
    patch_nbgrader_alembic()
    from nbgrader.api import Gradebook
    with warnings.catch_warnings():
        # SQLAlchemy notes that it picks a pool for the in-memory database by itself
        warnings.filterwarnings("ignore", message=".*SingletonThreadPool.*")
        return Gradebook(db_url)


def read_scores(db, student=None, assignment=None):
    """Every submission's scores in an open gradebook session ``db`` (or only ``student``'s ``assignment``).

    Returns ``{(student, assignment): {"score", "max_score", "manual_pending", "items"}}``: ``score``
    includes hand grades, ``manual_pending`` counts the items flagged ``needs_manual_grade`` (the
    flag formgrader shows) and ``items`` maps each item to its ``score``, ``auto_score``,
    ``manual_score``, ``needs_manual_grade`` and ``comment``. Three queries on nbgrader's own score
    expressions, where its lazy loads per submission, notebook and grade took seconds.
    """
    from nbgrader.api import Assignment, BaseCell, Comment, Grade, SubmittedAssignment, SubmittedNotebook

    def of_submissions(query, table=None):
        if table is not None:
            query = (query.join(BaseCell, table.cell_id == BaseCell.id)
                     .join(SubmittedNotebook, table.notebook_id == SubmittedNotebook.id)
                     .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id))
        query = query.join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
        if student is not None:
            query = query.filter(SubmittedAssignment.student_id == student, Assignment.name == assignment)
        return query

    out = {(s, a): {"score": 0.0, "max_score": float(top), "manual_pending": 0, "items": {}}
           for s, a, top in of_submissions(db.query(SubmittedAssignment.student_id, Assignment.name,
                                                    Assignment.max_score))}
    comments = {(nb, name): text for nb, name, text in of_submissions(
        db.query(SubmittedNotebook.id, BaseCell.name, Comment.manual_comment), Comment)}
    for s, a, nb, name, score, auto, manual, flagged in of_submissions(db.query(
            SubmittedAssignment.student_id, Assignment.name, SubmittedNotebook.id, BaseCell.name, Grade.score,
            Grade.auto_score, Grade.manual_score, Grade.needs_manual_grade), Grade):
        entry = out[(s, a)]
        entry["items"][name] = {"score": score, "auto_score": auto, "manual_score": manual,
                                "needs_manual_grade": bool(flagged), "comment": comments.get((nb, name))}
        entry["score"] += score or 0.0
        entry["manual_pending"] += bool(flagged)
    return out


class GradebookWriter:
    def __init__(self, path):
        self.path = Path(path).resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # the working copy lives in memory (a shared-cache SQLite database of this process):
        # nothing on disk for student code to find and change while the run goes on
        name = f"autograder_gb_{os.getpid()}_{secrets.token_hex(8)}"
        self._keeper = sqlite3.connect(f"file:{name}?mode=memory&cache=shared", uri=True)
        if self.path.exists():
            src = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                src.backup(self._keeper)
            finally:
                src.close()
        self.db_url = f"sqlite:///file:{name}?mode=memory&cache=shared&uri=true"
        with open_gradebook(self.db_url) as gb:
            gb.engine.dispose()  # creates the schema (and alembic stamp) in a new gradebook
        self._manual_at_start = manual_state(self._keeper)
        self._gradebook = None
        self.committed = False

    # -- assignments --------------------------------------------------------------------
    def register(self, assignment_id, masters):
        """Record the assignment and its notebooks' cells like `nbgrader generate_assignment`."""
        from nbgrader.api import MissingEntry

        with open_gradebook(self.db_url) as gb:
            try:
                gb.find_assignment(assignment_id)
            except MissingEntry:
                gb.add_assignment(assignment_id)
        for notebook_id, source_nb in masters.items():
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*SingletonThreadPool.*")
                make_master(source_nb, assignment_id, notebook_id, db_url=self.db_url, save=True)

    # -- results ------------------------------------------------------------------------
    def _gb(self):
        if self._gradebook is None:
            self._gradebook = open_gradebook(self.db_url)
        return self._gradebook

    def _release_gb(self):
        if self._gradebook is not None:
            self._gradebook.close()
            self._gradebook.engine.dispose()
            self._gradebook = None
        self.committed = False

    def save(self, student, assignment, notebook_results):
        """Write one student's graded notebooks of one assignment; returns the scores.

        The grades are nbgrader's: its SaveAutoGrades preprocessor's rules (``utils.determine_grade``,
        "No response." for an unchanged answer), applied with one lookup per notebook instead of
        a query and a commit per cell."""
        import nbformat
        from nbgrader import utils

        gb = self._gb()
        try:
            gb.update_or_create_student(student)
            gb.update_or_create_submission(assignment, student)
            for notebook_id, nb in notebook_results.items():
                sub = gb.find_submission_notebook(notebook_id, assignment, student)
                grades, comments = {g.name: g for g in sub.grades}, {c.name: c for c in sub.comments}
                if nb is None:  # a notebook of the assignment the student did not hand in: zero
                    for grade in grades.values():
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                    continue
                # the written answers formgrader showed when the hand grades were given, and what was flagged then
                previous = self.path.parent / "autograded" / student / assignment / f"{notebook_id}.ipynb"
                try:
                    graded = _answers(json.loads(previous.read_text(encoding="utf-8")))
                except (OSError, ValueError, TypeError, AttributeError):  # none yet, or unreadable
                    graded = {}
                flagged = {name: bool(g.needs_manual_grade) for name, g in grades.items()}
                for cell in nbformat.from_dict(nb).cells:
                    if utils.is_grade(cell):
                        grade = grades[grade_id(cell)]
                        grade.auto_score = utils.determine_grade(cell)[0]
                        # a hand-graded item goes back for review, unless it is a written answer whose text
                        # is exactly the one that was graded (and that was not waiting for review already)
                        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                        if (grade.manual_score is not None and utils.is_solution(cell)
                                and graded.get(grade_id(cell)) == cell.source and not flagged[grade_id(cell)]):
                            grade.needs_manual_grade = False
                    if utils.is_solution(cell) or utils.is_task(cell):
                        unanswered = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
                        comments[grade_id(cell)].auto_comment = (
                            "No response." if unanswered and not utils.is_task(cell) else None)
            gb.db.commit()
        except Exception:
            gb.db.rollback()  # none of this row's grades, rather than a part of them
            raise
        return self.scores(student, assignment)

    def scores(self, student, assignment):
        """The submission's entry of :func:`read_scores`."""
        return read_scores(self._gb().db, student, assignment)[(student, assignment)]

    def commit(self):
        """Copy the gradebook into DIR/gradebook.db in one SQLite transaction (journalled and synced:
        a crash leaves the old or the new gradebook), after merging in what formgrader changed there
        since the run began."""
        self._release_gb()
        dest = sqlite3.connect(self.path, timeout=60)
        try:
            self._merge_manual_edits(dest)
            self._keeper.backup(dest)
        finally:
            dest.close()
        self.committed = True

    def _merge_manual_edits(self, dest):
        """Hand grades, comments, flags and students changed in the file during the run win over the
        copy this run started from (a grade flagged for review by this run stays flagged)."""
        start = self._manual_at_start
        for table, (fields, rows) in manual_state(dest).items():
            known = start.get(table, (fields, {}))[1]
            for id_, values in rows.items():
                if known.get(id_) == values:
                    continue
                if id_ not in known and table != "student":
                    continue  # a row another program created meanwhile: not ours to keep
                values = list(values)
                if table == "grade":
                    mine = self._keeper.execute("SELECT needs_manual_grade FROM grade WHERE id = ?", (id_,)).fetchone()
                    values[fields.index("needs_manual_grade")] = bool(values[fields.index("needs_manual_grade")]) or (
                        mine is not None and bool(mine[0]) and not known.get(id_, (None,) * 3)[2])
                sets = ", ".join(f"{f} = ?" for f in fields)
                if self._keeper.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values, id_)).rowcount == 0 \
                        and table == "student":
                    self._keeper.execute(f"INSERT INTO student (id, {', '.join(fields)}) VALUES "
                                         f"(?{', ?' * len(fields)})", (id_, *values))
        self._keeper.commit()

    def close(self):
        """Drop the working copy (what was not committed is lost)."""
        self._release_gb()
        self._keeper.close()
