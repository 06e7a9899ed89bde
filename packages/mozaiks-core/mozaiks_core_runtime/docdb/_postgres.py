"""PostgreSQL backend: documents as JSONB through an asyncpg pool driven by a private event-loop thread.

The loop thread lets the synchronous API (called from handler threads, scripts or the event loop itself) and
the async twins share one pool without ever blocking the server's own loop on a foreign future.

Inside a transaction (see :mod:`._transaction`) the first write acquires a connection from the pool and starts a
database transaction on it; the transaction's later statements use that connection until it commits or rolls
back. Inserts use ``ON CONFLICT DO NOTHING``, so a duplicate id is a :class:`ConflictError` that leaves the
transaction usable (a failed statement would abort it).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import ConflictError, DatabaseError, InvalidFilterError, MissingExtraError
from ._backend import Row, Scope, dump_document, index_name
from ._query import Condition, Cursor, Sort
from ._transaction import current_transaction

__all__ = ["PostgresBackend"]

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mozaiks_documents (
    app_id TEXT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    owner TEXT,
    data JSONB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (app_id, collection, id)
);
CREATE INDEX IF NOT EXISTS mozaiks_documents_owner ON mozaiks_documents (app_id, collection, owner, id);
"""


class _Params:
    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any, cast: str = "") -> str:
        self.values.append(value)
        return f"${len(self.values)}{cast}"

    def path(self, path: tuple[str, ...]) -> str:
        return field_expression(path)

    def json(self, value: Any) -> str:
        return self.add(json.dumps(value), "::jsonb")


_ACQUIRE_TIMEOUT = 30.0
_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def field_expression(path: tuple[str, ...]) -> str:
    """``(data #> '{a,b}'::text[])``: the expression queries filter and sort on, and indexes cover.

    The path is inlined rather than bound so that queries use the same expression as declared indexes; field
    names are validated identifiers, checked again here.
    """
    if not all(_PART.fullmatch(part) for part in path):
        raise InvalidFilterError(f"invalid field path {'.'.join(path)!r}")
    return "(data #> '{" + ",".join(path) + "}'::text[])"


def _type_of(value: object) -> str:
    return "'number'" if isinstance(value, int | float) else "'string'"


def _condition(cond: Condition, p: _Params) -> str:
    if cond.op == "eq" and cond.value is not None:
        return f"{p.path(cond.path)} = {p.json(cond.value)}"  # bare, so that an index on the field can serve it
    if cond.op in ("eq", "ne", "in", "nin"):
        values = cond.value if cond.op in ("in", "nin") else (cond.value,)
        parts = []
        for v in values:
            x = p.path(cond.path)
            if v is None:
                parts.append(f"({x} IS NULL OR jsonb_typeof({x}) = 'null')")
            else:
                parts.append(f"{x} = {p.json(v)}")
        match = "COALESCE(" + " OR ".join(parts) + ", false)"
        return f"NOT {match}" if cond.op in ("ne", "nin") else match
    x = p.path(cond.path)
    if cond.op == "exists":
        return f"{x} IS {'NOT ' if cond.value else ''}NULL"
    if cond.op == "contains":
        text = p.add(str(cond.value))
        arr = p.json([cond.value])
        return (
            f"COALESCE((jsonb_typeof({x}) = 'string' AND strpos({x} #>> '{{}}', {text}) > 0) "
            f"OR (jsonb_typeof({x}) = 'array' AND {x} @> {arr}), false)"
        )
    sql_op = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[cond.op]
    return f"{x} {sql_op} {p.json(cond.value)} AND jsonb_typeof({x}) = {_type_of(cond.value)}"


def _scope(scope: Scope, p: _Params) -> str:
    sql = f"app_id = {p.add(scope.app_id)} AND collection = {p.add(scope.collection)}"
    if scope.owner_scoped:
        sql += f" AND owner IS NOT DISTINCT FROM {p.add(scope.owner)}"
    return sql


def _sort_expr(sort: Sort, p: _Params) -> str:
    # JSON null sorts like a missing field, matching how cursors record it.
    return f"NULLIF({p.path(sort.path)}, 'null'::jsonb)"


