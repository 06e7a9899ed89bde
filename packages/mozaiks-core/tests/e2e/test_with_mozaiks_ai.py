"""A mozaiks-core app and a real ``mozaiks-ai serve``, both as subprocesses, talking with scoped credentials.

The app emits ``task.created`` → the outbox delivers it to mozaiks-ai with a short-lived ``events:publish`` token
minted for the user → the triggered workflow calls the app back with the app-scoped token (``call_app_api``,
acting for that user) → the app stores the summary → the user reads it through the app's API.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent
AI_SECRET = "ai-shared-secret-" + "x" * 32
APP_TOKEN = "app-scoped-token-" + "y" * 32

APP = """
from mozaiks_core_runtime import App, auth, db, events

app = App("e2e-app")


@app.post("/api/tasks")
@auth.require_user
def create_task(request):
    task = db.tasks.create(title=request.data["title"])
    events.emit("task.created", task)
    return {"id": task.id}, 201


@app.get("/api/tasks/{task_id}")
@auth.require_user
def read_task(request, task_id):
    return db.tasks.get(task_id)


@app.post("/api/tasks/{task_id}/summary")
@auth.require_app
def save_summary(request, task_id):
    return db.tasks.update(task_id, summary=request.data["summary"], by=auth.current_user().id)
"""

WORKFLOW = """
name: Summarize task
trigger: task.created
steps:
  - save:
      call_app_api:
        endpoint: "/api/tasks/{{ task.id }}/summary"
        method: POST
        json: {summary: "Summary of {{ task.title }}"}
output: "{{ steps.save.output }}"
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cmd: list[str], env: dict[str, str], url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{cmd[0]} exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"{cmd[0]} did not start:\n{log.read_text()}")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[str, str]]:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(textwrap.dedent(APP))
    (tmp_path / "workflows" / "summarize").mkdir(parents=True)
    (tmp_path / "workflows" / "summarize" / "workflow.yml").write_text(WORKFLOW)
    ai_port, app_port = _port(), _port()
    ai_url, app_url = f"http://127.0.0.1:{ai_port}", f"http://127.0.0.1:{app_port}"
    base = {k: v for k, v in os.environ.items() if not k.startswith("MOZAIKS_")}
    ai_env = {
        **base,
        "MOZAIKS_AI_JWT_SECRET": AI_SECRET,
        "MOZAIKS_APP_API_URL": app_url,
        "MOZAIKS_APP_API_TOKEN": APP_TOKEN,
    }
    app_env = {
        **base,
        "MOZAIKS_ENV": "test",
        "MOZAIKS_JWT_SECRET": "app-jwt-secret-" + "z" * 32,
        "MOZAIKS_DB_URL": f"sqlite:///{tmp_path}/app.db",
        "MOZAIKS_AI_URL": ai_url,
        "MOZAIKS_AI_JWT_SECRET": AI_SECRET,
        "MOZAIKS_APP_API_TOKEN": APP_TOKEN,
    }
    procs = []
    try:
        ai_cmd = [str(BIN / "mozaiks-ai"), "serve", "--port", str(ai_port), "-w", str(tmp_path / "workflows"),
                  "--db", f"sqlite:///{tmp_path}/ai.db"]  # fmt: skip
        procs.append(_start(ai_cmd, ai_env, ai_url, tmp_path / "ai.log"))
        app_cmd = [str(BIN / "mozaiks-core"), "serve", str(tmp_path / "app"), "--port", str(app_port)]
        procs.append(_start(app_cmd, app_env, app_url, tmp_path / "app.log"))
        yield ai_url, app_url
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_event_runs_the_workflow_which_calls_the_app_back_for_the_user(stack: tuple[str, str]) -> None:
    ai_url, app_url = stack
    with httpx.Client(base_url=app_url, timeout=10) as app:
        signup = app.post("/api/auth/signup", json={"email": "ada@example.com", "password": "correct horse battery"})
        assert signup.status_code in (200, 201), signup.text
        user = {"Authorization": f"Bearer {signup.json()['access_token']}"}
        created = app.post("/api/tasks", json={"title": "ship it"}, headers=user)
        assert created.status_code == 201, created.text
        task_id = created.json()["id"]
        deadline = time.monotonic() + 30
        task = app.get(f"/api/tasks/{task_id}", headers=user).json()
        while "summary" not in task and time.monotonic() < deadline:
            time.sleep(0.2)
            task = app.get(f"/api/tasks/{task_id}", headers=user).json()
        assert task["summary"] == "Summary of ship it"
        assert task["by"] == task["owner"]  # the workflow acted for the user who created the task
        # The callback route is for workflows only: a user's own token is refused, and so is no token.
        assert app.post(f"/api/tasks/{task_id}/summary", json={"summary": "x"}, headers=user).status_code == 403
        assert app.post(f"/api/tasks/{task_id}/summary", json={"summary": "x"}).status_code == 401
    # The runtime knows the run under the user's id; a scoped token cannot list runs.
    with httpx.Client(base_url=ai_url, timeout=10) as ai:
        assert ai.get("/api/runs").status_code == 401
