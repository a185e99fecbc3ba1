"""The grader's end of a student kernel: a sandbox running ``agent.py``, plain data over two pipes.

A :class:`Kernel` starts the agent in a :class:`sandbox.Sandbox` (the agent's two files
mounted read-only) and exchanges :mod:`wire` frames with a deadline on every byte. A
student function is a :class:`Proxy` whose call runs it in the kernel; the grader's
functions passed as arguments stay here and are called back. A kernel that overruns
its deadline, dies or breaks the protocol is killed with its sandbox and raises
:class:`KernelTimeout` / :class:`KernelDied` (not ``Exception``: tests cannot swallow them).
"""

import builtins
import contextlib
import functools
import os
import select
import subprocess
import time
import warnings

import numpy as np

from . import config, wire
from .sandbox import Limits, Sandbox, runtime_python

AGENT = ("agent.py", "wire.py")


class KernelDied(BaseException):
    """The kernel ended (exit, crash, memory) or broke the protocol."""


class KernelTimeout(BaseException):
    """The kernel did not answer before the deadline."""


class StudentError(Exception):
    """An exception raised by student code in the kernel: its type name, message and line."""

    def __init__(self, type_name, message, line=None):
        super().__init__(message)
        self.type_name, self.message, self.line = type_name, message, line


@functools.cache
def _student_class(name, root, extra):
    """A subclass of ``extra`` (and of the built-in ``name`` if it is a ``root``) for what student code raised."""
    builtin = getattr(builtins, name, None)
    bases = (*extra, builtin) if isinstance(builtin, type) and issubclass(builtin, root) else extra
    body = {"from_student": True}
    if root is Exception:
        body.update(__init__=StudentError.__init__, __str__=lambda self: self.message)
    try:
        cls = type(name, bases, body)
        if root is Exception:
            cls(name, "")
        return cls
    except TypeError:  # a built-in whose layout does not mix: the plain kind
        return type(name, extra, body)


def student_error(type_name, message, line=None):
    """A StudentError that is also the built-in exception of that name (``except ValueError`` works)."""
    return _student_class(type_name, Exception, (StudentError,))(type_name, message, line)


def student_warning(category):
    """The class of a warning student code raised (a subclass of the built-in of that name)."""
    builtin = getattr(builtins, category, None)
    known = isinstance(builtin, type) and issubclass(builtin, Warning)
    return _student_class(category, Warning, () if known else (UserWarning,))


class Proxy:
    """A function that lives in the kernel; calling it runs it there on copies of plain data."""

    def __init__(self, kernel, target, name):
        self._kernel, self._target, self.__name__ = kernel, target, name

    def __call__(self, *args, **kwargs):
        return self._kernel.call(self._target, list(args), kwargs)

    def __repr__(self):
        return f"<your function {self.__name__}>"