def _keyset(sort: Sort, after: Cursor, p: _Params) -> str:
    lt = "<" if sort.descending else ">"
    if sort.by_id:
        return f"id {lt} {p.add(after.last_id)}"
    key = _sort_expr(sort, p)
    if not after.has_value:
        rest = "" if sort.descending else f" OR {key} IS NOT NULL"
        return f"(({key} IS NULL AND id {lt} {p.add(after.last_id)}){rest})"
    value = p.json(after.last_value)
    tail = f" OR {key} IS NULL" if sort.descending else ""
    return f"({key} {lt} {value} OR ({key} = {value} AND id {lt} {p.add(after.last_id)}){tail})"


@dataclass
class _Open:
    """A transaction's connection, its asyncpg transaction, and the error that aborted it, if one did."""

    conn: Any
    tr: Any
    failed: str | None = None


class PostgresBackend:
    """Documents in PostgreSQL.

    Args:
        url: ``postgresql://user:password@host:port/database``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pool: Any = None
        self._indexes: set[tuple[tuple[str, ...], ...]] = set()

    def _submit(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def open(self) -> None:
        """Start the loop thread, create the pool and the schema."""
        with self._lock:
            if self._pool is not None:
                return
            try:
                import asyncpg  # type: ignore[import-untyped, unused-ignore]
            except ImportError:
                raise MissingExtraError("postgres", "asyncpg") from None
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="mozaiks-core-pg", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread

            async def connect() -> Any:
                pool = await asyncpg.create_pool(self.url, min_size=1, max_size=10, timeout=10)
                async with pool.acquire() as conn:
                    await conn.execute("SELECT pg_advisory_lock(741852)")
                    try:
                        await conn.execute(_SCHEMA)
                        for fields in sorted(self._indexes):
                            await conn.execute(self._index_sql(fields))
                    finally:
                        await conn.execute("SELECT pg_advisory_unlock(741852)")
                return pool

            try:
                self._pool = self._submit(connect())
            except Exception as exc:
                self._stop_loop()
                raise DatabaseError(f"cannot connect to PostgreSQL: {type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _index_sql(fields: tuple[tuple[str, ...], ...]) -> str:
        columns = ", ".join(field_expression(path) for path in fields)
        return f"CREATE INDEX IF NOT EXISTS {index_name(fields)} ON mozaiks_documents (app_id, collection, {columns})"

    def declare_index(self, fields: tuple[tuple[str, ...], ...]) -> None:
        """Create (if missing) an index on ``(app_id, collection, (data #> '{<field>}')…)``."""
        with self._lock:
            self._indexes.add(fields)
            is_open = self._pool is not None
        if is_open:
            self._call("execute", self._index_sql(fields), [])

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._loop.close()
        self._loop = self._thread = None

    def close(self) -> None:
        """Close the pool and stop the loop thread."""
        with self._lock:
            if self._pool is not None:
                self._submit(self._pool.close())
                self._pool = None
            self._stop_loop()

    def _begin(self) -> _Open:
        async def begin() -> _Open:
            conn = await self._pool.acquire(timeout=_ACQUIRE_TIMEOUT)
            tr = conn.transaction()
            try:
                await tr.start()
            except BaseException:
                await self._pool.release(conn)
                raise
            return _Open(conn, tr)

        try:
            return self._submit(begin())
        except Exception as exc:
            raise DatabaseError(f"cannot start a transaction: {type(exc).__name__}: {exc}") from exc

    def _end(self, open_: _Open, commit: bool) -> Any:
        async def end() -> None:
            try:
                # A statement that failed aborted the transaction: PostgreSQL would turn COMMIT into a silent
                # ROLLBACK, so say so instead of reporting success.
                if commit and open_.failed is None:
                    await open_.tr.commit()
                else:
                    await open_.tr.rollback()
            finally:
                await self._pool.release(open_.conn)
            if commit and open_.failed is not None:
                raise RuntimeError(
                    f"the transaction was aborted by an earlier error ({open_.failed}); nothing was saved"
                )

        def run() -> None:
            try:
                self._submit(end())
            except Exception as exc:
                raise DatabaseError(
                    f"{'commit' if commit else 'rollback'} failed: {type(exc).__name__}: {exc}"
                ) from exc

        return run

    def _call(self, method: str, sql: str, params: list[Any], *, write: bool = False) -> Any:
        self.open()
        tx = current_transaction()
        if tx is not None and (write or tx.handle(self) is not None):
            with tx.mutex:  # one statement per connection at a time, and one BEGIN however many threads race
                if not tx.closed:  # a late caller (a task the handler left behind) falls back to autocommit
                    open_: _Open | None = tx.handle(self)
                    if open_ is None:
                        open_ = self._begin()
                        tx.join(self, open_, commit=self._end(open_, True), rollback=self._end(open_, False))
                    try:
                        return self._execute(getattr(open_.conn, method)(sql, *params))
                    except DatabaseError as exc:
                        open_.failed = open_.failed or str(exc)
                        raise

        async def run() -> Any:
            async with self._pool.acquire(timeout=_ACQUIRE_TIMEOUT) as conn:
                return await getattr(conn, method)(sql, *params)

        return self._execute(run())

    def _execute(self, statement: Coroutine[Any, Any, T]) -> T:
        try:
            return self._submit(statement)
        except Exception as exc:
            if type(exc).__name__ == "UniqueViolationError":
                raise ConflictError("a document with these values already exists") from exc
            raise DatabaseError(f"database error: {type(exc).__name__}: {exc}") from exc

    def ping(self) -> None:
        """Run ``SELECT 1``."""
        self._call("fetchval", "SELECT 1", [])

    def insert(self, scope: Scope, row: Row) -> None:
        """Insert a new document."""
        status = self._call(
            "execute",
            "INSERT INTO mozaiks_documents (app_id, collection, id, owner, data, version) "
            "VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT DO NOTHING",
            [scope.app_id, scope.collection, row.id, row.owner, dump_document(row.data), row.version],
            write=True,
        )
        if not str(status).endswith(" 1"):
            raise ConflictError("a document with this id already exists")

    def get(self, scope: Scope, doc_id: str) -> Row | None:
        """Fetch one document by id."""
        p = _Params()
        where = _scope(scope, p)
        rec = self._call(
            "fetchrow",
            f"SELECT id, owner, data::text, version FROM mozaiks_documents WHERE {where} AND id = {p.add(doc_id)}",
            p.values,
        )
        return None if rec is None else Row(rec[0], rec[1], json.loads(rec[2]), rec[3])

    def query(
        self, scope: Scope, conditions: list[Condition], sort: Sort, limit: int, after: Cursor | None
    ) -> list[Row]:
        """Find documents matching every condition, in keyset-paginated order."""
        p = _Params()
        clauses = [_scope(scope, p)] + [_condition(c, p) for c in conditions]
        if after is not None:
            clauses.append(_keyset(sort, after, p))
        direction = "DESC" if sort.descending else "ASC"
        if sort.by_id:
            order = f"id {direction}"
        else:
            nulls = "NULLS LAST" if sort.descending else "NULLS FIRST"
            order = f"{_sort_expr(sort, p)} {direction} {nulls}, id {direction}"
        sql = (
            f"SELECT id, owner, data::text, version FROM mozaiks_documents WHERE {' AND '.join(clauses)} "
            f"ORDER BY {order} LIMIT {p.add(limit)}"
        )
        recs = self._call("fetch", sql, p.values)
        return [Row(r[0], r[1], json.loads(r[2]), r[3]) for r in recs]

    def count(self, scope: Scope, conditions: list[Condition]) -> int:
        """Count documents matching every condition."""
        p = _Params()
        clauses = [_scope(scope, p)] + [_condition(c, p) for c in conditions]
        return int(
            self._call("fetchval", f"SELECT COUNT(*) FROM mozaiks_documents WHERE {' AND '.join(clauses)}", p.values)
        )

    def replace(self, scope: Scope, doc_id: str, data: dict[str, Any], expect_version: int) -> bool:
        """Replace a document's body if its version still matches."""
        p = _Params()
        body = p.add(dump_document(data), "::jsonb")
        where = _scope(scope, p)
        status = self._call(
            "execute",
            f"UPDATE mozaiks_documents SET data = {body}, version = version + 1 "
            f"WHERE {where} AND id = {p.add(doc_id)} AND version = {p.add(expect_version)}",
            p.values,
            write=True,
        )
        return str(status).endswith(" 1")

    def delete(self, scope: Scope, doc_id: str) -> bool:
        """Delete a document."""
        p = _Params()
        where = _scope(scope, p)
        status = self._call(
            "execute", f"DELETE FROM mozaiks_documents WHERE {where} AND id = {p.add(doc_id)}", p.values, write=True
        )
        return str(status).endswith(" 1")
