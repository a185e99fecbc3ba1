"""The book's code cells read well in their MyST source (fast: no build, no kernel).

Every page of ``_toc.yml`` is parsed for its ``{code-cell}`` blocks and their options
(a ``---`` YAML block or ``:key: value`` lines). Two rules from the style guide:

* no code-cell line is wider than 88 characters, comments included, so that nothing
  is clipped in its box at 1280 px (the browser test in test_site_code.py checks the
  rendered result);
* a cell whose source the reader can see (no ``remove-cell`` / ``remove-input`` tag)
  calls no ``glue(``: gluing numbers for the prose is plumbing, kept out of sight.
"""

import re
from pathlib import Path

import pytest
import yaml

from site_support import ROOT, toc_pages

MAX_WIDTH = 88
HIDDEN_SOURCE = {"remove-cell", "remove-input"}
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\{code-cell\}")


def code_cells(text):
    """The code cells of a MyST notebook: dicts with line, options, tags and source.

    ``line`` is the 1-based line number of the first source line. Options come from a
    ``---`` YAML block right after the opening fence or from ``:key: value`` lines.
    """
    lines = text.splitlines()
    cells, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence = match["fence"]
        i += 1
        options = {}
        if i < len(lines) and lines[i].strip() == "---":
            end = i + 1
            while end < len(lines) and lines[end].strip() != "---":
                end += 1
            options = yaml.safe_load("\n".join(lines[i + 1:end])) or {}
            i = end + 1
        else:
            while i < len(lines) and re.match(r"^:[\w-]+:", lines[i]):
                key, _, value = lines[i][1:].partition(":")
                options[key] = yaml.safe_load(value.strip()) if value.strip() else None
                i += 1
        start = i
        while i < len(lines) and lines[i].rstrip() != fence:
            i += 1
        if i == len(lines):
            raise ValueError(f"code cell opened on line {start} is never closed")
        opened = [n + 1 for n in range(start, i) if FENCE.match(lines[n])]
        if opened:
            raise ValueError(f"code cell opened on line {start} runs into the cell "
                             f"opened on line {opened[0]}: a closing fence is missing")
        tags = options.get("tags") or []
        cells.append({"line": start + 1, "options": options, "tags": set(tags),
                      "source": lines[start:i]})
        i += 1
    return cells


PAGES = [page for page in toc_pages() if (ROOT / f"{page}.md").exists()]


def test_every_toc_page_is_a_markdown_file():
    assert PAGES == toc_pages(), "every page of _toc.yml is a .md file the test can read"
    assert sum(bool(code_cells((ROOT / f"{p}.md").read_text())) for p in PAGES) >= 10


def test_parser_reads_options_tags_and_sources():
    text = "\n".join([
        "# A page", "```{code-cell} ipython3", "---", "mystnb:", "  image:",
        "    alt: a plot", "tags: [hide-input]", "---", "plt.plot([1, 2])", "```",
        "", "```{code-cell} ipython3", ":tags: [remove-cell]", 'glue("a", 1)', "```",
        "````{code-cell} ipython3", "print('```')", "````",
    ])
    cells = code_cells(text)
    assert [c["tags"] for c in cells] == [{"hide-input"}, {"remove-cell"}, set()]
    assert cells[0]["options"]["mystnb"]["image"]["alt"] == "a plot"
    assert [c["source"] for c in cells] == [["plt.plot([1, 2])"], ['glue("a", 1)'],
                                            ["print('```')"]]
    assert cells[1]["line"] == 14


@pytest.mark.parametrize("page", PAGES)
def test_code_lines_fit_their_box(page):
    cells = code_cells((ROOT / f"{page}.md").read_text())
    wide = [f"{page}.md:{cell['line'] + k}: {len(line)} characters: {line.strip()[:60]}"
            for cell in cells for k, line in enumerate(cell["source"])
            if len(line) > MAX_WIDTH]
    assert not wide, f"code lines wider than {MAX_WIDTH} characters:\n" + "\n".join(wide)


@pytest.mark.parametrize("page", PAGES)
def test_visible_cells_do_not_glue(page):
    cells = code_cells((ROOT / f"{page}.md").read_text())
    shown = [f"{page}.md:{cell['line'] + k}: {line.strip()}"
             for cell in cells if not cell["tags"] & HIDDEN_SOURCE
             for k, line in enumerate(cell["source"]) if "glue(" in line]
    assert not shown, ("glue( calls in cells whose source readers see (tag them "
                       "remove-cell or move the glue into a removed cell):\n"
                       + "\n".join(shown))
