"""Start and end OS sandboxes for untrusted code, and the NumPy-only runtime they run.

This module knows nothing of nbgrader, notebooks or grading. ``Sandbox(workdir).popen(argv)``
starts ``argv`` in a fresh bubblewrap sandbox; ``kill()`` (or leaving ``with``) makes sure
nothing it started outlives it. Paths in ``argv`` and ``env`` are as seen inside: the
runtime venv at ``/opt/runtime`` (:func:`runtime_python`), the working folder and ``HOME``
at ``/work``, each ``ro_binds`` pair ``(host_path, inside_path)`` read-only at
``inside_path``. ``env`` is added to a small clean environment. A sandbox dies when the
*thread* that called ``popen`` ends (``--die-with-parent`` is a parent-death signal).
``enabled=False`` is the ``--no-sandbox`` fallback: a plain subprocess in ``workdir`` with
the same rlimits, inside paths rewritten to host paths; it isolates nothing.

What a sandbox sees: new user, PID, network, IPC, UTS and cgroup namespaces, its own
``/proc``, a minimal ``/dev``; writable only a private tmpfs ``/work`` (a copy of
``workdir``'s folders and regular files; nothing written there reaches the host), ``/tmp``
and ``/dev/shm``, each of ``disk_bytes``; read-only the system libraries (every ``python3*``
folder there hidden), ``prlimit``, the runtime's base Python install (its ``site-packages``
hidden; a hard-linked copy, ``.venv-runtime/base``, when the sandbox uid cannot read it,
e.g. pyenv under ``/root``) and the runtime venv. No course file, no other sandbox, no
network and no host process.

How the limits hold (measured on Debian 12, kernel 6.18, cgroup v1, grader as root):

* A root grader drops to the uid ``UID_BASE + slot`` with ``setpriv`` before ``bwrap``
  (seen as 1000 inside), so ``ro_binds`` must be readable by others.
* rlimits set by ``prlimit`` inside hold everywhere: ``RLIMIT_AS`` (``memory_bytes`` per
  process), ``RLIMIT_NPROC`` (``processes``; counted per user namespace since Linux 5.14,
  so per sandbox), ``RLIMIT_FSIZE`` and ``RLIMIT_NOFILE``.
* cgroups, where the grader may create them (v1 ``memory`` and ``pids``, or a v2 parent
  delegating both), bound the whole sandbox: ``memory_bytes`` for its processes and tmpfs
  together, ``processes + 2`` tasks. One per sandbox, removed by ``kill()``; those of a dead
  grader are removed by the next one.
* ``kill()`` SIGKILLs the PID-namespace init through a pidfd: the kernel kills every process
  of the namespace (``setsid`` daemons included). If the grader dies, ``--die-with-parent``
  does the same.

Output sizes are not bounded here: the caller enforces them on its channel.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

REPO = Path(__file__).resolve().parents[1]
RUNTIME = REPO / ".venv-runtime"          # venv/ (the runtime), base/ (see mirror_base)
RUNTIME_INSIDE = "/opt/runtime"
WORK_INSIDE = "/work"
UID_BASE = 2_000_000_000                  # host uid of worker slot s: UID_BASE + s
INSIDE_UID = 1000
BWRAP = "/usr/bin/bwrap"
PRLIMIT = "/usr/bin/prlimit"
SETPRIV = "/usr/bin/setpriv"
CGROUP_PREFIX = "convblocks-sandbox-"

_serial = itertools.count()


@dataclass(frozen=True)
class Limits:
    """Resource bounds of one sandbox (see the module docstring for how each holds)."""

    memory_bytes: int = 2 * 2**30
    processes: int = 64
    file_bytes: int = 64 * 2**20
    open_files: int = 256
    disk_bytes: int = 512 * 2**20


def runtime_python() -> str:
    """Path of the runtime's interpreter as seen inside a sandbox."""
    return f"{RUNTIME_INSIDE}/bin/python"


