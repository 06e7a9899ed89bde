"""``mozaiks-ai workflows list|validate|show``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from mozaiks_ai.cli._common import EXIT_OK, EXIT_USAGE, config_from, dump_json
from mozaiks_ai.definitions import WorkflowRegistry, entry_point_roots
from mozaiks_ai.definitions.models import Workflow

__all__ = ["workflows"]


def _registry(paths: tuple[str, ...]) -> WorkflowRegistry:
    config = config_from(paths, None)
    roots = config.workflow_roots()
    if config.load_entry_points and not paths:
        roots += entry_point_roots()
    return WorkflowRegistry.from_roots(roots, enabled=config.workflows_enabled)


def _describe(workflow: Workflow) -> dict[str, Any]:
    return {
        "id": workflow.id,
        "name": workflow.name,
        "description": workflow.description,
        "trigger": list(workflow.trigger.events),
        "inputs": workflow.input_schema(),
        "steps": len(workflow.steps),
        "source": str(workflow.source),
        "content_hash": workflow.content_hash,
        "tools": list(workflow.tools),
    }


@click.group()
def workflows() -> None:
    """List, validate and inspect workflow definitions."""


@workflows.command("list")
@click.option("--workflows", "-w", "paths", multiple=True, type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True)
def list_(paths: tuple[str, ...], as_json: bool) -> None:
    """List the workflows found (invalid ones too, with their error)."""
    registry = _registry(paths)
    if as_json:
        click.echo(
            dump_json(
                {
                    "workflows": [_describe(w) for _, w in sorted(registry.workflows.items())],
                    "invalid": [
                        {"id": k, "error": str(e), "file": e.file, "line": e.line}
                        for k, e in sorted(registry.invalid.items())
                    ],
                }
            )
        )
        return
    for workflow_id, workflow in sorted(registry.workflows.items()):
        trigger = f"  [on {', '.join(workflow.trigger.events)}]" if workflow.trigger.events else ""
        click.echo(f"{workflow_id:<28} {workflow.name}{trigger}")
    for workflow_id, error in sorted(registry.invalid.items()):
        click.echo(f"{workflow_id:<28} INVALID: {error}")
    if not registry.workflows and not registry.invalid:
        click.echo("no workflows found; pass --workflows DIR or set MOZAIKS_WORKFLOWS_PATH", err=True)


@workflows.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True)
def validate(path: str, as_json: bool) -> None:
    """Validate every workflow under PATH; exit 2 if any is invalid."""
    registry = WorkflowRegistry.from_roots([Path(path)])
    if as_json:
        click.echo(
            dump_json(
                {
                    "valid": sorted(registry.workflows),
                    "invalid": [
                        {"id": k, "file": e.file, "line": e.line, "error": e.problem}
                        for k, e in sorted(registry.invalid.items())
                    ],
                }
            )
        )
    else:
        for workflow_id in sorted(registry.workflows):
            click.echo(f"ok       {workflow_id}")
        for workflow_id, error in sorted(registry.invalid.items()):
            click.echo(f"invalid  {workflow_id}: {error}")
        click.echo(f"{len(registry.workflows)} valid, {len(registry.invalid)} invalid", err=True)
    if not registry.workflows and not registry.invalid:
        click.echo(f"error: no workflow.yml or *.yml found under {path}", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_USAGE if registry.invalid else EXIT_OK)


@workflows.command()
@click.argument("workflow_id")
@click.option("--workflows", "-w", "paths", multiple=True, type=click.Path(file_okay=False))
def show(workflow_id: str, paths: tuple[str, ...]) -> None:
    """Show one workflow: inputs, trigger and steps."""
    from mozaiks_ai.errors import WorkflowNotFoundError

    registry = _registry(paths)
    try:
        workflow = registry.get(workflow_id)
    except WorkflowNotFoundError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    info = _describe(workflow)
    info["steps"] = [step.model_dump(exclude_defaults=True, exclude={"line"}) for step in workflow.steps]
    click.echo(dump_json(info))
