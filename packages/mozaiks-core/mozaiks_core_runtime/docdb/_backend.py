"""The interface every document-store backend implements, and the rows it exchanges.

Backends are synchronous and thread-safe: handlers that run in a threadpool call them directly, async code
through :mod:`anyio.to_thread`. Each stores documents in one table keyed by ``(app_id, collection, id)``
with the owner in its own indexed column and the body as JSON (SQLite) or JSONB (PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import DatabaseError, RequestError
from ._query import Condition, Cursor, Sort

__all__ = ["Backend", "Row", "Scope", "dump_document", "index_name", "open_backend"]


def dump_document(data: dict[str, Any]) -> str:
    """Serialise a document body as JSON text.

    Raises:
        RequestError: A value is not JSON (a set, a datetime, NaN…), named in the message.
    """
    try:
        return json.dumps(data, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise RequestError(f"document is not JSON-serialisable: {exc}") from None


@dataclass(frozen=True)
class Scope:
    """Which documents an operation may see.

    Attributes:
        app_id: Documents of this app only.
        collection: Documents of this collection only.
        owner_scoped: When ``True``, only documents whose owner column equals :attr:`owner`.
        owner: The owner to match (``None`` matches documents without an owner).
    """

    app_id: str
    collection: str
    owner_scoped: bool = False
    owner: str | None = None


@dataclass(frozen=True)
class Row:
    """One stored document: id, owner column, JSON body and optimistic-concurrency version."""

    id: str
    owner: str | None
    data: dict[str, Any]
    version: int


class Backend(Protocol):
    """Storage of documents; every method is scoped by a :class:`Scope`."""

    url: str

    def open(self) -> None:
        """Connect and create the schema if needed (idempotent)."""

    def close(self) -> None:
        """Release connections."""

    def ping(self) -> None:
        """Raise :class:`DatabaseError` unless the database answers."""

    def declare_index(self, fields: tuple[tuple[str, ...], ...]) -> None:
        """Make sure an index on ``(app_id, collection, <fields>)`` exists (now if open, else when opened)."""

    def insert(self, scope: Scope, row: Row) -> None:
        """Store a new row; raise :class:`ConflictError` if the id exists in the app and collection."""

    def get(self, scope: Scope, doc_id: str) -> Row | None:
        """Return the row with ``doc_id`` visible in ``scope``, or ``None``."""

    def query(
        self, scope: Scope, conditions: list[Condition], sort: Sort, limit: int, after: Cursor | None
    ) -> list[Row]:
        """Return up to ``limit`` rows matching every condition, in ``sort`` order, after ``after``."""

    def count(self, scope: Scope, conditions: list[Condition]) -> int:
        """Count rows matching every condition."""

    def replace(self, scope: Scope, doc_id: str, data: dict[str, Any], expect_version: int) -> bool:
        """Replace the body if the row is visible and still at ``expect_version``; bump the version."""

    def delete(self, scope: Scope, doc_id: str) -> bool:
        """Delete the row if visible; return whether one was deleted."""


def index_name(fields: tuple[tuple[str, ...], ...]) -> str:
    """A stable index name for ``fields``, short enough for PostgreSQL (63 bytes)."""
    readable = "__".join("_".join(path) for path in fields)[:30]  # 21 + 30 + 1 + 8 = 60 bytes at most
    digest = hashlib.sha256(repr(fields).encode()).hexdigest()[:8]
    return f"mozaiks_documents_ix_{readable}_{digest}"


def open_backend(url: str) -> Backend:
    """Create (not yet open) the backend for a database URL.

    Args:
        url: ``sqlite:///path``, ``sqlite:///:memory:`` or ``postgresql://…``.

    Raises:
        DatabaseError: The URL's scheme is not supported.
        MissingExtraError: PostgreSQL was asked for without the ``postgres`` extra.
    """
    if url.startswith("sqlite:"):
        from ._sqlite import SQLiteBackend

        return SQLiteBackend(url)
    if url.startswith(("postgresql://", "postgres://")):
        from ._postgres import PostgresBackend

        return PostgresBackend(url)
    raise DatabaseError(
        f"unsupported MOZAIKS_DB_URL scheme in {url.split(':', 1)[0]!r}: use sqlite:/// or postgresql://"
    )
