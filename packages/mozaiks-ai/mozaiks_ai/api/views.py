"""JSON shapes of runs, steps and artifacts in API answers."""

from __future__ import annotations

import base64
from typing import Any

from mozaiks_ai.definitions.models import Workflow
from mozaiks_ai.state.records import ArtifactRecord, RunRecord, StepRecord

__all__ = ["generated_files", "run_view", "step_view", "workflow_view"]


def workflow_view(workflow: Workflow, *, full: bool = False) -> dict[str, Any]:
    """A workflow as listed by ``/api/workflows``."""
    view: dict[str, Any] = {
        "id": workflow.id,
        "name": workflow.name,
        "description": workflow.description,
        "trigger": {
            "events": list(workflow.trigger.events),
            "schedule": workflow.trigger.schedule,
            "webhook": workflow.trigger.webhook,
        },
        "inputs": workflow.input_schema(),
        "content_hash": workflow.content_hash,
    }
    if full:
        view["steps"] = [s.model_dump(mode="json", exclude_defaults=True, exclude={"line"}) for s in workflow.steps]
        view["tools"] = list(workflow.tools)
    return view


def run_view(run: RunRecord) -> dict[str, Any]:
    """A run as returned by the API (context and leases stay internal)."""
    view: dict[str, Any] = {
        "run_id": run.id,
        "workflow": run.workflow_id,
        "workflow_hash": run.workflow_hash,
        "status": run.status,
        "input": run.input,
        "output": run.output,
        "app_id": run.app_id,
        "user_id": run.user_id,
        "session_id": run.session_id,
        "created_at": run.created_at,
        "updated_at": run.updated_at,
    }
    if run.error is not None:
        view["error"] = run.error
    if run.context.get("trigger"):
        view["trigger"] = run.context["trigger"]
    return view


def step_view(step: StepRecord) -> dict[str, Any]:
    """A step record."""
    return {
        "path": step.path,
        "status": step.status,
        "output": step.output,
        "error": step.error,
        "attempts": step.attempts,
        "started_at": step.started_at,
        "finished_at": step.finished_at,
    }


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(content).decode()


def generated_files(artifacts: list[ArtifactRecord]) -> dict[str, dict[str, str]]:
    """Group artifact files by top folder: ``{"frontend": {"package.json": "…"}}``.

    Files at the top level are grouped under ``""``; binary files are ``"base64:…"`` strings.
    """
    groups: dict[str, dict[str, str]] = {}
    for artifact in artifacts:
        top, _, rest = artifact.path.partition("/")
        folder, name = (top, rest) if rest else ("", top)
        groups.setdefault(folder, {})[name] = _text(artifact.content)
    return groups
