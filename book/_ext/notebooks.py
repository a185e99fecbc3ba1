"""Sphinx extension: every chapter is also a notebook, offered for download and launch.

* Writes ``<chapter>.ipynb`` next to each chapter page of the built site
  (``_build/html/book/03_pooling.ipynb`` beside ``03_pooling.html``), made from
  the MyST source by ``tools.notebooks.chapter_notebook`` (jupytext; no outputs).
* The theme's download menu offers that file as ``.ipynb`` (the theme's own entry
  would be the *executed* notebook, outputs included, under ``_sources/``).
* Launch buttons: Binder, Colab and JupyterHub open files from the repository,
  so they point at the committed ``notebooks/<chapter>.ipynb`` (``make
  notebooks`` writes it; the tests fail when it drifts from its chapter) on
  ``repository.branch``. The theme builds their links from the page's source
  path (``book/03_pooling.md``, which Colab cannot open); we swap that path.
* A button whose service is not configured is not shown: with ``repository.url``
  empty in ``_config.yml`` there is no repository link, no issues link and no
  launch button at all (each needs the repository); with it set, the repository
  and issues links and a button for each configured service
  (``launch_buttons.binderhub_url``, ``colab_url``, ``jupyterhub_url``) appear.
"""

import sys
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = "notebooks"  # the repository folder the launch buttons open
LAUNCH_SERVICES = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url", "jupyterlite_url")

logger = logging.getLogger(__name__)


def _tools():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        from tools import notebooks
    except ImportError as error:  # jupytext missing
        raise ExtensionError(
            f"notebooks: cannot make the chapter notebooks ({error}); "
            "run `pip install -r requirements.txt` (it pins jupytext)"
        ) from error
    return notebooks


def configure_buttons(app, config):
    """No repository configured: no repository/issues link and no launch button."""
    options = config.html_theme_options
    repo_url = (options.get("repository_url") or "").strip()
    launch = dict(options.get("launch_buttons") or {})
    if not repo_url:
        for key in LAUNCH_SERVICES:
            launch.pop(key, None)
    # The repository and issues links follow repository.url (Jupyter Book refuses
    # use_repository_button without a URL, so they cannot simply be left on).
    options["use_repository_button"] = bool(repo_url)
    options["use_issues_button"] = bool(repo_url)
    options["launch_buttons"] = launch


def _is_chapter(app, pagename):
    metadata = app.env.metadata.get(pagename, {})
    return "kernelspec" in metadata and str(app.env.doc2path(pagename)).endswith(".md")


def _group(context, label):
    for button in context.get("header_buttons", []):
        if button.get("label") == label:
            return button
    return None


def point_buttons_at_notebook(app, pagename, templatename, context, doctree):
    """Runs after the theme (priority 501) has filled ``header_buttons``."""
    if not _is_chapter(app, pagename):
        return
    notebook = f"{pagename}.ipynb"
    downloads = _group(context, "download-buttons")
    if downloads is not None:
        kept = [b for b in downloads["buttons"] if b.get("label") != "download-notebook-button"]
        kept.insert(0, {
            "type": "link",
            "url": context["pathto"](notebook, 1),
            "text": ".ipynb",
            "icon": "fas fa-code",
            "tooltip": "Download this chapter as a Jupyter notebook",
            "label": "download-notebook-button",
        })
        downloads["buttons"] = kept

    launch = _group(context, "launch-buttons")
    if launch is None:
        return
    options = app.config.html_theme_options
    prefix = (options.get("path_to_docs") or "").strip("/")
    prefix = f"{prefix}/" if prefix else ""
    theme_paths = [f"{prefix}{pagename}{suffix}" for suffix in (".md", ".ipynb")]
    target = f"{NOTEBOOKS}/{Path(pagename).name}.ipynb"
    for button in launch["buttons"]:
        if button.get("type") != "link":
            continue
        url = button["url"]
        for path in theme_paths:
            url = url.replace(path, target)
        if target not in url:
            logger.warning(
                f"notebooks: cannot point the {button.get('text')} launch button of {pagename} "
                f"at {target} (link {button['url']})", type="notebooks", subtype="launch",
            )
        button["url"] = url


def write_site_notebooks(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    notebooks = _tools()
    options = app.config.html_theme_options
    repo_url = (options.get("repository_url") or "").strip().rstrip("/")
    branch = (options.get("repository_branch") or "main").strip()
    written = []
    for docname in sorted(app.env.found_docs):
        if not _is_chapter(app, docname):
            continue
        nb = notebooks.chapter_notebook(app.env.doc2path(docname), repo_url, branch)
        target = Path(app.outdir) / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(notebooks.notebook_text(nb), encoding="utf-8")
        written.append(docname)
    logger.info(f"notebooks: {len(written)} chapter notebooks written next to their pages")
    if repo_url:
        stale = notebooks.stale_notebooks(ROOT / NOTEBOOKS, ROOT)
        if stale:
            logger.info(
                f"notebooks: the launch buttons open {NOTEBOOKS}/, which is out of date for "
                f"{', '.join(stale)}: run `make notebooks` and commit it"
            )


def setup(app):
    _tools()
    app.connect("config-inited", configure_buttons)
    app.connect("html-page-context", point_buttons_at_notebook, priority=502)
    app.connect("build-finished", write_site_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
