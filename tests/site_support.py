"""Helpers for the tests that build the site and drive it in a real browser.

The browser is Debian's Chromium (``apt-get install chromium``) driven by
Playwright; Playwright's own browser download is never used.
"""

import shutil
from pathlib import Path

import pytest

# One copy of each: the browser, its arguments, the static server and the toc walk are
# the ones `make pdf` and the notebook export use.
from tools.make_pdf import CHROMIUM, CHROMIUM_ARGS, StaticServer  # noqa: F401
from tools.notebooks import toc_files as toc_pages  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


def require_chromium():
    """Fail (never skip) with the install instruction when Chromium is missing."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.fail(
            f"browser tests need Debian's Chromium at {CHROMIUM}: run `apt-get install chromium` "
            "(.ci/run does this); Playwright's own browser download is not used"
        )
