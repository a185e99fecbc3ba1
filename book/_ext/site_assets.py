"""Sphinx extension: make the Conv Blocks site self-contained, light and printable.

* MathJax comes from the site, never a CDN: the pinned copy that ``npm ci``
  installs into ``node_modules/`` is copied into ``_static/mathjax/``. Pages
  load it as components (``startup.js`` fetches TeX input, CommonHTML output
  and the hidden MathML that screen readers read) instead of the
  ``tex-chtml.js`` bundle, which also carries the 430 kB context menu and names
  a CDN for the speech-rule engine's data. Only pages with math load it
  (Sphinx's default).
* No Font Awesome JavaScript (1.5 MB on every page): pydata-sphinx-theme's
  stylesheet already carries Font Awesome's CSS and local webfonts, which draw
  the same icons. We render the theme with its asset macros minus that one
  script (a template generated from the installed theme at build time).
* The icons' webfonts are cut down to the icons the built pages use (a few
  kB instead of 156 kB for the solid face): ``_static/convblocks-icons.css``
  re-declares the theme's Font Awesome faces on the subsets (fontTools,
  WOFF), and the theme's stylesheet keeps drawing the icons.
* No Thebe: the site runs no code in the browser (``launch_buttons.thebe:
  false``; readers open a chapter in Jupyter instead), but Jupyter Book always
  loads sphinx-thebe, which puts an unpkg.com URL, a Binder configuration and
  a script on every page. We unhook it.
* ``_static/convblocks-site.css``: pages never wider than a phone's screen
  (long paths wrap; code, tables and math scroll in their own box) and the
  print stylesheet (code wraps, no empty framed boxes, no sidebar, header or
  buttons, demos print their current picture).
"""

import re
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "_static"
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"
MATHJAX_PATH = "mathjax/startup.js"
# What startup.js loads on a page with math (input/tex autoloads its extensions on demand).
MATHJAX_COMPONENTS = ["input/tex", "output/chtml", "a11y/assistive-mml"]
# The files those components can fetch: copied into _static/mathjax/.
MATHJAX_FILES = [
    "startup.js",
    "core.js",
    "input/tex.js",
    "input/tex",
    "output/chtml.js",
    "output/chtml",
    "a11y/assistive-mml.js",
]
FONTAWESOME_SCRIPT = re.compile(r"^.*<script[^>]*_static/scripts/fontawesome\.js[^>]*></script>\s*$\n?", re.M)
# The theme's Font Awesome faces: (CSS family, weight, font file stem in vendor/fontawesome/webfonts).
ICON_FACES = [
    ("Font Awesome 6 Free", 900, "fa-solid-900"),
    ("Font Awesome 6 Free", 400, "fa-regular-400"),
    ("Font Awesome 6 Brands", 400, "fa-brands-400"),
]
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
ICON_RULE = re.compile(r"((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:\"\\([0-9a-fA-F]+)\"\}")
ICONS_CSS = "convblocks-icons.css"
# Theme files no page loads any more: not shipped.
UNUSED_STATIC = ["scripts/fontawesome.js", "scripts/fontawesome.js.map", "scripts/fontawesome.js.LICENSE.txt"]


def configure(app, config):
    """Point MathJax at the site's components; render the theme without Font Awesome JS."""
    if config.mathjax_path != MATHJAX_PATH:
        raise ExtensionError(
            f"site_assets: set `mathjax_path: {MATHJAX_PATH}` in _config.yml (sphinx.config); "
            f"the site serves MathJax as components from _static/mathjax, not {config.mathjax_path!r}"
        )
    mathjax = dict(config.mathjax3_config or {})
    loader = dict(mathjax.get("loader") or {})
    loader["load"] = list(dict.fromkeys(list(loader.get("load") or []) + MATHJAX_COMPONENTS))
    mathjax["loader"] = loader
    config.mathjax3_config = mathjax

    launch = (config.html_theme_options or {}).get("launch_buttons") or {}
    if launch.get("thebe"):
        raise ExtensionError(
            "site_assets: launch_buttons.thebe loads Thebe from unpkg.com, and the site "
            "loads nothing from outside hosts; open chapters in Jupyter instead"
        )
    _unhook_thebe(app)

    templates = Path(app.doctreedir).parent / "site_assets_templates"
    _write_theme_macros(templates / "static" / "webpack-macros.html")
    config.templates_path = list(config.templates_path) + [str(templates)]
    config.html_static_path = list(config.html_static_path) + [str(STATIC)]


