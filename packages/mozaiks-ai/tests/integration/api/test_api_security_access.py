"""SECURITY-TESTS.md items 6 and 9 against the server: other users' runs are invisible, identity comes from tokens.

Each test is named after its line. Every refusal is a clean JSON 404 (``assert_error``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_harness import (
    APP_A,
    APP_B,
    SERVICE_TOKEN,
    Api,
    assert_error,
    hs256,
    stored_runs,
    ws_recv,
    ws_send,
    ws_until,
)
from websockets.asyncio.client import connect


# -- 6 -------------------------------------------------------------------------------------
def test_06_user_b_cannot_read_cancel_answer_retry_or_download_user_a_runs(secure_api: Api, tmp_path: Path) -> None:
    alice = secure_api.client(hs256(user_id="alice"))
    bob = secure_api.client(hs256(user_id="bob"))
    alice_elsewhere = secure_api.client(hs256(app_id=APP_B, user_id="alice"))  # same user name, other app
    waiting = alice.post("/api/workflows/execute", json={"workflow": "ask"}).json()["run_id"]
    files = alice.post("/api/workflows/execute", json={"workflow": "files"}).json()["run_id"]
    failed = alice.post(
        "/api/workflows/execute",
        json={"workflow": "flaky", "input": {"marker": str(tmp_path / "none"), "log": str(tmp_path / "log")}},
    ).json()["run_id"]
    mine = bob.post("/api/workflows/execute", json={"workflow": "hello"}).json()["run_id"]
    for intruder in (bob, alice_elsewhere):
        for run_id in (waiting, files, failed):
            for method, path, body in [
                ("GET", f"/api/runs/{run_id}", None),
                ("GET", f"/api/runs/{run_id}/events", None),
                ("POST", f"/api/runs/{run_id}/cancel", None),
                ("POST", f"/api/runs/{run_id}/input", {"value": {"approved": True}}),
                ("POST", f"/api/runs/{run_id}/retry", None),
                ("GET", f"/api/runs/{run_id}/artifacts", None),
                ("GET", f"/api/runs/{run_id}/artifacts.zip", None),
                ("GET", f"/api/runs/{run_id}/artifacts/backend/main.py", None),
                ("POST", f"/api/runs/{run_id}/deploy", {"mode": "zip"}),
            ]:
                response = intruder.request(method, path, json=body)
                assert_error(response, 404)
                assert run_id in response.text or "not found" in response.text
            sse = intruder.get(f"/api/runs/{run_id}/events", headers={"Accept": "text/event-stream"})
            assert_error(sse, 404)
    assert [r["run_id"] for r in bob.get("/api/runs").json()["runs"]] == [mine]
    assert alice_elsewhere.get("/api/runs").json()["runs"] == []
    assert {r["run_id"] for r in alice.get("/api/runs").json()["runs"]} == {waiting, files, failed}
    assert alice.get(f"/api/runs/{waiting}").json()["status"] == "waiting"  # untouched by the attempts
    assert alice.get(f"/api/runs/{failed}").json()["status"] == "failed"
    assert_error(alice.get(f"/api/runs/{mine}"), 404)
    assert len(stored_runs(secure_api)) == 4  # the service token sees the whole app
    for c in (alice, bob, alice_elsewhere):
        c.close()


@pytest.mark.anyio
async def test_06_user_b_cannot_cancel_or_answer_user_a_runs_over_the_websocket(secure_api: Api) -> None:
    async with secure_api.async_client(hs256(user_id="alice")) as alice:
        run_id = (await alice.post("/api/workflows/execute", json={"workflow": "ask"})).json()["run_id"]
        async with connect(secure_api.ws_url(token=hs256(user_id="bob"))) as ws:
            await ws_send(ws, type="message", message="hi", sessionId="s-bob", workflow="hello")
            await ws_until(ws)
            for message in (
                {"type": "cancel", "runId": run_id},
                {"type": "input", "runId": run_id, "value": {"approved": True}},
                {"type": "resume", "sessionId": "s-bob", "runId": run_id, "after": 0},
            ):
                await ws.send(json.dumps(message))
                reply = await ws_recv(ws)
                assert reply["type"] == "error" and "not found" in reply["error"], reply
        assert (await alice.get(f"/api/runs/{run_id}")).json()["status"] == "waiting"


def test_06_event_runs_belong_to_the_caller(secure_api: Api) -> None:
    with secure_api.client(hs256(user_id="alice")) as alice, secure_api.client(hs256(user_id="bob")) as bob:
        started = alice.post("/api/events", json={"type": "task.created", "data": {"title": "t"}, "id": "ev-1"})
        alices = {r["run_id"] for r in started.json()["runs"]}
        assert len(alices) == 2
        for run_id in alices:
            assert_error(bob.get(f"/api/runs/{run_id}"), 404)
        replay = bob.post("/api/events", json={"type": "task.created", "data": {"title": "t"}, "id": "ev-1"})
        assert replay.status_code == 202
        bobs = {r["run_id"] for r in replay.json()["runs"]}
        assert len(bobs) == 2 and not bobs & alices  # an event id never hands out another user's runs
        for run_id in bobs:
            assert bob.get(f"/api/runs/{run_id}").status_code == 200
        assert {r["run_id"] for r in alice.get("/api/runs").json()["runs"]} == alices


def test_06_another_users_idempotency_key_never_returns_their_run(secure_api: Api) -> None:
    headers = {"Idempotency-Key": "order-42"}
    with secure_api.client(hs256(user_id="alice")) as alice, secure_api.client(hs256(user_id="bob")) as bob:
        mine = alice.post("/api/workflows/execute", json={"workflow": "hello", "input": {"name": "A"}}, headers=headers)
        assert mine.json()["output"] == "Hello, A!"
        theirs = bob.post("/api/workflows/execute", json={"workflow": "hello", "input": {"name": "B"}}, headers=headers)
        assert theirs.status_code == 200
        assert theirs.json()["run_id"] != mine.json()["run_id"]
        assert theirs.json()["output"] == "Hello, B!"  # not alice's output
        body_key = bob.post("/api/workflows/execute", json={"workflow": "hello", "idempotency_key": "order-42"})
        assert body_key.json()["run_id"] == theirs.json()["run_id"]
        again = alice.post("/api/workflows/execute", json={"workflow": "hello"}, headers=headers)
        assert again.json()["run_id"] == mine.json()["run_id"]
    with secure_api.client(hs256(user_id="user:5:alice")) as tricky:  # user ids that look like the key prefix
        other = tricky.post("/api/workflows/execute", json={"workflow": "hello"}, headers=headers)
        assert other.json()["run_id"] not in (mine.json()["run_id"], theirs.json()["run_id"])


# -- 9 -------------------------------------------------------------------------------------
IDENTITY_FIELDS = {
    "app_id": APP_B,
    "user_id": "mallory",
    "roles": ["admin"],
    "_context": {"app_id": APP_B, "user_id": "mallory"},
}


def test_09_body_identity_fields_are_ignored_for_jwt_callers(secure_api: Api) -> None:
    with secure_api.client(hs256(user_id="alice")) as alice:
        executed = alice.post("/api/workflows/execute", json={"workflow": "hello", **IDENTITY_FIELDS})
        assert executed.status_code == 200, executed.text
        event = alice.post("/api/events", json={"type": "task.created", "data": {"title": "t"}, **IDENTITY_FIELDS})
        assert event.status_code == 202, event.text
        for run_id in (executed.json()["run_id"], event.json()["runs"][0]["run_id"]):
            run = alice.get(f"/api/runs/{run_id}").json()
            assert (run["app_id"], run["user_id"]) == (APP_A, "alice"), run
    with secure_api.client(hs256(app_id=APP_B, user_id="mallory")) as mallory:
        assert mallory.get("/api/runs").json()["runs"] == []


def test_09_a_service_token_may_name_the_user_but_never_the_app(secure_api: Api) -> None:
    with secure_api.client(SERVICE_TOKEN) as service:
        run_id = service.post("/api/workflows/execute", json={"workflow": "hello", **IDENTITY_FIELDS}).json()["run_id"]
        run = service.get(f"/api/runs/{run_id}").json()
    assert (run["app_id"], run["user_id"]) == (APP_A, "mallory")


@pytest.mark.anyio
async def test_09_websocket_user_id_comes_from_the_token(secure_api: Api) -> None:
    async with connect(secure_api.ws_url(token=hs256(user_id="alice"))) as ws:
        await ws_send(
            ws, type="message", message="hi", sessionId="s-9", userId="mallory", workflow="hello", **IDENTITY_FIELDS
        )
        messages = await ws_until(ws)
    run_id = next(m["run_id"] for m in messages if "seq" in m)
    async with secure_api.async_client(hs256(user_id="alice")) as alice:
        run = (await alice.get(f"/api/runs/{run_id}")).json()
    assert (run["app_id"], run["user_id"], run["session_id"]) == (APP_A, "alice", "s-9")
