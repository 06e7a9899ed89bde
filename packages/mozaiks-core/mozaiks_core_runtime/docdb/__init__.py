"""Document database: JSON documents in SQLite or PostgreSQL, scoped to the app and the current user.

Filters map fields to values (equality) or to operator objects; the operators are an allowlist::

    db.tasks.find({"done": False, "priority": {"gte": 2}}, sort="-priority", limit=20)

``eq ne gt gte lt lte in nin contains exists`` — anything else raises :class:`InvalidFilterError` (HTTP 400).

Writes made while handling one request commit together when the handler returns (and roll back when it raises);
see :mod:`mozaiks_core_runtime.docdb._transaction`.
"""

from __future__ import annotations

from ._backend import Backend, Row, Scope, open_backend
from ._collection import Collection, new_id
from ._database import Database
from ._document import Document, Page
from ._query import OPERATORS
from ._transaction import Transaction, commit_current, current_transaction, transaction

__all__ = [
    "OPERATORS",
    "Backend",
    "Collection",
    "Database",
    "Document",
    "Page",
    "Row",
    "Scope",
    "Transaction",
    "commit_current",
    "current_transaction",
    "new_id",
    "open_backend",
    "transaction",
]
