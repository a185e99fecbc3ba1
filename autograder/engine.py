"""Run the grading tasks on Dask: a local cluster by default, or an existing one.

One Dask task per submitted notebook. A task is plain data (the notebook's bytes, the
master notebook, the visible tests, the data files' bytes, the limits), so a worker
needs only the repository with its two venvs (``make setup``) and bubblewrap, never the
client's files. On the worker, :func:`run_task` writes them to a private temporary
folder and calls :func:`autograder.worker.grade_notebook`, which runs the student's code
in a sandbox of its own. Results come back to the client as they complete; the client
alone writes the gradebook (``handle`` is called in the client's thread).

A worker that dies mid-task loses nothing: the scheduler runs the task again on another
worker, from the start, with the notebook's whole time budget and kernel restarts (a
worker's death never counts against the submission). The student's code cannot cause
that: it runs in a separate sandboxed process that can end only itself (which counts as
one of the notebook's kernel restarts, inside the task). A task whose workers died
``allowed-failures + 1`` times becomes an ``error`` row ("re-grade it"), never a retry
loop: the local cluster allows 1 re-run, an existing cluster its scheduler's
``distributed.scheduler.allowed-failures`` (Dask's default: 3).

Sandbox slots (the per-worker uid of :mod:`sandbox`) are lock files under the temporary
folder: a task holds the lowest free slot of its host while it runs, whichever worker
process or thread it is in.
"""

import fcntl
import hashlib
import itertools
import logging
import multiprocessing
import os
import shutil
import stat
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from . import config

LOCAL_ALLOWED_FAILURES = 1  # a task whose local worker died twice is an error row


def run(tasks, handle, workers=2, scheduler=None):
    """Grade ``tasks`` (grade.py's task dicts) on Dask; ``handle(result)`` each as it completes.

    ``scheduler``: ``tcp://HOST:PORT`` of an existing cluster; None starts a local one of
    ``workers`` processes with one thread each, listening on 127.0.0.1 only.
    """
    try:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker
    except ImportError:
        raise SystemExit("grading runs on Dask: install it with .venv/bin/pip install -r requirements.txt") from None
    from .worker import grade_notebook

    with _client(workers, scheduler) as client:
        if scheduler:
            _check_workers(client, any(t.get("sandboxed", True) for t in tasks))
        todo, running, done = iter(tasks), {}, 0
        window = _window(client)
        futures = as_completed()

        def submit_next():
            """Submit the next task that needs a worker; False when none is left."""
            for task in todo:
                packed = pack(task, check_code=bool(scheduler))
                if packed is None:  # nothing of the student's to run: answered here
                    handle(grade_notebook(task))
                    continue
                fut = client.submit(run_task, packed, pure=False,
                                    key=f"grade-{task['student']}/{task['assignment']}/{task['notebook']}-"
                                        f"{uuid.uuid4().hex[:8]}")
                running[fut.key] = task
                futures.add(fut)
                return True
            return False

        while len(running) < window and submit_next():
            pass
        for fut in futures:
            task = running.pop(fut.key, None)
            if task is None:  # a result is handled once, whatever happened to its worker
                continue
            try:
                res = fut.result()
            except KilledWorker as exc:
                res = error_result(task, f"a grader worker process died each of the {exc.allowed_failures + 1} "
                                         "times this notebook was being graded (not the student's doing: "
                                         "re-grade it)")
            except Exception as exc:  # noqa: BLE001 - one failed task must not lose the others
                res = error_result(task, f"grader error: {type(exc).__name__}: {exc}")
            fut.release()
            handle(res)
            done += 1
            if done % 100 == 0:  # workers may have joined (an adaptive cluster)
                window = _window(client)
            while len(running) < window and submit_next():
                pass


@contextmanager
def _client(workers, scheduler):
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise SystemExit(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            client.close()
            raise SystemExit(f"no Dask worker joined the scheduler at {scheduler} within 60 s "
                             "(start some with `dask worker`, see autograder/README.md)") from None
        with client:
            yield client
        return
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"  # fast starts
    quiet = {"distributed.worker.multiprocessing-method": method,
             # the workers' own bookkeeping: no stack sampling, rarer health checks (CPU for grading)
             "distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s",
             "distributed.admin.system-monitor.interval": "5s"}
    with dask.config.set(quiet):
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", scheduler_port=0, dashboard_address=None, memory_limit=0,
                               silence_logs=logging.ERROR,
                               scheduler_kwargs={"allowed_failures": LOCAL_ALLOWED_FAILURES,
                                                 "dashboard_address": "127.0.0.1:0"})
    with cluster, Client(cluster) as client:
        yield client


