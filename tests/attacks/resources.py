"""Resource abuse, network and what the sandbox can see (issue 9, sixth bullet and design item 1).

Every bomb is bounded so that a broken grader costs this machine a few GB and a few minutes,
never more: 600 processes, 6 GB of memory, a 3 GB file written into the kernel's own folder.
Probes print what they reached; the test requires the *_MISSING / REACHABLE / OPEN lines to
be absent and the *-DONE lines present (the probe really ran).
"""

from . import attack
from .snippets import GUARD, PROCS

PS02 = "ps02_conv_arithmetic"
LIMITS = "memory, process count, file size, output bytes and output count are bounded per submission"

FORK_BOMB = PROCS + r'''
import os, time
kids = 0
for i in range(600):
    try:
        pid = os.fork()
    except OSError as e:
        print(f"FORKED {kids} children, then refused: {e.strerror}")
        break
    if pid == 0:
        _name_me()
        start = time.time()
        while time.time() - start < 300:
            time.sleep(2)
        os._exit(0)
    kids += 1
else:
    print(f"FORKED {kids} children: FORK-LIMIT-MISSING")
'''

MEMORY_BOMB = r'''
import numpy as np
blocks, gb = [], 0.0
try:
    while gb < 6.0:
        blocks.append(np.ones(2 ** 25))          # 256 MB, every page touched
        gb += 0.25
    print(f"ALLOCATED {gb} GB: MEMORY-LIMIT-MISSING")
except MemoryError:
    print(f"ALLOCATED {gb} GB, then MemoryError")
del blocks
'''

HUGE_FILE = GUARD + r'''
import os, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)        # get EFBIG instead of being killed
chunk = b"\0" * (16 << 20)
target = 3 << 30
paths = ["big.bin"] + [p for p in (os.path.join(os.environ.get("TMPDIR", "/nonexistent"), "big.bin"),) if _ours(p)]
for path in paths:
    written = 0
    try:
        with open(path, "wb") as fh:
            while written < target:
                fh.write(chunk)
                written += len(chunk)
        print(f"WROTE {written >> 20} MB to {path}: FILE-LIMIT-MISSING")
    except OSError as e:
        print(f"WROTE {written >> 20} MB to {path}, then {e.strerror}")
'''

# Many files, each at the file-size limit: the total a submission can store, on disk (its own
# folder) and in RAM-backed tmpfs (/tmp, /dev/shm), must be bounded too.
FILL = r'''
import errno, os, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
_chunk = b"\1" * (8 << 20)


def fill(folder, limit_mb, tag):
    total, i = 0, 0
    while total < limit_mb:
        try:
            with open(os.path.join(folder, f"fill-{tag}-{i}.bin"), "wb") as fh:
                for _ in range(8):                  # 64 MB per file at most
                    fh.write(_chunk)
                    total += 8
                    if total >= limit_mb:
                        break
        except OSError as e:
            if e.errno != errno.EFBIG:
                return total, e.strerror
        i += 1
    return total, None
'''

FILL_DISK = FILL + r'''
mb, err = fill(".", 2048, "disk")
print(f"STORED {mb} MB in the working folder" + (f", then {err}" if err else ": DISK-LIMIT-MISSING"))
'''

FILL_RAM = FILL + r'''
total = 0
for folder in ("/tmp", "/dev/shm"):
    if os.path.isdir(folder) and os.access(folder, os.W_OK):
        mb, err = fill(folder, 3072 - total, folder.strip("/").replace("/", "-"))
        total += mb
        print(f"STORED {mb} MB in {folder}" + (f", then {err}" if err else ""))
print(f"STORED {total} MB in tmpfs" + (": TMPFS-LIMIT-MISSING" if total >= 3072 else ""))
'''

FLOOD_STDOUT = r'''
import sys
for _ in range(60):
    sys.stdout.write("x" * 1_000_000 + "\n")
sys.stdout.write("\x00\x1b[2J\x1b]0;title\x07\r" * 1000)
for _ in range(3000):
    print("e" * 1000, file=sys.stderr)
'''

FLOOD_DISPLAY = r'''
try:
    from IPython.display import display
except ImportError:                       # no IPython in the kernel: many flushed writes instead
    import sys
    def display(obj, raw=True, **kw):
        sys.stdout.write(str(obj) + "\n")
        sys.stdout.flush()
for i in range(4000):
    display({"text/plain": f"output {i}"}, raw=True)
'''

FLOOD_METADATA = r'''
try:
    from IPython.display import display
    display({"text/plain": "small"}, raw=True, metadata={"junk": "m" * 30_000_000})
    display({"text/plain": "small", "application/json": {"k": ["v" * 1000] * 20_000}}, raw=True)
except ImportError:
    import sys
    sys.stdout.write("m" * 30_000_000)
'''


def _replay_cell(i):
    return f'''
import os, time
time.sleep(@TIMEOUT@ * 0.8)
if not os.path.exists("replay-flag-{i}"):
    open("replay-flag-{i}", "w").close()
    os._exit(1)                      # kill the kernel once: every replay re-runs the sleeps above
'''


