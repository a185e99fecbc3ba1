"""``make pdf``: the whole course as one PDF (tools/make_pdf.py), printed from the session's built site.

Checked with pypdf and with poppler's ``pdftotext`` (``apt-get install poppler-utils``):
the PDF opens; its bookmarks name every page of ``_toc.yml`` in order (titles read
from the MyST sources, chapter numbers from the toc), each pointing at a page that
shows that title; the printed contents page lists them with those page numbers;
every page carries its number "k / N" through the whole course; no word runs past
the right edge of the page's text box; and no line of code shown in print is cut
(every code line the browser lays out for print appears whole in the PDF's text).
"""

import re
import shutil
import subprocess
import sys

import pytest
import yaml
from site_support import ROOT, toc_pages

from tools import make_pdf

PAGES = toc_pages()
MM = 72 / 25.4  # PDF points per millimetre
FOOTER = re.compile(r"^\s*(Conv Blocks|\d+ / \d+)\s*$", re.M)


def _squash(text):
    return "".join(text.split())


def expected_titles():
    """Each toc page's title as printed: its MyST '# ' heading, 'N. ' before it in numbered parts."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    numbered = set()
    for part in toc.get("parts") or []:
        if part.get("numbered"):
            numbered.update(entry["file"] for entry in part.get("chapters", []))
    titles, number = [], 0
    for page in PAGES:
        text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
        body = re.sub(r"^---\n.*?\n---\n", "", text, count=1, flags=re.S)
        title = re.search(r"^# (.+)$", body, re.M).group(1).strip()
        if page in numbered:
            number += 1
            title = f"{number}. {title}"
        titles.append(title)
    return titles


def _pdftotext(*args):
    if shutil.which("pdftotext") is None:
        pytest.fail("the PDF tests need poppler's pdftotext: run `apt-get install poppler-utils`")
    return subprocess.run(["pdftotext", *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def course_pdf(built_site, tmp_path_factory):
    from site_support import require_chromium

    require_chromium()
    _pdftotext("-v")
    out = tmp_path_factory.mktemp("pdf") / "conv-blocks.pdf"
    # The command itself, in a process of its own: Playwright's sync API cannot start
    # while the session's browser fixture holds this process's event loop.
    run = subprocess.run([sys.executable, "-m", "tools.make_pdf", "--site", str(built_site),
                          "--output", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, f"make pdf failed:\n{run.stdout}\n{run.stderr}"
    total = int(re.search(r"make pdf: (\d+) pages", run.stdout).group(1))
    assert out.is_file() and total > len(PAGES), run.stdout
    return out


@pytest.fixture(scope="module")
def reader(course_pdf):
    from pypdf import PdfReader

    return PdfReader(course_pdf)


@pytest.fixture(scope="module")
def page_texts(course_pdf, reader):
    """pdftotext of every PDF page (index 0 = page 1)."""
    text = _pdftotext("-raw", str(course_pdf), "-")
    pages = text.split("\f")
    return pages[: len(reader.pages)]


def _top_outline(reader):
    return [(str(item.title), reader.get_destination_page_number(item))
            for item in reader.outline if not isinstance(item, list)]


@pytest.mark.browser
def test_pdf_bookmarks_every_page_in_order(reader, page_texts):
    assert len(reader.pages) > 2 * len(PAGES)
    outline = _top_outline(reader)
    titles = [title for title, _ in outline]
    assert titles == ["Contents", *expected_titles()], f"bookmarks: {titles}"
    starts = [index for _, index in outline]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), f"bookmark pages {starts}"
    for title, index in outline[1:]:
        assert _squash(title.split(". ", 1)[-1]) in _squash(page_texts[index]), (
            f"the bookmark '{title}' points at PDF page {index + 1}, which does not show that title"
        )
    sections = sum(isinstance(item, list) for item in reader.outline)
    assert sections >= 10, "each chapter's sections should be bookmarked under it"


@pytest.mark.browser
def test_contents_page_lists_every_page_with_its_number(reader, page_texts):
    outline = _top_outline(reader)[1:]
    contents = page_texts[0]
    position = 0
    for title, index in outline:
        match = re.search(re.escape(title) + r"\s*\.*\s*(\d+)", contents[position:])
        assert match, f"the contents page lacks '{title}' (or it is out of order)"
        assert int(match.group(1)) == index + 1, (
            f"the contents page gives '{title}' page {match.group(1)}, but it starts on {index + 1}"
        )
        position += match.end()


@pytest.mark.browser
def test_every_page_is_numbered_through_the_course(reader, page_texts):
    total = len(reader.pages)
    unnumbered = [k for k, text in enumerate(page_texts, 1)
                  if not re.search(rf"(^|\s){k} / {total}(\s|$)", text)]
    assert unnumbered == [], f"PDF pages without their number 'k / {total}': {unnumbered[:20]}"


@pytest.mark.browser
def test_no_text_runs_past_the_right_margin(course_pdf):
    """Every word ends inside the page's text box (3 mm of slack for the theme's gutter)."""
    bbox = _pdftotext("-bbox", str(course_pdf), "-")
    right = make_pdf.MARGIN_MM["right"] * MM
    slack = 3 * MM
    over = []
    for number, page in enumerate(bbox.split("<page ")[1:], 1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        for x_max, word in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" '
                                      r'yMax="[\d.]+">([^<]*)</word>', page):
            if float(x_max) > width - right + slack:
                over.append(f"page {number}: '{word}' ends at {float(x_max) / MM:.1f} mm "
                            f"of {width / MM:.0f} mm")
    assert over == [], f"{len(over)} words run into the right margin, e.g. {over[:10]}"


@pytest.mark.browser
def test_no_code_line_is_cut(reader, page_texts, browser, site_server):
    """Each code line laid out for print (A4 text width) appears whole in its pages' text."""
    outline = _top_outline(reader)[1:]
    ends = [index for _, index in outline[1:]] + [len(reader.pages)]
    width_px = round((210 - make_pdf.MARGIN_MM["left"] - make_pdf.MARGIN_MM["right"]) * 96 / 25.4)
    tab = browser.new_page(viewport={"width": width_px, "height": 1000})
    tab.emulate_media(media="print")
    cut = []
    try:
        for page, (title, start), end in zip(PAGES, outline, ends):
            tab.goto(f"{site_server.url}/{page}.html", wait_until="load")
            lines = tab.evaluate(
                """() => Array.from(document.querySelectorAll('main pre'))
                    .filter(pre => pre.getClientRects().length > 0)
                    .flatMap(pre => pre.innerText.split('\\n'))"""
            )
            text = _squash(FOOTER.sub("", "\n".join(page_texts[start:end])))
            for line in lines:
                if _squash(line) and _squash(line) not in text:
                    cut.append(f"{page}: {line.strip()[:90]}")
    finally:
        tab.close()
    assert cut == [], f"{len(cut)} code lines are cut or missing in the PDF, e.g. {cut[:8]}"


def test_make_pdf_target():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^\.PHONY:.*\bpdf\b", makefile, re.M), "pdf is not a .PHONY target"
    assert re.search(r"^pdf:.*\n\t\$\(PY\) -m tools\.make_pdf", makefile, re.M)
    assert make_pdf.OUTPUT == ROOT / "_build" / "pdf" / "conv-blocks.pdf"
