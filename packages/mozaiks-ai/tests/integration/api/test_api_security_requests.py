"""SECURITY-TESTS.md items 14, 15 and 18 against the server, plus error hygiene; each test is named after its line.

14 body limits (HTTP and WebSocket) · 15 CORS and refusing weak production configurations (also through
``mozaiks-ai serve``) · 18 artifact paths never leave the store. Every error answer is checked for JSON,
security headers and no stack trace.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import (
    SERVICE_TOKEN,
    Api,
    Serve,
    assert_clean,
    assert_error,
    wait_status,
    ws_recv,
    ws_send,
)
from mozaiks_ai import ConfigurationError
from mozaiks_ai.config import ServerConfig
from websockets.asyncio.client import connect

# -- 14 ------------------------------------------------------------------------------------
LIMIT = 4096


@pytest.fixture
def small_api(serve: Serve) -> Api:
    return serve({"MOZAIKS_AI_MAX_BODY_BYTES": str(LIMIT)})


def raw_request(api: Api, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """Send a request exactly as written (no client-side normalisation); return status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=15)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders(body or None)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_14_oversized_body_by_content_length_is_413(api: Api, small_api: Api) -> None:
    # announced sizes are refused before a byte of the body is read (none is sent here)
    status, body = raw_request(
        api, "POST", "/api/workflows/execute", {"Content-Type": "application/json", "Content-Length": "10000000"}
    )
    assert status == 413 and json.loads(body)["error"]
    for path in ("/api/workflows/execute", "/api/events", "/api/runs/x/input"):
        response = small_api.request("POST", path, json={"workflow": "hello", "pad": "x" * LIMIT})
        assert_error(response, 413)
    exactly = b'{"workflow": "hello"}'.ljust(LIMIT, b" ")
    with small_api.client() as client:
        response = client.post("/api/workflows/execute", content=exactly, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    status, _ = raw_request(small_api, "POST", "/api/events", {"Content-Length": "12abc"})
    assert status == 400


def test_14_oversized_body_by_chunked_transfer_is_413(small_api: Api) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"workflow": "hello", "pad": "'
        for _ in range(LIMIT // 512 + 1):
            yield b"x" * 512
        yield b'"}'

    with small_api.client() as client:
        response = client.post("/api/workflows/execute", content=body(), headers={"Content-Type": "application/json"})
        assert response.request.headers["transfer-encoding"] == "chunked"
        assert_error(response, 413)
        assert client.get("/api/runs").json()["runs"] == []


def test_14_deeply_nested_json_is_400(api: Api) -> None:
    with api.client() as client:
        for text in ("[" * 10_000 + "]" * 10_000, '{"a":' * 5000 + "1" + "}" * 5000, "[" * 100_000):
            response = client.post("/api/workflows/execute", content=text, headers={"Content-Type": "application/json"})
            assert_error(response, 400)
        nested: Any = "leaf"
        for _ in range(200):
            nested = {"n": nested}
        assert_error(client.post("/api/workflows/execute", json={"workflow": "hello", "input": {"deep": nested}}), 400)
        assert_error(client.post("/api/events", json={"type": "task.created", "data": nested}), 400)
        shallow: Any = "leaf"
        for _ in range(20):
            shallow = {"n": shallow}
        deep = json.dumps({"workflow": "hello", "input": {"deep": nested}})
        for spelling in ("APPLICATION/JSON", "Application/Json; charset=utf-8", "application/vnd.api+json"):
            response = client.post("/api/workflows/execute", content=deep, headers={"Content-Type": spelling})
            assert_error(response, 400)
        fine = client.post("/api/workflows/execute", json={"workflow": "hello", "input": {"deep": shallow}})
        assert fine.status_code == 200, fine.text
        assert len(client.get("/api/runs").json()["runs"]) == 1


@pytest.mark.anyio
async def test_14_oversized_or_deeply_nested_websocket_messages_answer_error_and_keep_the_socket_open(
    api: Api,
) -> None:
    async with connect(api.ws_url()) as ws:
        for raw in (json.dumps({"type": "ping", "pad": "x" * 300_000}), "[" * 10_000 + "]" * 10_000):
            await ws.send(raw)
            reply = await ws_recv(ws)
            assert reply["type"] == "error", reply
        await ws_send(ws, type="ping")
        assert (await ws_recv(ws))["type"] == "pong"


# -- 15 ------------------------------------------------------------------------------------
def test_15_unknown_cors_origin_is_not_reflected(serve: Serve, api: Api) -> None:
    allowed = "https://app.example.com"
    cors = serve({"MOZAIKS_AI_CORS_ORIGINS": f"{allowed},https://admin.example.com"})
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    with cors.client() as client:
        for origin in ("https://evil.example.com", "null", "https://app.example.com.evil.io", "http://app.example.com"):
            simple = client.get("/health", headers={"Origin": origin})
            assert "access-control-allow-origin" not in simple.headers, origin
            pre = client.options("/api/workflows/execute", headers={"Origin": origin, **preflight})
            assert pre.status_code >= 400 and pre.headers.get("access-control-allow-origin") != origin, origin
            assert "access-control-allow-credentials" not in pre.headers
        ok = client.get("/health", headers={"Origin": allowed})
        assert ok.headers["access-control-allow-origin"] == allowed
        pre = client.options("/api/workflows/execute", headers={"Origin": allowed, **preflight})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == allowed
    with api.client() as client:  # no CORS configured: no origin is allowed
        assert "access-control-allow-origin" not in client.get("/health", headers={"Origin": allowed}).headers


def test_15_production_without_auth_refuses_to_start_saying_what_to_set() -> None:
    with pytest.raises(ConfigurationError) as refused:
        ServerConfig.from_env({"MOZAIKS_ENV": "production"})
    for name in ("MOZAIKS_AI_TOKEN", "MOZAIKS_AI_JWT_SECRET", "MOZAIKS_AI_JWKS_URL"):
        assert name in str(refused.value)
    assert ServerConfig.from_env({"MOZAIKS_ENV": "production", "MOZAIKS_AI_TOKEN": SERVICE_TOKEN}).production


@pytest.mark.parametrize(
    "env",
    [
        {"MOZAIKS_AI_JWT_SECRET": "secret"},
        {"MOZAIKS_AI_JWT_SECRET": "changeme"},
        {"MOZAIKS_AI_JWT_SECRET": "x" * 31},
        {"MOZAIKS_AI_TOKEN": "changeme"},
        {"MOZAIKS_AI_TOKEN": "short-token"},
        {"MOZAIKS_AI_TOKEN": f"{SERVICE_TOKEN},dev"},
        {"MOZAIKS_ENV": "production", "MOZAIKS_AI_JWT_SECRET": "password"},
    ],
)
def test_15_weak_or_default_secret_refuses_to_start_saying_what_to_set(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError) as refused:
        ServerConfig.from_env(env)
    name = "MOZAIKS_AI_JWT_SECRET" if "MOZAIKS_AI_JWT_SECRET" in env else "MOZAIKS_AI_TOKEN"
    message = str(refused.value)
    assert name in message and "at least" in message


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOZAIKS_", "WORKFLOWS_"))}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_15_serve_in_production_without_auth_exits_2_saying_what_to_set(tmp_path: Path, workflows_root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mozaiks_ai", "serve", "--port", str(free_port()), "--workflows", str(workflows_root)],
        cwd=tmp_path,
        env=cli_env(MOZAIKS_ENV="production", MOZAIKS_DB_URL=f"sqlite:///{tmp_path}/db.sqlite"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "MOZAIKS_AI_TOKEN" in done.stderr and "MOZAIKS_AI_JWT_SECRET" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_serve_without_auth_binds_127_0_0_1_even_when_asked_for_0_0_0_0_and_says_so(
    tmp_path: Path, workflows_root: Path
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mozaiks_ai", "serve", "--host", "0.0.0.0", "--port", str(port)],
        cwd=tmp_path,
        env=cli_env(MOZAIKS_DB_URL=f"sqlite:///{tmp_path}/db.sqlite", MOZAIKS_WORKFLOWS_PATH=str(workflows_root)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stderr or ():
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while not any("Uvicorn running on" in line or "startup complete" in line.lower() for line in seen):
            assert process.poll() is None, seen
            assert time.monotonic() < deadline, seen
            try:
                seen.append(lines.get(timeout=0.5))
            except queue.Empty:
                continue
        stderr = "".join(seen)
        assert "no authentication" in stderr and "127.0.0.1" in stderr and "0.0.0.0" in stderr, stderr
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()["status"] == "ok"
        # a socket bound to 0.0.0.0 would also answer on 127.0.0.2 (every 127/8 address is loopback)
        with pytest.raises(OSError), socket.create_connection(("127.0.0.2", port), timeout=5):
            pass
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        reader.join(5)
        if process.stderr is not None:
            process.stderr.close()


# -- 18 ------------------------------------------------------------------------------------
def test_18_artifact_paths_with_dot_dot_or_absolute_never_leave_the_store(client: httpx.Client, api: Api) -> None:
    run_id = client.post("/api/workflows/execute", json={"workflow": "files"}).json()["run_id"]
    secret = api.tmp / "outside.txt"
    secret.write_text("TOP-SECRET-OUTSIDE")
    escapes = [
        "../../../../etc/passwd",
        "..%2f..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "frontend/../../../../../../etc/passwd",
        "frontend/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/etc/passwd",
        "%2fetc%2fpasswd",
        "..\\..\\..\\etc\\passwd",
        "..%5c..%5cetc%5cpasswd",
        f"../../../../..{secret}",
        f"%2e%2e{secret}",
        "frontend/package.json/../../backend/main.py/../../../../etc/passwd",
        "frontend/package.json%00.txt",
    ]
    for path in escapes:
        status, body = raw_request(api, "GET", f"/api/runs/{run_id}/artifacts/{path}", {})
        assert status == 404, (path, status, body[:300])
        assert b"root:" not in body and b"TOP-SECRET" not in body, path
        assert b"Traceback" not in body
    for path in ("/chatui/../../../../etc/passwd", "/chatui/..%2f..%2f..%2fetc%2fpasswd", "/../../etc/passwd"):
        status, body = raw_request(api, "GET", path, {})
        assert status in (400, 404), (path, status)
        assert b"root:" not in body
    ok = client.get(f"/api/runs/{run_id}/artifacts/frontend/package.json")
    assert ok.status_code == 200 and ok.text == '{"name": "app"}'
    assert_clean(ok)
    archive = client.get(f"/api/runs/{run_id}/artifacts.zip")
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        for name in zipped.namelist():
            assert not name.startswith("/") and ".." not in name.split("/"), name


def test_artifact_files_are_served_with_nosniff_and_never_as_html(client: httpx.Client) -> None:
    run_id = client.post("/api/workflows/execute", json={"workflow": "files"}).json()["run_id"]
    one = client.get(f"/api/runs/{run_id}/artifacts/frontend/src/App.tsx")
    assert one.headers["x-content-type-options"] == "nosniff"
    assert not one.headers["content-type"].startswith("text/html")


# -- errors in general -----------------------------------------------------------------------
def test_errors_are_json_without_traceback_and_carry_security_headers(client: httpx.Client) -> None:
    assert_error(client.get("/api/nope"), 404)
    assert_error(client.delete("/api/runs"), 405)
    assert_error(client.get("/api/runs/does-not-exist"), 404)
    assert_error(client.post("/api/workflows/execute", content=b"{", headers={"Content-Type": "application/json"}), 400)
    ok = client.get("/api/runs")
    assert_clean(ok)
    assert ok.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in ok.headers["content-security-policy"]
    assert ok.headers["cache-control"] == "no-store"


def test_failed_runs_report_errors_without_traceback(client: httpx.Client, tmp_path: Path) -> None:
    payload = {"workflow": "flaky", "input": {"marker": str(tmp_path / "none"), "log": str(tmp_path / "log")}}
    response = client.post("/api/workflows/execute", json=payload)
    assert response.json()["status"] == "failed"
    run_id = response.json()["run_id"]
    for path in (f"/api/runs/{run_id}", f"/api/runs/{run_id}/events"):
        text = client.get(path).text
        assert "Traceback" not in text and 'File "' not in text, text
    wait_status(client, run_id, {"failed"})