def _window(client):
    """Tasks in flight: enough to keep every worker thread busy, few enough to bound memory."""
    return max(4, 2 * sum(client.nthreads().values()))


# ------------------------------------------------------------------------ the task as data
def pack(task, check_code=False):
    """``task`` as plain data (file contents instead of paths); None if no student code runs
    (no notebook, a symbolic link, an unreadable file: ``grade_notebook`` answers those at once).
    ``check_code``: the worker refuses it unless its grader code is the client's (another host)."""
    path = task.get("path")
    if path is None or Path(path).is_symlink():
        return None
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    packed = {k: v for k, v in task.items() if k not in ("path", "data_files", "sandbox_root")}
    packed.update(filename=Path(path).name, notebook_bytes=raw,
                  data=[(rel, _read_cached(src)) for src, rel in task.get("data_files", [])],
                  limits={"memory_bytes": config.KERNEL_MEMORY_BYTES, "file_bytes": config.KERNEL_FILE_BYTES},
                  code=code_digest() if check_code else None)
    return packed


_DATA = {}


def _read_cached(path):
    if path not in _DATA:
        _DATA[path] = Path(path).read_bytes()
    return _DATA[path]


def run_task(packed):
    """On a worker: materialise ``packed`` in a private temporary folder and grade it."""
    from . import worker

    if packed.get("code") and packed["code"] != code_digest():
        return error_result(packed, "this Dask worker runs another version of the grader than the client "
                                    "(update its repository)")
    config.KERNEL_MEMORY_BYTES = packed["limits"]["memory_bytes"]  # read by kernel.py at each start
    config.KERNEL_FILE_BYTES = packed["limits"]["file_bytes"]
    root = Path(tempfile.mkdtemp(prefix="autograder-task-"))
    root.chmod(0o711)  # the sandbox uid reaches its own folder inside; listing stays closed
    try:
        nb_path = root / "submitted" / packed["filename"]
        nb_path.parent.mkdir()
        nb_path.write_bytes(packed["notebook_bytes"])
        data_files = []
        for rel, content in packed["data"]:
            dest = root / "data" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(content)
            data_files.append((str(dest), rel))
        task = {k: v for k, v in packed.items() if k not in ("notebook_bytes", "data", "filename", "code")}
        task.update(path=str(nb_path), data_files=data_files, sandbox_root=str(root))
        with sandbox_slot() as slot:
            task["slot"] = slot
            return worker.grade_notebook(task)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def error_result(task, reason):
    return {"student": task["student"], "assignment": task["assignment"], "notebook": task["notebook"],
            "status": config.ERROR, "reason": reason, "notes": [], "nb": None}


def code_digest():
    """A hash of the grader's code, so that a worker running another version is caught."""
    if not _CODE:
        h = hashlib.sha256()
        for p in sorted(config.PACKAGE.glob("*.py")):
            h.update(p.name.encode() + b"\0" + p.read_bytes())
        _CODE.append(h.hexdigest()[:16])
    return _CODE[0]


_CODE = []


# ------------------------------------------------------------------------- the worker host
@contextmanager
def sandbox_slot():
    """The lowest sandbox slot that no other grading task on this host holds, held meanwhile."""
    folder = Path(tempfile.gettempdir()) / f"convblocks-sandbox-slots-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise RuntimeError(f"{folder} is not a folder of this user; remove it")
    for slot in itertools.count():
        fd = os.open(folder / f"{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield slot
        finally:
            os.close(fd)  # releases the lock
        return


def worker_problem(sandboxed):
    """Why this worker cannot grade (None if it can): run on each worker of an existing cluster."""
    from .sandbox import RUNTIME, available

    if not sandboxed:
        ok = os.path.lexists(RUNTIME / "venv" / "bin" / "python")
        return None if ok else f"the grading runtime {RUNTIME / 'venv'} is missing: run make setup"
    ok, why = available()
    return None if ok else f"cannot sandbox student code: {why}"


def _check_workers(client, sandboxed):
    problems = {addr: why for addr, why in client.run(worker_problem, sandboxed).items() if why}
    digests = client.run(code_digest)
    problems.update({addr: "runs another version of the grader than this client (update its repository)"
                     for addr, d in digests.items() if d != code_digest() and addr not in problems})
    if problems:
        raise SystemExit("Dask worker(s) cannot grade:\n" + "\n".join(f"  {a}: {w}" for a, w in problems.items()))