class Kernel:
    """One agent in one sandbox; ``deadline`` (time.monotonic) bounds every request."""

    def __init__(self, workdir, sandboxed=True, slot=0):
        here = config.PACKAGE  # the agent's two files, nothing else of the grader, mounted read-only
        self.box = Sandbox(workdir, limits=Limits(memory_bytes=config.KERNEL_MEMORY_BYTES,
                                                  file_bytes=config.KERNEL_FILE_BYTES),
                           ro_binds=[(here / f, f"/agent/{f}") for f in AGENT], enabled=sandboxed, slot=slot)
        # paths as seen inside (the unsandboxed fallback maps them back to the host)
        env = {"MPLBACKEND": "Agg", "MPLCONFIGDIR": "/work/.matplotlib", "PYTHONHASHSEED": "0",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        t0 = time.monotonic()
        self.proc = self.box.popen([runtime_python(), "-I", "/agent/agent.py"], env=env, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.rfd, self.wfd = self.proc.stdout.fileno(), self.proc.stdin.fileno()
        os.set_blocking(self.wfd, False)
        self.callbacks, self.dead, self.depth = {}, None, 0
        self.deadline = t0 + 60.0  # to start
        reply = self._receive()
        if reply.get("op") != "ready":
            self._fail(KernelDied("the kernel did not start"))
        self.startup_seconds = time.monotonic() - t0

    # -- bytes --------------------------------------------------------------------------
    def _wait(self, fds_r, fds_w):
        left = self.deadline - time.monotonic()
        if left <= 0:
            self._fail(KernelTimeout())
        return select.select(fds_r, fds_w, [], left)

    def _read(self, n):
        chunks = []
        while n:
            if self._wait([self.rfd], [])[0]:
                b = os.read(self.rfd, min(n, 2**20))
                if not b:
                    self._fail(KernelDied("the kernel ended"))
                chunks.append(b)
                n -= len(b)
        return b"".join(chunks)

    def _write(self, data):
        view = memoryview(data)
        while view:
            if self._wait([], [self.wfd])[1]:
                try:
                    view = view[os.write(self.wfd, view[:2**16]):]
                except BlockingIOError:
                    continue
                except BrokenPipeError:
                    self._fail(KernelDied("the kernel ended"))

    def _fail(self, exc):
        self.kill()
        self.dead = exc
        raise exc

    def _tag(self, fn):
        if isinstance(fn, Proxy) and fn._kernel is self:
            return ["f", fn._target]
        self.callbacks[id(fn)] = fn
        return ["c", id(fn)]

    def _ref(self, tag, ident):
        if tag != "f":
            raise wire.WireError("the kernel sent a reference to a grader function")
        return Proxy(self, ident, "the function it returned")

    def _send(self, msg):
        self._write(wire.pack(msg, self._tag))

    def _receive(self):
        try:
            frame = wire.read_frame(self._read)
        except wire.WireError as exc:  # the stream is lost
            self._fail(KernelDied(f"the kernel sent something that is not plain data ({exc})"))
        try:
            msg = wire.unpack(frame, self._ref)
        except wire.WireError as exc:  # one bad value: the request fails, the kernel goes on
            return {"op": "raise", "type": "UnsendableResult", "message": f"the grader cannot read it: {exc}"}
        if type(msg) is not dict or type(msg.get("op")) is not str:
            self._fail(KernelDied("the kernel broke the protocol"))
        return msg

    # -- requests -----------------------------------------------------------------------
    def request(self, msg):
        """Send ``msg``; serve callbacks to the grader's functions until the reply comes."""
        if self.dead is not None:
            raise type(self.dead)(*self.dead.args)
        self.depth += 1
        try:
            self._send(msg)
            while (reply := self._receive())["op"] == "callback":
                fn = self.callbacks.get(reply.get("id"))
                try:
                    self._send({"op": "return", "value": fn(*reply.get("args", []), **reply.get("kwargs", {}))})
                except wire.WireError as exc:
                    self._send({"op": "raise", "message": str(exc)[:200]})
                except Exception as exc:  # noqa: BLE001 - only its type goes back: it is the grader's code
                    self._send({"op": "raise", "message": type(exc).__name__})
            return reply
        finally:
            self.depth -= 1
            if not self.depth:  # the grader's functions are callable only during the call that passed them
                self.callbacks.clear()

    def run(self, code):
        """Execute a cell: {"outputs": [[stdout|stderr|result, text]...], "error": None or {type, message, line}}."""
        return self.request({"op": "run", "code": code})

    def names(self, names):
        reply = self.request({"op": "names", "names": sorted(names)})
        if reply["op"] != "names" or type(reply.get("names")) is not dict:
            raise student_error("UnsendableResult", str(reply.get("message", "the kernel broke the protocol")))
        return reply["names"]

    def call(self, target, args, kwargs):
        reply = self.request({"op": "call", "fn": target, "args": args, "kwargs": kwargs, "err": np.geterr()})
        for category, message in reply.get("warnings", [])[:20]:
            warnings.warn(student_warning(str(category))(str(message)[:500]), stacklevel=2)
        if reply["op"] == "return":
            return reply.get("value")
        if reply["op"] == "raise":
            raise student_error(str(reply.get("type", "Exception"))[:100], str(reply.get("message", ""))[:500],
                                reply.get("line") if type(reply.get("line")) is int else None)
        self._fail(KernelDied("the kernel broke the protocol"))

    def kill(self):
        self.box.kill()
        for f in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                f.close()
