"""Sphinx extension: make the Conv Blocks site self-contained.

* Copies the pinned MathJax (``npm ci`` installs it into ``node_modules/``) into
  ``_static/mathjax/`` of the built site, so no page loads a script from a CDN.
  Only the parts a page can load are copied: the TeX-to-HTML bundle, the TeX
  extensions it autoloads, the CHTML fonts and the menu/accessibility modules.
* Drops the second copy of the Thebe loader that Jupyter Book 1 emits (two
  copies throw "Identifier 'THEBE_JS_URL' has already been declared").
"""

import shutil
from pathlib import Path

from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[2]
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"
MATHJAX_PARTS = ["tex-chtml.js", "input", "output", "ui", "a11y", "adaptors"]


def check_assets(app):
    if not (MATHJAX / "tex-chtml.js").is_file():
        raise ExtensionError(
            f"site_assets: MathJax is missing from {MATHJAX}; run `npm ci` in {ROOT} "
            "(`make book` does it for you)"
        )


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        source = MATHJAX / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)


def drop_duplicate_thebe(app, pagename, templatename, context, doctree):
    """Keep one Thebe loader per page (Jupyter Book 1 adds it twice)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        key = (getattr(script, "filename", None) or None, attributes.get("body"))
        if "THEBE" in str(key) and key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def setup(app):
    app.connect("builder-inited", check_assets)
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", drop_duplicate_thebe)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
