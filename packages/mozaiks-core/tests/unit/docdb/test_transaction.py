"""Transactions on SQLite and PostgreSQL: blocks commit or roll back as one, conflicts keep them usable."""

from __future__ import annotations

import threading

import pytest
from mozaiks_core_runtime import ConflictError, RequestError
from mozaiks_core_runtime.docdb import Database, current_transaction, transaction


def test_a_block_commits_its_writes_together(database: Database) -> None:
    with database.transaction():
        task = database.tasks.create(title="a")
        database.events.create(type="task.created", task=task.id)
        assert database.tasks.get(task.id)["title"] == "a"  # the block reads its own writes
    assert database.tasks.count() == 1 and database.events.count() == 1


def test_a_block_that_raises_leaves_nothing_behind(database: Database) -> None:
    kept = database.tasks.create(title="kept")
    with pytest.raises(RuntimeError), database.transaction():
        database.tasks.create(title="lost")
        database.tasks.update(kept.id, title="changed")
        database.tasks.delete(kept.id)
        raise RuntimeError("boom")
    assert [t["title"] for t in database.tasks.find()] == ["kept"]


def test_a_duplicate_id_inside_a_block_is_a_conflict_and_the_block_goes_on(database: Database) -> None:
    database.tasks.create(title="first", id="t1")
    with database.transaction():
        with pytest.raises(ConflictError):
            database.tasks.create(title="again", id="t1")
        database.tasks.create(title="second", id="t2")  # PostgreSQL would refuse this in an aborted transaction
    assert sorted(t.id for t in database.tasks.find()) == ["t1", "t2"]


def test_commit_inside_a_block_makes_earlier_writes_durable(database: Database) -> None:
    with pytest.raises(RuntimeError), database.transaction():
        database.tasks.create(title="durable")
        database.commit()
        database.tasks.create(title="rolled back")
        raise RuntimeError("boom")
    assert [t["title"] for t in database.tasks.find()] == ["durable"]


def test_nested_blocks_join_the_outer_one(database: Database) -> None:
    with pytest.raises(RuntimeError), transaction() as outer:
        with database.transaction() as inner:
            assert inner is outer
            database.tasks.create(title="inner")
        raise RuntimeError("boom")
    assert database.tasks.count() == 0 and current_transaction() is None


def test_after_commit_callbacks_run_once_committed_and_never_on_rollback(database: Database) -> None:
    seen: list[int] = []
    with database.transaction() as tx:
        database.tasks.create(title="a")
        tx.after_commit(lambda: seen.append(database.tasks.count()))
        assert seen == []
    assert seen == [1]
    with pytest.raises(RuntimeError), database.transaction() as tx:
        tx.after_commit(lambda: seen.append(-1))
        raise RuntimeError("boom")
    assert seen == [1]


def test_other_threads_never_see_uncommitted_writes(database: Database) -> None:
    seen: list[int] = []
    with database.transaction():
        database.tasks.create(title="pending")
        reader = threading.Thread(target=lambda: seen.append(database.tasks.count()))
        reader.start()
        reader.join(0.3)  # SQLite: waits for the write lock; PostgreSQL: reads the committed state at once
    reader.join(10)
    assert seen in ([0], [1]) and database.tasks.count() == 1
    if database.url.startswith("postgres"):
        assert seen == [0]


def test_values_that_are_not_json_are_refused_by_name(database: Database) -> None:
    with pytest.raises(RequestError, match="not JSON-serialisable"):
        database.tasks.create(title="x", tags={"a", "b"})
    with pytest.raises(RequestError, match="not JSON-serialisable"):
        database.tasks.create(title="x", score=float("nan"))
    assert database.tasks.count() == 0
