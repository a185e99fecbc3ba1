"""The OS sandbox (autograder/sandbox.py), attacked from inside with real bubblewrap.

Each test starts the NumPy-only runtime in a sandbox and runs code there that tries
to break one promise; the outcome is printed by the sandboxed code as JSON and judged
here, or observed from the host (files the sandbox wrote, the host's /proc).  Every
wait is bounded; nothing asserts on time.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from autograder import sandbox
from autograder.sandbox import Limits, Sandbox, runtime_python

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120


@pytest.fixture(scope="module", autouse=True)
def require_sandbox():
    """Fail (never skip) with the reason when bubblewrap sandboxes cannot run here."""
    ok, reason = sandbox.available()
    if not ok:
        pytest.fail(f"the sandbox tests need bubblewrap sandboxes: {reason}")


@pytest.fixture
def workdir():
    """A fresh folder in the system temp folder, searchable (not listable) by the sandbox uid."""
    path = Path(tempfile.mkdtemp(prefix="test-sandbox-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run_inside(box, code, *, stdin=None, env=None):
    """Run Python ``code`` in a new sandbox of ``box``; its exit code and stdout (as JSON if it parses)."""
    proc = box.popen([runtime_python(), "-c", textwrap.dedent(code)], env=env,
                     stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(stdin, timeout=TIMEOUT)
    try:
        return proc.returncode, json.loads(out)
    except ValueError:
        return proc.returncode, out.decode(errors="replace") + err.decode(errors="replace")


PROBE = """
    import json, os, sys
    seen = {}
    for path in sys.argv[1:]:
        try:
            seen[path] = sorted(os.listdir(path)) if os.path.isdir(path) else open(path, "rb").read(100).decode()
        except OSError as exc:
            seen[path] = type(exc).__name__
    print(json.dumps(seen))
