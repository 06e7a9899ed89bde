"""SPEC §3.5 (HTTP API, contract) over a real server, on SQLite and PostgreSQL.

Each test is named after the sentence of the spec it checks.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest
from api_harness import Api, Serve, assert_clean, assert_error, check_sequence, parse_sse, wait_status


@pytest.fixture
def api(store_url: str, serve: Serve) -> Api:
    # both backends: overrides the SQLite-only `api` of conftest.py (store_url first: the database outlives the server)
    return serve(db_url=store_url)


def run_ids(client: httpx.Client, **params: str) -> list[str]:
    response = client.get("/api/runs", params=params)
    assert response.status_code == 200, response.text
    return [r["run_id"] for r in response.json()["runs"]]


# -- POST /api/workflows/execute ------------------------------------------------------------
def test_execute_waits_and_answers_200_with_run_id_status_output(client: httpx.Client) -> None:
    response = client.post("/api/workflows/execute", json={"workflow": "hello", "input": {"name": "Ada"}})
    assert response.status_code == 200, response.text
    assert_clean(response)
    body = response.json()
    assert set(body) == {"run_id", "status", "output"}
    assert body["status"] == "succeeded"
    assert body["output"] == "Hello, Ada!"
    assert isinstance(body["run_id"], str) and body["run_id"]


def test_execute_with_wait_false_answers_202_with_run_id_and_status(client: httpx.Client) -> None:
    response = client.post("/api/workflows/execute", json={"workflow": "slow", "wait": False})
    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) == {"run_id", "status"}
    assert body["status"] in ("pending", "running")
    run = wait_status(client, body["run_id"], {"succeeded"})
    assert run["output"] == "three"


def test_execute_with_bad_input_answers_400_and_creates_no_run(client: httpx.Client) -> None:
    before = run_ids(client)
    response = client.post("/api/workflows/execute", json={"workflow": "strict", "input": {"message": ""}})
    body = assert_error(response, 400)
    assert "message" in body["error"]
    response = client.post("/api/workflows/execute", json={"workflow": "strict", "input": {}})
    assert_error(response, 400)
    response = client.post("/api/workflows/execute", json={"workflow": "strict", "wait": False})
    assert_error(response, 400)
    assert run_ids(client) == before == []
    ok = client.post("/api/workflows/execute", json={"workflow": "strict", "input": {"message": "x"}})
    assert ok.status_code == 200 and ok.json()["output"] == "got x"


def test_execute_unknown_workflow_answers_404(client: httpx.Client) -> None:
    assert_error(client.post("/api/workflows/execute", json={"workflow": "no-such-workflow"}), 404)
    assert_error(client.post("/api/workflows/execute", json={"workflow": "../hello"}), 404)
    assert run_ids(client) == []


def test_execute_groups_generated_files_by_top_folder(client: httpx.Client) -> None:
    response = client.post("/api/workflows/execute", json={"workflow": "files"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["generated_files"] == {
        "frontend": {"package.json": '{"name": "app"}', "src/App.tsx": "export default function App() {}"},
        "backend": {"main.py": "print('hi')"},
    }


def test_execute_trigger_and_data_are_visible_to_steps(client: httpx.Client) -> None:
    response = client.post(
        "/api/workflows/execute",
        json={"workflow": "on-task", "trigger": "task.created", "data": {"title": "Write docs"}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["output"] == "Write docs"


def test_execute_session_id_is_recorded(client: httpx.Client) -> None:
    response = client.post("/api/workflows/execute", json={"workflow": "hello", "session_id": "sess-1"})
    run_id = response.json()["run_id"]
    assert client.get(f"/api/runs/{run_id}").json()["session_id"] == "sess-1"
    assert run_ids(client, session_id="sess-1") == [run_id]


def test_idempotency_key_header_maps_to_one_run(client: httpx.Client) -> None:
    first = client.post("/api/workflows/execute", json={"workflow": "hello"}, headers={"Idempotency-Key": "k-1"})
    again = client.post("/api/workflows/execute", json={"workflow": "hello"}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert first.json()["run_id"] == again.json()["run_id"]
    body_key = client.post("/api/workflows/execute", json={"workflow": "hello", "idempotency_key": "k-2"})
    body_again = client.post("/api/workflows/execute", json={"workflow": "hello", "idempotency_key": "k-2"})
    assert body_key.json()["run_id"] == body_again.json()["run_id"] != first.json()["run_id"]
    other = client.post("/api/workflows/execute", json={"workflow": "hello"}, headers={"Idempotency-Key": "k-3"})
    assert other.json()["run_id"] not in (first.json()["run_id"], body_key.json()["run_id"])
    assert len(run_ids(client)) == 3


def test_idempotency_key_with_wait_false_answers_the_same_run(client: httpx.Client) -> None:
    headers = {"Idempotency-Key": "slow-1"}
    first = client.post("/api/workflows/execute", json={"workflow": "slow", "wait": False}, headers=headers)
    again = client.post("/api/workflows/execute", json={"workflow": "slow", "wait": False}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["run_id"] == again.json()["run_id"]
    run = wait_status(client, first.json()["run_id"], {"succeeded"})
    events = client.get(f"/api/runs/{run['run_id']}/events").json()["events"]
    assert [e["type"] for e in events].count("run.started") == 1


# -- POST /api/events -------------------------------------------------------------------------
def test_events_start_every_matching_workflow_with_the_event_noun_visible(client: httpx.Client) -> None:
    event = {"type": "task.created", "data": {"title": "Ship it", "priority": "high"}, "id": "e1"}
    response = client.post("/api/events", json=event)
    assert response.status_code == 202, response.text
    runs = {r["workflow"]: r["run_id"] for r in response.json()["runs"]}
    assert set(runs) == {"on-task", "on-any-task"}
    outputs = {name: wait_status(client, run_id, {"succeeded", "failed"}) for name, run_id in runs.items()}
    assert outputs["on-task"]["output"] == "Ship it", outputs["on-task"]
    assert outputs["on-any-task"]["output"] == "Ship it (Ship it)", outputs["on-any-task"]
    assert outputs["on-task"]["trigger"] == "task.created"
    again = client.post("/api/events", json=event)
    assert again.status_code == 202
    assert {r["workflow"]: r["run_id"] for r in again.json()["runs"]} == runs  # the same id: the same runs
    assert sorted(run_ids(client)) == sorted(runs.values())
    updated = client.post("/api/events", json={"type": "task.updated", "data": {"title": "Renamed"}})
    assert [r["workflow"] for r in updated.json()["runs"]] == ["on-any-task"]


def test_events_without_matching_workflow_start_nothing(client: httpx.Client) -> None:
    response = client.post("/api/events", json={"type": "invoice.paid", "data": {}})
    assert response.status_code == 202
    assert response.json() == {"runs": []}


# -- GET /health, /docs, /openapi.json, /api/workflows -------------------------------------------
def test_health_answers_status_ok(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert_clean(response)
    assert response.json()["status"] == "ok"


def test_docs_and_openapi_are_served(client: httpx.Client) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/workflows/execute", "/api/events", "/api/runs", "/api/runs/{run_id}/events", "/health"):
        assert path in paths, sorted(paths)


def test_chatui_is_served_at_the_root(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<" in response.text


def test_workflows_list_and_get(client: httpx.Client) -> None:
    listed = client.get("/api/workflows").json()
    ids = [w["id"] for w in listed["workflows"]]
    assert {"hello", "strict", "on-task"} <= set(ids)
    assert listed["invalid"] == []
    one = client.get("/api/workflows/strict").json()
    assert one["id"] == "strict" and one["name"] == "Strict"
    assert one["inputs"]["properties"]["message"]["type"] == "string"
    assert "steps" in one
    assert_error(client.get("/api/workflows/nope"), 404)


# -- runs -------------------------------------------------------------------------------------
def test_runs_list_newest_first_and_get_with_steps(client: httpx.Client) -> None:
    first = client.post("/api/workflows/execute", json={"workflow": "hello"}).json()["run_id"]
    second = client.post("/api/workflows/execute", json={"workflow": "files"}).json()["run_id"]
    assert run_ids(client) == [second, first]
    assert run_ids(client, workflow="hello") == [first]
    assert run_ids(client, status="succeeded", limit="1") == [second]
    run = client.get(f"/api/runs/{second}").json()
    assert run["run_id"] == second and run["workflow"] == "files" and run["status"] == "succeeded"
    assert [s["path"] for s in run["steps"]] == ["artifact", "artifact_2", "artifact_3"]
    assert all(s["status"] == "completed" for s in run["steps"])


def test_run_events_as_json_with_after(client: httpx.Client) -> None:
    run_id = client.post("/api/workflows/execute", json={"workflow": "hello"}).json()["run_id"]
    events = client.get(f"/api/runs/{run_id}/events").json()["events"]
    check_sequence(events, run_id)
    assert [e["type"] for e in events] == ["run.started", "step.started", "step.completed", "run.completed"]
    assert all("ts" in e for e in events)
    assert events[1]["step"] == "greet"
    later = client.get(f"/api/runs/{run_id}/events", params={"after": 2}).json()["events"]
    assert [e["seq"] for e in later] == [3, 4]
    assert client.get(f"/api/runs/{run_id}/events", params={"after": 4}).json()["events"] == []
    limited = client.get(f"/api/runs/{run_id}/events", params={"after": 1, "limit": 2}).json()["events"]
    assert [e["seq"] for e in limited] == [2, 3]


def test_run_events_as_sse_use_seq_as_id_and_end_after_run_completed(client: httpx.Client) -> None:
    run_id = client.post("/api/workflows/execute", json={"workflow": "slow", "wait": False}).json()["run_id"]
    with client.stream("GET", f"/api/runs/{run_id}/events", headers={"Accept": "text/event-stream"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        records = parse_sse(response.read().decode())
    events = [r["data"] for r in records]
    check_sequence(events, run_id)
    assert [int(r["id"]) for r in records] == [e["seq"] for e in events]
    assert [r["event"] for r in records] == [e["type"] for e in events]
    assert events[-1]["type"] == "run.completed"
    assert events == client.get(f"/api/runs/{run_id}/events").json()["events"]


def test_run_events_as_sse_resume_after_last_event_id(client: httpx.Client) -> None:
    run_id = client.post("/api/workflows/execute", json={"workflow": "hello"}).json()["run_id"]
    headers = {"Accept": "text/event-stream", "Last-Event-ID": "2"}
    response = client.get(f"/api/runs/{run_id}/events", headers=headers)
    records = parse_sse(response.text)
    assert [int(r["id"]) for r in records] == [3, 4]
    query = client.get(f"/api/runs/{run_id}/events", params={"after": 3}, headers={"Accept": "text/event-stream"})
    assert [int(r["id"]) for r in parse_sse(query.text)] == [4]


def test_cancel_stops_a_running_run_and_a_finished_run_answers_409(client: httpx.Client) -> None:
    run_id = client.post("/api/workflows/execute", json={"workflow": "slow", "wait": False}).json()["run_id"]
    response = client.post(f"/api/runs/{run_id}/cancel")
    assert response.status_code == 200, response.text
    run = wait_status(client, run_id, {"cancelled", "succeeded", "failed"})
    assert run["status"] == "cancelled", run
    events = client.get(f"/api/runs/{run_id}/events").json()["events"]
    check_sequence(events, run_id)
    assert events[-1]["type"] == "run.cancelled"
    assert_error(client.post(f"/api/runs/{run_id}/cancel"), 409)
    done = client.post("/api/workflows/execute", json={"workflow": "hello"}).json()["run_id"]
    assert_error(client.post(f"/api/runs/{done}/cancel"), 409)


def test_cancel_a_run_waiting_for_input_closes_its_step(client: httpx.Client) -> None:
    run_id = client.post("/api/workflows/execute", json={"workflow": "ask"}).json()["run_id"]
    response = client.post(f"/api/runs/{run_id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled", response.text
    events = client.get(f"/api/runs/{run_id}/events").json()["events"]
    check_sequence(events, run_id)
    assert [e["type"] for e in events][-2:] == ["step.failed", "run.cancelled"]
    assert_error(client.post(f"/api/runs/{run_id}/input", json={"value": {"approved": True}}), 409)


def test_input_answers_a_waiting_run_over_http(client: httpx.Client) -> None:
    response = client.post("/api/workflows/execute", json={"workflow": "ask"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "waiting"
    run_id = body["run_id"]
    events = client.get(f"/api/runs/{run_id}/events").json()["events"]
    assert events[-1]["type"] == "input.requested" and events[-1]["step"] == "approval"
    assert_error(client.post(f"/api/runs/{run_id}/input", json={"value": {"approved": "yes"}}), 400)
    assert_error(client.post(f"/api/runs/{run_id}/input", json={"value": {"approved": True}, "step": "nope"}), 409)
    answer = client.post(f"/api/runs/{run_id}/input", json={"value": {"approved": True}})
    assert answer.status_code == 202, answer.text
    run = wait_status(client, run_id, {"succeeded", "failed"})
    assert run["status"] == "succeeded" and run["output"] == "approved=True", run
    assert_error(client.post(f"/api/runs/{run_id}/input", json={"value": {"approved": True}}), 409)


def test_retry_runs_a_failed_run_again_from_its_failed_step(client: httpx.Client, tmp_path: Path) -> None:
    marker, log = tmp_path / "marker", tmp_path / "log.txt"
    payload = {"workflow": "flaky", "input": {"marker": str(marker), "log": str(log)}}
    response = client.post("/api/workflows/execute", json=payload)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "failed" and "marker missing" in body["error"]["message"]
    assert "Traceback" not in response.text
    run_id = body["run_id"]
    marker.write_text("ok")
    retry = client.post(f"/api/runs/{run_id}/retry")
    assert retry.status_code == 202, retry.text
    run = wait_status(client, run_id, {"succeeded", "failed"})
    assert run["status"] == "succeeded" and run["output"] == "marker found", run
    assert log.read_text() == "first\n"  # the completed step did not run again
    assert_error(client.post(f"/api/runs/{run_id}/retry"), 409)


# -- artifacts and deploy --------------------------------------------------------------------
def test_artifacts_list_one_file_and_zip(client: httpx.Client) -> None:
    run_id = client.post("/api/workflows/execute", json={"workflow": "files"}).json()["run_id"]
    listed = client.get(f"/api/runs/{run_id}/artifacts").json()
    assert listed["run_id"] == run_id
    paths = {a["path"]: a for a in listed["artifacts"]}
    assert set(paths) == {"frontend/package.json", "frontend/src/App.tsx", "backend/main.py"}
    assert paths["backend/main.py"]["size"] == len("print('hi')")
    one = client.get(f"/api/runs/{run_id}/artifacts/frontend/src/App.tsx")
    assert one.status_code == 200
    assert one.text == "export default function App() {}"
    assert_error(client.get(f"/api/runs/{run_id}/artifacts/frontend/missing.txt"), 404)
    archive = client.get(f"/api/runs/{run_id}/artifacts.zip")
    assert archive.status_code == 200, archive.text[:500]
    assert archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        assert zipped.testzip() is None
        assert sorted(zipped.namelist()) == sorted(paths)
        assert zipped.read("backend/main.py") == b"print('hi')"


def test_deploy_mode_zip_answers_the_files_as_a_zip(client: httpx.Client) -> None:
    run_id = client.post("/api/workflows/execute", json={"workflow": "files"}).json()["run_id"]
    response = client.post(f"/api/runs/{run_id}/deploy", json={"mode": "zip", "root": "my-app"})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zipped:
        assert zipped.testzip() is None
        assert sorted(zipped.namelist()) == [
            "my-app/backend/main.py",
            "my-app/frontend/package.json",
            "my-app/frontend/src/App.tsx",
        ]
    plain = client.post(f"/api/runs/{run_id}/deploy", json={"mode": "zip"})
    with zipfile.ZipFile(io.BytesIO(plain.content)) as zipped:
        assert "frontend/package.json" in zipped.namelist()
