"""The student's kernel: runs inside the sandbox, with the NumPy-only runtime.

Started as ``python -I agent.py``, it moves its protocol pipes (stdin/stdout) to other
descriptors and points 0, 1 and 2 at /dev/null, so what student code writes to a file
descriptor never reaches the grader. It answers one :mod:`wire` frame at a time:

- ``{"op": "run", "code"}``: execute a cell in the notebook's namespace (a last expression's
  value shown as in Jupyter); reply ``done`` with the outputs and the error (type, message, line);
- ``{"op": "names", "names"}``: each name as ``["function"]``, ``["value", v]``, ``["missing"]``
  or ``["unsendable", type]``;
- ``{"op": "call", "fn", "args", "kwargs", "err"}``: call a notebook function (name or id) on
  plain data, the grader's functions among them calling back (``{"op": "callback"}``); reply
  ``return`` or ``raise``.

Nothing here is trusted: student code runs in this process and can change any of it;
it holds no secret, and the grader believes nothing it sends beyond plain data.
"""

import ast
import builtins
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import wire  # noqa: E402

MAX_TEXT = 100_000     # characters of output kept per cell (the grader caps again)
MAX_OUTPUTS = 100
MAX_MESSAGE = 500
QUIET = ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning", "ImportWarning")


class Channel:
    def __init__(self):
        self.reader, self.writer = open(os.dup(0), "rb"), open(os.dup(1), "wb")
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        self.refs = {}
        self.ns = {"__name__": "__main__", "__builtins__": builtins}  # the notebook's namespace

    def read(self, n):
        data = self.reader.read(n)
        if len(data) < n:
            raise EOFError
        return data

    def tag(self, fn):
        self.refs[id(fn)] = fn
        return ["f", id(fn)]

    def send(self, msg):
        try:
            data = wire.pack(msg, self.tag)
        except (wire.WireError, RecursionError, MemoryError) as exc:
            data = wire.pack({"op": "raise", "type": "UnsendableResult",
                              "message": (str(exc) or type(exc).__name__)[:MAX_MESSAGE]})
        self.writer.write(data)
        self.writer.flush()

    def receive(self):
        return wire.unpack(wire.read_frame(self.read), self.on_ref)

    def on_ref(self, tag, ident):
        if tag == "f":
            return self.refs[ident]

        def grader_function(*args, **kwargs):
            self.send({"op": "callback", "id": ident, "args": list(args), "kwargs": kwargs})
            reply = serve(self, until=("return", "raise"))
            if reply["op"] == "raise":
                raise RuntimeError(f"the grader's function failed: {reply.get('message', '')}")
            return reply["value"]

        return grader_function


class Output:
    """sys.stdout / sys.stderr during a cell: text kept up to the caps."""

    def __init__(self, outputs, name):
        self.outputs, self.name = outputs, name

    def write(self, text):
        text = str(text)
        used = sum(len(t) for _, t in self.outputs)
        text = text[:max(MAX_TEXT - used, 0)]
        if self.outputs and self.outputs[-1][0] == self.name:
            self.outputs[-1][1] += text
        elif text and len(self.outputs) < MAX_OUTPUTS:
            self.outputs.append([self.name, text])
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


def describe_error(exc):
    try:
        message = str(exc)[:MAX_MESSAGE]
    except BaseException:  # noqa: BLE001 - a student's __str__ may fail too
        message = ""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<cell>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return {"type": type(exc).__name__[:100], "message": message, "line": line}


def run(ns, code):
    outputs = []
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Output(outputs, "stdout"), Output(outputs, "stderr")
    error = None
    try:
        tree = ast.parse(code, "<cell>")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<cell>", "exec"), ns)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), ns)
            if value is not None:
                outputs.append(["result", repr(value)[:MAX_TEXT]])
    except BaseException as exc:  # noqa: BLE001 - exit() and sys.exit() end the cell, not the kernel
        error = describe_error(exc)
    finally:
        sys.stdout, sys.stderr = out, err
    return {"op": "done", "outputs": outputs, "error": error}


def names(ns, wanted):
    out = {}
    for name in wanted:
        if name not in ns:
            out[name] = ["missing"]
        elif callable(ns[name]) and not isinstance(ns[name], (type, np.random.Generator)):
            out[name] = ["function"]
        else:
            try:
                wire.pack(ns[name])
                out[name] = ["value", ns[name]]
            except (wire.WireError, RecursionError, MemoryError) as exc:
                out[name] = ["unsendable", f"{type(ns[name]).__name__} ({str(exc)[:200]})"]
    return {"op": "names", "names": out}


def call(channel, msg):
    fn = channel.ns.get(msg["fn"]) if isinstance(msg["fn"], str) else channel.refs.get(msg["fn"])
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(**msg.get("err", {})):
            warnings.simplefilter("always")
            value = fn(*msg["args"], **msg["kwargs"])
    except BaseException as exc:  # noqa: BLE001 - reported to the grader, which words it
        return dict(describe_error(exc), op="raise", warnings=_warnings(caught))
    return {"op": "return", "value": value, "warnings": _warnings(caught)}


def _warnings(caught):
    shown = [w for w in caught if w.category.__name__ not in QUIET][:20]
    return [[w.category.__name__[:100], str(w.message)[:MAX_MESSAGE]] for w in shown]


def serve(channel, until=()):
    """Answer requests until one whose op is in ``until`` (a callback's reply), which is returned."""
    while True:
        msg = channel.receive()
        op = msg.get("op")
        if op in until:
            return msg
        if op == "run":
            reply = run(channel.ns, msg["code"])
        elif op == "names":
            reply = names(channel.ns, msg["names"])
        elif op == "call":
            reply = call(channel, msg)
        else:
            reply = {"op": "raise", "type": "ProtocolError", "message": f"unknown request {op!r}"}
        channel.send(reply)


def main():
    channel = Channel()
    sys.path.pop(0)  # the agent's folder is not the student's
    builtins.display = lambda *objs, **kwargs: [print(repr(o)) for o in objs] and None  # Jupyter's display()
    channel.send({"op": "ready"})
    try:
        serve(channel)
    except EOFError:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
