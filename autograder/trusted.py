"""Test cells, run in the grader's own process: the student's kernel only answers questions.

A test cell runs here as authored, in a namespace holding what the locked cells and
earlier test cells defined. Every other name it reads is asked of the kernel: a student
function becomes a :class:`kernel.Proxy`, a value is fetched as plain data. Expected
values and test code never leave this process. A warning from the student's code that
escapes the test cell fails it, as stderr output fails a cell in nbgrader. The cell's own
code runs under the cell's deadline too (:func:`time_limit`).
"""

import builtins
import contextlib
import dis
import hashlib
import io
import sys
import time
import warnings

from . import checks, wire
from .kernel import KernelTimeout, Proxy, StudentError

CELLS = ("<test cell>", "<locked cell>")  # code compiled here; traced line by line
LOADS = {"LOAD_NAME", "LOAD_GLOBAL", "LOAD_FROM_DICT_OR_GLOBALS"}
STORES = {"STORE_NAME", "STORE_GLOBAL", "DELETE_NAME", "DELETE_GLOBAL"}


def free_names(code):
    """Global names ``code`` reads before binding them (module level) or never binds (functions)."""
    free, bound = set(), set()
    for ins in dis.get_instructions(code):
        if ins.opname in STORES:
            bound.add(ins.argval)
        elif ins.opname in LOADS and ins.argval not in bound:
            free.add(ins.argval)
    nested = [c for c in code.co_consts if hasattr(c, "co_code")]
    while nested:
        c = nested.pop()
        nested += [k for k in c.co_consts if hasattr(k, "co_code")]
        free |= {i.argval for i in dis.get_instructions(c) if i.opname in LOADS and i.argval not in bound}
    return free, bound


@contextlib.contextmanager
def time_limit(deadline):
    """Raise :class:`KernelTimeout` in this thread once ``time.monotonic()`` passes ``deadline``.

    Checked (``sys.settrace``, so in any thread) at every line of the cells' own code and every
    Python call made from it; one long call into C code (a NumPy operation) finishes first."""
    def check(frame, event, arg):
        if time.monotonic() > deadline:
            raise KernelTimeout()
        return check if frame.f_code.co_filename in CELLS else None

    previous = sys.gettrace()
    sys.settrace(check)
    try:
        yield
    finally:
        sys.settrace(previous)


def submission_salt(*parts):
    """The per-submission number ``ck.rng(seed)`` mixes into every seed."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return int.from_bytes(h.digest()[:8], "big")


def describe(exc):
    """(ename, evalue) of an exception raised while a test cell ran: the grader's words, or the
    student's exception type with at most 500 characters of its message."""
    if isinstance(exc, StudentError):
        msg = exc.message[:500]
        where = f", line {exc.line} of your cell" if exc.line else ""
        hint = checks.IMPORT_HINT if exc.type_name in ("ModuleNotFoundError", "ImportError") else ""
        return exc.type_name, f"{msg} (raised by your code{where}){hint}"
    return type(exc).__name__, str(exc)[:2000]


class Trusted:
    """The grader's side of one notebook: the instructor namespace and the test cells."""

    def __init__(self, salt=0):
        self.ns = {"__name__": "__main__", "__builtins__": builtins}
        self.salt = salt

    def run_locked(self, source, deadline=float("inf")):
        """Run instructor code (setup and other locked cells) here too, so tests can use its names."""
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings(), time_limit(deadline):
            warnings.simplefilter("ignore")
            with contextlib.suppress(Exception):  # e.g. a demo that needs the student's functions
                exec(compile(source, "<locked cell>", "exec"), self.ns)

    def run_test(self, source, kernel, deadline=float("inf")):
        """Run a test cell; returns (stdout text, None or (ename, evalue)).

        KernelTimeout (the deadline passed, here or in the kernel) and KernelDied propagate."""
        try:
            code = compile(source, "<test cell>", "exec")
        except SyntaxError as exc:
            return "", ("SyntaxError", f"the test cell does not compile: {exc.msg}")
        free, bound = free_names(code)
        need = free - set(self.ns) - set(dir(builtins))
        cell_ns = dict(self.ns)
        try:
            answers = kernel.names(need) if need and kernel is not None else {}
        except StudentError as exc:
            return "", ("AssertionError", f"the values this test reads could not be read: {exc.message[:500]}")
        for name in sorted(need & answers.keys()):  # the kernel may answer more than it was asked
            answer = answers[name]
            kind = answer[0] if type(answer) in (list, tuple) and answer else None
            if kind == "function":
                cell_ns[name] = Proxy(kernel, name, name)
            elif kind == "value" and len(answer) == 2:
                cell_ns[name] = answer[1]
            elif kind == "unsendable":
                return "", ("AssertionError", f"{name} is a {str(answer[1])[:300]}, which the grader cannot "
                            f"read: it reads {wire.PLAIN}")
        out = io.StringIO()  # capped with the kernel's outputs (worker.Budget)
        checks.SALT = self.salt
        error = None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
                warnings.catch_warnings(record=True) as caught, time_limit(deadline):
            warnings.simplefilter("always")
            try:
                exec(code, cell_ns)
            except Exception as exc:  # noqa: BLE001 - a failed test; KernelDied/KernelTimeout go up
                error = describe(exc)
        self.ns.update({name: cell_ns[name] for name in bound if name in cell_ns})
        escaped = [w for w in caught if getattr(w.category, "from_student", False)]
        if error is None and escaped:
            w = escaped[0]
            error = (w.category.__name__, f"your code raised a warning, which fails the test: {str(w.message)[:500]}")
        return out.getvalue(), error
