"""Load: 200 concurrent WebSocket chat clients on one server process, split across two apps.

Every client runs the 5-step ``five`` workflow in its own session and must receive every event of its
own run, in order and without gaps, ending with ``run.completed`` — and nothing of any other run or app.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest
from api_harness import APP_A, APP_B, JWT_SECRET, Api, Serve, check_sequence, hs256, ws_recv, ws_send
from websockets.asyncio.client import connect

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CLIENTS = 200
EVENTS_PER_RUN = 1 + 5 * 2 + 1  # run.started, (step.started, step.completed) × 5, run.completed


async def chat_once(
    api: Api, token: str, index: int, go: anyio.Event, results: dict[int, list[dict[str, Any]]]
) -> None:
    async with connect(api.ws_url(), additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=30) as ws:
        await go.wait()
        await ws_send(ws, type="message", message=f"client-{index}", sessionId=f"load-{index}", workflow="five")
        received: list[dict[str, Any]] = []
        while True:
            message = await ws_recv(ws, timeout=35)
            received.append(message)
            if message["type"] in ("run.completed", "run.failed", "run.cancelled"):
                break
        results[index] = received


async def test_200_concurrent_websocket_clients_across_two_apps_each_get_exactly_their_own_events(
    store_url: str, serve: Serve
) -> None:
    api = serve({"MOZAIKS_AI_JWT_SECRET": JWT_SECRET}, db_url=store_url)  # on SQLite and PostgreSQL
    tokens = {APP_A: hs256(APP_A, "user-a"), APP_B: hs256(APP_B, "user-b")}
    app_of = {i: (APP_A if i % 2 == 0 else APP_B) for i in range(CLIENTS)}
    results: dict[int, list[dict[str, Any]]] = {}
    go = anyio.Event()
    started = time.monotonic()
    with anyio.fail_after(40):
        async with anyio.create_task_group() as group:
            for i in range(CLIENTS):
                group.start_soon(chat_once, api, tokens[app_of[i]], i, go, results)
            await anyio.sleep(0.5)  # let the connections open, then send every message at once
            go.set()
    elapsed = time.monotonic() - started

    assert len(results) == CLIENTS
    run_ids: dict[int, str] = {}
    for i, received in results.items():
        control = [m for m in received if "seq" not in m]
        assert [m["type"] for m in control] == ["session"], control
        events = [m for m in received if "seq" in m]
        run_id = events[0]["run_id"]
        run_ids[i] = run_id
        check_sequence(events, run_id)  # only its own run, seq 1..N, no gaps, ends with the final event
        assert len(events) == EVENTS_PER_RUN, [e["type"] for e in events]
        assert {e["session_id"] for e in events} == {f"load-{i}"}
        assert events[-1]["type"] == "run.completed" and events[-1]["output"] == "5"
        assert events[0]["input"]["message"] == f"client-{i}"
    assert len(set(run_ids.values())) == CLIENTS

    for app_id, token in tokens.items():
        listed = api.request("GET", "/api/runs", f"Bearer {token}", params={"limit": 500}).json()["runs"]
        expected = {run_ids[i] for i in range(CLIENTS) if app_of[i] == app_id}
        assert {r["run_id"] for r in listed} == expected
        assert {r["app_id"] for r in listed} == {app_id}
    assert elapsed < 40
