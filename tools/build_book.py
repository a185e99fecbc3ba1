"""Build the Conv Blocks site with Jupyter Book 1 and say how it went, briefly.

Usage: ``python -m tools.build_book [--output DIR] [--all]``

Prints one line per page read (whether its code ran or its outputs came from
the execution cache; book/_ext/build_output.py), then the result and where
the site is. Sphinx's own status output (configuration dumps, asset copying)
is left out; its warnings are not: warnings are errors (``-W -n
--keep-going``), and a failing cell fails the build (``execute.allow_errors:
false``) with the cell and its error printed. Notebooks are executed through
the cache in ``DIR/_build/.jupyter_cache``, so a rebuild only re-runs the
pages whose code changed.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT_LOG = "build-output.txt"  # in DIR/_build/: what build_book() printed


def run_sphinx(output, all_pages=False):
    """Build the site in this process (Jupyter Book's Sphinx driver, quiet); return the exit code."""
    from jupyter_book.sphinx import build_sphinx

    html = Path(output) / "_build" / "html"
    # Demos render as self-contained pre-rendered pages on the site (no kernel there).
    os.environ["CONVBLOCKS_STATIC_DEMOS"] = "1"
    result = build_sphinx(
        ROOT,
        html,
        noconfig=True,
        path_config=str(ROOT / "_config.yml"),
        # what `jupyter-book build ROOT -n` passes for a book
        confoverrides={
            "external_toc_path": (ROOT / "_toc.yml").as_posix(),
            "latex_individualpages": False,
            "nitpicky": True,
        },
        builder="html",
        warningiserror=True,
        keep_going=True,
        freshenv=all_pages,
        quiet=True,
    )
    if isinstance(result, BaseException):  # Sphinx printed it (handle_exception)
        return 2
    return int(result or 0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT, help="folder that receives _build/ (default: the repository)")
    parser.add_argument("--all", action="store_true", help="rebuild every page, not only the changed ones")
    args = parser.parse_args(argv)
    html = args.output.resolve() / "_build" / "html"
    print(f"make book: building the site{' from scratch' if args.all else ''} ...", flush=True)
    start = time.perf_counter()
    code = run_sphinx(args.output.resolve(), args.all)
    seconds = time.perf_counter() - start
    sys.stderr.flush()
    if code == 1:
        print(f"make book: FAILED after {seconds:.1f} s: the warnings above are errors (-W)", file=sys.stderr)
    elif code != 0:
        print(f"make book: FAILED after {seconds:.1f} s: see the error above", file=sys.stderr)
    if code != 0:
        return code
    print(f"make book: done in {seconds:.1f} s; open {html / 'index.html'}")
    return 0


def build_book(output=ROOT, all_pages=False):
    """Run ``python -m tools.build_book`` in a child process; return (exit code, seconds, html dir).

    What it prints is echoed to stdout and kept in ``output/_build/build-output.txt``.
    """
    output = Path(output).resolve()
    cmd = [sys.executable, "-m", "tools.build_book", "--output", str(output)]
    if all_pages:
        cmd.append("--all")
    log_path = output / "_build" / OUTPUT_LOG
    log_path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(log_path, "w") as log:
        child = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        for line in child.stdout:
            sys.stdout.write(line)
            log.write(line)
        code = child.wait()
    return code, time.perf_counter() - start, output / "_build" / "html"


if __name__ == "__main__":
    sys.exit(main())
