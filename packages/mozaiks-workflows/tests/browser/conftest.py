"""Fixtures of the pack's browser test: Debian's Chromium via Playwright's sync API (own pytest process).

Needs ``/usr/bin/chromium``, the ``playwright`` package and the built ChatUI bundle (``scripts/setup``). Without
them the test is skipped, except under ``CI=true`` where it fails.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # pack_harness

CHROMIUM = Path("/usr/bin/chromium")


def unavailable(reason: str) -> None:
    """Skip, or fail under ``CI=true`` (where a missing browser or bundle is a broken setup)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a browser Playwright downloads)."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh context; uncaught page errors fail the test."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1180, "height": 820})
    context.set_default_timeout(20_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors
