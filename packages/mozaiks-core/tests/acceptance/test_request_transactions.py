"""Each request's writes commit together: a task and its event are one commit, an error leaves neither."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from core_harness import HttpPeer, mint
from mozaiks_core_runtime import App, Request, auth, db, events, workflows

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


async def test_an_async_handler_commits_concurrent_writes_as_one(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient], db_url: str
) -> None:
    app = tasks_app(make_app, db_url)
    client = client_for(app)
    assert (await client.post("/api/batch", json={"fail": True}, headers=bearer(app))).status_code == 500
    assert stored(app) == (0, 0)
    answer = await client.post("/api/batch", json={}, headers=bearer(app))
    assert answer.status_code == 200 and len(answer.json()["ids"]) == 5
    assert stored(app) == (5, 1)


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
