"""Sphinx extension: fix the accessibility faults that the theme and the tools put on every page.

axe-core (tests/test_site_a11y.py) finds them; each is fixed where the markup
is written, so the fix follows the installed versions instead of patching
their output:

* The search field (pydata-sphinx-theme's ``search-button-field.html``, twice
  per page) is labelled "Search" while it shows "Search Ctrl+K": a speech-input
  user who says what they see does not reach it (WCAG 2.5.3 Label in Name).
  We render the theme's own template without the ``aria-label``, so the button
  is named by the text it shows, and say the shortcut with
  ``aria-keyshortcuts``. The template is generated from the installed theme at
  build time; if the theme changes it so the fix no longer applies, the build
  stops and says so.
* myst-nb's "Show code cell source" toggles (``<summary>``) carry
  ``aria-label="Toggle hidden content"``, which hides the text they show. The
  toggle keeps myst-nb's markup minus that label: its name becomes the visible
  "Show code cell source" / "Hide code cell source".
* docutils marks each reference of the bibliography ``role="doc-biblioentry"``
  inside a ``role="list"``: the role is deprecated (DPUB-ARIA 1.1) and a list
  must hold list items, so the references page had a critical
  ``aria-required-children``. Each entry becomes ``role="listitem"``.
* MathJax's context menu, when a page loads it, makes every formula a Tab stop
  (``tabindex="0"``). The site loads MathJax without the menu (site_assets.py),
  so formulas are never focusable; should the menu come back, we set its
  ``inTabOrder`` setting to false so formulas stay out of the Tab order while
  the menu stays reachable by right-click.
* A display formula wider than its box scrolls inside it (convblocks-site.css),
  which a keyboard cannot do unless the box takes focus: ``convblocks-a11y.js``
  makes exactly those formulas Tab stops (as pydata-sphinx-theme does for code
  blocks and outputs), on the pages with math.
* A chapter's demo comes after its whole text (100 Tab stops in chapter 3:
  the sidebar, links, folds, a copy button per code cell): the same script puts
  a "Skip to the demo" link next to the theme's "Skip to main content", so the
  keyboard reaches the first demo control in four presses.
"""

import re
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError

SEARCH_FIELD = "components/search-button-field.html"
SEARCH_LABEL = re.compile(r"""\saria-label="\{\{ _\(['"]Search['"]\) \}\}\"""")
SEARCH_SHORTCUT = ' aria-keyshortcuts="Control+K"'
TOGGLE_LABEL = ('<summary aria-label="Toggle hidden content">', "<summary>")
BIBLIOENTRY = ('role="doc-biblioentry"', 'role="listitem"')
STATIC = Path(__file__).resolve().parent / "a11y_static"
SCRIPT = "convblocks-a11y.js"
# MathJax components that bundle the context menu (ui/menu) and with it the Tab stops.
MATHJAX_WITH_MENU = re.compile(r"(^|/)(tex|mml)-[a-z-]+\.js$")


def _theme_template(name):
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / name


def _write_search_field(target):
    """pydata-sphinx-theme's search field, named by its visible text."""
    source = _theme_template(SEARCH_FIELD)
    text, count = SEARCH_LABEL.subn(SEARCH_SHORTCUT, source.read_text())
    if count != 1:
        raise ExtensionError(
            f"a11y: expected one aria-label=\"{{{{ _('Search') }}}}\" in {source}, found {count}; "
            "the installed pydata-sphinx-theme differs from the pinned one (requirements.txt): "
            "check the search button with tests/test_site_a11y.py and update book/_ext/a11y.py"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_text() != text:
        target.write_text(text)


def _keep_formulas_out_of_tab_order(config):
    mathjax = dict(config.mathjax3_config or {})
    load = (mathjax.get("loader") or {}).get("load") or []
    if not (MATHJAX_WITH_MENU.search(config.mathjax_path or "") or "ui/menu" in load):
        return
    options = dict(mathjax.get("options") or {})
    menu = dict(options.get("menuOptions") or {})
    menu["settings"] = {**(menu.get("settings") or {}), "inTabOrder": False}
    options["menuOptions"] = menu
    mathjax["options"] = options
    config.mathjax3_config = mathjax


def configure(app, config):
    templates = Path(app.doctreedir).parent / "a11y_templates"
    # The theme puts its components/ folder on templates_path: pages include "search-button-field.html".
    _write_search_field(templates / Path(SEARCH_FIELD).name)
    config.templates_path = [str(templates)] + list(config.templates_path)
    config.html_static_path = list(config.html_static_path) + [str(STATIC)]
    _keep_formulas_out_of_tab_order(config)


def add_keyboard_script(app, pagename, templatename, context, doctree):
    """Load convblocks-a11y.js on the pages with math (Sphinx's condition for MathJax) or a demo."""
    if app.builder.format != "html":
        return
    has_math = app.env.get_domain("math").has_equations(pagename)
    if app.registry.html_assets_policy == "always" or has_math or 'class="cb-demo"' in context.get("body", ""):
        app.builder.add_js_file(SCRIPT, defer="defer")


def _rewriting(visit, old, new):
    """A node visitor that writes what ``visit`` writes, with ``old`` replaced by ``new``."""

    def visitor(self, node):
        start = len(self.body)
        visit(self, node)
        self.body[start:] = [part.replace(old, new) for part in self.body[start:]]

    return visitor


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
    from sphinx.writers.html5 import HTML5Translator

    app.connect("config-inited", configure)
    app.connect("html-page-context", add_keyboard_script)
    app.add_node(
        HideCodeCellNode,
        override=True,
        html=(_rewriting(visit_HideCellInput, *TOGGLE_LABEL), depart_HideCellInput),
    )
    app.add_node(
        nodes.citation,
        override=True,
        html=(_rewriting(HTML5Translator.visit_citation, *BIBLIOENTRY), HTML5Translator.depart_citation),
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
