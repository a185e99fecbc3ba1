"""The built site as phones, slow connections and printers see it (issue 12, items 1, 3, 7, 8, 10).

* At 390 px (a phone) no page of the toc is wider than the screen and no element
  sticks out of it, folded answers and hidden code opened: long words wrap and
  code, tables, math and outputs scroll inside their own box.
* No built file names a script, stylesheet, font or image on another host:
  src/href of script/link/img/source/... in every HTML file, url()/@import in
  every CSS file, every URL inside inline scripts and styles, CDN hosts and
  asset URLs inside JS files. Links for the reader (<a href>) may go anywhere.
* A chapter's first load (every response body the browser receives, uncompressed)
  stays under 2.5 MB; no Font Awesome JavaScript, and every icon the theme draws
  has its glyph in the webfont the page really uses.
* In print, code wraps instead of running past the margin, each code box has one
  frame (its wrappers none), the site chrome is hidden and demos show their picture.
* `make book` prints a short report: a line per page, no kernel TCP warning, no
  parser configuration dump, the site location once.
"""

import html.parser
import io
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from site_support import toc_pages

PAGES = toc_pages()
CHAPTERS = [page for page in PAGES if re.fullmatch(r"book/\d\d_\w+", page)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FIRST_LOAD_LIMIT = 2_500_000  # bytes, uncompressed

# Hosts that serve libraries, styles and fonts to web pages. A JS file may mention
# a project's home page in a licence comment; it may not name one of these.
CDN_HOSTS = re.compile(
    r"(unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|fonts\.googleapis\.com|fonts\.gstatic\.com"
    r"|ajax\.googleapis\.com|code\.jquery\.com|use\.fontawesome\.com|kit\.fontawesome\.com"
    r"|ka-f\.fontawesome\.com|stackpath\.bootstrapcdn\.com|maxcdn\.bootstrapcdn\.com|cdn\.plot\.ly"
    r"|polyfill\.io|cdn\.mathjax\.org|esm\.sh|cdn\.skypack\.dev|rawgit\.com|raw\.githubusercontent\.com)",
    re.I,
)
OUTSIDE_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)<>]*""", re.I)
ASSET_URL = re.compile(r"""https?://[^\s"'`)<>]+\.(?:js|mjs|css|woff2?|ttf|otf|eot|png|jpe?g|gif|svg|webp)\b""", re.I)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""", re.I)
# XML namespace identifiers name a specification, not something to fetch.
NAMESPACE = re.compile(r"^(?:https?:)?//www\.w3\.org/(?:2000/svg|1999/xhtml|1999/xlink|1998/Math/MathML|XML/1998/namespace)")

# Elements sticking out to the right of the screen, unless an ancestor that clips
# (overflow other than visible, clip or clip-path) ends inside the screen.
STICKING_OUT = """() => {
  const W = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.clip !== 'auto' || s.clipPath !== 'none') return true;
      if (a !== el && s.overflowX !== 'visible' && a.getBoundingClientRect().right <= W + 1) return true;
    }
    return false;
  };
  const name = (el) => {
    const p = [];
    for (let a = el; a && a !== document.body && p.length < 4; a = a.parentElement)
      p.unshift(a.tagName.toLowerCase() + (typeof a.className === 'string' && a.className.trim()
        ? '.' + a.className.trim().split(/\\s+/)[0] : ''));
    return p.join(' > ');
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const s = getComputedStyle(el);
    if (s.visibility !== 'visible' || s.display === 'none') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= W + 1 || clipped(el)) continue;
    out.push(`${name(el)} reaches ${Math.round(r.right)} px: "${(el.textContent || '').trim().slice(0, 60)}"`);
  }
  return out;
}"""

