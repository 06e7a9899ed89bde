"""The durable outbox and the workflow client, against a local HTTP peer standing in for mozaiks-ai."""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
import pytest
from core_harness import HttpPeer
from mozaiks_core_runtime import App, RequestError, WorkflowClientError, events, workflows

pytestmark = pytest.mark.anyio


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        await anyio.sleep(0.02)


async def test_emit_without_ai_url_keeps_events_in_the_outbox(make_app: Callable[..., App]) -> None:
    app = make_app()
    async with app.lifespan():
        event_id = events.emit("task.created", {"title": "x"})
        assert not app.runtime.outbox.running
    assert app.runtime.outbox.stats()["pending"] == 1
    assert app.runtime.outbox.peek("pending")[0].id == event_id
    with pytest.raises(RequestError):
        events.emit("bad type with spaces", {})
    with pytest.raises(RequestError):
        events.emit("x", {"not": object()})


async def test_sender_delivers_with_token_and_outbox_id(make_app: Callable[..., App], peer: HttpPeer) -> None:
    app = make_app(ai_url=peer.url, ai_token="ai-token")
    async with app.lifespan():
        event_id = await events.emit_async("task.created", {"title": "x"})
        await until(lambda: app.runtime.outbox.stats()["sent"] == 1)
    request = peer.requests[0]
    assert (request.method, request.path) == ("POST", "/api/events")
    assert request.headers["authorization"] == "Bearer ai-token"
    assert request.body == {"id": event_id, "type": "task.created", "data": {"title": "x"}}


async def test_failures_are_retried_with_backoff_and_refusals_end_dead(
    make_app: Callable[..., App], peer: HttpPeer
) -> None:
    app = make_app(ai_url=peer.url, ai_token="t")
    app.runtime.outbox.backoff_base = 0.05
    app.runtime.outbox.poll_interval = 0.05
    peer.statuses += [503, 503]
    async with app.lifespan():
        event_id = events.emit("task.created", {"n": 1})
        await until(lambda: app.runtime.outbox.stats()["sent"] == 1)
        assert [r.body["id"] for r in peer.requests] == [event_id] * 3
        peer.statuses.append(400)
        events.emit("task.created", {"n": 2})
        await until(lambda: app.runtime.outbox.stats()["dead"] == 1)
    dead = app.runtime.outbox.peek("dead")[0]
    assert dead["attempts"] == 1 and "400" in dead["last_error"]


async def test_events_emitted_while_the_runtime_is_down_are_delivered_later(
    make_app: Callable[..., App], peer: HttpPeer
) -> None:
    app = make_app(ai_url="http://127.0.0.1:9", ai_token="t")
    async with app.lifespan():
        events.emit("task.created", {"n": 1})
        await until(lambda: app.runtime.outbox.peek("pending")[0]["attempts"] >= 1)
    assert app.runtime.outbox.stats()["pending"] == 1
    later = make_app(ai_url=peer.url, ai_token="t")
    # Same database: a restarted app with mozaiks-ai back delivers what is due.
    for doc in later.runtime.outbox.peek("pending"):
        later.runtime.outbox.rows.update(doc.id, next_attempt_at=0)
    assert await later.runtime.outbox.deliver_due() == 1
    assert len(peer.requests) == 1


def test_workflow_client_retries_with_one_idempotency_key(make_app: Callable[..., App], peer: HttpPeer) -> None:
    app = make_app(ai_url=peer.url, ai_token="t")
    app.runtime.workflows.backoff = 0.01
    peer.statuses.append(502)
    result = workflows.execute("Onboarding", {"email": "a@b.c"})
    assert result["run_id"] == "r1"
    first, second = peer.requests
    assert first.body == second.body and first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert first.body["workflow"] == "Onboarding" and first.body["input"] == {"email": "a@b.c"}
    assert first.headers["authorization"] == "Bearer t"
    peer.statuses.append(404)
    with pytest.raises(WorkflowClientError) as caught:
        workflows.execute("Missing")
    assert caught.value.status == 404


async def test_workflow_client_async_and_unconfigured(make_app: Callable[..., App], peer: HttpPeer) -> None:
    app = make_app(ai_url=peer.url)
    assert (await workflows.execute_async("W", {}, wait=False))["run_id"] == "r1"
    assert peer.requests[0].body["wait"] is False
    make_app()
    with pytest.raises(WorkflowClientError):
        workflows.execute("W")
    del app
