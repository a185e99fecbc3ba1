"""Build the Conv Blocks site with Jupyter Book 1 and report how long it took.

Usage: ``python -m tools.build_book [--output DIR] [--all]``

Warnings are errors (``-W -n --keep-going``) and a failing cell fails the
build (``execute.allow_errors: false`` in ``_config.yml``); notebooks are
executed through the cache in ``DIR/_build/.jupyter_cache``, so a rebuild
only re-runs the pages whose code changed.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_book(output=ROOT, all_pages=False):
    """Run ``jupyter-book build`` on the repository; return (exit code, seconds, html dir)."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--builder", "html", "-W", "-n", "--keep-going",
           "--path-output", str(output)]
    if all_pages:
        cmd.append("--all")
    # Demos render as self-contained pre-rendered pages on the site (no kernel there).
    env = dict(os.environ, CONVBLOCKS_STATIC_DEMOS="1")
    start = time.perf_counter()
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    return code, time.perf_counter() - start, Path(output) / "_build" / "html"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT, help="folder that receives _build/ (default: the repository)")
    parser.add_argument("--all", action="store_true", help="rebuild every page, not only the changed ones")
    args = parser.parse_args(argv)
    code, seconds, html = build_book(args.output.resolve(), args.all)
    if code != 0:
        print(f"\nmake book: FAILED after {seconds:.1f} s (see the warnings above)", file=sys.stderr)
        return code
    print(f"\nmake book: built in {seconds:.1f} s")
    print(f"make book: open {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
