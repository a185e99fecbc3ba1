"""nbgrader configuration of the Conv Blocks course, for plain nbgrader commands run in this folder (``cd
autograder && nbgrader db student list``) or given ``--JupyterApp.config_file=autograder/nbgrader_config.py``.

Sources are ``solutions/``, released notebooks ``exercises/`` (both tracked; ``python -m autograder release``
makes them and checks determinism). Everything nbgrader writes (submitted/, autograded/, the gradebook, the
log) lives in the working folder outside the tracked tree, ``$AUTOGRADER_WORK`` or else ``autograder/work/``
(gitignored): the default ``--out`` of ``python -m autograder grade``, so nbgrader sees what it writes.
formgrader is a Jupyter server extension, not an nbgrader command: ``python -m autograder formgrader [DIR]``
starts it on a grading folder, with that folder's own nbgrader_config.py.
"""

import os
import sys
from pathlib import Path

_here = Path(__file__).resolve().parent
_repo = _here.parent
_work = Path(os.environ.get("AUTOGRADER_WORK") or _here / "work").resolve()
_work.mkdir(parents=True, exist_ok=True)

# nbgrader shells out to `alembic` to create a gradebook: use the one of this Python
_bin = str(Path(sys.executable).parent)
if os.environ.get("PATH", "").split(os.pathsep)[:1] != [_bin]:
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "convblocks"
c.CourseDirectory.root = str(_repo)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# absolute paths: os.path.join(root, <absolute>) keeps them outside the repository
c.CourseDirectory.submitted_directory = str(_work / "submitted")
c.CourseDirectory.autograded_directory = str(_work / "autograded")
# the grader's pages of exchange submissions, staged for `nbgrader release_feedback` (exports.py)
c.CourseDirectory.feedback_directory = str(_work / "exchange_feedback")
c.CourseDirectory.solution_directory = str(_work / "source_with_solutions")
c.CourseDirectory.db_url = f"sqlite:///{_work / 'gradebook.db'}"
c.NbGrader.logfile = str(_work / ".nbgrader.log")

# the grader's own choices, for plain `nbgrader autograde` too
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True
c.LimitOutput.max_lines = 1000
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# nbgrader's own feedback renders the autograded notebook, hidden tests included (the grader writes feedback/)
c.GenerateFeedback.preprocessors = ["autograder.formgrader.RefuseGenerateFeedback"]