OPEN_EVERYTHING = """async () => {
  for (const d of document.querySelectorAll('details')) d.open = true;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""


def _typeset(tab):
    tab.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    tab.evaluate("() => document.fonts.ready.then(() => null)")


def _open(browser, url, viewport=DESKTOP, **listeners):
    """``url`` loaded in a fresh context (empty cache) and typeset; returns (context, tab).

    ``listeners``: page events (``request=``, ``response=``) watched from the first request on."""
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    for event, callback in listeners.items():
        tab.on(event, callback)
    tab.goto(url, wait_until="networkidle")
    _typeset(tab)
    return context, tab


# ---- 390 px ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_page_fits_a_phone_screen(page, browser, site_server):
    context, tab = _open(browser, f"{site_server.url}/{page}.html", PHONE)
    tab.evaluate(OPEN_EVERYTHING)
    _typeset(tab)
    width = tab.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    sticking_out = tab.evaluate(STICKING_OUT)
    context.close()
    assert width[0] <= width[1], f"{page}: the page is {width[0]} px wide on a {width[1]} px screen: {sticking_out[:5]}"
    assert sticking_out == [], f"{page}: {len(sticking_out)} elements stick out of a 390 px screen: {sticking_out[:8]}"


# ---- outside hosts named in the built files ----------------------------------------


class _AssetScanner(html.parser.HTMLParser):
    """Collect (what, url) for every asset an HTML file names, and its inline scripts and styles."""

    ASSET_ATTRS = {
        "script": ["src"],
        "link": ["href"],
        "img": ["src", "srcset"],
        "source": ["src", "srcset"],
        "video": ["src", "poster"],
        "audio": ["src"],
        "track": ["src"],
        "iframe": ["src"],
        "embed": ["src"],
        "object": ["data"],
        "input": ["src"],
        "image": ["href", "xlink:href"],
        "use": ["href", "xlink:href"],
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.assets, self.inline_scripts, self.inline_styles = [], [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in self.ASSET_ATTRS.get(tag, []):
            value = attrs.get(name)
            if value:
                for url in re.split(r",\s+", value) if name == "srcset" else [value]:
                    self.assets.append((f"<{tag} {name}>", url.split()[0] if url.split() else url))
        if attrs.get("style"):
            self.inline_styles.append(attrs["style"])
        if tag == "script" and not attrs.get("src"):
            self._in = "script"
        elif tag == "style":
            self._in = "style"

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.inline_scripts.append(data)
        elif self._in == "style":
            self.inline_styles.append(data)


def _is_outside(url):
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "javascript", "mailto"):
        return False
    return bool(parts.netloc) or parts.scheme in ("http", "https")


def _css_outside(text):
    found = []
    for match in CSS_URL.finditer(text):
        url = match.group(1) or match.group(2)
        if _is_outside(url):
            found.append(url)
    return found


def outside_assets(site):
    """Every place in the built site's HTML, CSS and JS files that names an asset on another host."""
    site = Path(site)
    problems = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site)
        scanner = _AssetScanner()
        scanner.feed(path.read_text(errors="replace"))
        for what, url in scanner.assets:
            if _is_outside(url):
                problems.append(f"{rel}: {what} {url}")
        for script in scanner.inline_scripts:
            for url in OUTSIDE_URL.findall(script):
                if not NAMESPACE.match(url):
                    problems.append(f"{rel}: inline script names {url}")
        for style in scanner.inline_styles:
            problems += [f"{rel}: inline style loads {url}" for url in _css_outside(style)]
    for path in sorted(site.rglob("*.css")):
        problems += [f"{path.relative_to(site)}: loads {url}" for url in _css_outside(path.read_text(errors="replace"))]
    for path in sorted(site.rglob("*.js")) + sorted(site.rglob("*.mjs")):
        text = path.read_text(errors="replace")
        for match in list(CDN_HOSTS.finditer(text)) + list(ASSET_URL.finditer(text)):
            problems.append(f"{path.relative_to(site)}: names {text[max(0, match.start() - 40):match.end() + 20]!r}")
    return problems


def test_outside_asset_scan_catches_what_it_should(tmp_path):
    """The scanner itself, on a small site that names outside assets in every way it looks for."""
    (tmp_path / "page.html").write_text(
        '<html><head><link rel="stylesheet" href="https://cdn.example.org/x.css">'
        '<script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"</script>'
        '<script src="//ajax.example.net/lib.js"></script></head>'
        '<body><img srcset="a.png 1x, https://img.example.com/b.png 2x">'
        '<a href="https://doi.org/10.1000/1">a reader may follow this</a>'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg><div style="background: url(https://x.example/bg.png)"></div>'
        '<script type="application/json">{"local": "_static/x.js"}</script></body></html>'
    )
    (tmp_path / "site.css").write_text('@import "https://fonts.googleapis.com/css?family=Roboto"; a { background: url(img/ok.png) }')
    (tmp_path / "lib.js").write_text('/* https://getbootstrap.com licence */ var u = "https://cdn.jsdelivr.net/npm/x/lib/maps";')
    found = "\n".join(outside_assets(tmp_path))
    for expected in ["cdn.example.org/x.css", "unpkg.com", "//ajax.example.net/lib.js", "img.example.com/b.png",
                     "x.example/bg.png", "fonts.googleapis.com", "cdn.jsdelivr.net"]:
        assert expected in found, f"the scan missed {expected}:\n{found}"
    for fine in ["doi.org", "www.w3.org", "getbootstrap.com", "img/ok.png", "_static/x.js"]:
        assert fine not in found, f"the scan flagged {fine}:\n{found}"


@pytest.mark.browser
def test_no_built_file_names_an_outside_asset(built_site):
    problems = outside_assets(built_site)
    assert problems == [], f"{len(problems)} outside assets named in the built site:\n" + "\n".join(problems[:30])


# ---- weight and icons --------------------------------------------------------------


