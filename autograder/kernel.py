"""Run notebook cells in a fresh, isolated IPython kernel with per-cell timeouts and a hard kill.

Each :class:`Sandbox` is a throwaway folder holding the kernel's cwd (``nb/``), its
HOME, IPYTHONDIR, Jupyter dirs, TMPDIR, matplotlib config and a private copy of the
packages hidden tests import (``autograder.checks``, ``convblocks``), so that nothing
one submission does on disk can reach another submission, the gradebook or the
course folder through relative paths. The kernel is started in its own process group
over IPC sockets and killed with SIGKILL to the whole group: ``os._exit``, infinite
loops and loops that ignore SIGINT all end within the cell timeout.
"""

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import config
from .config import MAX_OUTPUT_CHARS, PACKAGE, REPO

KERNEL_ARGV = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
               "--HistoryManager.enabled=False", "--IPKernelApp.log_level=ERROR",
               "--IPKernelApp.capture_fd_output=False"]

_SUPPORT_PACKAGES = {"autograder": ["__init__.py", "checks.py"]}


def _support_source():
    """Packages the kernel may import from its private copy: autograder.checks and convblocks."""
    out = {"autograder": (PACKAGE, _SUPPORT_PACKAGES["autograder"])}
    try:
        import importlib.util
        spec = importlib.util.find_spec("convblocks")
        if spec and spec.submodule_search_locations:
            out["convblocks"] = (Path(list(spec.submodule_search_locations)[0]), None)
    except Exception:  # noqa: BLE001
        pass
    if "convblocks" not in out and (REPO / "convblocks").is_dir():
        out["convblocks"] = (REPO / "convblocks", None)
    return out


class Sandbox:
    """A throwaway working copy for one submission."""

    def __init__(self, root=None, mpl_cache=None):
        self.path = Path(tempfile.mkdtemp(prefix="sub-", dir=root))
        self.nb_dir = self.path / "nb"
        for d in ("nb", "home", "ipython", "jupyter/config", "jupyter/data", "jupyter/runtime",
                  "tmp", "mpl", "lib", "kernels/grader"):
            (self.path / d).mkdir(parents=True, exist_ok=True)
        for name, (src, files) in _support_source().items():
            dest = self.path / "lib" / name
            if files is None:
                shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "demos",
                                                                         "tests", "*.egg-info"))
            else:
                dest.mkdir()
                for f in files:
                    shutil.copy2(src / f, dest / f)
        if mpl_cache:
            for f in Path(mpl_cache).glob("fontlist*.json"):
                shutil.copy2(f, self.path / "mpl" / f.name)
        import json
        (self.path / "kernels/grader/kernel.json").write_text(json.dumps(
            {"argv": KERNEL_ARGV, "display_name": "grader", "language": "python"}))

    def env(self):
        p = self.path
        threads = "1"
        env = {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": str(p / "home"),
            "USERPROFILE": str(p / "home"),
            "IPYTHONDIR": str(p / "ipython"),
            "JUPYTER_CONFIG_DIR": str(p / "jupyter/config"),
            "JUPYTER_DATA_DIR": str(p / "jupyter/data"),
            "JUPYTER_RUNTIME_DIR": str(p / "jupyter/runtime"),
            "JUPYTER_PATH": str(p / "jupyter/data"),
            "JUPYTER_CONFIG_PATH": str(p / "jupyter/config"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "TMPDIR": str(p / "tmp"),
            "MPLCONFIGDIR": str(p / "mpl"),
            "MPLBACKEND": "Agg",
            "PYTHONPATH": str(p / "lib"),
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "NBGRADER_EXECUTION": "autograde",
            "OMP_NUM_THREADS": threads,
            "OPENBLAS_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads,
            "NUMEXPR_NUM_THREADS": threads,
        }
        return env

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


class CellResult:
    __slots__ = ("kind", "outputs", "reply_status", "seconds", "truncated")

    def __init__(self, kind, outputs, reply_status=None, seconds=0.0, truncated=0):
        self.kind = kind              # ok | error | timeout | died
        self.outputs = outputs
        self.reply_status = reply_status
        self.seconds = seconds
        self.truncated = truncated


class _Outputs:
    """Collects iopub outputs with a character cap (the grader never holds 50 MB)."""

    def __init__(self, cap):
        self.cap = cap
        self.used = 0
        self.dropped = 0
        self.outputs = []

    def _take(self, text):
        room = self.cap - self.used
        if len(text) <= room:
            self.used += len(text)
            return text
        kept = text[:max(room, 0)]
        self.used = self.cap
        self.dropped += len(text) - len(kept)
        return kept

    def stream(self, name, text):
        kept = self._take(text)
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += kept
        elif kept or name == "stderr":
            # an empty stderr stream is still recorded: nbgrader scores any stderr output as a failure
            self.outputs.append({"output_type": "stream", "name": name, "text": kept})

    def data(self, msg_type, content):
        data = content.get("data", {}) or {}
        size = sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())
        if size > self.cap - self.used:
            data = {"text/plain": self._take(str(data.get("text/plain", ""))[:2000])}
            self.dropped += size
        else:
            self.used += size
        out = {"output_type": msg_type, "data": data, "metadata": content.get("metadata", {}) or {}}
        if msg_type == "execute_result":
            out["execution_count"] = content.get("execution_count")
        self.outputs.append(out)

    def error(self, content):
        tb = [str(t)[:2000] for t in (content.get("traceback") or [])][-60:]
        self.outputs.append({"output_type": "error", "ename": str(content.get("ename", ""))[:200],
                             "evalue": str(content.get("evalue", ""))[:4000], "traceback": tb})

    def finish(self):
        if self.dropped:
            note = f"\n... [output truncated by the grader: {self.dropped} characters dropped]\n"
            for out in reversed(self.outputs):
                if out["output_type"] == "stream":
                    out["text"] += note
                    break
            else:
                self.outputs.append({"output_type": "stream", "name": "stdout", "text": note})
        return self.outputs


