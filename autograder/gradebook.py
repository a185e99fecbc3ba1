"""The one nbgrader gradebook, written only by the grader process, replaced atomically.

``GradebookWriter`` loads ``DIR/gradebook.db`` into an in-memory SQLite database of
the grader process, writes through nbgrader's own ``Gradebook`` API and
``SaveCells``/``SaveAutoGrades`` preprocessors, and on ``commit()`` writes a temporary
file next to the original and atomically renames it over the original.
A crash or Ctrl-C before that leaves the original untouched; other students' rows
are never deleted; re-grading a student updates only that student's grades (manual
grades an instructor already gave are kept and flagged for review, as nbgrader does).
A lock file serialises concurrent grader runs on the same DIR.
"""

import fcntl
import os
import secrets
import sqlite3
from pathlib import Path

from . import config


def _alembic_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    cfg = Config()
    cfg.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(cfg).get_current_head()


def patch_nbgrader_alembic():
    """nbgrader shells out to an `alembic` found on PATH to create a gradebook; compute the
    same revision in-process instead (works from the venv whatever PATH says)."""
    import nbgrader.api

    if getattr(nbgrader.api.get_alembic_version, "_autograder", False):
        return
    head = _alembic_head()

    def get_alembic_version():
        return head

    get_alembic_version._autograder = True
    nbgrader.api.get_alembic_version = get_alembic_version
    config.ensure_venv_on_path()


def open_gradebook(db_url):
    import warnings

    patch_nbgrader_alembic()
    from nbgrader.api import Gradebook
    with warnings.catch_warnings():
        # SQLAlchemy notes that it picks a pool for the in-memory database by itself
        warnings.filterwarnings("ignore", message=".*SingletonThreadPool.*")
        return Gradebook(db_url)


class GradebookWriter:
    def __init__(self, path):
        self.path = Path(path).resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.path.parent / ".gradebook.lock", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"another grader run is using {self.path}; wait for it to finish") from None
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        # the working copy lives in memory (a shared-cache SQLite database of this process):
        # nothing on disk for student code to find and change while the run goes on
        name = f"autograder_gb_{os.getpid()}_{secrets.token_hex(8)}"
        self._mem_uri = f"file:{name}?mode=memory&cache=shared"
        self._keeper = sqlite3.connect(self._mem_uri, uri=True)
        if self.path.exists():
            src = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                src.backup(self._keeper)
            finally:
                src.close()
        patch_nbgrader_alembic()
        self.db_url = f"sqlite:///file:{name}?mode=memory&cache=shared&uri=true"
        with open_gradebook(self.db_url) as gb:
            gb.engine.dispose()  # creates the schema (and alembic stamp) in a new gradebook

    # -- assignments --------------------------------------------------------------------
    def register(self, assignment_id, masters):
        """Record the assignment and its notebooks' cells like `nbgrader generate_assignment`."""
        from nbgrader.api import MissingEntry

        from .notebooks import make_master
        with open_gradebook(self.db_url) as gb:
            try:
                gb.find_assignment(assignment_id)
            except MissingEntry:
                gb.add_assignment(assignment_id)
        import warnings
        for notebook_id, source_nb in masters.items():
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*SingletonThreadPool.*")
                make_master(source_nb, assignment_id, notebook_id, db_url=self.db_url, save=True)

    # -- results ------------------------------------------------------------------------
    def _gb(self):
        if getattr(self, "_gradebook", None) is None:
            self._gradebook = open_gradebook(self.db_url)
        return self._gradebook

    def _release_gb(self):
        gb = getattr(self, "_gradebook", None)
        if gb is not None:
            gb.close()
            gb.engine.dispose()
            self._gradebook = None

    def save(self, student, assignment, notebook_results):
        """Write one student's graded notebooks of one assignment; returns the scores.

        Scores are decided by nbgrader's own SaveAutoGrades logic (utils.determine_grade),
        run on one open gradebook for speed."""
        import nbformat
        from nbgrader.preprocessors import SaveAutoGrades

        gb = self._gb()
        gb.update_or_create_student(student)
        gb.update_or_create_submission(assignment, student)
        for notebook_id, nb in notebook_results.items():
            if nb is None:  # a notebook of the assignment the student did not hand in: zero
                sub = gb.find_submission_notebook(notebook_id, assignment, student)
                for grade in sub.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
                gb.db.commit()
                continue
            pp = SaveAutoGrades()
            pp.notebook_id, pp.assignment_id, pp.student_id = notebook_id, assignment, student
            pp.db_url = self.db_url
            pp.gradebook = gb
            resources = {"nbgrader": {"assignment": assignment, "notebook": notebook_id,
                                      "student": student, "db_url": self.db_url}}
            nb = nbformat.from_dict(nb)
            for i, cell in enumerate(nb.cells):
                pp.preprocess_cell(cell, resources, i)
        return self.scores(student, assignment)

    def scores(self, student, assignment):
        gb = self._gb()
        sub = gb.find_submission(assignment, student)
        items = {}
        for snb in sub.notebooks:
            for g in snb.grades:
                items[g.name] = {"notebook": snb.name, "score": g.score, "max_score": g.max_score,
                                 "auto_score": g.auto_score, "manual_score": g.manual_score,
                                 "needs_manual_grade": bool(g.needs_manual_grade)}
        return {"score": float(sub.score), "max_score": float(sub.max_score),
                "needs_manual_grade": bool(sub.needs_manual_grade), "items": items}

    def commit(self):
        """Write the gradebook to a temporary file next to it, then atomically rename it."""
        self._release_gb()
        if self.tmp.exists():
            self.tmp.unlink()
        dest = sqlite3.connect(self.tmp)
        try:
            self._keeper.backup(dest)
        finally:
            dest.close()
        with open(self.tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(self.tmp, self.path)

    def abort(self):
        self._release_gb()
        if self.tmp.exists():
            self.tmp.unlink()

    def close(self):
        try:
            self._keeper.close()
            fcntl.flock(self._lock, fcntl.LOCK_UN)
        finally:
            self._lock.close()

