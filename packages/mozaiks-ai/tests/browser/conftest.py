"""Fixtures of the ChatUI browser tests: a real server (uvicorn in a thread) and Debian's Chromium via Playwright.

The tests need ``/usr/bin/chromium`` (``apt-get install -y chromium``), the ``playwright`` Python package
(``pip install playwright``; its own browser downloads are never used) and the built bundle
(``cd packages/chatui && npm ci && npm run build``). Without them the tests are skipped, except under
``CI=true`` where they fail.

* ``api``: a server without authentication; ``secure_api``: one that requires :data:`TOKEN`. Both allow
  the origin of ``embed_server`` (CORS), a second local server that serves plain pages embedding the widget.
* ``page``: a fresh browser context and page per test; it fails the test on page errors and CSP violations.
* ``shot(page, name)`` saves a screenshot under ``tests/browser/screenshots/``.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from chatui_harness import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, TOKEN, EmbedServer, Server, run_server, write_workflows
from mozaiks_ai.api.chatui import CHATUI_DIR


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker (harmless when pyproject.toml registers it too)."""
    config.addinivalue_line("markers", "browser: drives ChatUI in a real Chromium (needs the built bundle)")


def _unavailable(reason: str) -> None:
    """Skip, or fail under ``CI=true`` (where a missing browser or bundle is a broken setup)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def embed_server() -> Iterator[EmbedServer]:
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, name="embed-pages", daemon=True)
    thread.start()
    try:
        yield EmbedServer(f"http://127.0.0.1:{httpd.server_address[1]}", pages)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def bundle() -> Path:
    """The built ChatUI bundle (skips or fails when it was not built)."""
    for name in ("index.html", "widget.js"):
        if not (CHATUI_DIR / name).is_file():
            _unavailable(
                f"the ChatUI bundle is not built ({CHATUI_DIR / name} is missing): "
                "run scripts/setup (or cd packages/chatui && npm ci && npm run build)"
            )
    return CHATUI_DIR


@pytest.fixture(scope="session")
def workflows_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workflows(tmp_path_factory.mktemp("chatui") / "workflows")


@pytest.fixture(scope="session")
def api(
    bundle: Path, tmp_path_factory: pytest.TempPathFactory, workflows_root: Path, embed_server: EmbedServer
) -> Iterator[Server]:
    with run_server(tmp_path_factory.mktemp("api"), workflows_root, {}, embed_server.url) as server:
        yield server


@pytest.fixture(scope="session")
def secure_api(
    bundle: Path, tmp_path_factory: pytest.TempPathFactory, workflows_root: Path, embed_server: EmbedServer
) -> Iterator[Server]:
    env = {"MOZAIKS_AI_TOKEN": TOKEN}
    with run_server(tmp_path_factory.mktemp("secure-api"), workflows_root, env, embed_server.url) as server:
        yield server


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is open, which
# would break every anyio test that runs after it in the same process.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright (never a browser that Playwright downloads)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageProblems:
    """What the page reported that a test should never see."""

    errors: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: Any, bundle: Path) -> Iterator[Any]:
    """A page in a fresh context (own storage); fails the test on uncaught errors or CSP violations."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1180, "height": 820})
    context.set_default_timeout(15_000)
    problems = PageProblems()
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.errors.append(f"page error: {exc}"))

    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or (message.type == "error" and "Refused to" in text):
            problems.errors.append(f"CSP: {text}")

    page.on("console", on_console)
    try:
        yield page
    finally:
        context.close()
    assert not problems.errors, "\n".join(problems.errors)


@pytest.fixture(scope="session")
def shot() -> Callable[[Any, str], Path]:
    """Save a screenshot: ``shot(page, "name")`` → ``tests/browser/screenshots/name.png``."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return take
