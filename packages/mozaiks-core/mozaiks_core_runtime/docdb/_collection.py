"""A collection of JSON documents, scoped to the app and, inside a request, to the current user."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import anyio.to_thread

from .._identity import current_state
from ..errors import ConflictError, ImmutableFieldError, InvalidFilterError, NotFoundError
from ._backend import Backend, Row, Scope
from ._document import Document, Page
from ._query import Cursor, cursor_after, parse_filter, parse_sort, validate_field

__all__ = ["Collection", "new_id"]

_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,128}$")
_RESERVED = frozenset({"id", "app_id"})
_MAX_LIMIT = 1000
_UPDATE_ATTEMPTS = 8


def new_id() -> str:
    """Return a new document id that sorts in creation order."""
    return f"{time.time_ns() // 1000:014x}{secrets.token_hex(6)}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate top-level keys and drop the ones clients may not set (identity comes from tokens)."""
    data: dict[str, Any] = {}
    for key, value in fields.items():
        validate_field(key)
        if key in _RESERVED or key.startswith("_"):
            continue
        data[key] = value
    return data


def _merge(fields: Mapping[str, Any] | None, extra: Mapping[str, Any]) -> dict[str, Any]:
    if fields is not None and not isinstance(fields, Mapping):
        raise InvalidFilterError("document fields must be an object")
    return {**(fields or {}), **extra}


