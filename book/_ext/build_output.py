"""Sphinx extension: a build whose output a newcomer can read.

* The notebook kernels that execute the chapters talk to the build over
  CurveZMQ-encrypted channels. Without keys, ipykernel warns once per
  executed chapter that it "is running over TCP without encryption"; the
  kernel manager can provision the keys itself (jupyter_client's
  ``transport_encryption``), and then there is nothing to warn about. myst-nb
  runs notebooks through jupyter-cache and nbclient, which create their kernel
  manager without any configuration of ours, so the setting goes on the
  class: its default becomes ``"required"`` (a kernel that cannot be
  encrypted fails to start, with jupyter_client's message) wherever pyzmq
  was built with CurveZMQ; elsewhere the kernel keeps its warning.
* In a quiet build (``python -m tools.build_book``, or ``jupyter-book build
  -q``), Sphinx prints only warnings; this extension adds one line per page
  read (and whether its code ran or its outputs came from the cache) and one
  line when the pages are written. A normal build keeps Sphinx's own output.
"""

import sys
import time

import zmq


def encrypt_kernel_channels(app, config):
    if not zmq.has("curve"):
        return
    from jupyter_client.manager import KernelManager

    KernelManager.transport_encryption.default_value = "required"


class Progress:
    """One line per page on stdout while Sphinx itself is quiet."""

    def __init__(self):
        self.started = time.time()
        self.total = 0
        self.done = 0
        self.page_started = {}

    def say(self, app, text):
        if app.quiet:
            print(text, file=sys.stdout, flush=True)

    def before_read(self, app, env, docnames):
        self.total = len(docnames)
        if self.total == 0:
            self.say(app, "  every page is up to date")

    def source_read(self, app, docname, source):
        self.page_started[docname] = time.time()

    def doctree_read(self, app, doctree):
        docname = app.env.docname
        self.done += 1
        seconds = time.time() - self.page_started.pop(docname, time.time())
        how = ""
        exec_data = _exec_data(app.env, docname)
        if exec_data:
            if exec_data.get("mtime", 0) >= self.started:
                how = f"ran its code in {exec_data.get('runtime') or seconds:.1f} s"
            else:
                how = "outputs from the cache"
        width = len(str(self.total))
        self.say(app, f"  [{self.done:{width}d}/{self.total}] {docname:<34} {how}".rstrip())

    def before_write(self, app, env):
        if self.total:
            self.say(app, "  writing the pages ...")


def _exec_data(env, docname):
    try:
        from myst_nb.sphinx_ import NbMetadataCollector
    except ImportError:
        return None
    try:
        return NbMetadataCollector.get_exec_data(env, docname)
    except (AttributeError, KeyError):
        return None


def setup(app):
    progress = Progress()
    app.connect("config-inited", encrypt_kernel_channels)
    app.connect("env-before-read-docs", progress.before_read)
    app.connect("source-read", progress.source_read)
    app.connect("doctree-read", progress.doctree_read)
    app.connect("env-check-consistency", progress.before_write)
    return {"parallel_read_safe": False, "parallel_write_safe": True, "version": "1.0"}
