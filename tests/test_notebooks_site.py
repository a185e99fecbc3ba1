"""Every chapter is also a notebook: in the built site, in its download menu, behind its launch buttons.

* The site has ``<chapter>.ipynb`` next to each chapter page: a valid nbformat 4
  notebook with no outputs whose code cells are the chapter's ``{code-cell}``
  blocks (read here from the MyST source with a parser of our own, not jupytext).
* The page's download menu offers that file, and the browser can fetch it.
* Launch buttons: with ``repository.url`` empty (today) no page shows a launch
  button or a repository link; the site rebuilt (from the same execution cache)
  with a repository and two of the three services configured shows exactly those
  two on every chapter, each opening ``notebooks/<chapter>.ipynb`` on the
  configured branch.
* ``notebooks/`` (what the launch buttons open) matches the chapters.
"""

import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import nbformat
import pytest
import yaml
from site_support import ROOT

from tools import notebooks as nbtools

CHAPTERS = nbtools.toc_chapters()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
LAUNCH_HOSTS = re.compile(r"mybinder\.org|colab\.research\.google\.com|/hub/user-redirect|github\.com")


def myst_code_cells(path):
    """The bodies of the ``{code-cell}`` blocks of a MyST notebook, option lines removed."""
    cells, body, inside = [], [], False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not inside and re.match(r"^```\{code-cell\}", line):
            inside, body = True, []
        elif inside and line.rstrip() == "```":
            inside = False
            if body and body[0].strip() == "---":  # YAML options between --- lines
                end = body.index("---", 1)
                body = body[end + 1:]
            while body and re.match(r"^:[\w-]+:", body[0]):  # :tags: [...] style options
                body = body[1:]
            cells.append("\n".join(body).strip("\n"))
        elif inside:
            body.append(line)
    return cells


def test_chapters_are_found():
    assert len(CHAPTERS) >= 10, f"expected the notation page and ten chapters, found {CHAPTERS}"
    assert "book/03_pooling" in CHAPTERS and "book/notation" in CHAPTERS


@pytest.mark.slow
@pytest.mark.parametrize("page", CHAPTERS)
def test_site_has_the_chapter_notebook(page, built_site):
    path = built_site / f"{page}.ipynb"
    assert path.is_file(), f"the built site has no {page}.ipynb next to {page}.html"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, f"{page}.ipynb keeps outputs"
    sources = [cell.source.strip("\n") for cell in code
               if nbtools.SETUP_TAG not in cell.metadata.get("tags", [])]
    assert sources == myst_code_cells(ROOT / f"{page}.md"), (
        f"{page}.ipynb's code cells differ from the {{code-cell}} blocks of {page}.md"
    )
    markdown = "".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    title = re.search(r"^# (.+)$", (ROOT / f"{page}.md").read_text(encoding="utf-8"), re.M).group(1)
    assert f"# {title}" in markdown, f"{page}.ipynb lacks the chapter's title and prose"


@pytest.mark.slow
def test_committed_notebooks_match_the_chapters():
    stale = nbtools.stale_notebooks()
    assert stale == [], (
        f"notebooks/ (what the launch buttons open) is out of date for {stale}: "
        "run `make notebooks` and commit notebooks/"
    )


def _menu_links(tab, group):
    return tab.eval_on_selector_all(
        f".dropdown-{group} a",
        "links => links.map(a => ({text: a.textContent.trim(), href: a.href}))",
    )


@pytest.mark.browser
@pytest.mark.parametrize("page", CHAPTERS)
def test_download_menu_offers_the_notebook(page, browser, site_server):
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        tab.goto(f"{site_server.url}/{page}.html", wait_until="load")
        tab.click(".dropdown-download-buttons button.dropdown-toggle")
        item = tab.locator(".dropdown-download-buttons a", has_text=".ipynb")
        assert item.count() == 1, f"{page}: the download menu has no .ipynb entry"
        assert item.is_visible(), f"{page}: the .ipynb entry does not show when the menu opens"
        href = item.get_attribute("href")
        url = urllib.parse.urljoin(tab.url, href)
        assert url == f"{site_server.url}/{page}.ipynb", f"{page}: the .ipynb entry points at {url}"
        response = tab.request.get(url)
        assert response.status == 200, f"{page}: fetching {url} gave HTTP {response.status}"
        nbformat.validate(nbformat.reads(response.text(), as_version=4))

        # Today no repository is configured: no launch button and no repository link.
        assert not (CONFIG.get("repository") or {}).get("url"), (
            "repository.url is set now: extend this test to check the live launch links"
        )
        assert tab.locator(".dropdown-launch-buttons").count() == 0, f"{page}: a launch menu shows"
        header = tab.eval_on_selector_all(
            ".bd-header-article a", "links => links.map(a => a.href)")
        dead = [link for link in header if LAUNCH_HOSTS.search(link)]
        assert dead == [], f"{page}: links to an unconfigured repository or service: {dead}"
    finally:
        tab.close()


