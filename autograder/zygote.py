"""A kernel launcher that has already imported ipykernel, IPython and NumPy.

Run as a script (``python autograder/zygote.py``) by each grading worker. For every
submission it forks a *fresh* child process that becomes the kernel: the child starts
its own session (process group), points stdin/stdout/stderr at /dev/null, moves to
the sandbox, replaces its whole environment and ``sys.path`` with the sandbox's, and
runs ``IPKernelApp`` on the given connection file. The zygote itself never runs
student code, so every kernel starts from the same pristine state, about ten times
faster than a cold ``python -m ipykernel_launcher``.

Protocol: one JSON request per line on stdin
``{"cwd", "env", "connection_file", "args", "path"}``; one JSON reply per line on
stdout ``{"pid": N}``. The zygote exits when its stdin closes (its worker is gone);
kernels poll it and exit when it is gone.
"""

import json
import os
import signal
import sys


def _child(req):
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        fd = os.open(os.devnull, os.O_RDWR)
        for i in (0, 1, 2):
            os.dup2(fd, i)
        os.close(fd)
        import resource
        for name, value in req.get("rlimits", {}).items():
            limit = getattr(resource, name, None)
            if limit is not None and value:
                resource.setrlimit(limit, (int(value), int(value)))
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        sys.path[:] = list(req["path"])
        sys.argv = ["ipykernel_launcher"]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(["-f", req["connection_file"], *req["args"],
                        f"--IPKernelApp.parent_handle={os.getppid()}"])
        app.start()
    except BaseException:  # noqa: BLE001 - a kernel child must never return into the zygote loop
        os._exit(1)
    os._exit(0)


def serve():
    # the script's own folder (autograder/) must not leak into the kernels' sys.path
    here = os.path.dirname(os.path.abspath(__file__))
    base_path = [p for p in sys.path if p and os.path.abspath(p) != here]
    import IPython  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import ipykernel.zmqshell  # noqa: F401
    import numpy  # noqa: F401
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    out = sys.stdout
    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        req["path"] = list(req.get("pythonpath", [])) + base_path
        pid = os.fork()
        if pid == 0:
            _child(req)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


if __name__ == "__main__":
    serve()
