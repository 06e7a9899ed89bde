"""Fixtures of the document-store tests: a fresh database on each backend (opened on first use)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mozaiks_core_runtime.docdb import Database


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A database of app ``app-a`` on SQLite and on PostgreSQL; it connects (and creates its schema) on first use."""
    database = Database(db_url, "app-a")
    yield database
    database.close()