def _first_load(browser, url):
    """Load url in a fresh context (empty cache); return ({request url: body bytes}, tab, context)."""
    responses = []
    context, tab = _open(browser, url, response=lambda response: responses.append(response))
    tab.wait_for_load_state("networkidle")
    sizes = {}
    for response in responses:
        try:
            body = response.body()
        except Exception:  # redirects and aborted requests have no body
            body = b""
        sizes[response.url] = sizes.get(response.url, 0) + len(body)
    return sizes, tab, context


@pytest.mark.browser
@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_first_load_weight(page, browser, site_server):
    sizes, tab, context = _first_load(browser, f"{site_server.url}/{page}.html")
    context.close()
    total = sum(sizes.values())
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:8]
    listing = "\n".join(f"  {size / 1e3:8.0f} kB  {urllib.parse.urlsplit(url).path}" for url, size in biggest)
    print(f"{page}: first load {total / 1e6:.2f} MB in {len(sizes)} requests\n{listing}")
    assert total <= FIRST_LOAD_LIMIT, (
        f"{page}: the first load is {total / 1e6:.2f} MB (limit {FIRST_LOAD_LIMIT / 1e6} MB); biggest:\n{listing}"
    )
    assert not any("fontawesome" in urllib.parse.urlsplit(url).path and url.endswith((".js", ".js.map"))
                   for url in sizes), f"{page}: loads Font Awesome's JavaScript"


