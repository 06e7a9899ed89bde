"""Shared fixtures: the anyio backend, a fresh store on each backend (SQLite and PostgreSQL), the engine harness.

PostgreSQL tests create a throw-away database on the server named by ``MOZAIKS_TEST_PG_URL``
(default ``postgresql://postgres@127.0.0.1:5432/postgres``) and drop it afterwards. When the server
is unreachable they are skipped, except under ``CI=true`` where they fail.

``mz``, ``http_server`` and ``smtp_server`` wrap the helpers of ``engine_harness.py`` (next to this file, so
importable as ``engine_harness`` from any test module).
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest
from engine_harness import Harness, HttpServer, SmtpServer, serve_http, serve_smtp
from mozaiks_ai.state import Store, open_store

T = TypeVar("T")

PG_ADMIN_URL = os.environ.get("MOZAIKS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Run ``@pytest.mark.anyio`` tests on asyncio."""
    return "asyncio"


def _run_in_thread(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a private event loop in another thread.

    Sync fixtures use this so they never touch the event loop the anyio plugin runs tests on.
    """
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
    """Return the admin URL of the test PostgreSQL server after checking it answers.

    Skips (or fails under ``CI=true``) when the driver is missing or the server is unreachable.
    """
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        problem = "asyncpg is not installed (pip install 'mozaiks-ai[postgres]')"
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
    name = f"mozaiks_test_{uuid.uuid4().hex}"
    _run_in_thread(lambda: _admin(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(urlsplit(pg_admin_url)._replace(path=f"/{name}"))
    finally:
        _run_in_thread(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of a fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/t.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """Return an open store on ``store_url``, closed after the test."""
    s = open_store(store_url)
    await s.open()
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def mz(tmp_path: Path, store_url: str) -> AsyncIterator[Harness]:
    """A :class:`Harness` on ``tmp_path`` and a fresh database of each backend; engines closed after the test."""
    harness = Harness(tmp_path, store_url)
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    """A recording HTTP server on 127.0.0.1."""
    with serve_http() as server:
        yield server


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    """A tiny SMTP server on 127.0.0.1."""
    async with serve_smtp() as server:
        yield server
