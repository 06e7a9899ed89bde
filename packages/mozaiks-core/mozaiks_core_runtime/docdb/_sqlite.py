"""SQLite backend: one connection in WAL mode behind a lock, documents as JSON text."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from ..errors import ConflictError, DatabaseError
from ._backend import Row, Scope
from ._query import Condition, Cursor, Sort

__all__ = ["SQLiteBackend"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mozaiks_documents (
    app_id TEXT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    owner TEXT,
    data TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (app_id, collection, id)
);
CREATE INDEX IF NOT EXISTS mozaiks_documents_owner ON mozaiks_documents (app_id, collection, owner, id);
"""


def _path(path: tuple[str, ...]) -> str:
    # Field names are validated identifiers (see _query.validate_field), so this cannot inject.
    return "$." + ".".join(path)


def _cmp_guard(value: object) -> str:
    return "IN ('integer', 'real')" if isinstance(value, int | float) else "= 'text'"


def _condition(cond: Condition, params: list[Any]) -> str:
    p = _path(cond.path)
    ext, typ = "json_extract(data, ?)", "json_type(data, ?)"
    if cond.op in ("eq", "ne", "in", "nin"):
        values = cond.value if cond.op in ("in", "nin") else (cond.value,)
        parts = []
        for v in values:
            if v is None:
                parts.append(f"({typ} IS NULL OR {typ} = 'null')")
                params += [p, p]
            elif isinstance(v, bool):
                parts.append(f"{typ} = ?")
                params += [p, "true" if v else "false"]
            else:
                parts.append(f"({typ} {_cmp_guard(v)} AND {ext} = ?)")
                params += [p, p, v]
        match = "COALESCE(" + " OR ".join(parts) + ", 0)"
        return f"NOT {match}" if cond.op in ("ne", "nin") else match
    if cond.op == "exists":
        params.append(p)
        return f"{typ} IS {'NOT ' if cond.value else ''}NULL"
    if cond.op == "contains":
        params += [p, p, cond.value, p, p, cond.value]
        return (
            f"COALESCE(({typ} = 'text' AND instr({ext}, ?) > 0) OR ({typ} = 'array' AND EXISTS "
            "(SELECT 1 FROM json_each(data, ?) AS e WHERE e.value = ?)), 0)"
        )
    sql_op = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[cond.op]
    params += [p, p, cond.value]
    return f"COALESCE({typ} {_cmp_guard(cond.value)} AND {ext} {sql_op} ?, 0)"


def _scope(scope: Scope, params: list[Any]) -> str:
    params += [scope.app_id, scope.collection]
    sql = "app_id = ? AND collection = ?"
    if scope.owner_scoped:
        params.append(scope.owner)
        sql += " AND owner IS ?"
    return sql


def _keyset(sort: Sort, after: Cursor, params: list[Any]) -> str:
    if sort.by_id:
        params.append(after.last_id)
        return f"id {'<' if sort.descending else '>'} ?"
    key = "json_extract(data, ?)"
    p = _path(sort.path)
    lt = "<" if sort.descending else ">"
    if not after.has_value:
        # NULLs sort first ascending and last descending (see ORDER BY below).
        params += [p, after.last_id]
        rest = "" if sort.descending else f" OR {key} IS NOT NULL"
        if not sort.descending:
            params.append(p)
        return f"(({key} IS NULL AND id {lt} ?){rest})"
    params += [p, after.last_value, p, after.last_value, after.last_id]
    tail = f" OR {key} IS NULL" if sort.descending else ""
    if sort.descending:
        params.append(p)
    return f"({key} {lt} ? OR ({key} = ? AND id {lt} ?){tail})"


