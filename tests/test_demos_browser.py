"""The demos on the built static site, driven in headless Chromium.

Every page with a demo is loaded as a reader would load it. Checked there:

* the page carries the initial state only (in its markup); every other state
  is in a script file next to the page, which is requested only once the
  reader touches the demo;
* for every control of every demo, each value is selected as a reader would
  (moving the range input or choosing an option, which fires the input/change
  events): the pictures change (their image data differs from the initial
  state's), their alt texts change with them and name the setting, and what is
  shown is exactly the pre-rendered state for those settings;
* the panels sit side by side in full rows at 1280 px and one below the other
  at 390 px, without leaving the demo's box;
* opened from file:// the demo still works (a <script> element loads from
  file://, where fetch would not), and when the states file cannot be loaded
  the demo says so and stays at its initial settings.

No console error is allowed.
"""

import json
import re

import pytest
from site_support import ROOT, toc_pages

#: The chapters whose source has a demo section ("## Try it yourself").
DEMO_PAGES = [p for p in toc_pages() if "## Try it yourself" in (ROOT / f"{p}.md").read_text()]
STATES_FILE = re.compile(r"-demo-[0-9a-f]{12}\.js$")

SET_VALUE = """([el, value]) => {
    el.value = String(value);
    el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true}));
}"""

SHOWN = """(root) => ({
    key: root.getAttribute('data-state'),
    images: Array.from(root.querySelectorAll('img[data-panel]')).map(img => img.getAttribute('src')),
    alts: Array.from(root.querySelectorAll('img[data-panel]')).map(img => img.getAttribute('alt')),
    labels: Object.fromEntries(Array.from(root.querySelectorAll('.cb-demo-label'))
                 .map(div => [div.getAttribute('data-label'), div.textContent])),
    status: root.querySelector('.cb-demo-status').textContent,
    inline: JSON.parse(root.querySelector('.cb-demo-data').textContent),
})"""

BOXES = """(root) => {
    const box = root.getBoundingClientRect();
    return {
        demo: [box.left, box.right],
        panels: Array.from(root.querySelectorAll('.cb-demo-panel')).map(f => {
            const r = f.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, width: r.width,
                    span: Number((f.className.match(/cb-span-(\\d)/) || [0, 1])[1])};
        }),
        columns: Number(root.querySelector('.cb-demo-panels').className.match(/cb-cols-(\\d)/)[1]),
        page: document.documentElement.scrollWidth,
    };
}"""


def states_file(built_site, page, src):
    """The full pre-rendered payload of a demo, read from its states file next to the page."""
    path = (built_site / page).parent / src
    assert path.is_file(), f"{page}: the demo's states file {src} is not next to the page ({path})"
    text = path.read_text()
    prefix = f'window.cbDemoStateFiles = window.cbDemoStateFiles || {{}};\nwindow.cbDemoStateFiles["{src}"] = '
    assert text.startswith(prefix), f"{path} does not register its states"
    return json.loads(text[len(prefix):].rstrip().rstrip(";"))


def expected(data, key):
    state = data["states"][key]
    return ["data:image/png;base64," + data["images"][i] for i in state["images"]], state["alts"], state["labels"]


def key_of(data, settings):
    return "|".join(str(settings[name]) for name, _ in data["controls"])


def wait_for_state(tab, root, key):
    """Wait until the demo shows the state ``key`` (it may first load its states file)."""
    tab.wait_for_function("([el, key]) => el.getAttribute('data-state') === key", arg=[root, key])


def open_page(browser, url, viewport=None):
    tab = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
    errors, requests = [], []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("request", lambda req: requests.append(req.url))
    tab.goto(url, wait_until="load")
    return tab, errors, requests


def test_there_are_demo_pages():
    assert len(DEMO_PAGES) >= 8, f"expected a demo in every chapter, found demo sections in {DEMO_PAGES}"


