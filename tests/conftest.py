"""Shared test settings: one hypothesis profile, deterministic random generators."""

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "convblocks",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
settings.load_profile("convblocks")


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """Build the whole site from scratch in a temporary folder (fresh execution cache).

    The build runs with warnings as errors and fails on any cell error, so this
    fixture failing is itself the test that every page builds and runs.
    """
    from tools.build_book import build_book

    out = tmp_path_factory.mktemp("site")
    code, seconds, html = build_book(out, all_pages=True)
    assert code == 0, f"the site build failed (exit {code}); the warnings are printed above"
    print(f"site built from scratch in {seconds:.1f} s")
    return html


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    from site_support import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("browser tests need Playwright for Python: `pip install -r requirements.txt`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def site_server(built_site):
    """The freshly built site served on 127.0.0.1."""
    from site_support import StaticServer

    with StaticServer(built_site) as server:
        yield server