"""


def probe(box, paths):
    """What the sandbox gets when it lists or reads each of ``paths``."""
    proc = box.popen([runtime_python(), "-c", textwrap.dedent(PROBE), *map(str, paths)],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err.decode()
    return json.loads(out)


def host_processes_with(marker):
    """Host pids whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def wait_for(predicate, what, seconds=30):
    """Poll ``predicate`` until it holds (bounded); fail naming ``what`` otherwise."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


# --- what the sandbox can see -------------------------------------------------------------

def test_the_course_the_output_other_sandboxes_and_root_are_unreachable(workdir):
    out = workdir / "out"
    out.mkdir()
    (out / "grades.csv").write_text("student,score\nvictim,19\n")
    other = workdir / "other-sandbox"
    other.mkdir()
    (other / "victim.ipynb").write_text("{}")
    work = workdir / "work"
    work.mkdir()
    targets = [REPO, REPO / "solutions", REPO / "autograder" / "sandbox.py",
               REPO / "autograder" / "runtime-requirements.txt", Path("/work/main"),
               Path("/work/main/solutions"), out, out / "grades.csv", other,
               other / "victim.ipynb", Path("/root"), Path("/home"), Path("/etc/passwd"),
               Path("/proc/1/root/etc/passwd")]
    with Sandbox(other) as neighbour, Sandbox(work) as box:
        held = neighbour.popen([runtime_python(), "-c", "import sys; sys.stdin.read()"],
                               stdin=subprocess.PIPE)
        seen = probe(box, targets)
        held.stdin.close()
    reachable = {path: what for path, what in seen.items()
                 if what not in ("FileNotFoundError", "PermissionError")}
    # /root exists inside only as the empty folders leading to the mounted interpreter
    assert reachable.pop("/root", None) in (None, [".pyenv"]), seen["/root"]
    assert reachable == {}


def test_the_sandbox_sees_no_host_file_descriptor_or_environment(workdir, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "solutions-are-here")
    (workdir / "data.txt").write_text("copied in through a descriptor")
    with Sandbox(workdir) as box:
        code, seen = run_inside(box, """
            import json, os
            fds = {}
            for fd in os.listdir("/proc/self/fd"):
                try:
                    fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
                except FileNotFoundError:        # the folder listing's own descriptor
                    pass
            print(json.dumps({"fds": fds, "env": dict(os.environ), "uid": os.getuid(),
                              "writable_root": os.access("/", os.W_OK)}))
        """)
    assert code == 0, seen
    leaked = {fd: target for fd, target in seen["fds"].items()
              if fd not in ("0", "1", "2") and not target.startswith("/proc/")}
    assert leaked == {}
    assert "GRADER_SECRET" not in seen["env"]
    assert "solutions-are-here" not in json.dumps(seen["env"])
    assert seen["env"]["HOME"] == "/work"
    assert seen["uid"] != 0
    assert seen["writable_root"] is False


def test_the_network_is_unreachable(workdir):
    with socket.create_server(("127.0.0.1", 0)) as server, Sandbox(workdir) as box:
        port = server.getsockname()[1]
        code, seen = run_inside(box, f"""
            import json, socket
            result = {{"interfaces": [name for _, name in socket.if_nameindex()]}}
            for host, port in [("127.0.0.1", {port}), ("10.0.2.2", 80), ("1.1.1.1", 53)]:
                try:
                    socket.create_connection((host, port), timeout=5).close()
                    result[host] = "connected"
                except OSError as exc:
                    result[host] = type(exc).__name__
            print(json.dumps(result))
        """)
    assert code == 0, seen
    assert seen["interfaces"] == ["lo"]
    assert seen["127.0.0.1"] == "ConnectionRefusedError"     # its own loopback, not the host's
    assert "connected" not in seen.values()


def test_no_namespace_can_be_made_inside(workdir):
    with Sandbox(workdir) as box:
        code, seen = run_inside(box, """
            import ctypes, json
            libc = ctypes.CDLL(None, use_errno=True)
            CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
            print(json.dumps({"user": libc.unshare(CLONE_NEWUSER), "mount": libc.unshare(CLONE_NEWNS)}))
        """)
    assert (code, seen) == (0, {"user": -1, "mount": -1})


def test_the_graders_processes_are_invisible(workdir):
    with Sandbox(workdir) as box:
        code, seen = run_inside(box, """
            import json, os
            pids = [p for p in os.listdir("/proc") if p.isdigit()]
            print(json.dumps({p: open(f"/proc/{p}/cmdline", "rb").read().decode(errors="replace")
                              for p in pids}))
        """)
    assert code == 0, seen
    assert len(seen) <= 3, seen       # bwrap's pid-1 init, the command, at most its prlimit parent
    assert not any("pytest" in cmdline for cmdline in seen.values())
    assert str(os.getpid()) not in seen or "pytest" not in seen[str(os.getpid())]


def test_the_sandbox_works_in_a_private_copy_of_the_workdir(workdir):
    (workdir / "data").mkdir()
    (workdir / "data" / "image.txt").write_text("pixels")
    (workdir / "notes.txt").write_text("given")
    with Sandbox(workdir) as box:
        code, seen = run_inside(box, """
            import json, os
            result = {"cwd": os.getcwd(), "files": sorted(os.listdir(".")),
                      "image": open("data/image.txt").read()}
            open("notes.txt", "w").write("overwritten")
            open("answer.txt", "w").write("42")
            result["answer"] = open("answer.txt").read()
            for folder in ["/opt/runtime", "/usr/lib", "/", "/etc", "/tmp", "/dev/shm"]:
                try:
                    open(os.path.join(folder, "planted"), "w").close()
                    result[folder] = "written"
                except OSError as exc:
                    result[folder] = type(exc).__name__
            print(json.dumps(result))
        """)
        again = run_inside(box, "import json, os; print(json.dumps(sorted(os.listdir('.'))))")
    assert code == 0, seen
    assert seen["cwd"] == "/work"
    assert seen["files"] == ["data", "notes.txt"]
    assert (seen["image"], seen["answer"]) == ("pixels", "42")
    assert seen["/tmp"] == seen["/dev/shm"] == "written"           # private tmpfs
    assert {seen[f] for f in ["/opt/runtime", "/usr/lib", "/", "/etc"]} <= {"OSError", "PermissionError"}
    # nothing written inside reaches the host, or the next sandbox
    assert sorted(p.name for p in workdir.iterdir()) == ["data", "notes.txt"]
    assert (workdir / "notes.txt").read_text() == "given"
    assert again == (0, ["data", "notes.txt"])
    assert not (sandbox.RUNTIME / "venv" / "planted").exists()
    assert not Path("/tmp/planted").exists()


def test_storage_is_bounded_in_every_writable_place(workdir):
    with Sandbox(workdir, limits=Limits(disk_bytes=8 * 2**20, file_bytes=2**20)) as box:
        code, seen = run_inside(box, """
            import errno, json, os
            stored = {}
            for folder in ["/work", "/tmp", "/dev/shm"]:
                total = 0
                try:
                    for i in range(32):                  # 32 MB in 1 MB files
                        with open(f"{folder}/fill-{i}", "wb") as f:
                            f.write(b"x" * 2**20)
                        total += 1
                    stored[folder] = "all"
                except OSError as exc:
                    stored[folder] = [total, errno.errorcode[exc.errno]]
            print(json.dumps(stored))
        """)
    assert code == 0, seen
    for folder in ["/work", "/tmp", "/dev/shm"]:
        assert seen[folder][1] == "ENOSPC" and seen[folder][0] <= 8, seen


def test_symlinks_in_the_workdir_do_not_lead_the_sandbox_out(workdir):
    secret = workdir / "secret"
    secret.mkdir()
    (secret / "grades.csv").write_text("victim,19\n")
    work = workdir / "work"
    work.mkdir()
    (work / "grades-link").symlink_to(secret / "grades.csv")
    (work / "folder-link").symlink_to(secret)
    with Sandbox(work) as box:
        code, seen = run_inside(box, """
            import json, os
            print(json.dumps(sorted(os.listdir("."))))
        """)
    assert (code, seen) == (0, [])


def test_a_read_only_mount_the_sandbox_uid_cannot_reach_is_refused_with_the_reason(workdir):
    if os.geteuid() != 0:
        pytest.skip("only a root grader starts bwrap as another uid")
    private = workdir / "private"
    private.mkdir(mode=0o700)
    (private / "agent.py").write_text("print('agent')")
    with pytest.raises(PermissionError, match="not searchable by other users"):
        Sandbox(workdir, ro_binds=[(private / "agent.py", "/agent/agent.py")])


def test_a_workdir_anywhere_the_grader_can_read_is_fine(tmp_path):
    (tmp_path / "data.txt").write_text("data")       # pytest's tmp_path is mode 0700
    with Sandbox(tmp_path) as box:
        assert run_inside(box, "import json; print(json.dumps(open('data.txt').read()))") == (0, "data")


# --- the NumPy-only runtime ---------------------------------------------------------------

def test_only_numpy_matplotlib_and_ipykernel_are_importable(workdir):
    base = sandbox._base_prefix(sandbox.RUNTIME / "venv")
    hidden = [str(p) for p in sandbox._site_dirs(base)] + ["/usr/lib/python3/dist-packages"]
    with Sandbox(workdir) as box:
        code, seen = run_inside(box, f"""
            import importlib, json, sys
            sys.path.extend({hidden!r})          # a student looking for the base install's packages
            result = {{}}
            for name in ["numpy", "matplotlib", "ipykernel", "scipy", "convblocks", "torch",
                         "sklearn", "autograder", "pytest"]:
                try:
                    importlib.import_module(name)
                    result[name] = "imported"
                except ImportError as exc:
                    result[name] = type(exc).__name__
            print(json.dumps(result))
        """)
    assert code == 0, seen
    assert {seen[n] for n in ["numpy", "matplotlib", "ipykernel"]} == {"imported"}
    assert {n for n, what in seen.items() if what == "imported"} == {"numpy", "matplotlib", "ipykernel"}


def test_the_runtime_pins_the_course_versions():
    pinned = dict(line.split("==") for line in (REPO / "requirements.txt").read_text().splitlines()
                  if "==" in line)
    runtime = dict(line.split("==") for line in
                   (REPO / "autograder" / "runtime-requirements.txt").read_text().splitlines()
                   if "==" in line)
    assert {"numpy", "matplotlib", "ipykernel"} <= set(runtime)
    assert not {"scipy", "convblocks", "torch", "scikit-learn"} & set(runtime)
    assert {name: version for name, version in runtime.items() if pinned.get(name) != version} == {}


# --- limits -------------------------------------------------------------------------------

def test_memory_above_the_limit_is_refused(workdir):
    with Sandbox(workdir, limits=Limits(memory_bytes=256 * 2**20)) as box:
        code, seen = run_inside(box, """
            import json
            try:
                block = bytearray(300 * 2**20)
                print(json.dumps("allocated"))
            except MemoryError:
                print(json.dumps("MemoryError"))
        """)
    assert (code, seen) == (0, "MemoryError")


def test_memory_of_all_processes_together_is_bounded(workdir):
    if not sandbox._cgroup_parents():
        pytest.skip("this host lets the grader create no cgroup: only the per-process bound holds")
    with Sandbox(workdir, limits=Limits(memory_bytes=256 * 2**20)) as box:
        code, seen = run_inside(box, """
            import json, os
            children = []
            for _ in range(3):            # each under the per-process bound, together above it
                pid = os.fork()
                if pid == 0:
                    block = bytearray(150 * 2**20)
                    block[::4096] = b"x" * len(block[::4096])
                    os._exit(0)
                children.append(pid)
            print(json.dumps([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]))
        """)
    assert code == 0, seen
    assert -signal.SIGKILL in seen or 1 in seen        # the OOM killer (or a MemoryError) stopped one


def test_processes_above_the_limit_are_refused(workdir):
    with Sandbox(workdir, limits=Limits(processes=16)) as box:
        code, seen = run_inside(box, """
            import json, os
            started, refused = 0, 0
            for _ in range(24):
                try:
                    pid = os.fork()
                except BlockingIOError:
                    refused += 1
                    continue
                if pid == 0:
                    import time; time.sleep(600); os._exit(0)
                started += 1
            print(json.dumps({"started": started, "refused": refused}))
        """)
    assert code == 0, seen
    assert seen["refused"] > 0
    assert seen["started"] < 16


def test_the_process_limit_counts_each_sandbox_alone(workdir):
    hold = """
        import json, os, sys, time
        for _ in range(10):
            if os.fork() == 0:
                time.sleep(600); os._exit(0)
        print("holding", flush=True)
        sys.stdin.read()
    """
    (workdir / "a").mkdir()
    (workdir / "b").mkdir()
    with Sandbox(workdir / "a", limits=Limits(processes=16), slot=3) as first, \
            Sandbox(workdir / "b", limits=Limits(processes=16), slot=3) as second:
        holder = first.popen([runtime_python(), "-c", textwrap.dedent(hold)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert holder.stdout.readline() == b"holding\n"
        code, seen = run_inside(second, """
            import json, os, time
            started = 0
            for _ in range(10):
                if os.fork() == 0:
                    time.sleep(600); os._exit(0)
                started += 1
            print(json.dumps(started))
        """)
    assert (code, seen) == (0, 10)


def test_a_file_above_the_size_limit_cannot_be_written(workdir):
    with Sandbox(workdir, limits=Limits(file_bytes=2**20)) as box:
        code, seen = run_inside(box, """
            import errno, json, os
            try:
                with open("big.bin", "wb") as f:
                    f.write(b"x" * 2 * 2**20)
                print(json.dumps("written"))
            except OSError as exc:
                print(json.dumps([errno.errorcode[exc.errno], os.path.getsize("big.bin")]))
        """)
    assert code == 0, seen
    assert seen[0] == "EFBIG" and seen[1] <= 2**20


def test_open_files_above_the_limit_are_refused(workdir):
    with Sandbox(workdir, limits=Limits(open_files=32)) as box:
        code, seen = run_inside(box, """
            import json
            files = []
            try:
                for _ in range(64):
                    files.append(open("/dev/null"))
                print(json.dumps("opened"))
            except OSError as exc:
                print(json.dumps(type(exc).__name__))
        """)
    assert (code, seen) == (0, "OSError")


# --- nothing outlives the sandbox ---------------------------------------------------------

DAEMON = """
    import os, sys, time
    marker = {marker!r}
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            open(marker, "w").close()
            while True:
                time.sleep(0.05)
        os._exit(0)
    print("started", flush=True)
    {then}
