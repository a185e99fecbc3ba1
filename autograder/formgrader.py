"""`python -m autograder formgrader DIR`: nbgrader's formgrader on the gradebook `grade --out DIR` wrote.

nbgrader 0.9 has no ``nbgrader formgrader`` command: formgrader is a Jupyter server extension that reads
the nbgrader configuration of the folder the server starts in. So this writes ``DIR/nbgrader_config.py``
(course root, gradebook, autograded notebooks and feedback pages all in DIR, the assignment sources) and
starts ``jupyter server`` in DIR on 127.0.0.1 with a fresh token and only that extension. Plain nbgrader
commands run in DIR (``nbgrader db student list``, ``nbgrader release_feedback ...``) use the same file.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import config

COURSE_ID = "convblocks"
CONFIG_NAME = "nbgrader_config.py"


def course_config(out_dir, source=None):
    """Write DIR/nbgrader_config.py pointing nbgrader at DIR; returns its path."""
    out_dir = Path(out_dir).resolve()
    source = Path(source or config.SOLUTIONS).resolve()
    text = f'''"""nbgrader configuration of this grading folder (written by `python -m autograder formgrader`).

Run nbgrader commands from this folder (`nbgrader db student list`, `nbgrader release_feedback
ASSIGNMENT --Exchange.root=...`): they then work on the gradebook and pages `grade --out` wrote here.
"""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {COURSE_ID!r}
c.CourseDirectory.root = {str(out_dir)!r}
c.CourseDirectory.db_url = {"sqlite:///" + str(out_dir / "gradebook.db")!r}
# absolute: os.path.join(root, <absolute>) keeps the course's own sources where they are
c.CourseDirectory.source_directory = {str(source)!r}
c.CourseDirectory.release_directory = {str(config.EXERCISES)!r}
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
# our pages of the submissions nbgrader collected, with its timestamp/secret files (release_feedback reads them)
c.CourseDirectory.feedback_directory = "exchange_feedback"
# nbgrader's own feedback renders the autograded notebook, hidden tests included: refuse it here
c.GenerateFeedback.preprocessors = ["autograder.formgrader.RefuseGenerateFeedback"]
c.NbGrader.logfile = {str(out_dir / ".nbgrader.log")!r}
'''
    path = out_dir / CONFIG_NAME
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


class RefuseGenerateFeedback:
    """Stands in for nbgrader's generate_feedback preprocessors in DIR/nbgrader_config.py.

    nbgrader's feedback is the autograded notebook as HTML, and ours holds the hidden tests
    (they run on the grader's side); the safe pages are DIR/feedback/ (`grade` writes them).
    """

    def __call__(self, nb, resources):
        raise RuntimeError("nbgrader's generate_feedback is turned off for this course: it would show the hidden "
                           "tests. Students' pages are in feedback/ (written by `python -m autograder grade`); "
                           "see autograder/README.md, 'Handing feedback back'.")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(out_dir, port, token):
    """The `jupyter server` command line (formgrader the only nbgrader extension)."""
    extensions = {"nbgrader.server_extensions.formgrader": True,
                  "nbgrader.server_extensions.assignment_list": False,
                  "nbgrader.server_extensions.course_list": False,
                  "nbgrader.server_extensions.validate_assignment": False}
    return [sys.executable, "-m", "jupyter_server", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={Path(out_dir).resolve()}",
            f"--IdentityProvider.token={token}"] + ["--allow-root"] * (os.geteuid() == 0) + [
            f"--ServerApp.jpserver_extensions={name}={on}" for name, on in extensions.items()]


def start(out_dir, port=None, source=None, ready_seconds=120):
    """Start the server; returns (process, url with token) once formgrader answers.

    The caller stops it (``stop(process)``). The server's log goes to DIR/.formgrader.log.
    """
    try:
        import jupyter_server  # noqa: F401
        import nbgrader.server_extensions.formgrader  # noqa: F401
    except ImportError as exc:
        raise SystemExit(f"formgrader needs jupyter_server and nbgrader ({exc}): "
                         "`.venv/bin/pip install -r requirements.txt`") from None
    out_dir = Path(out_dir).resolve()
    if not (out_dir / "gradebook.db").is_file():
        raise SystemExit(f"{out_dir}: no gradebook.db; run `python -m autograder grade SUBMISSIONS --out "
                         f"{out_dir}` first")
    course_config(out_dir, source)
    port = port or _free_port()
    token = secrets.token_hex(24)
    env = dict(os.environ)
    env["PATH"] = config.venv_bin() + os.pathsep + env.get("PATH", "")  # nbgrader runs `alembic`
    # the server imports this very autograder (the config above names one of its classes)
    env["PYTHONPATH"] = os.pathsep.join([str(config.REPO)] + [p for p in [env.get("PYTHONPATH")] if p])
    log = out_dir / ".formgrader.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(server_command(out_dir, port, token), cwd=out_dir, env=env,
                                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ready_seconds
    while True:
        if proc.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise SystemExit(f"jupyter server exited with code {proc.returncode} before formgrader answered "
                             f"on port {port}; the end of {log}:\n{tail}")
        try:
            req = urllib.request.Request(f"{base}/formgrader/api/status",
                                         headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            stop(proc)
            raise SystemExit(f"formgrader did not answer on {base} within {ready_seconds} s")
        time.sleep(0.3)
    return proc, f"{base}/formgrader?token={token}"


def stop(proc):
    """End the server (its process group) and wait for it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def serve(out_dir, port=None, source=None):
    """`python -m autograder formgrader DIR`: start, print the URL, run until Ctrl-C."""
    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)  # `kill PID` stops the server too
    proc, url = start(out_dir, port=port, source=source)
    out_dir = Path(out_dir).resolve()
    print(f"formgrader on {out_dir} (jupyter server PID {proc.pid}, log {out_dir / '.formgrader.log'}):\n"
          f"    {url}\n(Ctrl-C stops it)", flush=True)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop(proc)
