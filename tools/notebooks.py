"""Every chapter as a Jupyter notebook: ``notebooks/<chapter>.ipynb``, made from ``book/<chapter>.md``.

Usage: ``python -m tools.notebooks [--check]`` (``make notebooks``)

The chapters are MyST Markdown notebooks; this turns each one into a plain
``.ipynb`` with jupytext: the same cells in the same order, no outputs, no
execution counts, deterministic cell ids, so the files only change when a
chapter does. The same function gives the notebooks the site offers for
download (``book/_ext/notebooks.py`` writes them next to each page).

Why a committed copy in ``notebooks/``: Binder, Colab and a JupyterHub open a
notebook *from the repository* at the path in their launch link, and Colab can
only open ``.ipynb`` files, so the launch buttons point at
``notebooks/<chapter>.ipynb`` on the configured branch. ``--check`` reports
(and exits 1) when a committed notebook no longer matches its chapter; the
site tests fail the same way.

When ``repository.url`` is set in ``_config.yml``, each notebook starts with one
extra code cell that installs ``convblocks`` from that repository if it is not
importable (a Colab machine has NumPy and matplotlib but not this course's
package, nor myst-nb); Binder and a JupyterHub with the repository's requirements
skip it.
"""

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "notebooks"
SETUP_TAG = "course-setup"


def toc_files(root=ROOT):
    """Every page of ``_toc.yml`` in reading order (paths without suffix, from the root)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts") or []:
        walk(part.get("chapters"))
    return files


def toc_chapters(root=ROOT):
    """The pages of ``_toc.yml`` that are notebooks (have a kernelspec), in order."""
    pages = []
    for name in toc_files(root):
        source = root / f"{name}.md"
        if source.is_file() and "kernelspec" in jupytext.read(source).metadata:
            pages.append(name)
    return pages


def repository(root=ROOT):
    """``(url, branch)`` from ``_config.yml``; url is "" while the repository is not set."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    repo = config.get("repository") or {}
    return (repo.get("url") or "").strip().rstrip("/"), (repo.get("branch") or "main").strip()


def setup_cell(url, branch):
    source = (
        "# Run this first outside the course's own environment (e.g. on Colab): it installs\n"
        "# the course's convblocks package and myst-nb (for glue) when they are missing.\n"
        "import importlib.util\n"
        "\n"
        'if any(importlib.util.find_spec(m) is None for m in ("convblocks", "myst_nb")):\n'
        f'    %pip install --quiet myst-nb "convblocks[demos] @ git+{url}@{branch}"'
    )
    return nbformat.v4.new_code_cell(source, metadata={"tags": [SETUP_TAG]})


def chapter_notebook(source, repo_url="", branch="main"):
    """The notebook of one MyST chapter: its cells, no outputs, stable ids.

    Parameters
    ----------
    source : path-like
        A chapter, ``book/<name>.md`` (MyST Markdown notebook).
    repo_url, branch : str
        When ``repo_url`` is set, a first code cell installs ``convblocks`` from it
        where the package is missing.

    Returns
    -------
    nbformat.NotebookNode
        A valid nbformat 4.5 notebook.
    """
    source = Path(source)
    nb = jupytext.read(source)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata.pop("jupytext", None)
    nb.metadata["language_info"] = {"name": "python"}
    cells = list(nb.cells)
    if repo_url:
        cells.insert(0, setup_cell(repo_url, branch))
    for index, cell in enumerate(cells):
        cell.id = f"{source.stem.replace('_', '-')}-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("jupytext", None)
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def notebook_text(nb):
    """The file contents nbformat writes (what is committed and served)."""
    return nbformat.writes(nb, version=4) + "\n"


def expected_notebooks(root=ROOT):
    """``{file name: text}`` of every chapter notebook, from the current sources and config."""
    url, branch = repository(root)
    return {
        f"{Path(page).name}.ipynb": notebook_text(chapter_notebook(root / f"{page}.md", url, branch))
        for page in toc_chapters(root)
    }


def stale_notebooks(folder=OUT, root=ROOT):
    """Names of notebooks in ``folder`` that are missing, outdated or no longer a chapter."""
    expected = expected_notebooks(root)
    present = {p.name for p in Path(folder).glob("*.ipynb")}
    stale = sorted(name for name in present - expected.keys())
    for name, text in expected.items():
        path = Path(folder) / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return sorted(stale)


def write_notebooks(folder=OUT, root=ROOT):
    """Write every chapter notebook into ``folder``, removing ones of chapters that are gone."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    expected = expected_notebooks(root)
    for path in folder.glob("*.ipynb"):
        if path.name not in expected:
            path.unlink()
    for name, text in expected.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return sorted(expected)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report notebooks that do not match their chapter (exit 1)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_notebooks()
        if stale:
            print("notebooks/ is out of date for: " + ", ".join(stale)
                  + "\nrun `make notebooks` and commit notebooks/", file=sys.stderr)
            return 1
        print("notebooks/: every chapter notebook is up to date")
        return 0
    names = write_notebooks()
    print(f"notebooks/: {len(names)} chapter notebooks written ({', '.join(names)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