@pytest.mark.browser
@pytest.mark.parametrize("page", DEMO_PAGES)
def test_every_control_changes_a_picture_and_its_alt_text(page, browser, site_server, built_site):
    html_path = built_site / f"{page}.html"
    assert "cb-demo-data" in html_path.read_text(), f"{page}: the chapter's demo section shows no pre-rendered demo"
    tab, errors, requests = open_page(browser, f"{site_server.url}/{page}.html")
    demos = tab.query_selector_all(".cb-demo")
    assert demos, f"{page}: demo markup present but no .cb-demo element rendered"
    tab.mouse.wheel(0, 20000)  # scrolling past the demos is not touching them
    tab.wait_for_load_state("networkidle")
    assert [u for u in requests if STATES_FILE.search(u)] == [], f"{page}: states requested before any touch"
    for number, root in enumerate(demos):
        shown = root.evaluate(SHOWN)
        inline = shown["inline"]
        assert set(inline) == {"controls", "initial", "src"}, f"{page}: the page inlines more than the initial state"
        data = states_file(built_site, page, inline["src"])
        start = inline["initial"]
        images, alts, labels = expected(data, start)
        assert (shown["key"], shown["images"], shown["alts"], shown["labels"]) == (start, images, alts, labels), (
            f"{page}: demo {number} does not show its initial state")
        inputs = root.query_selector_all("[data-control]")
        assert len(inputs) == len(data["controls"])
        defaults = dict(zip([name for name, _ in data["controls"]], start.split("|")))
        for el, (name, options) in zip(inputs, data["controls"]):
            label = el.evaluate("el => el.closest('label').querySelector('span').textContent")
            for index, option in enumerate(options):
                if str(index) == defaults[name]:
                    continue
                key = key_of(data, {**defaults, name: index})
                tab.evaluate(SET_VALUE, [el, index])
                wait_for_state(tab, root, key)
                now = root.evaluate(SHOWN)
                images, alts, labels = expected(data, key)
                assert now["images"] == images, f"{page}: {name}={option} shows the wrong images"
                assert now["alts"] == alts and now["labels"] == labels, f"{page}: {name}={option}: wrong text"
                changed = [i for i, (a, b) in enumerate(zip(now["images"], shown["images"])) if a != b]
                assert changed, f"{page}: {name}={option} changes no picture"
                assert any(now["alts"][i] != shown["alts"][i] for i in changed), (
                    f"{page}: {name}={option}: the changed pictures keep their alt text")
                for i in changed:
                    assert f"{label} = {option}" in now["alts"][i], (
                        f"{page}: {name}={option}: the alt text does not name the setting: {now['alts'][i]}")
            tab.evaluate(SET_VALUE, [el, int(defaults[name])])
            wait_for_state(tab, root, start)
            assert root.evaluate(SHOWN)["images"] == shown["images"], f"{page}: back to the default of {name}"
        assert now["status"] == "", f"{page}: the demo reports {now['status']!r}"
    loaded = [u for u in requests if STATES_FILE.search(u)]
    assert len(loaded) == len({u for u in loaded}) >= 1, f"{page}: states files requested: {loaded}"
    tab.close()
    assert errors == [], f"{page}: console errors: {errors}"


@pytest.mark.browser
@pytest.mark.parametrize("page", DEMO_PAGES)
def test_panels_sit_in_full_rows_at_1280_and_stack_at_390(page, browser, site_server):
    for width in (1280, 390):
        tab, errors, _ = open_page(browser, f"{site_server.url}/{page}.html", {"width": width, "height": 900})
        for root in tab.query_selector_all(".cb-demo"):
            box = root.evaluate(BOXES)
            left, right = box["demo"]
            panels = box["panels"]
            for p in panels:
                assert left - 0.5 <= p["left"] and p["right"] <= right + 0.5, f"{page} at {width} px: a panel overflows"
            tops = sorted({round(p["top"]) for p in panels})
            if width == 1280:
                cols = box["columns"]
                rows, used = [], 0
                for p in panels:  # the rows the grid must make: full rows of `cols` columns
                    if used + min(p["span"], cols) > cols:
                        rows.append(used)
                        used = 0
                    used += min(p["span"], cols)
                assert len(tops) == len(rows) + 1, (
                    f"{page} at 1280 px: {len(panels)} panels wrap onto {len(tops)} rows, expected {len(rows) + 1}")
                unit = [p["width"] for p in panels if p["span"] == 1]
                assert max(unit) - min(unit) < 1.5, f"{page} at 1280 px: uneven panel widths {unit}"
            else:
                assert len(tops) == len(panels), f"{page} at 390 px: panels do not stack ({len(tops)} rows)"
                assert len({round(p["left"]) for p in panels}) == 1, f"{page} at 390 px: panels not in one column"
            assert box["page"] <= width, f"{page} at {width} px: the page is {box['page']} px wide"
        tab.close()
        assert errors == [], f"{page}: console errors: {errors}"


@pytest.mark.browser
def test_opened_from_file_the_demo_still_loads_its_states(browser, built_site):
    page = DEMO_PAGES[2]
    tab, errors, requests = open_page(browser, (built_site / f"{page}.html").as_uri())
    root = tab.query_selector(".cb-demo")
    data = root.evaluate(SHOWN)["inline"]
    el = root.query_selector("[data-control]")
    target = 1 if data["initial"].split("|")[0] != "1" else 0
    tab.evaluate(SET_VALUE, [el, target])
    key = "|".join([str(target)] + data["initial"].split("|")[1:])
    wait_for_state(tab, root, key)
    full = states_file(built_site, page, data["src"])
    assert root.evaluate(SHOWN)["images"] == expected(full, key)[0]
    assert tab.evaluate("src => Boolean((window.cbDemoStateFiles || {})[src])", data["src"])
    tab.close()
    assert errors == []


@pytest.mark.browser
def test_a_missing_states_file_is_reported_and_the_initial_state_kept(browser, site_server):
    page = DEMO_PAGES[0]
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    tab.route(STATES_FILE, lambda route: route.abort())
    tab.goto(f"{site_server.url}/{page}.html", wait_until="load")
    root = tab.query_selector(".cb-demo")
    before = root.evaluate(SHOWN)
    el = root.query_selector("[data-control]")
    tab.evaluate(SET_VALUE, [el, 0 if before["key"].split("|")[0] != "0" else 1])
    tab.wait_for_function("el => el.getAttribute('data-states') === 'unavailable'", arg=root)
    after = root.evaluate(SHOWN)
    assert "could not load its other settings" in after["status"] and before["inline"]["src"] in after["status"]
    assert (after["key"], after["images"], after["alts"]) == (before["key"], before["images"], before["alts"])
    assert el.evaluate("el => el.value") == before["key"].split("|")[0]  # the control went back as well
    tab.close()
