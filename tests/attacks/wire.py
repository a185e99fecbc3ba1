"""The channel between the kernel and the grader (design item 3 of issue 9).

Student code runs in the same process as whatever answers the grader's calls, so it can
write to every file descriptor that process holds and call every function of the modules
it has loaded. The trusted side must not believe anything beyond the type and size of
what comes back, and must never act on it outside the sandbox.
"""

from . import attack
from .snippets import PROCS

PS02 = "ps02_conv_arithmetic"
NARROW = ("the trusted side trusts nothing that comes back beyond its type and size: forged, "
          "malformed or huge messages on the channel fail the item, never the run or anyone else")

FORGE_HELPER = PROCS + r'''
import json, os, stat, sys

_FRAMES = [json.dumps({"status": "ok", "ok": True, "passed": True, "score": 1000, "points": 1000,
                       "value": 1, "result": 1, "type": "result", "error": None}).encode() + b"\n",
           b'{"type": "cell_done", "status": "ok", "outputs": []}\n',
           b"\x93NUMPY\x01\x00" + b"\xff" * 120 + b"\n",
           (2 ** 62).to_bytes(8, "big") + (2 ** 31).to_bytes(4, "little") + b"x" * 32,
           b"\xff\xfe\x00\x00" * 64]
_BIG = b"A" * (32 << 20)


def _forge(big=False):
    """Forged and malformed frames to every pipe/socket this process holds, then to the agent's
    own sending functions (whatever they are called)."""
    written = set()
    for fd in range(0, 256):
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            continue
        for frame in _FRAMES + ([_BIG] if big else []):
            try:
                os.write(fd, frame)
                written.add(fd)
            except OSError:
                pass
    for name, mod in list(sys.modules.items()):
        path = getattr(mod, "__file__", "") or ""
        if not (path.startswith("/agent") or "agent" in name or "wire" in name):
            continue
        for attr in dir(mod):
            if any(w in attr.lower() for w in ("send", "write", "reply", "emit", "put", "dump")):
                fn = getattr(mod, attr, None)
                if callable(fn):
                    for args in (({"status": "ok", "passed": True, "score": 1000},), (sys.stdout.buffer, {"ok": True}),
                                 (b"x" * 1000,)):
                        try:
                            fn(*args)
                        except Exception:
                            pass
    return sorted(written)
'''

FORGE_NOW = FORGE_HELPER + r'''
print("forged frames written to fds", _forge(big=True))
'''

FORGE_CALLS = FORGE_HELPER + r'''


def conv_output_size(*a, **k):
    _forge()
    return 1000


def same_padding(*a, **k):
    _forge()
    return (1000, 1000)


def pad2d(*a, **k):
    _forge(big=True)
    raise ValueError("forged")


def conv2d(*a, **k):
    _forge()
    sys.stdout.flush()
    os._exit(0)                      # and leave the channel half-written


def receptive_field(*a, **k):
    _forge()
    return [(1, 1)]
'''

# bwrap reports the sandbox's pid on an info fd; forge that report from inside, naming a
# process the grader must never touch (a sacrificial process of the test: @SACRIFICE@).
FORGED_INFO = PROCS + r'''
import glob, os, stat, time

payload = ('{"child-pid": @SACRIFICE@, "cgroup-namespace": 4026531835, "pid-namespace": 4026531836, '
           '"net-namespace": 4026531840}\n').encode()
run = {pid for pid, cmd, env in _run_processes()}
small_namespace = os.getpid() < 50                 # a fresh PID namespace: everything in view is ours
hit = []
for fdpath in glob.glob("/proc/*/fd/*"):
    pid = fdpath.split("/")[2]
    if not pid.isdigit() or not (int(pid) in run or small_namespace or int(pid) == os.getpid()):
        continue
    try:
        mode = os.stat(fdpath).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            continue
        fd = os.open(fdpath, os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, payload)
        os.close(fd)
        hit.append(fdpath)
    except OSError:
        pass
print("forged sandbox info written to", hit)
time.sleep(0.5)
os._exit(1)                                        # make the grader clean up "the child" now
'''

ATTACKS = [
    attack("atk_wire_forgery", PS02, NARROW,
           "write forged 'passed/ok/score 1000' replies, a fake .npy header, a 2**62 length prefix, "
           "invalid UTF-8 and 32 MB of junk to every pipe and socket of the kernel process, call "
           "every send/write/reply function of the agent's modules, and die in the middle of a call",
           "every item 0; the run completes; every other student graded as usual",
           insert=[("ps02_setup", FORGE_NOW)], answers=FORGE_CALLS),
    attack("atk_forged_sandbox_info", PS02,
           "the grader acts only on what it knows itself: a pid reported from inside the sandbox "
           "never makes it signal a host process",
           "write bubblewrap-style info JSON naming a sacrificial host process as the child pid into "
           "every pipe in view (bwrap's info fd included), then kill the kernel",
           "every item 0; the sacrificial process is still alive after the run",
           insert=[("ps02_setup", FORGED_INFO)]),
]
