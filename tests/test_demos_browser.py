"""The demos on the built static site, driven in headless Chromium.

Every page with a demo is loaded; for every control of every demo, each value
is selected as a reader would (moving the range input or choosing an option,
which fires the input/change events), and the displayed images and labels
must switch to exactly the pre-rendered state for those settings. No console
error is allowed.
"""

import pytest
from site_support import ROOT, toc_pages

#: The chapters whose source has a demo section ("## Try it yourself").
DEMO_PAGES = [p for p in toc_pages() if "## Try it yourself" in (ROOT / f"{p}.md").read_text()]

SET_VALUE = """([el, value]) => {
    el.value = String(value);
    el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true}));
}"""

SHOWN = """(root) => ({
    key: root.getAttribute('data-state'),
    images: Array.from(root.querySelectorAll('img[data-panel]')).map(img => img.getAttribute('src')),
    labels: Object.fromEntries(Array.from(root.querySelectorAll('.cb-demo-label'))
                 .map(div => [div.getAttribute('data-label'), div.textContent])),
    data: JSON.parse(root.querySelector('.cb-demo-data').textContent),
})"""


def _expected(data, key):
    state = data["states"][key]
    images = ["data:image/png;base64," + data["images"][i] for i in state["images"]]
    return images, state["labels"]


def test_there_are_demo_pages():
    assert len(DEMO_PAGES) >= 8, f"expected a demo in every chapter, found demo sections in {DEMO_PAGES}"


@pytest.mark.browser
@pytest.mark.parametrize("page", DEMO_PAGES)
def test_demo_controls_switch_states(page, browser, site_server, built_site):
    assert "cb-demo-data" in (built_site / f"{page}.html").read_text(), (
        f"{page}: the chapter's demo section shows no pre-rendered demo"
    )
    tab = browser.new_page()
    errors = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(f"{site_server.url}/{page}.html", wait_until="load")
    demos = tab.query_selector_all(".cb-demo")
    assert demos, f"{page}: demo markup present but no .cb-demo element rendered"
    for root in demos:
        shown = root.evaluate(SHOWN)
        data = shown["data"]
        images, labels = _expected(data, shown["key"])
        assert shown["images"] == images and shown["labels"] == labels, f"{page}: initial state not shown"
        inputs = root.query_selector_all("[data-control]")
        assert len(inputs) == len(data["controls"])
        for position, (el, (name, options)) in enumerate(zip(inputs, data["controls"])):
            for index in range(len(options)):
                tab.evaluate(SET_VALUE, [el, index])
                shown = root.evaluate(SHOWN)
                key = shown["key"].split("|")
                assert key[position] == str(index), f"{page}: moving {name} to {options[index]!r} did not change the state"
                images, labels = _expected(data, shown["key"])
                assert shown["images"] == images, f"{page}: {name}={options[index]!r} shows the wrong images"
                assert shown["labels"] == labels, f"{page}: {name}={options[index]!r} shows the wrong labels"
    tab.close()
    assert errors == [], f"{page}: console errors: {errors}"
