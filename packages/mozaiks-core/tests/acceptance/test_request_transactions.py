"""A sync handler's writes commit together (a task and its event are one commit, an error leaves neither); nothing a
request leaves behind, and no mix of sync and async handlers, can stall the database for other requests."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from core_harness import HttpPeer, mint
from mozaiks_core_runtime import App, DatabaseError, Request, auth, db, events, workflows

pytestmark = pytest.mark.anyio


def tasks_app(make_app: Callable[..., App], db_url: str, **changes: Any) -> App:
    app = make_app(db_url=db_url, **changes)

    @app.post("/api/tasks")
    @auth.require_user
    def create(request: Request) -> Any:
        task = db.tasks.create(title=request.data["title"], owner=auth.current_user().id)
        events.emit("task.created", task)
        if request.data.get("fail"):
            raise RuntimeError("after the writes")
        return {"id": task.id}, 201

    @app.post("/api/batch")
    @auth.require_user
    async def batch(request: Request) -> Any:
        made = await asyncio.gather(*(db.tasks.create_async(title=f"t{i}") for i in range(5)))
        await events.emit_async("batch.created", {"ids": [t.id for t in made]})
        if request.data.get("fail"):
            raise RuntimeError("after the writes")
        return {"ids": [t.id for t in made]}

    @app.post("/api/run")
    @auth.require_user
    def run(request: Request) -> Any:
        db.tasks.create(title="before the workflow")
        result = workflows.execute("Echo", {"x": 1})
        raise RuntimeError(f"after the workflow answered {result['status']}")

    return app


def stored(app: App) -> tuple[int, int]:
    from mozaiks_core_runtime._identity import system_context

    with system_context():
        return app.runtime.db.tasks.count(), len(app.runtime.outbox.peek())


def bearer(app: App, sub: str = "u1") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(app.settings.jwt_secret, sub=sub)}"}


async def test_a_task_and_its_event_commit_together_and_an_error_keeps_neither(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str
) -> None:
    app = tasks_app(make_app, db_url)
    client = client_for(app)
    assert (await client.post("/api/tasks", json={"title": "a"}, headers=bearer(app))).status_code == 201
    assert stored(app) == (1, 1)
    failed = await client.post("/api/tasks", json={"title": "b", "fail": True}, headers=bearer(app))
    assert failed.status_code == 500 and failed.json() == {"error": "internal server error"}
    assert stored(app) == (1, 1)


async def test_an_async_handler_commits_each_call_on_its_own(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str
) -> None:
    # No implicit transaction across await points (see docdb/_transaction.py): what was written stays written.
    app = tasks_app(make_app, db_url)
    client = client_for(app)
    assert (await client.post("/api/batch", json={"fail": True}, headers=bearer(app))).status_code == 500
    assert stored(app) == (5, 1)
    answer = await client.post("/api/batch", json={}, headers=bearer(app))
    assert answer.status_code == 200 and len(answer.json()["ids"]) == 5
    assert stored(app) == (10, 2)


async def test_many_waiting_requests_never_starve_a_slow_async_writer(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str
) -> None:
    app = make_app(db_url=db_url)

    @app.post("/api/slow")
    async def slow(request: Request) -> Any:
        note = await db.notes.create_async(text="slow")
        await asyncio.sleep(0.05)
        return {"id": note.id}

    @app.get("/api/count")
    def count(request: Request) -> Any:
        return {"n": db.notes.count()}

    client = client_for(app)
    started = time.monotonic()
    answers = await asyncio.wait_for(
        asyncio.gather(client.post("/api/slow"), *(client.get("/api/count") for _ in range(60))), timeout=20
    )
    assert all(a.status_code == 200 for a in answers) and time.monotonic() - started < 20


async def test_a_task_left_behind_by_a_handler_writes_in_autocommit_and_holds_nothing(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str
) -> None:
    app = make_app(db_url=db_url)
    done = threading.Semaphore(0)  # one release per helper thread that finished

    @app.post("/api/audit")
    def audit(request: Request) -> Any:
        db.notes.create(text="in the request")
        context = contextvars.copy_context()  # a helper thread that inherits the request's context

        def later() -> None:
            time.sleep(0.2)  # after the handler returned and its transaction ended
            context.run(lambda: db.notes.create(text="left behind"))
            done.release()

        threading.Thread(target=later).start()
        return {"ok": True}

    @app.get("/api/count")
    def count(request: Request) -> Any:
        return {"n": db.notes.count()}

    client = client_for(app)
    assert (await client.post("/api/audit")).status_code == 200
    assert await asyncio.to_thread(done.acquire, True, 10)
    assert (await client.get("/api/count")).json() == {"n": 2}
    assert (await client.post("/api/audit")).status_code == 200  # the writer is free: no lock was leaked
    assert await asyncio.to_thread(done.acquire, True, 10)
    assert (await client.get("/api/count")).json() == {"n": 4}


async def test_a_helper_thread_reading_during_the_transaction_does_not_deadlock(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str
) -> None:
    app = make_app(db_url=db_url)

    @app.post("/api/report")
    def report(request: Request) -> Any:
        db.notes.create(text="pending")
        with ThreadPoolExecutor(1) as pool:  # plain threads do not inherit the request's transaction
            seen = pool.submit(db.notes.count).result(timeout=10)
        return {"seen_by_helper": seen}

    started = time.monotonic()
    answer = await client_for(app).post("/api/report")
    assert answer.status_code == 200 and time.monotonic() - started < 10
    assert answer.json()["seen_by_helper"] in (0, 1)  # the committed state (SQLite readers, PostgreSQL alike)


async def test_a_handler_returning_what_is_not_json_keeps_nothing(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str
) -> None:
    app = make_app(db_url=db_url)

    @app.post("/api/odd")
    def odd(request: Request) -> Any:
        db.notes.create(text="x")
        return {1, 2}  # a set: the response cannot be built

    assert (await client_for(app).post("/api/odd")).status_code == 500
    from mozaiks_core_runtime._identity import system_context

    with system_context():
        assert app.runtime.db.notes.count() == 0


async def test_a_statement_error_caught_by_the_handler_is_never_a_silent_loss(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str
) -> None:
    app = make_app(db_url=db_url)

    @app.post("/api/import")
    def import_notes(request: Request) -> Any:
        imported = 0
        for text in ("a", "bad\u0000", "c"):
            try:
                db.notes.create(text=text)
                imported += 1
            except DatabaseError:
                pass
        return {"imported": imported}

    answer = await client_for(app).post("/api/import")
    from mozaiks_core_runtime._identity import system_context

    with system_context():
        kept = app.runtime.db.notes.count()
    # SQLite stores NUL in JSON text; PostgreSQL's jsonb refuses it, which aborts the transaction: the client must
    # then hear that nothing was saved rather than get 200 for writes that were rolled back.
    assert (answer.status_code, kept) in ((200, answer.json().get("imported", -1)), (500, 0)), (answer.text, kept)


async def test_concurrent_requests_each_commit_without_waiting_on_each_other_forever(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str
) -> None:
    app = tasks_app(make_app, db_url)
    client = client_for(app)
    calls = [client.post("/api/tasks", json={"title": f"t{i}"}, headers=bearer(app, f"u{i % 3}")) for i in range(30)]
    calls += [client.post("/api/batch", json={}, headers=bearer(app)) for _ in range(5)]
    answers = await asyncio.wait_for(asyncio.gather(*calls), timeout=60)
    assert all(a.status_code in (200, 201) for a in answers)
    assert stored(app) == (30 + 25, 30 + 5)


async def test_workflows_execute_commits_the_writes_before_calling_out(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str, peer: HttpPeer
) -> None:
    app = tasks_app(make_app, db_url, ai_url=peer.url, ai_token="runtime-token")
    client = client_for(app)
    answer = await client.post("/api/run", json={}, headers=bearer(app))
    assert answer.status_code == 500 and len(peer.requests) == 1
    # The task was committed before the call went out, so the later error does not take it back.
    assert stored(app) == (1, 0)
