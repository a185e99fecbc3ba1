"""Sphinx extension: demo states beyond the initial one live in files next to the page.

A demo cell's output (:meth:`convblocks.demos.Demo.static_html`, stored in the
execution cache like any output) inlines every pre-rendered state. When a page
is written, this extension moves each demo's states into a script file next to
the page (``book/03_pooling-demo-<hash>.js`` beside ``book/03_pooling.html``)
and keeps only the initial state inline (it is in the markup). The page loads
the file the first time the reader touches that demo.

The page loads the file with a ``<script>`` element, not ``fetch``: that works
over http and also when the built page is opened straight from disk (file://),
where Chromium and Firefox block ``fetch`` and XHR but not classic scripts. If
the file cannot be loaded (deleted, or a server that refuses it), the demo says
so under its panels, and its controls go back to the initial settings, which it
keeps showing.

The split happens on the doctree of the page being written, so a rebuild that
takes every output from the execution cache writes the files all the same; a
page that is not rewritten keeps the files written with it, since the names
carry a hash of the states they hold.
"""

from pathlib import Path, PurePosixPath

from docutils import nodes
from sphinx.util import logging

from convblocks.demos._base import split_states

logger = logging.getLogger(__name__)


def move_states(app, doctree, docname):
    if app.builder.format != "html":
        return
    page = PurePosixPath(docname)
    folder = Path(app.outdir, *page.parent.parts)
    for node in doctree.findall(nodes.raw):
        text = node.astext()
        if "cb-demo-data" not in text or "html" not in node.get("format", "").split():
            continue
        lighter, files = split_states(text, page.name)
        if not files:
            if '"initial":' not in text:  # an output cached before demos had an initial state
                logger.warning(
                    f"demo_states: {docname} shows a demo output from an older convblocks (the execution "
                    "cache keys on the notebook's code, not on convblocks); delete _build/.jupyter_cache "
                    "in the build folder and build again", location=docname)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for name, script in files.items():
            (folder / name).write_text(script, encoding="utf-8")
        node.children = [nodes.Text(lighter)]


def setup(app):
    app.connect("doctree-resolved", move_states)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
