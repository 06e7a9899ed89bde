"""Fixtures of the engine tests (helpers in ``engine_harness.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from engine_harness import Harness, HttpServer, SmtpServer, serve_http, serve_smtp


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
