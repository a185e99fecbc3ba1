"""Paths and defaults shared by the grader, the release command and nbgrader_config.py.

Everything the grader writes lives outside the tracked tree: the working folder is
``$AUTOGRADER_WORK`` if set, else ``autograder/work/`` (gitignored).
"""

import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
SOLUTIONS = REPO / "solutions"
EXERCISES = REPO / "exercises"


def work_dir() -> Path:
    return Path(os.environ.get("AUTOGRADER_WORK") or PACKAGE / "work").resolve()


# statuses of a (student, assignment) row in grades.csv
GRADED, TIMEOUT, KERNEL_DIED, INVALID, MISSING, ERROR = (
    "graded", "timeout", "kernel_died", "invalid_notebook", "missing", "error")
STATUSES = (GRADED, TIMEOUT, KERNEL_DIED, INVALID, MISSING, ERROR)
# rows with these statuses have no score (an ungradable submission never looks like a zero)
NO_SCORE = (INVALID, MISSING, ERROR)
# rows with these statuses make `grade` exit non-zero (something could not be graded)
FAILING = (TIMEOUT, KERNEL_DIED, INVALID, ERROR)

DEFAULT_TIMEOUT = 30.0          # seconds per cell
DEFAULT_MAX_RESTARTS = 10       # kernel restarts per notebook after a timeout/death (within its budget)
MAX_OUTPUT_CHARS = 100_000      # per cell, kept in the graded notebook
MAX_OUTPUTS = 100               # outputs per cell
MAX_NOTEBOOK_OUTPUT_CHARS = 1_000_000  # all cells of a notebook together
MAX_NOTEBOOK_OUTPUTS = 1_000
MAX_NOTEBOOK_BYTES = 200 * 2**20  # larger submitted files are refused as invalid
NOTEBOOK_BUDGET_CELLS = 10      # a notebook may run for at most this many cell timeouts in total
# per-sandbox limits (memory, largest file written)
KERNEL_MEMORY_BYTES = int(float(os.environ.get("AUTOGRADER_KERNEL_MEMORY_MB", "2048")) * 2**20)
KERNEL_FILE_BYTES = int(float(os.environ.get("AUTOGRADER_KERNEL_FILE_MB", "64")) * 2**20)


def venv_bin() -> str:
    return str(Path(sys.executable).parent)


def ensure_venv_on_path() -> None:
    """nbgrader shells out to `alembic` when it creates a gradebook: make the venv's win."""
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[:1] != [venv_bin()]:
        os.environ["PATH"] = venv_bin() + os.pathsep + path
