"""Declared indexes exist on both backends and the queries that filter or sort on their fields use them."""

from __future__ import annotations

from typing import Any

import pytest
from mozaiks_core_runtime import InvalidFilterError
from mozaiks_core_runtime.docdb import Database
from mozaiks_core_runtime.docdb._backend import index_name


def plan(database: Database, sql: str, params: list[Any]) -> str:
    backend: Any = database.backend
    if database.url.startswith("sqlite"):
        return " ".join(str(row[-1]) for row in backend._rows(f"EXPLAIN QUERY PLAN {sql}", params))

    async def explain() -> str:
        async with backend._pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the planner show its options
            rows = await conn.fetch(f"EXPLAIN {sql}", *params)
            return " ".join(r[0] for r in rows)

    result: str = backend._submit(explain())
    return result


def test_declared_indexes_serve_equality_range_and_sort(database: Database) -> None:
    tasks = database.declare("tasks", owner_scoped=False, indexes=["status", ("priority", "due.day")])
    database.open()
    for i in range(30):
        tasks.create(status="open" if i % 3 else "done", priority=i % 5, due={"day": i})
    assert [t["priority"] for t in tasks.find({"status": "done", "priority": {"gte": 3}})] == [3, 4, 3, 4]
    assert [t["due"]["day"] for t in tasks.find(sort="-priority", limit=3)] == [29, 24, 19]  # ties by id, newest first

    status = index_name((("status",),))
    if database.url.startswith("sqlite"):
        traced: list[str] = []  # the statement the backend really sends, with its values inlined
        backend: Any = database.backend
        reader = backend._reader()  # this thread's read connection, which serves the find below
        reader.set_trace_callback(traced.append)
        tasks.find({"status": "done"})
        reader.set_trace_callback(None)
        (sql,) = [t for t in traced if t.startswith("SELECT")]
        assert status in plan(database, sql, [])
    else:
        where = "WHERE app_id = $1 AND collection = $2 AND (data #> '{status}'::text[]) = $3::jsonb"
        assert status in plan(database, f"SELECT id FROM mozaiks_documents {where}", ["app-a", "tasks", '"done"'])


def test_indexes_declared_after_opening_are_created_at_once_and_bad_fields_refused(database: Database) -> None:
    database.open()
    database.declare("notes", indexes=["tag"])
    database.notes.create(tag="a")
    database.declare("notes", indexes=["tag"])  # idempotent
    assert database.notes.count({"tag": "a"}) == 1
    for bad in (["x;drop"], [()], ["a.'b"]):
        with pytest.raises(InvalidFilterError):
            database.declare("notes", indexes=bad)
