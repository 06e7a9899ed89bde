"""The SPEC §4 snippet, verbatim in main.py, served by ``mozaiks-core serve`` in a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from mozaiks_core_runtime.docdb import Database

APP_DIR = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("mozaiks-core")
SECRET = "example-secret-0123456789-abcdefghijklmnop"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Peer:
    """Records what arrives at ``POST /api/events`` (stands in for mozaiks-ai)."""

    def __init__(self) -> None:
        self.events: list[tuple[dict[str, str], Any]] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                peer.events.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(202)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def peer() -> Iterator[Peer]:
    p = Peer()
    yield p
    p.close()


def serve(db_url: str, extra: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOZAIKS_")}
    env.update({"MOZAIKS_DB_URL": db_url, "MOZAIKS_JWT_SECRET": SECRET, "MOZAIKS_ENV": "test", **extra})
    proc = subprocess.Popen([str(CLI), "serve", str(APP_DIR), "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("mozaiks-core serve did not become ready")
        time.sleep(0.1)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def signup(base: str, email: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/auth/signup", json={"email": email, "password": "a long passphrase"})
    assert response.status_code == 201, response.text
    login = httpx.post(f"{base}/api/auth/login", json={"email": email, "password": "a long passphrase"})
    assert login.status_code == 200
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_snippet_runs_under_serve_scopes_tasks_and_fills_the_outbox(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path}/tracker.db"
    proc, base = serve(db_url, {})
    try:
        alice, bob = signup(base, "alice@example.com"), signup(base, "bob@example.com")
        assert httpx.post(f"{base}/api/tasks", json={"title": "anonymous"}).status_code == 401
        created = httpx.post(f"{base}/api/tasks", json={"title": "write the spec"}, headers=alice)
        assert created.status_code == 200, created.text
        task_id = created.json()["id"]
    finally:
        stop(proc)
    database = Database(db_url, "task-tracker")
    task = database.tasks.get(task_id)
    assert task["title"] == "write the spec" and task["owner"] != "bob"
    from mozaiks_core_runtime._identity import RequestState, User, use_state

    with use_state(RequestState(lambda: User("someone-else"))):
        with pytest.raises(Exception, match="no such document"):
            database.tasks.get(task_id)
    outbox = list(database.system("outbox").find())
    assert [(e["type"], e["status"], e["data"]["id"]) for e in outbox] == [("task.created", "pending", task_id)]
    database.close()
    del bob


def test_list_route_pages_through_the_callers_own_tasks(tmp_path: Path) -> None:
    proc, base = serve(f"sqlite:///{tmp_path}/tracker.db", {})
    try:
        alice, bob = signup(base, "alice@example.com"), signup(base, "bob@example.com")
        assert httpx.get(f"{base}/api/tasks").status_code == 401
        for title in ("first", "second"):
            httpx.post(f"{base}/api/tasks", json={"title": title}, headers=alice).raise_for_status()
        listed = httpx.get(f"{base}/api/tasks", headers=alice)
        assert listed.status_code == 200, listed.text
        assert [t["title"] for t in listed.json()["tasks"]] == ["first", "second"]
        assert listed.json()["next_cursor"] is None
        assert httpx.get(f"{base}/api/tasks", headers=bob).json() == {"tasks": [], "next_cursor": None}
    finally:
        stop(proc)


def test_task_created_is_delivered_to_mozaiks_ai(tmp_path: Path, peer: Peer) -> None:
    proc, base = serve(
        f"sqlite:///{tmp_path}/tracker.db", {"MOZAIKS_AI_URL": peer.url, "MOZAIKS_AI_TOKEN": "ai-secret"}
    )
    try:
        headers = signup(base, "carol@example.com")
        task_id = httpx.post(f"{base}/api/tasks", json={"title": "notify me"}, headers=headers).json()["id"]
        deadline = time.monotonic() + 10
        while not peer.events and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop(proc)
    assert len(peer.events) == 1
    headers_seen, body = peer.events[0]
    assert headers_seen["authorization"] == "Bearer ai-secret"
    assert body["type"] == "task.created" and body["data"]["id"] == task_id and body["data"]["title"] == "notify me"