def wait_for_ready(kc, km, timeout):
    """Like BlockingKernelClient.wait_for_ready without its 0.2 s IOPub flush: the kernel
    is ready when it answered kernel_info on shell *and* IOPub carried the request's status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mid = kc.kernel_info()
        reply = iopub = False
        attempt_end = min(deadline, time.monotonic() + 1.0)
        while time.monotonic() < attempt_end and not (reply and iopub):
            if not reply:
                try:
                    msg = kc.get_shell_msg(timeout=0.02)
                    reply = msg.get("parent_header", {}).get("msg_id") == mid
                except queue.Empty:
                    pass
            if not iopub:
                try:
                    msg = kc.get_iopub_msg(timeout=0.02)
                    iopub = msg.get("parent_header", {}).get("msg_id") == mid
                except queue.Empty:
                    pass
        if reply and iopub:
            return
        if not km.is_alive():
            raise RuntimeError("the kernel died during start-up")
    raise TimeoutError(f"the kernel did not start within {timeout:g} s")


class Zygote:
    """The per-worker kernel launcher (autograder/zygote.py): forks pre-imported kernels."""

    _instance = None

    def __init__(self):
        import json
        self._json = json
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL")}
        env.update({"PYTHONNOUSERSITE": "1", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
                    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                    "NUMEXPR_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
        self.cwd = "/"  # every kernel moves to its own sandbox
        self.proc = subprocess.Popen([sys.executable, str(PACKAGE / "zygote.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=self.cwd,
                                     start_new_session=True, text=True, bufsize=1)

    @classmethod
    def get(cls):
        if cls._instance is None or cls._instance.proc.poll() is not None:
            cls._instance = cls()
        return cls._instance

    def spawn(self, cwd, env, connection_file, args):
        req = {"cwd": cwd, "env": env, "connection_file": connection_file, "args": args,
               "rlimits": {"RLIMIT_AS": config.KERNEL_MEMORY_BYTES, "RLIMIT_FSIZE": config.KERNEL_FILE_BYTES,
                           "RLIMIT_CORE": 0},
               "pythonpath": [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]}
        self.proc.stdin.write(self._json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the kernel launcher (zygote) died")
        return int(self._json.loads(line)["pid"])


def use_zygote():
    return os.environ.get("AUTOGRADER_ZYGOTE", "1") != "0" and hasattr(os, "fork")


class _ProcessHandle:
    """Liveness of a kernel that is not our child (forked by the zygote)."""

    def __init__(self, pid):
        self.pid = pid

    def is_alive(self):
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        try:  # a zombie is dead too (only if the zygote has not reaped it yet)
            with open(f"/proc/{self.pid}/stat") as fh:
                return fh.read().split(")")[-1].split()[0] != "Z"
        except OSError:
            return True


class Kernel:
    """One fresh kernel process in a sandbox."""

    def __new__(cls, sandbox, startup_timeout=60.0):
        if cls is Kernel and use_zygote():
            try:
                return ForkedKernel(sandbox, startup_timeout)
            except Exception:  # noqa: BLE001 - fall back to a cold start
                pass
        return super().__new__(cls)

    def __init__(self, sandbox, startup_timeout=60.0):
        if getattr(self, "_ready", False):
            return
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpecManager

        self.sandbox = sandbox
        ksm = KernelSpecManager(kernel_dirs=[str(sandbox.path / "kernels")])
        self.km = KernelManager(kernel_name="grader", kernel_spec_manager=ksm, transport="ipc",
                                ip=str(sandbox.path / "jupyter/runtime/k"))
        self.km.connection_file = str(sandbox.path / "jupyter/runtime/kernel.json")
        t0 = time.monotonic()
        self.km.start_kernel(cwd=str(sandbox.nb_dir), env=sandbox.env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pid = self.km.provisioner.process.pid if self.km.provisioner else None
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            wait_for_ready(self.kc, self.km, startup_timeout)
        except Exception:
            self.kill()
            raise
        self.startup_seconds = time.monotonic() - t0
        self.exec_count = 0
        self._ready = True

    def alive(self):
        try:
            return self.km.is_alive()
        except Exception:  # noqa: BLE001
            return False

    def run(self, code, timeout, cap=MAX_OUTPUT_CHARS):
        """Execute one cell; returns a CellResult (kind ok/error/timeout/died)."""
        kc = self.kc
        t0 = time.monotonic()
        deadline = t0 + timeout
        msg_id = kc.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        out = _Outputs(cap)
        idle = False
        last_alive_check = t0
        while not idle:
            now = time.monotonic()
            if now >= deadline:
                return CellResult("timeout", out.finish(), None, now - t0, out.dropped)
            try:
                msg = kc.get_iopub_msg(timeout=min(0.25, deadline - now))
            except queue.Empty:
                if not self.alive():
                    return CellResult("died", out.finish(), None, time.monotonic() - t0, out.dropped)
                continue
            if now - last_alive_check > 1.0:
                last_alive_check = now
                if not self.alive():
                    return CellResult("died", out.finish(), None, time.monotonic() - t0, out.dropped)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            t = msg["msg_type"]
            c = msg["content"]
            if t == "status":
                idle = c.get("execution_state") == "idle"
            elif t == "stream":
                out.stream(c.get("name", "stdout"), str(c.get("text", "")))
            elif t in ("display_data", "execute_result"):
                out.data(t, c)
            elif t == "error":
                out.error(c)
            elif t == "clear_output":
                out.outputs = []
        # the reply (status ok/error) was sent before the idle status
        status = None
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            try:
                reply = kc.get_shell_msg(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                status = reply["content"].get("status")
                break
        self.exec_count += 1
        kind = "error" if status != "ok" or any(o["output_type"] == "error" for o in out.outputs) else "ok"
        return CellResult(kind, out.finish(), status, time.monotonic() - t0, out.dropped)

    def kill(self):
        """SIGKILL to the kernel's whole process group, then release sockets and files."""
        pid = getattr(self, "pid", None)
        try:
            if pid:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        try:
            self.kc.stop_channels()
        except Exception:  # noqa: BLE001
            pass
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass
        try:
            self.km.cleanup_resources()
        except Exception:  # noqa: BLE001
            pass