"""


def test_a_setsid_daemon_dies_with_kill(workdir):
    marker = f"daemon-{uuid.uuid4().hex}"
    with Sandbox(workdir) as box:
        proc = box.popen([runtime_python(), "-c",
                          textwrap.dedent(DAEMON.format(marker=marker, then="sys.stdin.read()"))],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert proc.stdout.readline() == b"started\n"
        wait_for(lambda: len(host_processes_with(marker)) >= 2, "the daemon to start")
        box.kill()
        assert host_processes_with(marker) == []
        box.kill()                                    # idempotent
    assert proc.returncode is not None


def test_a_daemon_dies_when_the_main_process_exits(workdir):
    marker = f"daemon-{uuid.uuid4().hex}"
    with Sandbox(workdir) as box:
        proc = box.popen([runtime_python(), "-c", textwrap.dedent(DAEMON.format(
                              marker=marker, then=f"while not os.path.exists({marker!r}): time.sleep(0.05)"))],
                         stdout=subprocess.PIPE)
        proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0
        assert host_processes_with(marker) == []


GRADER = """
import subprocess, sys, time
from pathlib import Path
from autograder.sandbox import Sandbox, runtime_python
box = Sandbox(Path(sys.argv[1]))
proc = box.popen([runtime_python(), "-c", sys.argv[2]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
proc.stdout.readline()
print("ready", flush=True)
time.sleep(600)
"""


def test_the_sandbox_dies_with_the_grader(workdir):
    marker = f"daemon-{uuid.uuid4().hex}"
    daemon = textwrap.dedent(DAEMON.format(marker=marker, then="sys.stdin.read()"))
    grader = subprocess.Popen([sys.executable, "-c", GRADER, str(workdir), daemon],
                              env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE)
    try:
        assert grader.stdout.readline() == b"ready\n"
        wait_for(lambda: len(host_processes_with(marker)) >= 2, "the daemon to start")
    finally:
        grader.kill()
        grader.wait()
    wait_for(lambda: host_processes_with(marker) == [], "the sandbox to die with its grader", 10)
    # the dead grader's cgroups (where the host offers them) go with the next sandbox
    with Sandbox(workdir) as box:
        box.popen([runtime_python(), "-c", "pass"]).wait(timeout=TIMEOUT)
    for _, parent in sandbox._cgroup_parents():
        assert list(parent.glob(f"convblocks-sandbox-{grader.pid}-*")) == []


# --- the unsandboxed fallback and the set-up check ----------------------------------------

def test_without_the_sandbox_the_limits_still_hold(workdir):
    with Sandbox(workdir, limits=Limits(file_bytes=2**20), enabled=False) as box:
        code, seen = run_inside(box, """
            import errno, json, os, sys
            try:
                open("big.bin", "wb").write(b"x" * 2 * 2**20)
                written = "written"
            except OSError as exc:
                written = errno.errorcode[exc.errno]
            print(json.dumps({"cwd": os.getcwd(), "home": os.environ["HOME"], "write": written,
                              "prefix": sys.prefix}))
        """)
    assert code == 0, seen
    assert seen["cwd"] == seen["home"] == str(workdir)
    assert seen["write"] == "EFBIG"
    assert seen["prefix"] == str(sandbox.RUNTIME / "venv")


def test_a_missing_bubblewrap_is_reported_with_the_install_command(monkeypatch):
    monkeypatch.setattr(sandbox, "BWRAP", "/nonexistent/bwrap")
    ok, reason = sandbox.available.__wrapped__()
    assert not ok
    assert "apt-get install bubblewrap" in reason
