"""The shipped examples run as documented (README, scripts/run-examples)."""

from __future__ import annotations

import email
import json
import subprocess
from collections.abc import Callable
from email import policy
from pathlib import Path

import pytest
from mozaiks_ai import Engine, RuntimeConfig
from mozaiks_ai.config import bundled_examples

Cli = Callable[..., subprocess.CompletedProcess[str]]
TASK = {"title": "Ship it", "priority": "high", "assignee": {"email": "ada@example.com", "name": "Ada"}}


def test_hello_world(cli: Cli) -> None:
    result = cli("run", "hello-world", "-i", "name=Mozaiks", "--json")
    assert json.loads(result.stdout)["output"] == "Hello, Mozaiks!"


def test_basic_automation(cli: Cli, tmp_path: Path) -> None:
    result = cli("run", "basic-automation", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["output"]["count"] == 3
    assert payload["output"]["items"][0] == "1. apples (6 letters)"
    shown = json.loads(cli("runs", "show", payload["run_id"]).stdout)
    assert shown["artifacts"] == [{"path": "reports/summary.md", "size": shown["artifacts"][0]["size"]}]
    skipped = [s for s in shown["steps"] if s["path"] == "loud"]
    assert skipped[0]["status"] == "skipped", "shout defaults to false"


def test_email_automation_writes_to_the_outbox(cli: Cli, tmp_path: Path) -> None:
    result = cli("run", "email-automation", "--input", json.dumps({"task": TASK}), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["output"] == {
        "delivered_to": ["ada@example.com"],
        "delivery": "outbox",
        "escalated": True,
    }
    messages = {p.name.split("-", 1)[1]: p for p in (tmp_path / "outbox").glob("*.eml")}
    assert sorted(messages) == ["escalate.eml", "notify.eml"]
    notify = email.message_from_bytes(messages["notify.eml"].read_bytes(), policy=policy.default)
    assert notify["To"] == "ada@example.com" and notify["Subject"] == "New task: Ship it"
    assert "Hello Ada" in notify.get_content()


@pytest.mark.anyio
async def test_email_automation_runs_on_task_created(tmp_path: Path) -> None:
    examples = bundled_examples()
    assert examples is not None
    config = RuntimeConfig.from_env(
        {},
        workflow_paths=(examples,),
        db_url=f"sqlite:///{tmp_path}/db.sqlite",
        load_entry_points=False,
        outbox_dir=tmp_path / "outbox",
    )
    async with await Engine.open(config) as engine:
        runs = await engine.emit_event("task.created", {**TASK, "priority": "low"}, event_id="evt-1")
        assert [r.workflow_id for r in runs] == ["email-automation"]
        await engine.drain()
        run = await engine.get_run(runs[0].id)
        assert run.status == "succeeded", run.error
        assert run.output == {"delivered_to": ["ada@example.com"], "delivery": "outbox", "escalated": False}
        again = await engine.emit_event("task.created", TASK, event_id="evt-1")
        assert [r.id for r in again] == [run.id], "the event id is the idempotency key"