class ForkedKernel(Kernel):
    """A kernel forked by the worker's zygote (same isolation, ~10x faster start)."""

    def __new__(cls, sandbox, startup_timeout=60.0):
        return object.__new__(cls)

    def __init__(self, sandbox, startup_timeout=60.0):
        if getattr(self, "_ready", False):
            return
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        self.sandbox = sandbox
        t0 = time.monotonic()
        conn = str(sandbox.path / "jupyter/runtime/kernel.json")
        write_connection_file(conn, transport="ipc", ip=str(sandbox.path / "jupyter/runtime/k"))
        argv = KERNEL_ARGV[5:]
        self.pid = Zygote.get().spawn(str(sandbox.nb_dir), sandbox.env(), conn, argv)
        self.km = _ProcessHandle(self.pid)
        self.kc = BlockingKernelClient()
        self.kc.load_connection_file(conn)
        self.kc.start_channels()
        try:
            wait_for_ready(self.kc, self.km, startup_timeout)
        except Exception:
            self.kill()
            raise
        self.startup_seconds = time.monotonic() - t0
        self.exec_count = 0
        self._ready = True

    def kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        try:
            self.kc.stop_channels()
        except Exception:  # noqa: BLE001
            pass


def error_output(ename, evalue):
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]}


def execute(nb, sandbox, timeout, max_restarts=2, log=None):
    """Execute the code cells of ``nb`` (a dict notebook) in place.

    Returns a dict: per-cell kinds, events (timeouts/deaths), kernel start-up seconds.
    After a timeout or a kernel death the kernel is killed, a fresh one replays the
    cells that had completed, and execution continues after the failed cell.
    """
    code_cells = [i for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "code"]
    kinds = {}
    events = []
    startups = []
    completed = []
    kernel = None
    restarts = 0

    def start():
        k = Kernel(sandbox)
        startups.append(k.startup_seconds)
        return k

    budget_end = time.monotonic() + timeout * config.NOTEBOOK_BUDGET_CELLS
    try:
        kernel = start()
        pos = 0
        while pos < len(code_cells):
            i = code_cells[pos]
            cell = nb["cells"][i]
            left = budget_end - time.monotonic()
            if left <= 0:
                events.append({"cell": i, "kind": "timeout", "budget": True})
                break
            res = kernel.run(cell.get("source", ""), min(timeout, left))
            cell["outputs"] = res.outputs
            cell["execution_count"] = kernel.exec_count if res.kind in ("ok", "error") else None
            kinds[i] = res.kind
            pos += 1
            if res.kind in ("ok", "error"):
                completed.append(i)
                continue
            # timeout or death: record it in the cell, restart, replay, continue
            if res.kind == "timeout":
                msg = (f"this cell did not finish within {timeout:g} s; the grader stopped the kernel "
                       "(an infinite loop, or code far too slow)")
                cell["outputs"].append(error_output("CellTimeoutError", msg))
            else:
                msg = ("the kernel died while running this cell (os._exit, sys.exit in a thread, "
                       "a crash or running out of memory)")
                cell["outputs"].append(error_output("DeadKernelError", msg))
            events.append({"cell": i, "kind": res.kind})
            kernel.kill()
            kernel = None
            if restarts >= max_restarts:
                break
            restarts += 1
            kernel = start()
            for j in completed:
                r = kernel.run(nb["cells"][j].get("source", ""), timeout)
                if r.kind in ("timeout", "died"):
                    events.append({"cell": j, "kind": r.kind, "replay": True})
                    kernel.kill()
                    kernel = None
                    break
            if kernel is None:
                break
        for i in code_cells:
            if i not in kinds:
                kinds[i] = "skipped"
                nb["cells"][i]["outputs"] = [error_output(
                    "NotExecuted", "not run: the notebook used up its time budget, or the kernel kept "
                    "timing out or dying earlier in the notebook")]
    finally:
        if kernel is not None:
            kernel.kill()
    return {"kinds": kinds, "events": events, "startup_seconds": startups}