def _unhook_thebe(app):
    """Undo what sphinx-thebe (loaded by Jupyter Book whatever the config) adds to pages."""
    for event, listeners in app.events.listeners.items():
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "") == "sphinx_thebe":
                app.disconnect(listener.id)
    app.registry.css_files[:] = [
        (name, attrs) for name, attrs in app.registry.css_files if name != "sphinx-thebe.css"
    ]


def _write_theme_macros(target):
    """pydata-sphinx-theme's asset macros, without the Font Awesome script."""
    import pydata_sphinx_theme

    source = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "webpack-macros.html"
    text, count = FONTAWESOME_SCRIPT.subn("", source.read_text())
    if count != 1:
        raise ExtensionError(
            f"site_assets: expected one fontawesome.js <script> in {source}, found {count}; "
            "the installed pydata-sphinx-theme differs from the pinned one (requirements.txt)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_text() != text:
        target.write_text(text)


def check_assets(app):
    missing = [part for part in MATHJAX_FILES if not (MATHJAX / part).exists()]
    if missing:
        raise ExtensionError(
            f"site_assets: MathJax is missing from {MATHJAX} ({', '.join(missing)}); run `npm ci` in "
            f"{ROOT} (`make book` does it for you)"
        )


def finish(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    target = static / "mathjax"
    for part in MATHJAX_FILES:
        source = MATHJAX / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)
    for name in UNUSED_STATIC:
        (static / name).unlink(missing_ok=True)
    subset_icon_fonts(Path(app.outdir))


def subset_icon_fonts(outdir):
    """Write Font Awesome subsets holding the icons named in the built pages and theme scripts."""
    from fontTools import subset

    static = outdir / "_static"
    theme_css = (static / "styles" / "pydata-sphinx-theme.css").read_text()
    codepoints = {}
    for selectors, hexcode in ICON_RULE.findall(theme_css):
        for name in re.findall(r"\.(fa-[a-z0-9-]+):", selectors):
            codepoints[name] = int(hexcode, 16)
    if not codepoints:
        raise ExtensionError("site_assets: found no Font Awesome icon rules in pydata-sphinx-theme.css")
    sources = list(outdir.rglob("*.html")) + list((static / "scripts").glob("*.js"))
    names = set()
    for path in sources:
        names.update(ICON_CLASS.findall(path.read_text(errors="replace")))
    wanted = {codepoints[name] for name in names if name in codepoints}
    target = static / "convblocks-icons"
    target.mkdir(exist_ok=True)
    rules = []
    for family, weight, stem in ICON_FACES:
        source = static / "vendor" / "fontawesome" / "webfonts" / f"{stem}.ttf"
        options = subset.Options()
        options.flavor = "woff"
        options.notdef_outline = True
        options.name_IDs = ["*"]
        font = subset.load_font(str(source), options)
        present = wanted & set(font.getBestCmap())
        if not present:
            continue
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(present))
        subsetter.subset(font)
        subset.save_font(font, str(target / f"{stem}.woff"), options)
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: {weight}; '
            f'font-display: block; src: url("convblocks-icons/{stem}.woff") format("woff"); }}'
        )
    (static / ICONS_CSS).write_text(
        "/* Written by book/_ext/site_assets.py: the theme's Font Awesome faces, cut down to the\n"
        f"   {len(wanted)} icons the site uses. */\n" + "\n".join(rules) + "\n"
    )


def setup(app):
    app.connect("config-inited", configure)
    app.connect("builder-inited", check_assets)
    app.add_css_file("convblocks-site.css")
    app.add_css_file(ICONS_CSS)
    app.connect("build-finished", finish)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.1"}
