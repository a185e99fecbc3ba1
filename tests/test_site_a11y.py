"""Accessibility of the built site, checked in headless Chromium.

* axe-core (pinned in package.json, installed by ``npm ci``) audits the whole
  document of every page in _toc.yml, theme included, in the light and the
  dark colour scheme, once as the page loads and once with every fold opened
  (hidden code, worked answers): no critical and no serious violation.
* Formulas are not Tab stops (MathJax's menu would make each one a stop), except
  a display formula that is wider than its box and scrolls inside it, which
  must take focus so a keyboard can scroll it.
* From the top of a chapter with a demo, the keyboard reaches the demo's first
  control in under 30 presses: Tab, and Enter on a link that skips to the demo.
"""

import pytest
from site_support import ROOT, toc_pages

PAGES = toc_pages()
#: The chapters whose source has a demo section (as in test_demos_browser.py).
DEMO_PAGES = [p for p in PAGES if "## Try it yourself" in (ROOT / f"{p}.md").read_text()]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
MAX_TABS = 30

WAIT_FOR_MATH = "() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null"
OPEN_FOLDS = """() => {
    for (const fold of document.querySelectorAll('details')) fold.open = true;
    return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""
# Opened folds fade in (myst-nb's CSS): colours measured mid-animation are not the page's colours.
SETTLE = """async () => {
    await Promise.all(document.getAnimations().filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
        .map(a => a.finished.catch(() => null)));
}"""
RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                  summary: n.failureSummary}))
    }));
}"""


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run `npm ci` in {ROOT} (it installs the pinned axe-core)")
    return AXE.read_text()


def open_page(browser, site_server, page, **context):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
    tab = ctx.new_page()
    response = tab.goto(f"{site_server.url}/{page}.html", wait_until="load")
    assert response is not None and response.status == 200, f"{page}: HTTP {response and response.status}"
    tab.evaluate(WAIT_FOR_MATH)
    return ctx, tab


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"{v['impact']} {v['id']}: {v['help']} ({v['helpUrl']}), {len(v['nodes'])} element(s):")
        for node in v["nodes"][:6]:
            lines.append(f"    {node['target']}\n      {node['html']}\n      {node['summary']}".replace("\n", "\n    "))
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_serious_violation(page, scheme, browser, site_server, axe_source):
    ctx, tab = open_page(browser, site_server, page, color_scheme=scheme)
    assert tab.evaluate("() => document.documentElement.dataset.theme") == scheme, f"{page}: not in {scheme} mode"
    tab.add_script_tag(content=axe_source)
    found = {}
    for state in ("as loaded", "every fold open"):
        if state == "every fold open":
            tab.evaluate(OPEN_FOLDS)
        tab.evaluate(SETTLE)
        blocking = [v for v in tab.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
        if blocking:
            found[state] = describe(blocking)
    ctx.close()
    assert not found, f"{page} ({scheme} mode): axe-core found critical/serious violations:\n" + "\n".join(
        f"-- {state}:\n{text}" for state, text in found.items()
    )


FORMULA_TAB_STOPS = """() => Array.from(document.querySelectorAll('mjx-container')).map(box => ({
    html: box.outerHTML.slice(0, 120),
    display: box.getAttribute('display') === 'true',
    tabbable: box.tabIndex >= 0 || box.querySelector('[tabindex]:not([tabindex^="-"])') !== null,
    // inline formulas have no box of their own (clientWidth 0) and never scroll
    scrolls: box.getAttribute('display') === 'true' && box.scrollWidth > box.clientWidth + 1,
}))"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", [p for p in PAGES if "$" in (ROOT / f"{p}.md").read_text()])
def test_formulas_are_not_tab_stops(page, width, browser, site_server):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    tab = ctx.new_page()
    tab.goto(f"{site_server.url}/{page}.html", wait_until="load")
    tab.evaluate(WAIT_FOR_MATH)
    tab.wait_for_timeout(300)  # the scroll-stop script settles after typesetting
    formulas = tab.evaluate(FORMULA_TAB_STOPS)
    ctx.close()
    assert formulas, f"{page}: the source has math but the page shows no typeset formula"
    stops = [f["html"] for f in formulas if f["tabbable"] and not f["scrolls"]]
    assert stops == [], f"{page} at {width} px: {len(stops)} formulas that fit their box are Tab stops: {stops[:3]}"
    unreachable = [f["html"] for f in formulas if f["scrolls"] and not f["tabbable"]]
    assert unreachable == [], (
        f"{page} at {width} px: formulas that scroll inside their box but take no focus "
        f"(a keyboard cannot scroll them): {unreachable[:3]}"
    )


FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const text = (el.getAttribute('aria-label') || el.textContent || '').trim().replace(/\\s+/g, ' ');
    const demo = document.querySelector('.cb-demo');
    return {inDemo: el.closest('.cb-demo') !== null,
            skipsToDemo: el.tagName === 'A' && demo !== null && el.getAttribute('href') === '#' + demo.id,
            control: el.matches('.cb-demo [data-control]'),
            what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${text.slice(0, 40)}"`};
}"""


def test_there_are_demo_pages():
    assert len(DEMO_PAGES) >= 8, f"expected a demo in every chapter, found demo sections in {DEMO_PAGES}"


@pytest.mark.browser
@pytest.mark.parametrize("page", DEMO_PAGES)
def test_tab_reaches_the_first_demo_quickly(page, browser, site_server):
    ctx, tab = open_page(browser, site_server, page)
    assert tab.locator(".cb-demo [data-control]").count() > 0, f"{page}: no demo control on the page"
    path = []
    for presses in range(1, MAX_TABS + 1):
        key = "Enter" if path and path[-1].startswith("Tab: ") and focused and focused["skipsToDemo"] else "Tab"
        tab.keyboard.press(key)
        focused = tab.evaluate(FOCUSED)
        path.append(f"{key}: " + (focused["what"] if focused else "(page)"))
        if focused and focused["inDemo"]:
            break
    else:
        presses = None
    ctx.close()
    assert presses is not None and presses < MAX_TABS, (
        f"{page}: {MAX_TABS} presses of Tab (Enter on a link to the demo) from the top did not reach "
        "the first demo; they went to:\n  "
        + "\n  ".join(path)
    )
    assert focused["control"], f"{page}: Tab entered the demo at {focused['what']}, not at its first control"
