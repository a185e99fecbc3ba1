"""The built site, page by page, in a real browser (headless Debian Chromium).

For every page in _toc.yml: it loads (HTTP 200) with no console error and no
request leaving 127.0.0.1, its math is typeset by the bundled MathJax, every
image loads, every internal link and anchor resolves, and a full-page
screenshot is saved under _build/screenshots/ for a person to look at.
"""

import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from site_support import ROOT, toc_pages

PAGES = toc_pages()
SCREENSHOTS = ROOT / "_build" / "screenshots"
RAW_MATH = re.compile(r"\\\(|\\\[|\$\$")


def _source_has_math(page):
    text = (ROOT / f"{page}.md").read_text()
    return bool(re.search(r"\$|\\\(|\{math\}|```\{math\}", text))


def _fetch(url, cache):
    if url not in cache:
        try:
            with urllib.request.urlopen(url) as response:
                cache[url] = (response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as err:
            cache[url] = (err.code, "")
    return cache[url]


@pytest.fixture(scope="module")
def fetched():
    return {}


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_page_in_browser(page, browser, site_server, fetched):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors, outside = [], []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))

    def check_request(request):
        host = urllib.parse.urlsplit(request.url)
        if host.scheme in ("data", "blob", "about"):
            return
        if host.hostname != "127.0.0.1":
            outside.append(request.url)

    tab.on("request", check_request)
    tab.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None)
    url = f"{site_server.url}/{page}.html"
    response = tab.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"

    tab.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    article = tab.inner_text("article")
    assert not RAW_MATH.search(article), f"{page}: untypeset math left in the page: {RAW_MATH.search(article)}"
    if _source_has_math(page):
        assert tab.locator("mjx-container").count() > 0, f"{page}: the source has math but MathJax rendered none"

    broken = tab.evaluate(
        """async () => {
            const imgs = Array.from(document.images);
            for (const img of imgs) { img.loading = 'eager'; img.scrollIntoView(); }
            await Promise.all(imgs.map(img => img.complete ? null :
                new Promise(r => { img.onload = r; img.onerror = r; })));
            return imgs.filter(img => img.naturalWidth === 0).map(img => img.src);
        }"""
    )
    assert broken == [], f"{page}: images that did not load: {broken}"

    links = tab.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    for link in sorted(set(links)):
        parts = urllib.parse.urlsplit(link)
        if parts.hostname != "127.0.0.1" or parts.scheme not in ("http", "https"):
            continue
        target = urllib.parse.urlunsplit(parts._replace(fragment=""))
        status, html = _fetch(target, fetched)
        assert status == 200, f"{page}: link {link} answered {status}"
        if parts.fragment:
            anchor = urllib.parse.unquote(parts.fragment)
            assert re.search(rf'(id|name)="{re.escape(anchor)}"', html), f"{page}: link {link} has no anchor #{anchor}"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{page.replace('/', '__')}.png"), full_page=True)
    context.close()
    assert outside == [], f"{page}: requests outside the site: {outside}"
    assert errors == [], f"{page}: console errors: {errors}"
