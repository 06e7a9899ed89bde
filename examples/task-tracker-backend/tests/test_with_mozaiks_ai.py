"""End to end over the real wire: task.created from this app starts a workflow on a real ``mozaiks-ai serve``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_task_tracker import free_port, serve, signup, stop

AI_CLI = Path(sys.executable).with_name("mozaiks-ai")
TOKEN = "ai-token-0123456789abcdef"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not AI_CLI.exists(), reason="mozaiks-ai is not installed in this environment"),
]


def test_task_created_runs_the_matching_workflow_on_mozaiks_ai(tmp_path: Path) -> None:
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    (workflows / "notifications.yml").write_text(
        "trigger: task.created\nsteps:\n  - echo: 'New task: {{ task.title }}'\n"
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOZAIKS_")}
    env.update(
        MOZAIKS_WORKFLOWS_PATH=str(workflows), MOZAIKS_AI_TOKEN=TOKEN, MOZAIKS_DB_URL=f"sqlite:///{tmp_path}/ai.db"
    )
    ai = subprocess.Popen(
        [str(AI_CLI), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    ai_url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{ai_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert ai.poll() is None and time.monotonic() < deadline, "mozaiks-ai did not start"
            time.sleep(0.1)
        app, base = serve(f"sqlite:///{tmp_path}/app.db", {"MOZAIKS_AI_URL": ai_url, "MOZAIKS_AI_TOKEN": TOKEN})
        try:
            user = signup(base, "dana@example.com")
            httpx.post(f"{base}/api/tasks", json={"title": "call the plumber"}, headers=user).raise_for_status()
            runs: list[dict[str, Any]] = []
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                body = httpx.get(f"{ai_url}/api/runs", headers=headers, timeout=5).json()
                runs = body if isinstance(body, list) else body.get("runs", [])
                if runs and all(r.get("status") not in ("pending", "running") for r in runs):
                    break
                time.sleep(0.1)
        finally:
            stop(app)
        assert len(runs) == 1, runs
        run_id = runs[0].get("id") or runs[0]["run_id"]
        run = httpx.get(f"{ai_url}/api/runs/{run_id}", headers=headers, timeout=5).json()
        assert run["status"] == "succeeded", run
        assert "call the plumber" in str(run)
    finally:
        stop(ai)
