"""Document database: JSON documents in SQLite or PostgreSQL, scoped to the app and the current user.

Filters map fields to values (equality) or to operator objects; the operators are an allowlist::

    db.tasks.find({"done": False, "priority": {"gte": 2}}, sort="-priority", limit=20)

``eq ne gt gte lt lte in nin contains exists`` — anything else raises :class:`InvalidFilterError` (HTTP 400).
"""

from __future__ import annotations

from ._backend import Backend, Row, Scope, open_backend
from ._collection import Collection, new_id
from ._database import Database
from ._document import Document, Page
from ._query import OPERATORS

__all__ = [
    "OPERATORS",
    "Backend",
    "Collection",
    "Database",
    "Document",
    "Page",
    "Row",
    "Scope",
    "new_id",
    "open_backend",
]