class Collection:
    """Documents of one collection.

    Use the database's attribute access (``db.tasks``) rather than building collections directly.

    Args:
        backend: Where the documents live.
        app_id: Every document belongs to this app.
        name: Collection name.
        owner_scoped: Inside a request, restrict documents to the current user (the default).
        owner_field: Field holding the owner's user id.
    """

    def __init__(
        self, backend: Backend, app_id: str, name: str, *, owner_scoped: bool = True, owner_field: str = "owner"
    ) -> None:
        self._backend = backend
        self.app_id = app_id
        self.name = name
        self.owner_scoped = owner_scoped
        self.owner_field = owner_field

    def __repr__(self) -> str:
        return f"<Collection {self.name!r} owner_scoped={self.owner_scoped}>"

    # -- scoping -------------------------------------------------------------------------------------------
    def _scope(self) -> tuple[Scope, bool, str | None]:
        """Return the scope, whether the caller is confined to an owner, and that owner."""
        state = current_state()
        if state is None or state.system or not self.owner_scoped:
            return Scope(self.app_id, self.name), False, None
        user = state.user()
        if user is not None and user.app_wide:
            return Scope(self.app_id, self.name), False, None
        owner = user.id if user is not None else None
        return Scope(self.app_id, self.name, owner_scoped=True, owner=owner), True, owner

    @staticmethod
    def _document(row: Row) -> Document:
        return Document({"id": row.id, **row.data})

    def _check_id(self, doc_id: object) -> str:
        if not isinstance(doc_id, str) or not _ID.fullmatch(doc_id):
            raise NotFoundError(f"{self.name}: no such document")
        return doc_id

    # -- sync API ------------------------------------------------------------------------------------------
    def create(self, fields: Mapping[str, Any] | None = None, /, *, id: str | None = None, **more: Any) -> Document:
        """Store a new document and return it with its ``id`` and timestamps.

        Inside a request, the owner field of an owner-scoped collection is always the current user: an
        ``owner`` given for someone else is overwritten.

        Args:
            fields: Fields as a mapping (e.g. ``request.data``).
            id: An explicit id; a new time-ordered one by default.
            **more: Fields as keyword arguments (``title="…"``).

        Returns:
            The stored document.

        Raises:
            InvalidFilterError: A field name is invalid.
            ConflictError: ``id`` is taken.
        """
        data = _clean(_merge(fields, more))
        scope, confined, owner = self._scope()
        if self.owner_scoped:
            if confined:
                data[self.owner_field] = owner
            owner = data.get(self.owner_field) if isinstance(data.get(self.owner_field), str) else None
        if id is not None and not _ID.fullmatch(id):
            raise InvalidFilterError(f"invalid document id {id!r}")
        stamp = _now()
        data["created_at"] = data["updated_at"] = stamp
        row = Row(id or new_id(), owner, data, 1)
        self._backend.insert(scope, row)
        return self._document(row)

    def get(self, doc_id: str) -> Document:
        """Return the document with ``doc_id``.

        Raises:
            NotFoundError: It does not exist, or belongs to another user.
        """
        scope, _, _ = self._scope()
        row = self._backend.get(scope, self._check_id(doc_id))
        if row is None:
            raise NotFoundError(f"{self.name}: no such document", details={"id": doc_id})
        return self._document(row)

    def find(
        self,
        where: Mapping[str, Any] | None = None,
        /,
        *,
        sort: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        **equals: Any,
    ) -> Page:
        """Return one page of documents matching a filter.

        Args:
            where: Filter mapping (see :mod:`mozaiks_core_runtime.docdb`); operators are an allowlist.
            sort: A field name, ``-field`` for descending; creation order by default.
            limit: Page size, 1–1000.
            cursor: ``next_cursor`` of the previous page.
            **equals: Equality tests as keyword arguments.

        Returns:
            A list of documents with ``next_cursor``.

        Raises:
            InvalidFilterError: The filter, sort or cursor is not allowed.
        """
        conditions = parse_filter(_merge(where, equals))
        order = parse_sort(sort)
        if not isinstance(limit, int) or not 1 <= limit <= _MAX_LIMIT:
            raise InvalidFilterError(f"limit must be between 1 and {_MAX_LIMIT}")
        after = Cursor.decode(cursor, order) if cursor else None
        scope, _, _ = self._scope()
        rows = self._backend.query(scope, conditions, order, limit + 1, after)
        more_rows = len(rows) > limit
        rows = rows[:limit]
        next_cursor = cursor_after(order, rows[-1].id, rows[-1].data).encode() if more_rows and rows else None
        return Page([self._document(r) for r in rows], next_cursor)

    def count(self, where: Mapping[str, Any] | None = None, /, **equals: Any) -> int:
        """Count the documents matching a filter (same rules as :meth:`find`)."""
        scope, _, _ = self._scope()
        return self._backend.count(scope, parse_filter(_merge(where, equals)))

    def update(self, doc_id: str, fields: Mapping[str, Any] | None = None, /, **more: Any) -> Document:
        """Merge fields into a document and return the result.

        Args:
            doc_id: The document.
            fields: Fields to set, as a mapping.
            **more: Fields to set, as keyword arguments.

        Raises:
            NotFoundError: No such document for this caller.
            ImmutableFieldError: The patch changes ``id``, ``created_at`` or the owner field.
            ConflictError: Too many concurrent updates of the same document.
        """
        patch = _merge(fields, more)
        scope, _, _ = self._scope()
        doc_id = self._check_id(doc_id)
        for _ in range(_UPDATE_ATTEMPTS):
            row = self._backend.get(scope, doc_id)
            if row is None:
                raise NotFoundError(f"{self.name}: no such document", details={"id": doc_id})
            for key in ("id", "created_at", *((self.owner_field,) if self.owner_scoped else ())):
                current = row.id if key == "id" else row.data.get(key)
                if key in patch and patch[key] != current:
                    raise ImmutableFieldError(f"{self.name}: {key} cannot be changed", details={"field": key})
            data = {**row.data, **_clean(patch)}
            data["updated_at"] = _now()
            if self._backend.replace(scope, doc_id, data, row.version):
                return self._document(Row(doc_id, row.owner, data, row.version + 1))
        raise ConflictError(f"{self.name}: too many concurrent updates", details={"id": doc_id})

    def delete(self, doc_id: str) -> None:
        """Delete a document.

        Raises:
            NotFoundError: No such document for this caller.
        """
        scope, _, _ = self._scope()
        if not self._backend.delete(scope, self._check_id(doc_id)):
            raise NotFoundError(f"{self.name}: no such document", details={"id": doc_id})

    def compare_and_set(self, doc: Document, version: int, fields: Mapping[str, Any]) -> bool:
        """Update ``doc`` only if it is still at ``version`` (internal: sessions and outbox)."""
        scope, _, _ = self._scope()
        data = {k: v for k, v in doc.items() if k != "id"}
        data.update(fields)
        return self._backend.replace(scope, doc.id, data, version)

    def get_row(self, doc_id: str) -> Row | None:
        """Return the raw row with its version, or ``None`` (internal)."""
        scope, _, _ = self._scope()
        return self._backend.get(scope, doc_id)

    # -- async twins ---------------------------------------------------------------------------------------
    async def create_async(
        self, fields: Mapping[str, Any] | None = None, /, *, id: str | None = None, **more: Any
    ) -> Document:
        """Async twin of :meth:`create`."""
        return await anyio.to_thread.run_sync(partial(self.create, fields, id=id, **more))

    async def get_async(self, doc_id: str) -> Document:
        """Async twin of :meth:`get`."""
        return await anyio.to_thread.run_sync(self.get, doc_id)

    async def find_async(
        self,
        where: Mapping[str, Any] | None = None,
        /,
        *,
        sort: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        **equals: Any,
    ) -> Page:
        """Async twin of :meth:`find`."""
        call = partial(self.find, where, sort=sort, limit=limit, cursor=cursor, **equals)
        return await anyio.to_thread.run_sync(call)

    async def count_async(self, where: Mapping[str, Any] | None = None, /, **equals: Any) -> int:
        """Async twin of :meth:`count`."""
        return await anyio.to_thread.run_sync(partial(self.count, where, **equals))

    async def update_async(self, doc_id: str, fields: Mapping[str, Any] | None = None, /, **more: Any) -> Document:
        """Async twin of :meth:`update`."""
        return await anyio.to_thread.run_sync(partial(self.update, doc_id, fields, **more))

    async def delete_async(self, doc_id: str) -> None:
        """Async twin of :meth:`delete`."""
        await anyio.to_thread.run_sync(self.delete, doc_id)
