"""SQLite backend: documents as JSON text in WAL mode; one writer connection behind a lock, readers beside it.

* **Writes** go through the one writer connection. Outside a transaction the lock is held for one statement
  (autocommit). Inside one (see :mod:`._transaction`) the first write takes the lock and runs ``BEGIN IMMEDIATE``;
  the transaction keeps the lock until it commits or rolls back, and its later statements — reads included, so it
  sees its own writes — run under it.
* **Reads** outside a transaction use a read-only connection per thread and never wait for the writer (WAL lets
  readers see the last committed state while a write transaction is open). ``:memory:`` databases, which another
  connection cannot see, use the writer connection for everything.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from ..errors import ConflictError, DatabaseError, InvalidFilterError
from ._backend import Row, Scope, dump_document, index_name
from ._query import Condition, Cursor, Sort
from ._transaction import current_transaction

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
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mozaiks_documents_owner ON mozaiks_documents (app_id, collection, owner, id);
"""


_LOCK_TIMEOUT = 30.0
_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _path(path: tuple[str, ...]) -> str:
    """The JSON path of a field as a SQL string literal.

    Inlined rather than bound so that queries use the same expression as declared indexes. Field names are
    validated identifiers (see ``_query.validate_field``); the check here keeps that true whoever calls.
    """
    if not all(_PART.fullmatch(part) for part in path):
        raise InvalidFilterError(f"invalid field path {'.'.join(path)!r}")
    return "'$." + ".".join(path) + "'"


def field_expression(path: tuple[str, ...]) -> str:
    """``json_extract(data, '$.a.b')``: the expression queries filter and sort on, and indexes cover."""
    return f"json_extract(data, {_path(path)})"


def _cmp_guard(value: object) -> str:
    return "IN ('integer', 'real')" if isinstance(value, int | float) else "= 'text'"


def _condition(cond: Condition, params: list[Any]) -> str:
    ext, typ = field_expression(cond.path), f"json_type(data, {_path(cond.path)})"
    plain = cond.value is not None and not isinstance(cond.value, bool | list | tuple)
    if cond.op == "eq" and plain:
        # A bare comparison (no COALESCE) so that an index on the field can serve it.
        params.append(cond.value)
        return f"{ext} = ? AND {typ} {_cmp_guard(cond.value)}"
    if cond.op in ("eq", "ne", "in", "nin"):
        values = cond.value if cond.op in ("in", "nin") else (cond.value,)
        parts = []
        for v in values:
            if v is None:
                parts.append(f"({typ} IS NULL OR {typ} = 'null')")
            elif isinstance(v, bool):
                parts.append(f"{typ} = ?")
                params.append("true" if v else "false")
            else:
                parts.append(f"({typ} {_cmp_guard(v)} AND {ext} = ?)")
                params.append(v)
        match = "COALESCE(" + " OR ".join(parts) + ", 0)"
        return f"NOT {match}" if cond.op in ("ne", "nin") else match
    if cond.op == "exists":
        return f"{typ} IS {'NOT ' if cond.value else ''}NULL"
    if cond.op == "contains":
        params += [cond.value, cond.value]
        return (
            f"COALESCE(({typ} = 'text' AND instr({ext}, ?) > 0) OR ({typ} = 'array' AND EXISTS "
            f"(SELECT 1 FROM json_each(data, {_path(cond.path)}) AS e WHERE e.value = ?)), 0)"
        )
    sql_op = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[cond.op]
    params.append(cond.value)
    return f"{ext} {sql_op} ? AND {typ} {_cmp_guard(cond.value)}"


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
    key = field_expression(sort.path)
    lt = "<" if sort.descending else ">"
    if not after.has_value:
        # NULLs sort first ascending and last descending (see ORDER BY below).
        params.append(after.last_id)
        rest = "" if sort.descending else f" OR {key} IS NOT NULL"
        return f"(({key} IS NULL AND id {lt} ?){rest})"
    params += [after.last_value, after.last_value, after.last_id]
    tail = f" OR {key} IS NULL" if sort.descending else ""
    return f"({key} {lt} ? OR ({key} = ? AND id {lt} ?){tail})"


