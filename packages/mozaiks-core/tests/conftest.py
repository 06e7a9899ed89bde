"""Shared fixtures: anyio backend, databases on both backends, apps with an HTTP client, a recording HTTP peer.

PostgreSQL tests create a throw-away database on the server named by ``MOZAIKS_TEST_PG_URL``
(default ``postgresql://postgres@127.0.0.1:5432/postgres``) and drop it afterwards. When the server
is unreachable they are skipped, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from core_harness import HttpPeer, serve_peer
from mozaiks_core_runtime import App, Settings
from mozaiks_core_runtime.docdb import Database
from recording_peer import HttpPeer as RecordingPeer
from recording_peer import NoNetworkTransport, serve_recording_peer

T = TypeVar("T")

PG_ADMIN_URL = os.environ.get("MOZAIKS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Run ``@pytest.mark.anyio`` tests on asyncio."""
    return "asyncio"


def _run_in_thread(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on a private event loop in another thread (sync fixtures never touch the test loop)."""
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        async def main() -> T:
            return await make()

        try:
            result.append(asyncio.run(main()))
        except BaseException as exc:  # re-raised in the calling thread
            error.append(exc)

    thread = threading.Thread(target=target, name="pg-admin")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


async def _admin(sql: str) -> None:
    import asyncpg  # type: ignore[import-untyped, unused-ignore]

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """Return the admin URL of the test PostgreSQL server after checking it answers (skip/fail otherwise)."""
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        problem = "asyncpg is not installed (pip install 'mozaiks-core-runtime[postgres]')"
    else:
        try:
            _run_in_thread(lambda: _admin("SELECT 1"))
        except Exception as exc:  # any failure means "no usable server"
            problem = f"PostgreSQL at {PG_ADMIN_URL} is unreachable ({type(exc).__name__}: {exc})"
        else:
            return PG_ADMIN_URL
    message = f"{problem}; set MOZAIKS_TEST_PG_URL to a server where the tests may create databases"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """Create an empty PostgreSQL database for one test; drop it (``WITH (FORCE)``) afterwards."""
    name = f"mozaiks_core_test_{uuid.uuid4().hex}"
    _run_in_thread(lambda: _admin(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(urlsplit(pg_admin_url)._replace(path=f"/{name}"))
    finally:
        _run_in_thread(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of a fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/app.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A database of app ``app-a`` on each backend; it connects (and creates its schema) on first use."""
    database = Database(db_url, "app-a")
    yield database
    database.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Test settings on a SQLite file in ``tmp_path``."""
    return Settings(
        app_name="test-app", app_id="test-app", env="test", db_url=f"sqlite:///{tmp_path}/app.db", jwt_secret=SECRET
    )


@pytest.fixture
def make_app(settings: Settings) -> Iterator[Callable[..., App]]:
    """Build apps on the test settings (overridable per call); close their databases afterwards."""
    apps: list[App] = []

    def make(**changes: Any) -> App:
        options = {k: changes.pop(k) for k in ("plugins_dir", "load_plugins", "builtin_auth") if k in changes}
        app = App(changes.pop("name", "test-app"), settings=settings.with_changes(**changes), env_file=None, **options)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.runtime.db.close()


@pytest.fixture
async def client_for() -> AsyncIterator[Callable[[App], httpx.AsyncClient]]:
    """Return ``client_for(app)``: an httpx client speaking ASGI to ``app`` (closed afterwards)."""
    clients: list[httpx.AsyncClient] = []

    def make(app: App) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def peer() -> Iterator[HttpPeer]:
    """A recording HTTP server on 127.0.0.1 standing in for mozaiks-ai."""
    with serve_peer() as server:
        yield server


@pytest.fixture
def http_peer() -> Iterator[RecordingPeer]:
    """A local HTTP server that records raw requests and answers with ``http_peer.respond`` (payments, telemetry…)."""
    with serve_recording_peer() as server:
        yield server


@pytest.fixture
def no_network() -> NoNetworkTransport:
    """An httpx transport that fails the test on any request: proves nothing leaves the machine."""
    return NoNetworkTransport()
