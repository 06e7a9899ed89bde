"""The database object: ``db.<collection>`` returns a scoped :class:`Collection`."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..errors import InvalidFilterError
from ._backend import Backend, open_backend
from ._collection import Collection
from ._query import validate_field
from ._transaction import Transaction, commit_current, transaction

__all__ = ["Database"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class Database:
    """Documents of one app, in the database at ``url``.

    Collections are owner-scoped unless declared otherwise with :meth:`declare`: inside a request, each user
    sees only the documents they own. Names starting with ``_mz_`` are reserved for the runtime.

    Args:
        url: ``MOZAIKS_DB_URL``.
        app_id: Every document is stored under this app id.
        backend: An already-built backend (tests); created from ``url`` by default.
    """

    def __init__(self, url: str, app_id: str, *, backend: Backend | None = None) -> None:
        self.url = url
        self.app_id = app_id
        self.backend = backend or open_backend(url)
        self._collections: dict[str, Collection] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Collection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.collection(name)

    def __getitem__(self, name: str) -> Collection:
        return self.collection(name)

    def declare(
        self,
        name: str,
        *,
        owner_scoped: bool = True,
        owner_field: str = "owner",
        indexes: Sequence[str | Sequence[str]] = (),
    ) -> Collection:
        """Declare how a collection is scoped and which fields it is queried by (call next to ``App(...)``).

        Args:
            name: Collection name: lowercase letters, digits and ``_``.
            owner_scoped: ``False`` for collections every user of the app shares (catalogues…).
            owner_field: Field holding the owner's id.
            indexes: Fields (``"status"``, ``"due.date"``) or field tuples (``("status", "priority")``) to index;
                equality and range filters and sorts on them then use the index.

        Returns:
            The collection.

        Raises:
            InvalidFilterError: A name or field is invalid.
        """
        self._check(name)
        for index in indexes:
            paths = (index,) if isinstance(index, str) else tuple(index)
            if not paths:
                raise InvalidFilterError(f"{name}: an index needs at least one field")
            self.backend.declare_index(tuple(validate_field(path) for path in paths))
        with self._lock:
            coll = Collection(self.backend, self.app_id, name, owner_scoped=owner_scoped, owner_field=owner_field)
            self._collections[name] = coll
            return coll

    def collection(self, name: str) -> Collection:
        """Return the collection ``name`` (owner-scoped unless declared otherwise).

        Raises:
            InvalidFilterError: The name is not a valid collection name.
        """
        coll = self._collections.get(name)
        if coll is not None:
            return coll
        self._check(name)
        with self._lock:
            return self._collections.setdefault(name, Collection(self.backend, self.app_id, name))

    def system(self, name: str) -> Collection:
        """Return a runtime-internal, unscoped collection (``_mz_<name>``)."""
        key = f"_mz_{name}"
        with self._lock:
            if key not in self._collections:
                self._collections[key] = Collection(self.backend, self.app_id, key, owner_scoped=False)
            return self._collections[key]

    @staticmethod
    def _check(name: str) -> None:
        if not _NAME.fullmatch(name):
            raise InvalidFilterError(f"invalid collection name {name!r}")

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Run a block as one transaction (request handlers already run in one; the block then joins it)."""
        with transaction() as tx:
            yield tx

    def commit(self) -> None:
        """Commit the current transaction's writes now; later writes of the request start a new one.

        Call it before slow work (an HTTP call, a long computation) that follows writes, so that other requests
        are not kept waiting on SQLite's single writer. ``workflows.execute`` does it for you.
        """
        commit_current()

    def open(self) -> None:
        """Connect and create the schema (idempotent; the first query also does it)."""
        self.backend.open()

    def close(self) -> None:
        """Release connections."""
        self.backend.close()

    def ping(self) -> None:
        """Raise :class:`DatabaseError` unless the database answers."""
        self.backend.ping()