class SQLiteBackend:
    """Documents in a SQLite file (or ``:memory:``).

    Args:
        url: ``sqlite:///relative/or/absolute/path.db`` or ``sqlite:///:memory:``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._file = url.removeprefix("sqlite:///").removeprefix("sqlite://") or ":memory:"
        self._open_lock = threading.Lock()
        # A plain Lock, not an RLock: a transaction takes it in one worker thread and may release it in another.
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._indexes: set[tuple[tuple[str, ...], ...]] = set()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._generation = 0  # bumped by close(): readers of an earlier opening are stale

    def open(self) -> None:
        """Open the file (creating its folder) in WAL mode and create the schema."""
        with self._open_lock:
            if self._conn is not None:
                return
            if self._file != ":memory:":
                Path(self._file).parent.mkdir(parents=True, exist_ok=True)
            try:
                conn = sqlite3.connect(self._file, check_same_thread=False, isolation_level=None, timeout=10)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(_SCHEMA)
                for fields in sorted(self._indexes):
                    conn.execute(self._index_sql(fields))
            except sqlite3.Error as exc:
                raise DatabaseError(f"cannot open SQLite database {self._file!r}: {exc}") from exc
            self._conn = conn

    @staticmethod
    def _index_sql(fields: tuple[tuple[str, ...], ...]) -> str:
        columns = ", ".join(field_expression(path) for path in fields)
        return f"CREATE INDEX IF NOT EXISTS {index_name(fields)} ON mozaiks_documents (app_id, collection, {columns})"

    def _hint(self, conditions: list[Condition]) -> str:
        """``INDEXED BY`` the declared index led by a field the filter compares (equality first, then range).

        Without statistics (``ANALYZE``) SQLite prefers the primary key's ``(app_id, collection)`` prefix over an
        expression index, so the query names the index it should use.
        """
        for ops in (("eq",), ("gt", "gte", "lt", "lte")):
            for cond in conditions:
                plain = cond.value is not None and not isinstance(cond.value, bool | list | tuple)
                if cond.op in ops and plain:
                    for fields in sorted(self._indexes):
                        if fields[0] == cond.path:
                            return f" INDEXED BY {index_name(fields)}"
        return ""

    def declare_index(self, fields: tuple[tuple[str, ...], ...]) -> None:
        """Create (if missing) an index on ``(app_id, collection, json_extract(data, '$.<field>')…)``.

        The DDL never runs inside a request's transaction (a rollback would drop the index while queries already
        name it): when the caller's transaction holds the writer, it runs once that transaction has committed.
        """
        with self._open_lock:
            is_open = self._conn is not None
            if not is_open:
                self._indexes.add(fields)  # created by open()
                return
        tx = current_transaction()
        if tx is not None and tx.handle(self) is not None:
            tx.after_commit(lambda: self.declare_index(fields))
            return
        self._take_lock()
        try:
            assert self._conn is not None
            self._conn.execute(self._index_sql(fields))
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot create index {index_name(fields)}: {exc}") from exc
        finally:
            self._lock.release()
        with self._open_lock:
            self._indexes.add(fields)

    def close(self) -> None:
        """Close the connections."""
        self._take_lock()
        try:
            with self._open_lock:
                for reader in self._readers:
                    reader.close()
                self._readers.clear()
                self._generation += 1
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
        finally:
            self._lock.release()

    def _take_lock(self) -> None:
        if not self._lock.acquire(timeout=_LOCK_TIMEOUT):
            raise DatabaseError(
                f"database busy: no write access to {self._file!r} within {_LOCK_TIMEOUT:.0f} s (a long request holds "
                "its write transaction; call db.commit() before slow work)"
            )

    def _reader(self) -> sqlite3.Connection | None:
        """This thread's read-only connection (``None`` for ``:memory:``, where only the writer sees the data)."""
        if self._file == ":memory:":
            return None
        cached = getattr(self._local, "reader", None)
        if cached is not None and cached[0] == self._generation:
            return cast("sqlite3.Connection", cached[1])
        try:
            conn = sqlite3.connect(self._file, check_same_thread=False, isolation_level=None, timeout=10)
            conn.execute("PRAGMA query_only=1")
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open SQLite database {self._file!r}: {exc}") from exc
        with self._open_lock:
            self._readers.append(conn)
            self._local.reader = (self._generation, conn)
        return conn

    @contextmanager
    def _connection(self, write: bool) -> Iterator[sqlite3.Connection]:
        """The connection for one statement: the transaction's, this thread's reader, or the writer under the lock."""
        if self._conn is None:
            self.open()
        conn = self._conn
        assert conn is not None
        tx = current_transaction()
        if tx is not None and (write or tx.handle(self) is not None):
            with tx.mutex:  # one statement of the transaction at a time, and one BEGIN however many threads race
                if not tx.closed:  # a late caller (a task the handler left behind) falls back to autocommit
                    if tx.handle(self) is None:
                        self._take_lock()
                        try:
                            conn.execute("BEGIN IMMEDIATE")
                        except sqlite3.Error as exc:
                            self._lock.release()
                            raise DatabaseError(f"cannot start a transaction: {exc}") from exc
                        tx.join(
                            self,
                            conn,
                            commit=self._end_transaction(conn, "COMMIT"),
                            rollback=self._end_transaction(conn, "ROLLBACK"),
                        )
                    yield conn
                    return
        if not write and (reader := self._reader()) is not None:
            yield reader
            return
        self._take_lock()
        try:
            yield conn
        finally:
            self._lock.release()

    def _end_transaction(self, conn: sqlite3.Connection, statement: str) -> Callable[[], None]:
        def end() -> None:
            try:
                conn.execute(statement)
            except sqlite3.Error as exc:
                if statement == "COMMIT":
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise DatabaseError(f"{statement.lower()} failed: {exc}") from exc
            finally:
                self._lock.release()

        return end

    def _run(self, sql: str, params: list[Any], *, write: bool = False) -> list[Any] | int:
        """Run one statement; return its rows (reads) or its row count (writes)."""
        with self._connection(write) as conn:
            try:
                cur = conn.execute(sql, params)
                return cur.rowcount if write else cur.fetchall()
            except sqlite3.IntegrityError as exc:
                raise ConflictError("a document with this id already exists") from exc
            except sqlite3.Error as exc:
                raise DatabaseError(f"database error: {exc}") from exc

    def _rows(self, sql: str, params: list[Any]) -> list[Any]:
        found = self._run(sql, params)
        assert isinstance(found, list)
        return found

    def _write(self, sql: str, params: list[Any]) -> int:
        count = self._run(sql, params, write=True)
        assert isinstance(count, int)
        return count

    def ping(self) -> None:
        """Run ``SELECT 1``."""
        self._rows("SELECT 1", [])

    def insert(self, scope: Scope, row: Row) -> None:
        """Insert a new document."""
        self._write(
            "INSERT INTO mozaiks_documents (app_id, collection, id, owner, data, version) VALUES (?, ?, ?, ?, ?, ?)",
            [scope.app_id, scope.collection, row.id, row.owner, dump_document(row.data), row.version],
        )

    def get(self, scope: Scope, doc_id: str) -> Row | None:
        """Fetch one document by id."""
        params: list[Any] = []
        where = _scope(scope, params)
        params.append(doc_id)
        recs = self._rows(f"SELECT id, owner, data, version FROM mozaiks_documents WHERE {where} AND id = ?", params)
        return None if not recs else Row(recs[0][0], recs[0][1], json.loads(recs[0][2]), recs[0][3])

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
            order = f"{field_expression(sort.path)} {direction}, id {direction}"
        params.append(limit)
        sql = (
            f"SELECT id, owner, data, version FROM mozaiks_documents{self._hint(conditions)} "
            f"WHERE {' AND '.join(clauses)} "
            f"ORDER BY {order} LIMIT ?"
        )
        return [Row(r[0], r[1], json.loads(r[2]), r[3]) for r in self._rows(sql, params)]

    def count(self, scope: Scope, conditions: list[Condition]) -> int:
        """Count documents matching every condition."""
        params: list[Any] = []
        clauses = [_scope(scope, params)] + [_condition(c, params) for c in conditions]
        sql = f"SELECT COUNT(*) FROM mozaiks_documents{self._hint(conditions)} WHERE {' AND '.join(clauses)}"
        recs = self._rows(sql, params)
        return int(recs[0][0])

    def replace(self, scope: Scope, doc_id: str, data: dict[str, Any], expect_version: int) -> bool:
        """Replace a document's body if its version still matches."""
        params: list[Any] = [dump_document(data)]
        where = _scope(scope, params)
        params += [doc_id, expect_version]
        sql = f"UPDATE mozaiks_documents SET data = ?, version = version + 1 WHERE {where} AND id = ? AND version = ?"
        return self._write(sql, params) == 1

    def delete(self, scope: Scope, doc_id: str) -> bool:
        """Delete a document."""
        params: list[Any] = []
        where = _scope(scope, params)
        params.append(doc_id)
        return self._write(f"DELETE FROM mozaiks_documents WHERE {where} AND id = ?", params) == 1
