"""The document store on SQLite and PostgreSQL: CRUD, filters, sort, pagination, scoping and injection."""

from __future__ import annotations

import pytest
from mozaiks_core_runtime import Document, InvalidFilterError, NotFoundError, User
from mozaiks_core_runtime._identity import RequestState, use_state
from mozaiks_core_runtime.docdb import Database
from mozaiks_core_runtime.errors import ImmutableFieldError


def as_user(user_id: str | None) -> RequestState:
    return RequestState(lambda: User(user_id) if user_id else None)


def test_create_get_update_delete_count(database: Database) -> None:
    task = database.tasks.create(title="write tests", priority=2)
    assert isinstance(task, Document)
    assert task.id == task["id"] and task.title == "write tests"
    assert database.tasks.get(task.id)["priority"] == 2
    updated = database.tasks.update(task.id, {"done": True})
    assert updated["done"] is True and updated["title"] == "write tests"
    assert database.tasks.count() == 1
    database.tasks.delete(task.id)
    with pytest.raises(NotFoundError):
        database.tasks.get(task.id)
    with pytest.raises(NotFoundError):
        database.tasks.delete(task.id)


def test_filters_cover_every_operator(database: Database) -> None:
    for i in range(6):
        database.items.create(n=i, name=f"item-{i}", tags=["even" if i % 2 == 0 else "odd"], flag=i == 3)
    database.items.create(name="no number")

    def names(where: dict[str, object]) -> list[str]:
        return [d["name"] for d in database.items.find(where)]

    assert names({"n": 2}) == ["item-2"]
    assert names({"n": {"gte": 4}}) == ["item-4", "item-5"]
    assert names({"n": {"gt": 1, "lt": 3}}) == ["item-2"]
    assert names({"n": {"lte": 0}}) == ["item-0"]
    assert names({"n": {"in": [1, 5]}}) == ["item-1", "item-5"]
    assert len(names({"n": {"nin": [1, 5]}})) == 5
    assert len(names({"n": {"ne": 0}})) == 6
    assert names({"tags": {"contains": "odd"}, "n": {"lt": 2}}) == ["item-1"]
    assert names({"name": {"contains": "numb"}}) == ["no number"]
    assert names({"n": {"exists": False}}) == ["no number"]
    assert names({"flag": True}) == ["item-3"]
    assert database.items.count({"n": {"exists": True}}) == 6


def test_sort_and_cursor_pagination_visit_every_document_once(database: Database) -> None:
    for i in range(7):
        database.items.create(rank=i % 3, label=str(i))
    database.items.create(label="unranked")
    for sort in (None, "rank", "-rank", "-id"):
        seen: list[str] = []
        cursor = None
        while True:
            page = database.items.find(sort=sort, limit=3, cursor=cursor)
            seen += [d.id for d in page]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(seen) == 8 and len(set(seen)) == 8, sort
    ranks = [int(d["rank"]) for d in database.items.find(sort="-rank", limit=8) if "rank" in d]
    assert len(ranks) == 7 and ranks == sorted(ranks, reverse=True)


@pytest.mark.parametrize(
    "where",
    [
        {"$where": "1 == 1"},
        {"title": {"$regex": ".*"}},
        {"title": {"regex": ".*"}},
        {"title.$gt": ""},
        {"title'; DROP TABLE mozaiks_documents; --": 1},
        {"a) OR 1=1 --": 1},
        {"title": {"eq": {"$ne": None}}},
        {"n": {"gt": True}},
        {"n": {"in": []}},
        {"title\n": "kept"},  # a trailing newline is not a field name either
    ],
)
def test_08_filter_injection_is_rejected_and_nothing_runs(database: Database, where: dict[str, object]) -> None:
    database.tasks.create(title="kept")
    with pytest.raises(InvalidFilterError):
        database.tasks.find(where)
    with pytest.raises(InvalidFilterError):
        database.tasks.find(sort="title; DROP TABLE x")
    assert database.tasks.count() == 1


def test_06_other_users_documents_are_404_and_lists_are_scoped(database: Database) -> None:
    with use_state(as_user("alice")):
        mine = database.notes.create(text="alice's")
    with use_state(as_user("bob")):
        database.notes.create(text="bob's")
        with pytest.raises(NotFoundError):
            database.notes.get(mine.id)
        with pytest.raises(NotFoundError):
            database.notes.update(mine.id, text="stolen")
        with pytest.raises(NotFoundError):
            database.notes.delete(mine.id)
        assert [n["text"] for n in database.notes.find()] == ["bob's"]
        assert database.notes.count() == 1
    with use_state(as_user(None)):
        assert list(database.notes.find()) == []
    assert database.notes.count() == 2  # outside requests: the whole app


def test_07_owner_given_for_someone_else_is_overwritten_and_immutable(database: Database) -> None:
    with use_state(as_user("bob")):
        note = database.notes.create(text="x", owner="alice")
        assert note["owner"] == "bob"
        with pytest.raises(ImmutableFieldError):
            database.notes.update(note.id, owner="alice")
        with pytest.raises(ImmutableFieldError):
            database.notes.update(note.id, created_at="2000-01-01")
    with use_state(as_user("alice")):
        assert database.notes.count() == 0


def test_09_identity_fields_from_clients_are_ignored(database: Database) -> None:
    with use_state(as_user("bob")):
        note = database.notes.create({"text": "x", "app_id": "app-b", "_context": {"user": "alice"}, "owner": "alice"})
    assert "app_id" not in note and "_context" not in note
    other_app = Database(database.url, "app-b", backend=database.backend)
    assert other_app.notes.count() == 0


def test_apps_do_not_see_each_other(database: Database) -> None:
    database.tasks.create(title="a")
    other = Database(database.url, "app-b", backend=database.backend)
    assert other.tasks.count() == 0
    with pytest.raises(NotFoundError):
        other.tasks.get(database.tasks.find()[0].id)


def test_shared_collections_are_visible_to_every_user(database: Database) -> None:
    database.declare("catalog", owner_scoped=False)
    database.catalog.create(name="plan")
    with use_state(as_user("bob")):
        assert database.catalog.count() == 1


@pytest.mark.anyio
async def test_async_twins(database: Database) -> None:
    doc = await database.tasks.create_async(title="async")
    assert (await database.tasks.get_async(doc.id))["title"] == "async"
    assert (await database.tasks.update_async(doc.id, done=True))["done"] is True
    assert len(await database.tasks.find_async(done=True)) == 1
    assert await database.tasks.count_async() == 1
    await database.tasks.delete_async(doc.id)
    assert await database.tasks.count_async() == 0
