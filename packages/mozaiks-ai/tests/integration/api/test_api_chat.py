"""SPEC §3.5 ``WS /api/chat`` over a real server: streaming, resume, queueing, input, cancel, bad messages."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
from api_harness import Api, check_sequence, run_events, ws_recv, ws_send, ws_until
from websockets.asyncio.client import connect

pytestmark = pytest.mark.anyio


async def test_ws_message_streams_events_with_type_seq_run_id_session_id_and_progress_chunks(api: Api) -> None:
    async with connect(api.ws_url()) as ws:
        await ws_send(ws, type="message", message="a task tracker", sessionId="abc123", workflow="chatty")
        messages = await ws_until(ws)
    session = messages[0]
    assert session["type"] == "session" and session["session_id"] == "abc123"
    run_id = next(m["run_id"] for m in messages if "seq" in m)
    events = run_events(messages, run_id)
    check_sequence(events, run_id)
    for event in events:
        assert {"type", "seq", "run_id", "session_id"} <= set(event), event
        assert event["session_id"] == "abc123"
    chunks = [e for e in events if e["type"] == "chunk"]
    assert [c["chunk"] for c in chunks] == ["Generating frontend…", "Generating backend…"]
    assert all(c["kind"] == "progress" for c in chunks)
    assert events[-1]["type"] == "run.completed" and events[-1]["output"] == "reply to a task tracker"
    async with api.async_client() as client:
        stored = (await client.get(f"/api/runs/{run_id}/events")).json()["events"]
        run = (await client.get(f"/api/runs/{run_id}")).json()
    assert [e["seq"] for e in stored] == [e["seq"] for e in events]
    assert run["session_id"] == "abc123" and run["input"]["message"] == "a task tracker"


async def test_ws_resume_after_dropping_the_socket_mid_run_sends_every_missed_event_once_in_order(api: Api) -> None:
    seen: list[dict[str, Any]] = []
    async with connect(api.ws_url()) as ws:
        await ws_send(ws, type="message", message="go", sessionId="s-resume", workflow="slow")
        while len(seen) < 4:
            message = await ws_recv(ws)
            if "seq" in message:
                seen.append(message)
    run_id = seen[0]["run_id"]
    await anyio.sleep(0.5)  # events happen while nobody listens
    async with connect(api.ws_url()) as ws:
        await ws_send(ws, type="resume", sessionId="s-resume", after=seen[-1]["seq"])
        rest = run_events(await ws_until(ws, run_id), run_id)
    assert rest[0]["seq"] == seen[-1]["seq"] + 1
    check_sequence(seen + rest, run_id)
    assert rest[-1]["type"] == "run.completed" and rest[-1]["output"] == "three"
    async with connect(api.ws_url()) as ws:  # resuming a finished run replays it and ends
        await ws_send(ws, type="resume", sessionId="s-resume", after=0)
        replay = run_events(await ws_until(ws, run_id), run_id)
    assert replay == seen + rest


async def test_ws_second_message_while_a_run_is_active_is_queued_and_runs_after_the_first(api: Api) -> None:
    async with connect(api.ws_url()) as ws:
        await ws_send(ws, type="message", message="first", sessionId="s-queue", workflow="slow")
        first_started = await ws_until_type(ws, "run.started")
        await ws_send(ws, type="message", message="second", sessionId="s-queue", workflow="hello")
        messages = [first_started]
        second_id: str | None = None
        with anyio.fail_after(20):
            while True:
                message = await ws_recv(ws)
                messages.append(message)
                if message["type"] == "run.queued":
                    second_id = message["run_id"]
                if second_id and message.get("run_id") == second_id and message["type"] == "run.completed":
                    break
    first_id = first_started["run_id"]
    assert second_id is not None and second_id != first_id
    queued_at = next(i for i, m in enumerate(messages) if m["type"] == "run.queued")
    first_done = next(i for i, m in enumerate(messages) if m.get("run_id") == first_id and m["type"] == "run.completed")
    second_start = next(
        i for i, m in enumerate(messages) if m.get("run_id") == second_id and m["type"] == "run.started"
    )
    assert queued_at < first_done < second_start
    check_sequence(run_events(messages, first_id), first_id)
    check_sequence(run_events(messages, second_id), second_id)
    assert run_events(messages, second_id)[-1]["output"] == "Hello, World!"


async def test_ws_message_without_workflow_goes_to_the_sessions_workflow(api: Api) -> None:
    async with connect(api.ws_url()) as ws:
        await ws_send(ws, type="message", message="one", sessionId="s-follow", workflow="chatty")
        first = await ws_until(ws)
        await ws_send(ws, type="message", message="two", sessionId="s-follow")
        second = await ws_until(ws)
    first_id = next(m["run_id"] for m in first if "seq" in m)
    second_events = [m for m in second if "seq" in m]
    assert second_events[0]["run_id"] != first_id
    assert second_events[0]["workflow"] == "chatty"
    assert second_events[-1]["output"] == "reply to two"


async def test_ws_input_message_answers_a_waiting_run(api: Api) -> None:
    async with connect(api.ws_url()) as ws:
        await ws_send(ws, type="message", message="approve please", sessionId="s-input", workflow="ask")
        requested = await ws_until_type(ws, "input.requested")
        assert requested["step"] == "approval" and requested["prompt"] == "Approve?"
        # input.requested reaches clients before the run's status is `waiting` (engine race, reported): wait for it
        await wait_status_async(api, requested["run_id"], "waiting")
        await ws_send(ws, type="input", value={"approved": "not a boolean"})
        error = await ws_until_type(ws, "error")
        assert "approved" in error["error"]
        await ws_send(ws, type="input", value={"approved": True})
        messages = await ws_until(ws, requested["run_id"])
    events = run_events(messages, requested["run_id"])
    assert [e["type"] for e in events][:2] == ["input.received", "step.completed"]
    assert events[-1]["type"] == "run.completed" and events[-1]["output"] == "approved=True"


async def test_ws_cancel_message_cancels_the_active_run(api: Api) -> None:
    async with connect(api.ws_url()) as ws:
        await ws_send(ws, type="message", message="go", sessionId="s-cancel", workflow="slow")
        started = await ws_until_type(ws, "step.started")
        await ws_send(ws, type="cancel")
        messages = await ws_until(ws, started["run_id"])
        assert messages[-1]["type"] == "run.cancelled"
        await ws_send(ws, type="cancel")  # nothing active any more
        error = await ws_until_type(ws, "error")
        assert "no active run" in error["error"]
    async with httpx.AsyncClient(base_url=api.url) as client:
        events = (await client.get(f"/api/runs/{started['run_id']}/events")).json()["events"]
    check_sequence(events, started["run_id"])


BAD_MESSAGES = [
    "{not json",
    "[1, 2, 3]",
    '"just a string"',
    json.dumps({"type": "bogus"}),
    json.dumps({"no": "type"}),
    json.dumps({"type": "message", "message": "hi"}),  # no sessionId
    json.dumps({"type": "message", "message": "hi", "sessionId": "fresh", "agent": 5}),
    json.dumps({"type": "message", "message": "hi", "sessionId": "fresh", "agent": ""}),
    json.dumps({"type": "message", "message": 5, "sessionId": "fresh", "workflow": "hello"}),
    json.dumps({"type": "message", "message": "hi", "sessionId": "fresh", "workflow": "nope"}),
    json.dumps({"type": "message", "message": "hi", "sessionId": "fresh", "workflow": "strict", "input": []}),
    json.dumps({"type": "message", "message": "hi", "sessionId": "fresh", "workflow": "strict", "input": 0}),
    json.dumps({"type": "message", "message": "hi", "sessionId": "fresh", "workflow": 5}),
    json.dumps({"type": "message", "message": "", "sessionId": "fresh", "workflow": "strict"}),
    json.dumps({"type": "message", "message": "hi", "sessionId": ""}),
    json.dumps({"type": "message", "message": "hi", "sessionId": 7, "workflow": "hello"}),
    json.dumps({"type": "resume", "sessionId": "fresh", "after": -1}),
    json.dumps({"type": "resume", "sessionId": "fresh", "after": "3"}),
    json.dumps({"type": "resume", "sessionId": "fresh", "after": 10**30}),
    json.dumps({"type": "resume", "sessionId": "fresh", "after": True}),
    json.dumps({"type": "input", "value": 1}),  # no session
    json.dumps({"type": "cancel", "runId": "0" * 32}),
    "[" * 5000 + "]" * 5000,
]


async def test_ws_malformed_json_and_unknown_types_answer_error_and_keep_the_socket_open(api: Api) -> None:
    async with connect(api.ws_url()) as ws:
        for raw in BAD_MESSAGES:
            await ws.send(raw)
            reply = await ws_until_type(ws, "error")
            assert isinstance(reply["error"], str) and reply["error"], raw
            assert "Traceback" not in reply["error"]
        await ws_send(ws, type="ping")
        assert (await ws_until_type(ws, "pong"))["type"] == "pong"
        await ws_send(ws, type="message", message="still here", sessionId="fresh", workflow="hello")
        messages = await ws_until(ws)
    assert messages[-1]["type"] == "run.completed"
    async with httpx.AsyncClient(base_url=api.url) as client:
        runs = (await client.get("/api/runs")).json()["runs"]
    assert len(runs) == 1  # none of the bad messages started a run


async def wait_status_async(api: Api, run_id: str, status: str) -> None:
    """Poll the run until it has ``status``."""
    async with api.async_client() as client:
        with anyio.fail_after(10):
            while (await client.get(f"/api/runs/{run_id}")).json()["status"] != status:
                await anyio.sleep(0.02)


async def ws_until_type(ws: Any, kind: str) -> dict[str, Any]:
    """Skip messages until one of type ``kind``."""
    with anyio.fail_after(15):
        while True:
            message = await ws_recv(ws)
            if message["type"] == kind:
                return message


async def test_ws_resume_of_a_new_session_just_attaches(api: Api) -> None:
    async with connect(api.ws_url()) as ws:
        await ws_send(ws, type="resume", sessionId="brand-new", after=0)
        message = await ws_recv(ws, timeout=5)
    assert message == {"type": "session", "session_id": "brand-new", "runs": []}


async def test_ws_from_a_foreign_origin_is_refused(api: Api) -> None:
    from websockets.exceptions import ConnectionClosed

    async with connect(api.ws_url(), origin="http://evil.example") as ws:  # type: ignore[arg-type]
        with pytest.raises(ConnectionClosed) as closed:
            await ws_recv(ws, timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4003