def _base_prefix(venv: Path) -> Path:
    """The prefix of the Python install that ``venv`` was made from (its pyvenv.cfg)."""
    for line in (venv / "pyvenv.cfg").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "home":
            return Path(value.strip()).parent
    raise RuntimeError(f"{venv / 'pyvenv.cfg'} names no 'home'")


def _site_dirs(prefix: Path) -> list[Path]:
    """Folders under ``prefix`` where a Python install keeps third-party packages."""
    patterns = ["lib/python3*/site-packages", "lib/python3*/dist-packages",
                "lib/python3/dist-packages", "local/lib/python3*"]
    return sorted(p for pattern in patterns for p in prefix.glob(pattern) if p.is_dir())


def mirror_base(runtime: Path = RUNTIME) -> None:
    """Make ``.venv-runtime/base`` a hard-linked copy of the base Python install (without its
    site-packages) when the grader is root and the sandbox uid cannot read it (pyenv in /root)."""
    base = _base_prefix(runtime / "venv")
    mirror = runtime / "base"
    shutil.rmtree(mirror, ignore_errors=True)
    if os.geteuid() != 0 or not _unreachable(base.resolve()):
        return
    skip = set(_site_dirs(base))

    def link_or_copy(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(base, mirror, symlinks=True, copy_function=link_or_copy,
                    ignore=lambda folder, names: [n for n in names if Path(folder, n) in skip])
    for site in skip:
        (mirror / site.relative_to(base)).mkdir(parents=True, exist_ok=True)


@functools.cache
def available() -> tuple[bool, str]:
    """Can bubblewrap sandboxes run here?  ``(True, "")`` or ``(False, reason)``."""
    if not os.path.exists(BWRAP):
        return False, f"{BWRAP} not found: install bubblewrap (apt-get install bubblewrap)"
    for tool in (PRLIMIT, SETPRIV):
        if not os.path.exists(tool):
            return False, f"{tool} not found: install util-linux"
    if not os.path.lexists(RUNTIME / "venv" / "bin" / "python"):
        return False, f"the grading runtime {RUNTIME / 'venv'} is missing: run make setup"
    with tempfile.TemporaryDirectory(prefix="sandbox-check-") as tmp:
        try:
            with Sandbox(Path(tmp)) as box:
                proc = box.popen([runtime_python(), "-c", "import numpy"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                out, err = proc.communicate(timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            return False, f"bubblewrap could not start a sandbox: {exc}"
    if proc.returncode != 0:
        reason = err.decode(errors="replace").strip()[-500:]
        return False, f"bubblewrap could not start a sandbox (exit {proc.returncode}): {reason}"
    return True, ""


# --- cgroups ------------------------------------------------------------------------------

@functools.cache
def _cgroup_parents() -> tuple[tuple[str, Path], ...]:
    """``(("v1"|"v2", folder), ...)`` where sandboxes' cgroups go; empty if none may."""
    own = {}  # controller ("" for v2) -> this process's cgroup path
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(",") if controllers else [""]:
            own[c] = path.lstrip("/")
    mounts = {}
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, mountpoint, fstype, options = line.split(" ")[:4]
        if fstype == "cgroup":
            mounts.update({c: Path(mountpoint) for c in ("memory", "pids") if c in options.split(",")})
        elif fstype == "cgroup2":
            mounts.setdefault("", Path(mountpoint))
    parents = ()
    if {"memory", "pids"} <= mounts.keys() & own.keys():
        parents = (("v1", mounts["memory"] / own["memory"]), ("v1", mounts["pids"] / own["pids"]))
    elif "" in mounts and "" in own:
        control = mounts[""] / own[""] / "cgroup.subtree_control"
        if control.exists() and {"memory", "pids"} <= set(control.read_text().split()):
            parents = (("v2", control.parent),)
    return parents if all(os.access(folder, os.W_OK) for _, folder in parents) else ()


def _make_cgroups(limits: Limits) -> list[Path]:
    """One new cgroup per v1 hierarchy (or one v2 group) holding ``limits``."""
    _remove_stale_cgroups()
    folders = []
    memory, tasks = str(limits.memory_bytes), str(limits.processes + 2)  # + bwrap's two processes
    try:
        for version, parent in _cgroup_parents():
            folder = parent / f"{CGROUP_PREFIX}{os.getpid()}-{next(_serial)}"
            folder.mkdir()
            folders.append(folder)
            settings = ({"memory.limit_in_bytes": memory, "memory.memsw.limit_in_bytes": memory, "pids.max": tasks}
                        if version == "v1" else {"memory.max": memory, "memory.swap.max": "0", "pids.max": tasks})
            for name, value in settings.items():  # each v1 hierarchy has its own files
                if (folder / name).exists():
                    (folder / name).write_text(value)
    except OSError:
        _remove_cgroups(folders)
        raise
    return folders


def _remove_cgroups(folders) -> None:
    """Kill whatever is left in the cgroups and delete them."""
    for folder in folders:
        for _ in range(200):
            try:
                for pid in (folder / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
                folder.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:  # still busy: the killed processes are being reaped
                select.select([], [], [], 0.01)


def _remove_stale_cgroups() -> None:
    """Delete the sandbox cgroups left by graders that died (their processes died with them)."""
    for _, parent in _cgroup_parents():
        for folder in parent.glob(f"{CGROUP_PREFIX}*"):
            pid = folder.name[len(CGROUP_PREFIX):].split("-")[0]
            if pid.isdigit() and not Path("/proc", pid).exists():
                _remove_cgroups([folder])


# Joins the cgroups named before "--" (writing 0 moves the writer), then runs the rest.
_JOIN = 'while [ "$1" != -- ]; do echo 0 > "$1" || exit 125; shift; done; shift; exec "$@"'


# --- the sandbox --------------------------------------------------------------------------

class Sandbox:
    """Runs commands in fresh bubblewrap sandboxes that start in a copy of ``workdir``.

    Parameters
    ----------
    workdir : Path
        Copied into each sandbox's ``/work`` (at most 1000 entries, ``limits.disk_bytes``).
    limits : Limits
    ro_binds : sequence of (Path, str)
        Extra read-only mounts: (host path, absolute path inside, outside ``/work``).
    enabled : bool
        False runs commands unsandboxed (the ``--no-sandbox`` fallback; unsafe).
    slot : int
        The worker number; picks the unprivileged host uid when the grader is root.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp, Sandbox(Path(tmp)) as box:
    ...     out = box.popen([runtime_python(), "-c", "import os; print(os.getcwd())"],
    ...                     stdout=subprocess.PIPE).communicate()[0]
    >>> out
    b'/work\\n'
    """

    def __init__(self, workdir: Path, *, limits: Limits = Limits(),
                 ro_binds: Sequence[tuple[Path, str]] = (), enabled: bool = True, slot: int = 0):
        self.workdir = Path(workdir).resolve()
        if not self.workdir.is_dir():
            raise NotADirectoryError(f"sandbox workdir {workdir} is not an existing folder")
        self.limits = limits
        self.ro_binds = [(Path(host).resolve(), inside) for host, inside in ro_binds]
        self.enabled = enabled
        self.uid = UID_BASE + slot if os.geteuid() == 0 and enabled else None
        for host, _ in self.ro_binds:
            if not host.exists():
                raise FileNotFoundError(f"sandbox ro_binds: {host} does not exist")
            why = _unreachable(host) if self.uid is not None else ""  # bwrap mounts them as that uid
            if why:
                raise PermissionError(f"sandbox ro_binds path {host} is out of the sandbox's reach: {why}")
        self._started = []            # (Popen, pidfd of the namespace init or None, cgroup folders)

    def popen(self, argv: list[str], *, env: dict | None = None, **popen_kwargs) -> subprocess.Popen:
        """Start ``argv`` (paths as seen inside) in a new sandbox; see the module docstring."""
        if not self.enabled:
            command = [PRLIMIT, *self._prlimit_options(), "--", *map(self._host_path, argv)]
            popen_kwargs.setdefault("cwd", self.workdir)
            proc = subprocess.Popen(command, env=self._environment(env), start_new_session=True,
                                    **popen_kwargs)
            self._started.append((proc, None, []))
            return proc
        copy_options, copy_fds = self._workdir_copy()
        info_read, info_write = os.pipe()
        cgroups = []
        try:
            cgroups = _make_cgroups(self.limits)
            command = [BWRAP, "--info-fd", str(info_write), *self._bwrap_options(), *copy_options,
                       "--remount-ro", "/", "--", PRLIMIT, *self._prlimit_options(), "--", *argv]
            if self.uid is not None:
                command = [SETPRIV, f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups", "--",
                           *command]
            if cgroups:
                procs = [str(folder / "cgroup.procs") for folder in cgroups]
                command = ["/bin/sh", "-c", _JOIN, "sh", *procs, "--", *command]
            proc = subprocess.Popen(command, env=self._environment(env), pass_fds=(info_write, *copy_fds),
                                    **popen_kwargs)
        except BaseException:
            os.close(info_read)
            _remove_cgroups(cgroups)
            raise
        finally:
            for fd in (info_write, *copy_fds):
                os.close(fd)
        self._started.append((proc, _init_pidfd(info_read), cgroups))
        return proc

    def kill(self) -> None:
        """SIGKILL every process of every sandbox this object started, and wait for them."""
        started, self._started = self._started, []
        for proc, pidfd, _ in started:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if pidfd is not None:
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                elif not self.enabled:
                    os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
        for proc, pidfd, cgroups in started:
            if pidfd is not None:
                # readable once the init has exited, which is after every other process
                # of its namespace has been reaped
                select.select([pidfd], [], [], 10)
                os.close(pidfd)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            _remove_cgroups(cgroups)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()

    def _environment(self, extra: dict | None) -> dict:
        """A clean environment (the host's OPENBLAS_*/OMP_* kept) plus ``extra``."""
        env = {"PATH": f"{RUNTIME_INSIDE}/bin:/usr/bin:/bin", "HOME": WORK_INSIDE, "USER": "student",
               "LOGNAME": "student", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
        env.update({k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "OMP_"))})
        env.update(extra or {})
        if not self.enabled:
            env = {k: self._host_path(v) if k != "PATH" else v for k, v in env.items()}
            env["PATH"] = env["PATH"].replace(RUNTIME_INSIDE, str(RUNTIME / "venv"))
        return env

    def _bwrap_options(self) -> list[str]:
        disk = str(self.limits.disk_bytes)
        options = ["--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                   "--unshare-uts", "--unshare-cgroup-try", "--disable-userns",
                   "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID), "--hostname", "sandbox",
                   "--die-with-parent", "--new-session", "--proc", "/proc", "--dev", "/dev",
                   "--size", disk, "--tmpfs", "/tmp", "--size", disk, "--tmpfs", "/dev/shm",
                   *_system_mounts()]
        base = _base_prefix(RUNTIME / "venv")
        source = RUNTIME / "base" if (RUNTIME / "base").is_dir() else base
        options += ["--ro-bind", str(source), str(base)]
        for site in _site_dirs(source):
            options += ["--tmpfs", str(base / site.relative_to(source))]
        options += ["--ro-bind", str(RUNTIME / "venv"), RUNTIME_INSIDE]
        for host, inside in self.ro_binds:
            options += ["--ro-bind", str(host), inside]
        return options + ["--size", disk, "--tmpfs", WORK_INSIDE, "--chdir", WORK_INSIDE]

    def _workdir_copy(self) -> tuple[list[str], list[int]]:
        """bwrap options (and the fds they read) that copy ``workdir`` into ``/work``: files opened
        here without following symlinks, so the sandbox never holds a host file or folder."""
        options, fds, total = [], [], 0
        try:
            for folder, dirs, files, dir_fd in os.fwalk(self.workdir):
                inside = Path(WORK_INSIDE, Path(folder).relative_to(self.workdir))
                for name in sorted(dirs + files):
                    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
                    if stat.S_ISDIR(st.st_mode):
                        options += ["--dir", str(inside / name)]
                    elif stat.S_ISREG(st.st_mode):
                        fds.append(os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dir_fd))
                        options += ["--file", str(fds[-1]), str(inside / name)]
                        total += st.st_size
                    if len(options) > 2000 or total > self.limits.disk_bytes:
                        raise ValueError(f"sandbox workdir {self.workdir} holds more than 1000 entries "
                                         f"or {self.limits.disk_bytes} bytes: too much to copy in")
        except BaseException:
            for fd in fds:
                os.close(fd)
            raise
        return options, fds

    def _prlimit_options(self) -> list[str]:
        limits = self.limits
        return [f"--as={limits.memory_bytes}", f"--nproc={limits.processes}",
                f"--fsize={limits.file_bytes}", f"--nofile={limits.open_files}"]

    def _host_path(self, text: str) -> str:
        """An inside path rewritten to its host path (the unsandboxed fallback)."""
        pairs = [(RUNTIME_INSIDE, str(RUNTIME / "venv")), (WORK_INSIDE, str(self.workdir)),
                 *((inside, str(host)) for host, inside in self.ro_binds)]
        for inside, host in sorted(pairs, key=lambda pair: -len(pair[0])):
            if text == inside or text.startswith(inside + "/"):
                return host + text[len(inside):]
        return text


def _unreachable(path: Path) -> str:
    """Why other users cannot reach and read ``path`` ("" if they can)."""
    for folder in reversed([path, *path.parents] if path.is_dir() else list(path.parents)):
        if not os.stat(folder).st_mode & 0o001:
            return f"{folder} is not searchable by other users (mode {os.stat(folder).st_mode & 0o777:o})"
    if not os.stat(path).st_mode & (0o005 if path.is_dir() else 0o004):
        return f"{path} is not readable by other users"
    return ""


@functools.cache
def _system_mounts() -> tuple[str, ...]:
    """Read-only mounts of the system libraries, the loader cache and prlimit."""
    options = ["--ro-bind", "/usr/lib", "/usr/lib"]
    options += [arg for site in sorted(Path("/usr/lib").glob("python3*")) for arg in ("--tmpfs", str(site))]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top, usr = Path("/", name), Path("/usr", name)
        if name.startswith("lib") and usr.is_dir() and name != "lib":
            options += ["--ro-bind", str(usr), str(usr)]
        if top.is_symlink():
            options += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir() and name.startswith("lib"):
            options += ["--ro-bind", str(top), str(top)]
    options += ["--ro-bind", PRLIMIT, PRLIMIT]
    if os.path.exists("/etc/ld.so.cache"):
        options += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return tuple(options)


def _init_pidfd(info_read: int) -> int | None:
    """A pidfd of the sandbox's PID-namespace init, from bwrap's --info-fd JSON."""
    data = b""
    with os.fdopen(info_read, "rb") as info:
        while True:
            chunk = info.read1(4096)
            data += chunk
            try:
                pid = json.loads(data)["child-pid"]
                break
            except ValueError:
                if not chunk:
                    return None         # bwrap failed before starting the sandbox
    try:
        return os.pidfd_open(pid)
    except ProcessLookupError:
        return None


if __name__ == "__main__":
    if sys.argv[1:2] == ["mirror-base"] and len(sys.argv) <= 3:
        mirror_base(Path(sys.argv[2]) if len(sys.argv) == 3 else RUNTIME)
    else:
        sys.exit("usage: python -m autograder.sandbox mirror-base [RUNTIME_FOLDER]")
