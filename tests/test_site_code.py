"""Code and outputs read well on the built site at 1280 px (headless Debian Chromium).

On every page of _toc.yml, with every folded "Show code cell source" opened:

* no ``pre`` of a code cell or of its output is wider than its box
  (``scrollWidth > clientWidth`` would mean a line is clipped inside a scroll box);
* no visible output prints a raw long float (seven or more decimals): numbers shown to
  readers are rounded and labelled.

tests/test_book_source.py checks the same rules in the MyST sources, without a build.
"""

import re

import pytest
from site_support import toc_pages

PAGES = toc_pages()
RAW_FLOAT = re.compile(r"\d\.\d{7,}")

MEASURE = """() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  return [...document.querySelectorAll("div.cell pre")].map(pre => ({
    output: pre.closest(".cell_output") !== null,
    scroll: pre.scrollWidth,
    client: pre.clientWidth,
    text: pre.innerText,
  }));
}"""


@pytest.fixture(scope="module")
def measured(browser, site_server):
    """Every code-cell ``pre`` of every page, measured once at 1280 x 900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    pages = {}
    for page in PAGES:
        response = tab.goto(f"{site_server.url}/{page}.html", wait_until="load")
        assert response is not None and response.status == 200, f"{page}.html did not load"
        pages[page] = tab.evaluate(MEASURE)
    context.close()
    return pages


def _first_line(text):
    line = max(text.splitlines() or [""], key=len)
    return line.strip()[:70]


@pytest.mark.browser
def test_the_check_sees_code_and_outputs(measured):
    chapters = [p for p in PAGES if p.split("/")[-1][:2].isdigit()]
    assert chapters, "no chapter pages in _toc.yml"
    for page in chapters:
        boxes = measured[page]
        assert any(not b["output"] for b in boxes), f"{page}: no code cell source found"
        assert any(b["output"] for b in boxes), f"{page}: no code cell output found"
        assert all(b["client"] > 0 for b in boxes), f"{page}: a code box was not laid out"


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_no_code_line_wider_than_its_box(page, measured):
    clipped = [f"{'output' if b['output'] else 'source'} {b['scroll']} px in a "
               f"{b['client']} px box: {_first_line(b['text'])}"
               for b in measured[page] if b["scroll"] > b["client"]]
    assert not clipped, f"{page}: lines clipped at 1280 px:\n" + "\n".join(clipped)


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_outputs_show_rounded_numbers(page, measured):
    raw = [f"{match.group()} in: {line.strip()[:80]}"
           for b in measured[page] if b["output"]
           for line in b["text"].splitlines()
           for match in [RAW_FLOAT.search(line)] if match]
    assert not raw, (f"{page}: outputs print raw floats (round them and say what "
                     "they are):\n" + "\n".join(raw))