NETWORK = r'''
import glob, socket
opened = []


def tcp(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        opened.append(f"tcp {host}:{port}")
    except OSError:
        pass


for host, port in (("1.1.1.1", 53), ("8.8.8.8", 53), ("pypi.org", 443), ("files.pythonhosted.org", 443),
                   ("deb.debian.org", 80), ("registry.npmjs.org", 443), ("github.com", 443),
                   ("127.0.0.1", 8786), ("127.0.0.1", 8787), ("127.0.0.1", 8888), ("127.0.0.1", 22)):
    tcp(host, port)
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(bytes.fromhex("abcd01000001000000000000076578616d706c6503636f6d0000010001"), ("8.8.8.8", 53))
    s.recvfrom(512)
    opened.append("udp 8.8.8.8:53")
except OSError:
    pass
for path in glob.glob("/run/*.sock") + glob.glob("/run/*/*.sock") + glob.glob("/var/run/*.sock"):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(1)
        s.connect(path)
        s.close()
        opened.append("unix " + path)
    except OSError:
        pass
for what in opened:
    print("NETWORK-OPEN", what)
print("NETWORK-PROBE-DONE")
'''

VISIBILITY = r'''
import glob, os


def sees(d):
    """True if d lists something besides the path leading to this kernel's own folder."""
    try:
        entries = set(os.listdir(d))
    except OSError:
        return False
    here = os.path.realpath(os.getcwd())
    own = {os.path.relpath(here, d).split(os.sep)[0]} if here.startswith(os.path.realpath(d) + os.sep) else set()
    return bool(entries - own)


for d in ("/work", "/work/main", "/work/grader", "/work/main/solutions", "/work/grader/solutions",
          "@BASE@", "@SUBS@", "@OUT@", "@BASE@/tmp"):
    if sees(d):
        print("REACHABLE", d)
if glob.glob("/work/*/solutions/*/*.ipynb") + glob.glob("/work/*/convblocks/*.py"):
    print("REACHABLE the course checkout")
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            cmd = open(f"/proc/{d}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "autograder" in cmd and ("--out" in cmd or " grade " in cmd):
            print("REACHABLE the grader process", d)
for p in ("/var/run/docker.sock", "/run/docker.sock"):
    if os.path.exists(p):
        print("REACHABLE", p)
print("VISIBILITY-PROBE-DONE")
'''

ATTACKS = [
    attack("atk_fork_bomb", PS02, LIMITS, "fork 600 children that sleep for 5 minutes (named with the "
           "run marker)", "every item 0; fork refused before 600; no child alive after the run",
           insert=[("ps02_setup", FORK_BOMB)], must_not_print=["FORK-LIMIT-MISSING"]),
    attack("atk_memory_bomb", PS02, LIMITS, "allocate and touch 6 GB in 256 MB blocks",
           "every item 0; the allocation stops below 6 GB", insert=[("ps02_setup", MEMORY_BOMB)],
           must_not_print=["MEMORY-LIMIT-MISSING"]),
    attack("atk_huge_file", PS02, LIMITS, "write a 3 GB file into the kernel's own folder (and TMPDIR), "
           "SIGXFSZ ignored", "every item 0; the write stops early; nothing big left on disk",
           insert=[("ps02_setup", HUGE_FILE)], must_not_print=["FILE-LIMIT-MISSING"]),
    attack("atk_disk_fill", PS02, LIMITS + " (total storage, not only each file)",
           "many files at the file-size limit: up to 2 GB in the working folder, up to 3 GB in the "
           "RAM-backed /tmp and /dev/shm", "every item 0; the writes stop well before",
           insert=[("ps02_setup", FILL_RAM), ("ps02_setup", FILL_DISK)],
           must_print=["STORED"], must_not_print=["DISK-LIMIT-MISSING", "TMPFS-LIMIT-MISSING"]),
    attack("atk_output_flood", PS02, LIMITS + " (the issue's 104 MB executed notebook)",
           "60 MB on stdout with NUL/terminal escapes, 3 MB on stderr, 4000 display outputs, 30 MB of "
           "display metadata and a 20 MB JSON output", "every item 0; executed notebook and feedback "
           "stay small", insert=[("ps02_setup", FLOOD_STDOUT), ("ps02_setup", FLOOD_DISPLAY),
                                 ("ps02_setup", FLOOD_METADATA)]),
    attack("atk_replay_abuse", PS02,
           "replays after a kernel death count against the same per-notebook time budget",
           "eight cells each sleep 0.8 x the cell timeout and kill the kernel the first time they "
           "run, so every replay re-runs all the sleeps before (quadratic time without a budget)",
           "every item 0; the run finishes within its overall bound",
           insert=[("ps02_setup", _replay_cell(i)) for i in reversed(range(8))]),
    attack("atk_network", PS02, "the sandbox has no network",
           "TCP to public DNS, PyPI, Debian, npm, GitHub, local ports of a dask scheduler/Jupyter/ssh; "
           "UDP DNS; the host's unix sockets in /run", "every item 0; nothing connects",
           insert=[("ps02_setup", NETWORK)], must_print=["NETWORK-PROBE-DONE"],
           must_not_print=["NETWORK-OPEN"]),
    attack("atk_visibility_probe", PS02, "the sandbox has no view of the course, solutions/, "
           "the submissions, --out, other sandboxes or the grader's processes",
           "look for each of them by exact path (the probe knows the run's paths) and in /proc",
           "every item 0; nothing reachable", insert=[("ps02_setup", VISIBILITY)],
           must_print=["VISIBILITY-PROBE-DONE"], must_not_print=["REACHABLE"]),
]
