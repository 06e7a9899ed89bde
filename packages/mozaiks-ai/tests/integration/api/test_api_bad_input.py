"""Bad input for every HTTP endpoint: malformed JSON, wrong types, unknown ids, out-of-range parameters.

Every answer is a JSON error with the right status, security headers and no stack trace, and no bad
request ever creates a run. One server serves the whole module (the requests here change nothing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_harness import Api, assert_error, run_server, write_workflows

UNKNOWN = "0" * 32
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict[str, str]]]:
    """One server, with a finished run that has artifacts (``files``) and one without (``hello``)."""
    tmp = tmp_path_factory.mktemp("bad-input")
    with run_server({}, write_workflows(tmp / "workflows"), f"sqlite:///{tmp}/db.sqlite", tmp) as api:
        runs = {
            name: api.request("POST", "/api/workflows/execute", json={"workflow": name}).json()["run_id"]
            for name in ("files", "hello")
        }
        yield api, runs


@pytest.fixture
def api(shared: tuple[Api, dict[str, str]]) -> Iterator[Api]:
    api = shared[0]
    before = api.request("GET", "/api/runs").json()["runs"]
    yield api
    assert api.request("GET", "/api/runs").json()["runs"] == before, "a bad request created or changed a run"


@pytest.fixture
def runs(shared: tuple[Api, dict[str, str]]) -> dict[str, str]:
    return shared[1]


def send(
    api: Api, method: str, path: str, body: Any = None, *, raw: bytes | None = None, **options: Any
) -> httpx.Response:
    if raw is not None:
        return api.request(method, path, content=raw, headers={**JSON, **options.pop("headers", {})}, **options)
    return api.request(method, path, json=body, **options)


MALFORMED = [b"", b"{", b"{'workflow': 'hello'}", b'{"workflow": "hello",}', b"nul", b"\xff\xfe", b'{"workflow": "hel']


# -- POST /api/workflows/execute --------------------------------------------------------------
@pytest.mark.parametrize("raw", MALFORMED)
def test_execute_with_malformed_json_is_400(api: Api, raw: bytes) -> None:
    assert_error(send(api, "POST", "/api/workflows/execute", raw=raw), 400)


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        ["hello"],
        "hello",
        5,
        {},
        {"workflow": 5},
        {"workflow": ""},
        {"workflow": None},
        {"workflow": ["hello"]},
        {"workflow": "x" * 201},
        {"workflow": "hello", "wait": "yes"},
        {"workflow": "hello", "wait": 1},
        {"workflow": "hello", "wait": None},
        {"workflow": "hello", "input": []},
        {"workflow": "hello", "input": "name=Ada"},
        {"workflow": "hello", "input": 5},
        {"workflow": "hello", "input": {"name": 5}},
        {"workflow": "hello", "data": []},
        {"workflow": "hello", "trigger": 5},
        {"workflow": "hello", "trigger": "t" * 201},
        {"workflow": "hello", "session_id": 5},
        {"workflow": "hello", "session_id": "has spaces"},
        {"workflow": "hello", "session_id": "../../etc"},
        {"workflow": "hello", "session_id": ""},
        {"workflow": "hello", "user_id": 5},
        {"workflow": "hello", "idempotency_key": ""},
        {"workflow": "hello", "idempotency_key": 5},
        {"workflow": "hello", "idempotency_key": "k" * 201},
    ],
)
def test_execute_with_wrong_types_is_400(api: Api, body: Any) -> None:
    error = assert_error(send(api, "POST", "/api/workflows/execute", body), 400)
    assert "Input should" not in error["error"] or "details" in error


def test_execute_error_details_name_the_field(api: Api) -> None:
    error = assert_error(send(api, "POST", "/api/workflows/execute", {"workflow": "hello", "wait": "yes"}), 400)
    assert "wait" in error["error"]
    assert [d["field"] for d in error["details"]] == ["wait"]


def test_execute_with_a_non_json_content_type_is_rejected(api: Api) -> None:
    response = api.request(
        "POST", "/api/workflows/execute", content=b"workflow=hello", headers={"Content-Type": "text/plain"}
    )
    assert_error(response, response.status_code)
    assert response.status_code in (400, 415)


def test_execute_with_a_too_long_idempotency_header_is_400(api: Api) -> None:
    response = send(
        api, "POST", "/api/workflows/execute", {"workflow": "hello"}, headers={"Idempotency-Key": "k" * 201}
    )
    assert_error(response, 400)


def test_execute_unknown_or_path_like_workflow_is_404(api: Api) -> None:
    for name in ("nope", "../hello", "hello/../hello", "HELLO", "hello ", "%2e%2e"):
        assert_error(send(api, "POST", "/api/workflows/execute", {"workflow": name}), 404)


# -- POST /api/events -------------------------------------------------------------------------
@pytest.mark.parametrize("raw", MALFORMED)
def test_events_with_malformed_json_is_400(api: Api, raw: bytes) -> None:
    assert_error(send(api, "POST", "/api/events", raw=raw), 400)


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        {"data": {}},
        {"type": 5},
        {"type": ""},
        {"type": None},
        {"type": "task created"},
        {"type": "task.created<script>"},
        {"type": "t" * 201},
        {"type": "task.created", "data": []},
        {"type": "task.created", "data": "title"},
        {"type": "task.created", "data": None},
        {"type": "task.created", "id": 5},
        {"type": "task.created", "id": ""},
        {"type": "task.created", "id": "i" * 201},
    ],
)
def test_events_with_wrong_types_is_400(api: Api, body: Any) -> None:
    assert_error(send(api, "POST", "/api/events", body), 400)


# -- GET /api/runs ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"limit": "100000"},
        {"limit": "501"},
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "abc"},
        {"limit": "1.5"},
        {"limit": ""},
        {"status": "bogus"},
        {"status": "succeeded' OR '1'='1"},
        {"workflow": "w" * 201},
        {"session_id": "s" * 201},
    ],
)
def test_runs_list_with_bad_parameters_is_400(api: Api, params: dict[str, str]) -> None:
    assert_error(api.request("GET", "/api/runs", params=params), 400)


def test_runs_list_filters_are_values_not_code(api: Api) -> None:
    for params in ({"workflow": "hello' OR '1'='1"}, {"session_id": "x' OR 1=1 --"}, {"workflow": "%"}):
        response = api.request("GET", "/api/runs", params=params)
        assert response.status_code == 200 and response.json()["runs"] == [], params


# -- /api/runs/{id} and below ---------------------------------------------------------------------
RUN_ENDPOINTS = [
    ("GET", "/api/runs/{id}", None),
    ("GET", "/api/runs/{id}/events", None),
    ("POST", "/api/runs/{id}/cancel", None),
    ("POST", "/api/runs/{id}/input", {"value": 1}),
    ("POST", "/api/runs/{id}/retry", None),
    ("GET", "/api/runs/{id}/artifacts", None),
    ("GET", "/api/runs/{id}/artifacts.zip", None),
    ("GET", "/api/runs/{id}/artifacts/backend/main.py", None),
    ("POST", "/api/runs/{id}/deploy", {"mode": "zip"}),
]


@pytest.mark.parametrize("method,path,body", RUN_ENDPOINTS)
@pytest.mark.parametrize("run_id", [UNKNOWN, "nope", "x" * 300, "%00", "ünïcode", "1;DROP TABLE runs"])
def test_unknown_run_ids_are_404(api: Api, method: str, path: str, body: Any, run_id: str) -> None:
    assert_error(send(api, method, path.replace("{id}", run_id), body), 404)


def test_unknown_run_events_as_sse_are_404(api: Api) -> None:
    assert_error(api.request("GET", f"/api/runs/{UNKNOWN}/events", headers={"Accept": "text/event-stream"}), 404)


@pytest.mark.parametrize(
    "params",
    [
        {"after": "-1"},
        {"after": "abc"},
        {"after": "1.5"},
        {"after": ""},
        {"after": "99999999999999999999999999"},
        {"limit": "100000"},
        {"limit": "0"},
        {"limit": "x"},
    ],
)
def test_run_events_with_bad_after_or_limit_is_400(api: Api, runs: dict[str, str], params: dict[str, str]) -> None:
    assert_error(api.request("GET", f"/api/runs/{runs['hello']}/events", params=params), 400)


def test_run_events_with_bad_last_event_id(api: Api, runs: dict[str, str]) -> None:
    sse = {"Accept": "text/event-stream"}
    response = api.request("GET", f"/api/runs/{runs['hello']}/events", headers={**sse, "Last-Event-ID": "1" * 21})
    assert_error(response, 400)
    # a Last-Event-ID that is not a number is ignored: the stream starts from `after`
    for ignored in ("abc", "-1", "1.5", "\u00b2", "\u00bd"):
        headers = {**sse, "Last-Event-ID": ignored.encode("latin-1")}
        response = api.request("GET", f"/api/runs/{runs['hello']}/events", headers=headers)
        assert response.status_code == 200, (ignored, response.text)
        assert [line for line in response.text.splitlines() if line.startswith("id: ")] == [
            f"id: {n}" for n in (1, 2, 3, 4)
        ]
    response = api.request("GET", f"/api/runs/{runs['hello']}/events", headers={**sse, "Last-Event-ID": "9" * 20})
    assert response.status_code == 200 and "id: " not in response.text


def test_run_events_after_the_end_are_empty(api: Api, runs: dict[str, str]) -> None:
    response = api.request("GET", f"/api/runs/{runs['hello']}/events", params={"after": 1_000_000})
    assert response.status_code == 200 and response.json()["events"] == []


@pytest.mark.parametrize("raw", MALFORMED[1:])
def test_input_with_malformed_json_is_400(api: Api, runs: dict[str, str], raw: bytes) -> None:
    assert_error(send(api, "POST", f"/api/runs/{runs['hello']}/input", raw=raw), 400)


@pytest.mark.parametrize("body", [[], "yes", 5, {"step": 5}, {"step": "s" * 501}])
def test_input_with_wrong_types_is_400(api: Api, runs: dict[str, str], body: Any) -> None:
    assert_error(send(api, "POST", f"/api/runs/{runs['hello']}/input", body), 400)


def test_input_cancel_and_retry_on_a_finished_run_are_409(api: Api, runs: dict[str, str]) -> None:
    run_id = runs["hello"]
    assert_error(send(api, "POST", f"/api/runs/{run_id}/input", {"value": 1}), 409, "not waiting")
    assert_error(send(api, "POST", f"/api/runs/{run_id}/cancel"), 409, "succeeded")
    assert_error(send(api, "POST", f"/api/runs/{run_id}/retry"), 409, "succeeded")


# -- deploy ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        {"mode": "ftp"},
        {"mode": 5},
        {"mode": None},
        {"mode": "ZIP"},
        {"mode": "zip", "root": 5},
        {"mode": "zip", "root": "r" * 201},
        {"mode": "github", "private": "yes"},
        {"mode": "git", "remote_url": 5},
    ],
)
def test_deploy_with_wrong_types_is_400(api: Api, runs: dict[str, str], body: Any) -> None:
    assert_error(send(api, "POST", f"/api/runs/{runs['files']}/deploy", body), 400)


@pytest.mark.parametrize("raw", MALFORMED)
def test_deploy_with_malformed_json_is_400(api: Api, runs: dict[str, str], raw: bytes) -> None:
    assert_error(send(api, "POST", f"/api/runs/{runs['files']}/deploy", raw=raw), 400)


@pytest.mark.parametrize(
    "body,words",
    [
        ({"mode": "git"}, ("remote_url",)),
        ({"mode": "github"}, ("token",)),
        ({"mode": "github", "token": "t"}, ("name",)),
        ({"mode": "local"}, ("local",)),
    ],
)
def test_deploy_without_what_the_mode_needs_is_400(
    api: Api, runs: dict[str, str], body: dict[str, Any], words: tuple[str, ...]
) -> None:
    assert_error(send(api, "POST", f"/api/runs/{runs['files']}/deploy", body), 400, *words)


@pytest.mark.parametrize("root", ["../escape", "/abs", "a/../../b", "..", "C:\\\\x"])
def test_deploy_zip_with_an_escaping_root_is_400(api: Api, runs: dict[str, str], root: str) -> None:
    assert_error(send(api, "POST", f"/api/runs/{runs['files']}/deploy", {"mode": "zip", "root": root}), 400)


def test_deploy_a_run_without_artifacts_is_400(api: Api, runs: dict[str, str]) -> None:
    assert_error(send(api, "POST", f"/api/runs/{runs['hello']}/deploy", {"mode": "zip"}), 400, "no artifacts")


# -- workflows --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["nope", "..", "%2e%2e", "hello%2f..%2f..", "x" * 300])
def test_unknown_workflow_is_404(api: Api, name: str) -> None:
    assert_error(api.request("GET", f"/api/workflows/{name}"), 404)


def test_wrong_methods_are_405(api: Api) -> None:
    for method, path in [
        ("GET", "/api/events"),
        ("PUT", "/api/runs"),
        ("DELETE", f"/api/runs/{UNKNOWN}"),
        ("GET", f"/api/runs/{UNKNOWN}/cancel"),
        ("DELETE", "/api/workflows/hello"),
    ]:
        assert_error(api.request(method, path), 405)
