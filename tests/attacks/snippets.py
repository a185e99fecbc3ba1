"""Code shared by several attack cells (pasted into the notebook, never imported by it).

Placeholders filled in when the corpus is built (see ``attacks.build``):

- ``@MARKER@``  a random word unique to one test run. Every process an attack starts
  carries it (process name, argv or environment) so the test can find survivors, and
  every *destructive* write is limited to paths that contain it: the run's folders
  (submissions, --out, TMPDIR) all have it in their path. Without that guard a broken
  grader would let the corpus damage the machine it runs on (the real repository,
  other people's grading runs), which is not what the test is for.
- ``@PROOF@``   a host folder; student code that finds itself running in a process
  other than its own kernel (the grader unpickled it, called a dunder method of it...)
  writes a file there. The test requires it to stay empty.
- ``@SUBS@``, ``@OUT@``  the run's submissions folder and --out (probes only: even an
  attacker who knows the exact paths must not reach them).
- ``@TIMEOUT@`` the per-cell timeout the run uses (seconds).
"""

# Which processes of this grading run can the kernel see? (pid, cmdline, environ)
PROCS = r'''
import os as _os
MARKER = "@MARKER@"


def _run_processes(need=""):
    """Processes of this grading run visible from here (never anything else on the machine)."""
    found = []
    for d in _os.listdir("/proc"):
        if not d.isdigit() or int(d) == _os.getpid():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{d}/environ", "rb") as fh:
                env = fh.read().decode(errors="replace")
        except OSError:
            continue
        if (MARKER in cmd or MARKER in env) and need in cmd:
            found.append((int(d), cmd, env))
    return found


def _grader_out_dirs():
    """--out of the grader, read from its command line in /proc (the issue's daemon trick)."""
    outs = set()
    for pid, cmd, env in _run_processes("--out"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        for i, a in enumerate(argv):
            if a == "--out" and i + 1 < len(argv):
                p = argv[i + 1]
                if not _os.path.isabs(p):
                    p = _os.path.join(f"/proc/{pid}/cwd", p)
                outs.add(p)
            elif a.startswith("--out="):
                outs.add(a.split("=", 1)[1])
    return sorted(outs)


def _name_me(tag="x"):
    """Put the run marker into this process's name (/proc/<pid>/comm)."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(15, MARKER.encode()[:15], 0, 0, 0)
    except Exception:
        pass
'''

# Encoders an attacker uses to smuggle text past a line-matching sanitizer.
PACK = r'''
import base64 as _b64, zlib as _zlib


def _z64(text):
    return _b64.b64encode(_zlib.compress(str(text).encode(), 9)).decode()


def _zhex(text):
    return _zlib.compress(str(text).encode(), 9).hex()


def _juicy(text):
    """The lines of `text` most likely to be hidden tests or solutions."""
    words = ("cb.", "ck.", "expected", "HIDDEN", "mistakes", "rng", "SOLUTION", "return", "np.")
    return "\n".join(ln for ln in str(text).splitlines() if any(w in ln for w in words))
'''

# Find convblocks (or SciPy) however it can be reached from the kernel.
FIND_LIBS = r'''
import glob as _glob, importlib as _importlib, importlib.util as _iu, os as _os, site as _site, sys as _sys

_ROOTS = ["/work/main", "/work/grader", "/work", "/repo", "/app", "/course", "../..", "../../..", "../../../.."]
_SITES = sorted(set(_glob.glob("/work/*/.venv/lib/python3*/site-packages")
                    + _glob.glob("/usr/lib/python3/dist-packages")
                    + _glob.glob("/usr/local/lib/python3*/site-packages")))


def _find(name):
    """Import `name` from wherever it can be found (course checkout, course venv, system)."""
    try:
        return _importlib.import_module(name)
    except ImportError:
        pass
    for site_dir in _SITES:
        _site.addsitedir(site_dir)
    for root in _ROOTS:
        if root not in _sys.path:
            _sys.path.append(root)
    _importlib.invalidate_caches()
    try:
        return _importlib.import_module(name)
    except ImportError:
        pass
    for init in _glob.glob(f"/work/*/{name}/__init__.py") + _glob.glob(f"../../../{name}/__init__.py"):
        spec = _iu.spec_from_file_location(name, init, submodule_search_locations=[_os.path.dirname(init)])
        mod = _iu.module_from_spec(spec)
        _sys.modules[name] = mod
        try:
            spec.loader.exec_module(mod)
            return mod
        except Exception:
            del _sys.modules[name]
    raise ImportError(f"{name} is not reachable from this kernel")
'''

# A guard every destructive write goes through (see the module docstring).
GUARD = r'''
def _ours(path):
    import os
    return "@MARKER@" in os.path.realpath(path) or "@MARKER@" in os.path.abspath(path)
'''
