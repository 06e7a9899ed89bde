"""Fixtures of the browser test: the built package, real mozaiks-ai and mozaiks-core processes, Debian's Chromium.

* ``dist``: runs ``npm run build`` (and ``npm ci`` first when ``node_modules`` is missing) when ``dist/`` is missing
  or older than its sources.
* ``mozaiks_ai``: ``mozaiks-ai serve`` with a static token, serving a copy of ``examples/hello-world``.
* ``site``: a static server for this package's folder (the test page and ``dist/``), a different origin from the
  backend, as a Vite dev server would be.
* ``backend``: ``mozaiks-core serve examples/task-tracker-backend`` wired to ``mozaiks_ai``, allowing ``hello-world``
  from the frontend and the ``site`` origin through CORS.
* ``browser``: Chromium through Playwright's sync API, launched from ``/usr/bin/chromium`` (Playwright's own
  browser downloads are never used).

Without npm, Chromium or the ``playwright`` package the test is skipped, except under ``CI=true`` where it fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PACKAGE = Path(__file__).resolve().parents[2]
REPO = PACKAGE.parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
AI_TOKEN = "core-runtime-js-browser-ai-token-0123456789"
JWT_SECRET = "core-runtime-js-browser-jwt-secret-0123456789abcdef"
BUILD_INPUTS = ("package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json")


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail under ``CI=true`` (where a missing tool is a broken setup)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stale() -> bool:
    built = [PACKAGE / "dist" / "index.js", PACKAGE / "dist" / "react.js"]
    if not all(p.is_file() for p in built):
        return True
    inputs = [*PACKAGE.joinpath("src").rglob("*.ts"), *(PACKAGE / name for name in BUILD_INPUTS)]
    newest = max(p.stat().st_mtime for p in inputs if p.is_file())
    return newest > min(p.stat().st_mtime for p in built)


def _npm(*args: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed: the package cannot be built")
    done = subprocess.run([npm, *args], cwd=PACKAGE, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.fail(f"npm {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def dist() -> Path:
    """The built package, rebuilt when missing or older than ``src/``."""
    if _stale():
        if not (PACKAGE / "node_modules" / "typescript").is_dir():
            _npm("ci", "--no-audit", "--no-fund", "--loglevel=error")
        _npm("run", "build", "--silent")
    return PACKAGE / "dist"


@dataclass
class Service:
    """A server started for the tests: its URL, process and log."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """Terminate the process (kill it if it lingers)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOZAIKS_")}
    env.update(extra)
    return env


def _start(command: list[str], env: dict[str, str], cwd: Path, probe: str) -> Service:
    """Start ``command`` and wait until ``probe`` (a URL path on its port) answers 200."""
    port = free_port()
    log = cwd / f"{Path(command[0]).name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=cwd, stdout=out, stderr=out)
    service = Service(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{service.url}{probe}", timeout=1).status_code == 200:
                return service
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            service.stop()
            pytest.fail(f"{' '.join(command)} did not start:\n{log.read_text(errors='replace')}", pytrace=False)
        time.sleep(0.1)


@pytest.fixture(scope="session")
def mozaiks_ai(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """``mozaiks-ai serve`` with a static token, serving the ``hello-world`` example."""
    cli = BIN / "mozaiks-ai"
    if not cli.exists():
        _unavailable(f"mozaiks-ai is not installed next to {sys.executable}")
    home = tmp_path_factory.mktemp("mozaiks-ai")
    shutil.copytree(REPO / "examples" / "hello-world", home / "workflows" / "hello-world")
    command = [str(cli), "serve", "--workflows", str(home / "workflows"), "--db", f"sqlite:///{home}/ai.db"]
    service = _start(command, _clean_env(MOZAIKS_AI_TOKEN=AI_TOKEN), home, "/health")
    yield service
    service.stop()


@dataclass
class Site:
    """The static server of this package's folder: the test page is at ``{url}/tests/browser/page.html``."""

    url: str

    @property
    def page(self) -> str:
        """URL of the test page."""
        return f"{self.url}/tests/browser/page.html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def guess_type(self, path: str | os.PathLike[str]) -> str:
        # Module scripts need a JavaScript MIME type, whatever /etc/mime.types says.
        return "text/javascript" if str(path).endswith(".js") else super().guess_type(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site(dist: Path) -> Iterator[Site]:
    """This package's folder over HTTP on its own origin."""
    handler = functools.partial(_QuietHandler, directory=str(PACKAGE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="core-runtime-js-site", daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory, mozaiks_ai: Service, site: Site) -> Iterator[Service]:
    """``mozaiks-core serve examples/task-tracker-backend``, wired to ``mozaiks_ai``."""
    cli = BIN / "mozaiks-core"
    if not cli.exists():
        _unavailable(f"mozaiks-core is not installed next to {sys.executable}")
    home = tmp_path_factory.mktemp("mozaiks-core")
    env = _clean_env(
        MOZAIKS_ENV="test",
        MOZAIKS_JWT_SECRET=JWT_SECRET,
        MOZAIKS_DB_URL=f"sqlite:///{home}/app.db",
        MOZAIKS_AI_URL=mozaiks_ai.url,
        MOZAIKS_AI_TOKEN=AI_TOKEN,
        MOZAIKS_ALLOWED_WORKFLOWS="hello-world",
        MOZAIKS_CORS_ORIGINS=site.url,
    )
    command = [str(cli), "serve", str(REPO / "examples" / "task-tracker-backend")]
    service = _start(command, env, home, "/ready")
    yield service
    service.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
