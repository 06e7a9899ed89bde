"""Durable state: one :class:`Store` interface, SQLite and PostgreSQL behind it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from mozaiks_ai.errors import ConfigurationError
from mozaiks_ai.state.base import Store
from mozaiks_ai.state.records import FINISHED, ArtifactRecord, Batch, EventRecord, RunRecord, StepRecord

__all__ = ["FINISHED", "ArtifactRecord", "Batch", "EventRecord", "RunRecord", "StepRecord", "Store", "open_store"]


def open_store(url: str) -> Store:
    """Create (not yet open) the store for a database URL.

    Args:
        url: ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``, ``sqlite://:memory:``
            (``?synchronous=normal`` optional) or ``postgresql://user@host:port/db``.

    Returns:
        A store; call ``await store.open()`` before use.

    Raises:
        ConfigurationError: For an unsupported URL.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        from mozaiks_ai.state.sqlite import SqliteStore

        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if parts.netloc == ":memory:" or path == ":memory:":
            path = ":memory:"
        if not path:
            raise ConfigurationError(f"SQLite URL {url!r} names no file; use sqlite:///./.mozaiks/mozaiks.db")
        synchronous = parse_qs(parts.query).get("synchronous", ["FULL"])[0]
        return SqliteStore(path, synchronous=synchronous)
    if parts.scheme in ("postgres", "postgresql", "postgresql+asyncpg"):
        from mozaiks_ai.state.postgres import PostgresStore

        return PostgresStore(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    raise ConfigurationError(
        f"unsupported MOZAIKS_DB_URL {url!r}: use sqlite:///path/to/file.db or postgresql://user@host/db"
    )