ICONS = """() => {
  const faces = {};
  for (const sheet of document.styleSheets) {
    let rules;
    try { rules = sheet.cssRules; } catch (e) { continue; }
    for (const rule of rules) {
      if (rule.constructor.name !== 'CSSFontFaceRule') continue;
      const family = rule.style.getPropertyValue('font-family').replace(/["']/g, '').trim();
      const weight = rule.style.getPropertyValue('font-weight') || '400';
      const src = rule.style.getPropertyValue('src');
      const m = src.match(/url\\(["']?([^"')]+)["']?\\)/);
      if (m) faces[family + '|' + weight] = new URL(m[1], sheet.href || document.baseURI).href;
    }
  }
  const icons = [];
  for (const el of document.querySelectorAll('[class*="fa-"]')) {
    const before = getComputedStyle(el, '::before');
    if (!before.fontFamily.includes('Font Awesome')) continue;
    const content = before.content.replace(/^["']|["']$/g, '');
    const family = before.fontFamily.split(',')[0].replace(/["']/g, '').trim();
    const weight = before.fontWeight === 'bold' ? '700' : String(before.fontWeight);
    icons.push({cls: el.className.baseVal === undefined ? el.className : el.className.baseVal,
                content, codepoint: content.codePointAt(0), face: faces[family + '|' + weight] || null,
                family, weight});
  }
  return icons;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_every_icon_has_its_glyph(page, browser, site_server):
    """Each theme icon (Font Awesome CSS) maps to a glyph present in the webfont the page declares for it."""
    from fontTools.ttLib import TTFont

    scripts = []

    def note_script(request):
        if request.resource_type == "script":
            scripts.append(request.url)

    context, tab = _open(browser, f"{site_server.url}/{page}.html", request=note_script)
    icons = tab.evaluate(ICONS)
    context.close()
    assert not [url for url in scripts if "fontawesome" in url], f"{page}: loads Font Awesome's JavaScript"
    assert icons, f"{page}: found no theme icons at all (search, menu, colour mode)"
    fonts = {}
    for icon in icons:
        assert icon["content"] and icon["content"] not in ("none", "normal") and len(icon["content"]) == 1, (
            f"{page}: icon {icon['cls']!r} has no glyph character ({icon['content']!r})"
        )
        assert icon["face"], f"{page}: no @font-face for {icon['family']} {icon['weight']} (icon {icon['cls']!r})"
        if icon["face"] not in fonts:
            with urllib.request.urlopen(icon["face"]) as response:
                fonts[icon["face"]] = set(TTFont(io.BytesIO(response.read())).getBestCmap())
        assert icon["codepoint"] in fonts[icon["face"]], (
            f"{page}: icon {icon['cls']!r} (U+{icon['codepoint']:04X}) is missing from {icon['face']}"
        )


# ---- print -------------------------------------------------------------------------

PRINT_CHECKS = """() => {
  const shown = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  const out = {cut: [], framedWrappers: [], chrome: [], demoImages: [], sliders: [], pres: 0};
  for (const pre of document.querySelectorAll('.bd-article pre')) {
    if (!shown(pre)) continue;
    out.pres += 1;
    if (pre.scrollWidth > pre.clientWidth + 1)
      out.cut.push(pre.textContent.split('\\n').sort((a, b) => b.length - a.length)[0].slice(0, 90));
    for (let a = pre.parentElement; a && !a.classList.contains('bd-article'); a = a.parentElement) {
      if (!a.matches('div.cell, div.cell_input, div.cell_output, div.highlight, div.output')) continue;
      const s = getComputedStyle(a);
      const framed = ['Top', 'Right', 'Bottom', 'Left'].some(side => parseFloat(s['border' + side + 'Width']) > 0)
        || (s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.backgroundColor !== 'transparent');
      if (framed) out.framedWrappers.push(a.className);
    }
  }
  for (const sel of ['.bd-header', '.bd-sidebar-primary', '.bd-sidebar-secondary', '.bd-header-article',
                     '.prev-next-area', '.bd-footer', 'button', '.copybtn', 'a.headerlink']) {
    for (const el of document.querySelectorAll(sel)) if (shown(el)) out.chrome.push(sel);
  }
  for (const img of document.querySelectorAll('.cb-demo img')) {
    if (!shown(img) || !img.complete || img.naturalWidth === 0) out.demoImages.push(img.alt || img.src.slice(0, 60));
  }
  for (const input of document.querySelectorAll('.cb-demo input[type=range]')) if (shown(input)) out.sliders.push(input.id);
  return out;
}"""


# The demo pictures once they stop changing (a state may still be on its way).
SETTLED_PICTURES = """async () => {
  const now = () => Array.from(document.querySelectorAll('.cb-demo img')).map(i => i.complete + ' ' + i.src);
  let last = now(), same = 0;
  for (let frame = 0; frame < 600 && same < 20; frame++) {
    await new Promise(r => requestAnimationFrame(r));
    const current = now();
    same = current.join() === last.join() && current.every(s => s.startsWith('true')) ? same + 1 : 0;
    last = current;
  }
  return last;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_prints_cleanly(page, browser, site_server):
    context, tab = _open(browser, f"{site_server.url}/{page}.html")
    # Move every demo off its initial state first: paper shows the picture of the moment.
    tab.evaluate("""() => { for (const input of document.querySelectorAll('.cb-demo input[type=range]')) {
        input.value = input.max; input.dispatchEvent(new Event('input', {bubbles: true}));
        input.dispatchEvent(new Event('change', {bubbles: true})); } }""")
    tab.evaluate(SETTLED_PICTURES)
    tab.emulate_media(media="print")
    # A4 at 96 dpi less make pdf's margins (16 mm left and right, 16 + 20 mm top and bottom).
    tab.set_viewport_size({"width": 673, "height": 987})
    found = tab.evaluate(PRINT_CHECKS)
    print_pictures = tab.evaluate(SETTLED_PICTURES)
    pdf = tab.pdf(format="A4", print_background=True)
    tab.emulate_media(media="screen")
    screen_pictures = tab.evaluate(SETTLED_PICTURES)
    context.close()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000, f"{page}: Chromium printed no PDF"
    assert found["pres"] > 0, f"{page}: no code box printed at all"
    assert found["cut"] == [], f"{page}: code lines cut at the right margin in print: {found['cut'][:5]}"
    assert found["framedWrappers"] == [], (
        f"{page}: code wrappers keep a frame of their own in print (empty framed boxes at page breaks): "
        f"{sorted(set(found['framedWrappers']))}"
    )
    assert found["chrome"] == [], f"{page}: site chrome printed: {sorted(set(found['chrome']))}"
    assert found["demoImages"] == [], f"{page}: demo pictures missing in print: {found['demoImages'][:5]}"
    assert found["sliders"] == [], f"{page}: demo sliders printed (their values should print as text)"
    assert print_pictures == screen_pictures, f"{page}: print shows other demo pictures than the screen"


# ---- make book output --------------------------------------------------------------


@pytest.mark.browser
def test_make_book_output_is_short(built_site):
    """What tools.build_book printed while the session's site was built (conftest's built_site)."""
    from tools.build_book import OUTPUT_LOG

    log_path = Path(built_site).parent / OUTPUT_LOG
    assert log_path.is_file(), f"build_book() kept no copy of its output at {log_path}"
    text = log_path.read_text()
    lines = text.splitlines()
    assert "without encryption" not in text, "the kernel's unencrypted-TCP warning is back in the build output"
    assert "ParserConfig(" not in text, "parser configuration dumps in the build output"
    for page in PAGES:
        assert re.search(rf"^\s+\[\s*\d+/\d+\] {re.escape(page)}\b", text, re.M), f"no progress line for {page}"
    index = str(Path(built_site) / "index.html")
    assert text.count(index) == 1, f"the site location should be printed once, found {text.count(index)} times"
    assert re.search(r"^make book: done in [\d.]+ s", text, re.M), f"no result line in:\n{text[-500:]}"
    assert "WARNING" not in text, f"warnings in a passing build:\n{text}"
    assert len(lines) <= len(PAGES) + 6, f"{len(lines)} lines of build output for {len(PAGES)} pages:\n{text}"
