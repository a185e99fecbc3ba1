"""Chapter and figure numbers come from the toc (issue 12 item 9).

* No chapter title in ``book/*.md`` types its number; ``_toc.yml`` numbers the
  chapters' part.
* In the built site, chapter N (its place in the numbered part of ``_toc.yml``)
  is titled "N. <title>", its figure captions read "Fig. N.1", "Fig. N.2", ... in
  page order, and every {numref} to one of its figures reads the same number as the
  caption it points at, from whichever page it is made.
* A {numref} to a chapter ("chapter 9") names the number that chapter's title shows.
"""

import re

import pytest
import yaml
from bs4 import BeautifulSoup
from site_support import ROOT, toc_pages

TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
NUMBERED = [entry["file"] for part in TOC.get("parts") or [] if part.get("numbered")
            for entry in part.get("chapters", [])]


def _source_title(page):
    text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    body = re.sub(r"^---\n.*?\n---\n", "", text, count=1, flags=re.S)
    return re.search(r"^# (.+)$", body, re.M).group(1).strip()


def _soup(built_site, page):
    return BeautifulSoup((built_site / f"{page}.html").read_text(encoding="utf-8"), "html.parser")


def _text(node):
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True)).replace(" #", "").strip()


def test_the_toc_numbers_the_chapters_and_titles_do_not():
    assert len(NUMBERED) >= 10, f"the numbered part of _toc.yml holds {NUMBERED}"
    typed = [page for page in NUMBERED if re.match(r"\d+(\.\d+)*\.?\s", _source_title(page))]
    assert typed == [], f"chapter titles with a typed number (the toc numbers them): {typed}"


@pytest.mark.slow
@pytest.mark.parametrize("number,page", list(enumerate(NUMBERED, 1)))
def test_chapter_title_and_figures_carry_the_chapter_number(number, page, built_site):
    soup = _soup(built_site, page)
    article = soup.select_one("article")
    h1 = article.find("h1")
    assert _text(h1) == f"{number}. {_source_title(page)}", f"{page}: the title reads '{_text(h1)}'"
    # The page's own figures (Sphinx numbers them: span.caption-number), not a demo's panels.
    captions = [_text(c.find_parent("figcaption")) for c in article.select("figcaption span.caption-number")]
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    named = re.findall(r"^\s*name: (fig-[\w-]+)", source, re.M)
    assert len(captions) == len(named) > 0, (
        f"{page}: {len(captions)} numbered captions for the {len(named)} named figures of its source"
    )
    numbers = [re.match(r"Fig\. (\d+(?:\.\d+)*)", c) for c in captions]
    assert all(numbers), f"{page}: captions without a figure number: {captions}"
    assert [m.group(1) for m in numbers] == [f"{number}.{k}" for k in range(1, len(captions) + 1)], (
        f"{page}: figures are numbered {[m.group(1) for m in numbers]}"
    )


@pytest.mark.slow
def test_every_numref_reads_its_target_number(built_site):
    """Figure and chapter references on every page name the number their target shows."""
    shown = {}  # (page, anchor) -> the number its caption or title shows
    for page in toc_pages():
        soup = _soup(built_site, page)
        for number_span in soup.select("article figure[id] figcaption span.caption-number"):
            figure = number_span.find_parent("figure")
            caption = _text(number_span)
            shown[(page, figure["id"])] = re.match(r"Fig\. ([\d.]+)", caption).group(1)
        if page in NUMBERED:
            shown[(page, "title")] = re.match(r"(\d+)\. ", _text(soup.select_one("article h1"))).group(1)
    checked, wrong = 0, []
    for page in toc_pages():
        folder = page.rsplit("/", 1)[0]
        for link in _soup(built_site, page).select("article a.reference.internal"):
            ref = link.select_one("span.std-numref")
            if ref is None:
                continue
            href = link["href"]
            target, _, anchor = href.partition("#")
            target = f"{folder}/{target.removesuffix('.html')}" if target else page
            # a chapter's label (ch-...) sits just before its title
            key = (target, "title") if anchor.startswith("ch-") else (target, anchor)
            if key not in shown:
                wrong.append(f"{page}: '{_text(ref)}' points at {href}, which shows no number")
                continue
            checked += 1
            if not re.search(rf"(^|\D){re.escape(shown[key])}($|\D)", _text(ref)):
                wrong.append(f"{page}: '{_text(ref)}' points at {href}, which shows {shown[key]}")
    assert checked >= 30, f"only {checked} numbered references were found"
    assert wrong == [], f"numbered references that disagree with their target: {wrong}"