# -- a small build with a repository and two services configured ----------------------

REPO = "https://github.com/example-org/conv-blocks"
BRANCH = "course-2026"
HUB = "https://hub.example.org"


@pytest.fixture(scope="module")
def configured_site(built_site, tmp_path_factory):
    """The site rebuilt with repository, Binder and JupyterHub set and Colab not.

    It reuses the execution cache of the session's ``built_site``, so no chapter runs again.
    """
    folder = tmp_path_factory.mktemp("launch")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["repository"] = {"url": REPO, "branch": BRANCH}
    config["launch_buttons"].update(
        binderhub_url="https://mybinder.org", jupyterhub_url=HUB, colab_url="")
    config["execute"]["cache"] = str(built_site.parent / ".jupyter_cache")
    extensions = config["sphinx"]["local_extensions"]
    for name, path in extensions.items():
        extensions[name] = str((ROOT / path).resolve())
    (folder / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", str(ROOT), "--config", str(folder / "_config.yml"),
         "--path-output", str(folder), "-W", "-n", "--keep-going"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "CONVBLOCKS_STATIC_DEMOS": "1"},
    )
    assert result.returncode == 0, (
        f"the build with a repository configured failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return folder / "_build" / "html"


@pytest.mark.slow
@pytest.mark.parametrize("page", CHAPTERS)
def test_launch_buttons_open_the_committed_notebook(page, configured_site):
    from bs4 import BeautifulSoup

    html = BeautifulSoup((configured_site / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    links = {a.get_text(strip=True): a["href"] for a in html.select(".dropdown-launch-buttons a")}
    assert set(links) == {"Binder", "JupyterHub"}, f"{page}: launch buttons {sorted(links)} (Colab is unset)"
    target = f"notebooks/{Path(page).name}.ipynb"

    binder = urllib.parse.urlsplit(links["Binder"])
    assert binder.netloc == "mybinder.org"
    assert binder.path == f"/v2/gh/example-org/conv-blocks/{BRANCH}"
    assert urllib.parse.parse_qs(binder.query)["urlpath"] == [f"lab/tree/{target}"]

    hub = urllib.parse.urlsplit(links["JupyterHub"])
    query = urllib.parse.parse_qs(hub.query)
    assert f"{hub.scheme}://{hub.netloc}" == HUB and hub.path == "/hub/user-redirect/git-pull"
    assert query["repo"] == [REPO] and query["branch"] == [BRANCH]
    assert query["urlpath"] == [f"lab/tree/conv-blocks/{target}"]

    # Both open the repository's copy of the notebook: it is committed and current.
    assert (ROOT / target).is_file(), f"{target} is not in the repository"
    assert Path(target).name not in nbtools.stale_notebooks(), f"{target} is out of date: `make notebooks`"

    repo_links = [a["href"] for a in html.select(".dropdown-source-buttons a")]
    assert REPO in repo_links, f"{page}: the repository link is missing: {repo_links}"
    download = html.select_one(".dropdown-download-buttons a.btn-download-notebook-button")
    assert download is not None and download["href"] == f"{Path(page).name}.ipynb"

    # With a repository set, the notebook starts by installing convblocks where it is missing.
    nb = json.loads((configured_site / f"{page}.ipynb").read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert nb["cells"][0]["metadata"]["tags"] == [nbtools.SETUP_TAG]
    assert f"git+{REPO}@{BRANCH}" in first and "find_spec" in first