class SQLiteBackend:
    """Documents in a SQLite file (or ``:memory:``).

    Args:
        url: ``sqlite:///relative/or/absolute/path.db`` or ``sqlite:///:memory:``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._file = url.removeprefix("sqlite:///").removeprefix("sqlite://") or ":memory:"
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

    def open(self) -> None:
        """Open the file (creating its folder) in WAL mode and create the schema."""
        with self._lock:
            if self._conn is not None:
                return
            if self._file != ":memory:":
                Path(self._file).parent.mkdir(parents=True, exist_ok=True)
            try:
                conn = sqlite3.connect(self._file, check_same_thread=False, isolation_level=None, timeout=10)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(_SCHEMA)
            except sqlite3.Error as exc:
                raise DatabaseError(f"cannot open SQLite database {self._file!r}: {exc}") from exc
            self._conn = conn

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _run(self, sql: str, params: list[Any]) -> sqlite3.Cursor:
        self.open()
        assert self._conn is not None
        try:
            return self._conn.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            raise ConflictError("a document with this id already exists") from exc
        except sqlite3.Error as exc:
            raise DatabaseError(f"database error: {exc}") from exc

    def ping(self) -> None:
        """Run ``SELECT 1``."""
        with self._lock:
            self._run("SELECT 1", [])

    def insert(self, scope: Scope, row: Row) -> None:
        """Insert a new document."""
        with self._lock:
            self._run(
                "INSERT INTO mozaiks_documents (app_id, collection, id, owner, data, version) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [scope.app_id, scope.collection, row.id, row.owner, json.dumps(row.data), row.version],
            )

    def get(self, scope: Scope, doc_id: str) -> Row | None:
        """Fetch one document by id."""
        params: list[Any] = []
        where = _scope(scope, params)
        params.append(doc_id)
        with self._lock:
            found = self._run(
                f"SELECT id, owner, data, version FROM mozaiks_documents WHERE {where} AND id = ?", params
            )
            rec = found.fetchone()
        return None if rec is None else Row(rec[0], rec[1], json.loads(rec[2]), rec[3])

    def query(
        self, scope: Scope, conditions: list[Condition], sort: Sort, limit: int, after: Cursor | None
    ) -> list[Row]:
        """Find documents matching every condition, in keyset-paginated order."""
        params: list[Any] = []
        clauses = [_scope(scope, params)] + [_condition(c, params) for c in conditions]
        if after is not None:
            clauses.append(_keyset(sort, after, params))
        direction = "DESC" if sort.descending else "ASC"
        if sort.by_id:
            order = f"id {direction}"
        else:
            params.append(_path(sort.path))
            order = f"json_extract(data, ?) {direction}, id {direction}"
        params.append(limit)
        sql = (
            f"SELECT id, owner, data, version FROM mozaiks_documents WHERE {' AND '.join(clauses)} "
            f"ORDER BY {order} LIMIT ?"
        )
        with self._lock:
            recs = self._run(sql, params).fetchall()
        return [Row(r[0], r[1], json.loads(r[2]), r[3]) for r in recs]

    def count(self, scope: Scope, conditions: list[Condition]) -> int:
        """Count documents matching every condition."""
        params: list[Any] = []
        clauses = [_scope(scope, params)] + [_condition(c, params) for c in conditions]
        with self._lock:
            sql = f"SELECT COUNT(*) FROM mozaiks_documents WHERE {' AND '.join(clauses)}"
            rec = self._run(sql, params).fetchone()
        return int(rec[0])

    def replace(self, scope: Scope, doc_id: str, data: dict[str, Any], expect_version: int) -> bool:
        """Replace a document's body if its version still matches."""
        params: list[Any] = [json.dumps(data)]
        where = _scope(scope, params)
        params += [doc_id, expect_version]
        with self._lock:
            cur = self._run(
                f"UPDATE mozaiks_documents SET data = ?, version = version + 1 "
                f"WHERE {where} AND id = ? AND version = ?",
                params,
            )
        return cur.rowcount == 1

    def delete(self, scope: Scope, doc_id: str) -> bool:
        """Delete a document."""
        params: list[Any] = []
        where = _scope(scope, params)
        params.append(doc_id)
        with self._lock:
            cur = self._run(f"DELETE FROM mozaiks_documents WHERE {where} AND id = ?", params)
        return cur.rowcount == 1
