"""``mozaiks-ai runs list|show|resume|cancel|retry|input``."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from mozaiks_ai.cli._common import EXIT_FAILED, EXIT_OK, config_from, dump_json, fail, print_output, run_async
from mozaiks_ai.cli.progress import make_progress
from mozaiks_ai.state.records import RunRecord

__all__ = ["runs"]

_db_option = click.option("--db", "db", default=None, help="Store URL (default: $MOZAIKS_DB_URL).")
_wf_option = click.option("--workflows", "-w", "paths", multiple=True, type=click.Path(file_okay=False))


def _row(run: RunRecord) -> dict[str, Any]:
    return {
        "run_id": run.id,
        "workflow": run.workflow_id,
        "status": run.status,
        "app_id": run.app_id,
        "user_id": run.user_id,
        "created_at": run.created_at,
        "updated_at": run.updated_at,
        "workflow_hash": run.workflow_hash,
        "output": run.output,
        "error": run.error,
    }


@click.group()
def runs() -> None:
    """Inspect and control runs."""


async def _with_store(db: str | None, fn: Any) -> Any:
    from mozaiks_ai.state import open_store

    store = open_store(config_from((), db).db_url)
    await store.open()
    try:
        return await fn(store)
    finally:
        await store.close()


@runs.command("list")
@click.option("--status", default=None)
@click.option("--workflow", default=None)
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@_db_option
def list_(status: str | None, workflow: str | None, limit: int, as_json: bool, db: str | None) -> None:
    """List recent runs, newest first."""
    found = run_async(lambda: _with_store(db, lambda s: s.list_runs(status=status, workflow_id=workflow, limit=limit)))
    if as_json:
        click.echo(dump_json([_row(r) for r in found]))
        return
    for run in found:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.created_at))
        click.echo(f"{run.id}  {run.status:<10} {run.workflow_id:<24} {when}")


@runs.command()
@click.argument("run_id")
@click.option("--events", "with_events", is_flag=True, help="Include the event log.")
@_db_option
def show(run_id: str, with_events: bool, db: str | None) -> None:
    """Show a run with its steps (and events) as JSON."""

    async def go(store: Any) -> Any:
        run = await store.get_run(run_id)
        if run is None:
            fail(f"run {run_id} not found")
        info = _row(run)
        info["input"] = run.input
        info["steps"] = [
            {"path": s.path, "status": s.status, "output": s.output, "error": s.error, "attempts": s.attempts}
            for s in await store.get_steps(run_id)
        ]
        info["artifacts"] = [{"path": a.path, "size": a.size} for a in await store.list_artifacts(run_id)]
        if with_events:
            info["events"] = [e.to_dict() for e in await store.list_events(run_id)]
        return info

    click.echo(dump_json(run_async(lambda: _with_store(db, go))))


def _engine_command(db: str | None, paths: tuple[str, ...], quiet: bool, action: Any) -> RunRecord:
    config = config_from(paths, db)

    async def go() -> RunRecord:
        from mozaiks_ai.executor.engine import Engine

        async with await Engine.open(config) as engine:
            progress = make_progress(not quiet)
            if progress is None:
                return await action(engine)  # type: ignore[no-any-return]
            with progress:
                engine.bus.subscribe(progress)
                return await action(engine)  # type: ignore[no-any-return]

    return run_async(go)


def _report(run: RunRecord, as_json: bool) -> None:
    if as_json:
        click.echo(dump_json(_row(run)))
    elif run.status == "succeeded":
        print_output(run.output)
    else:
        click.echo(f"run {run.id} is {run.status}" + (f": {run.error['message']}" if run.error else ""), err=True)
    sys.exit(EXIT_OK if run.status in ("succeeded", "waiting", "running", "pending") else EXIT_FAILED)


@runs.command()
@click.argument("run_id")
@click.option("--force", is_flag=True, help="Take the run over even if another process seems to hold it.")
@click.option("--json", "as_json", is_flag=True)
@_wf_option
@_db_option
def resume(run_id: str, force: bool, as_json: bool, paths: tuple[str, ...], db: str | None) -> None:
    """Resume an unfinished run (after a crash or restart) from its first unfinished step."""
    _report(_engine_command(db, paths, as_json, lambda e: e.resume(run_id, force=force)), as_json)


@runs.command()
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True)
@_wf_option
@_db_option
def retry(run_id: str, as_json: bool, paths: tuple[str, ...], db: str | None) -> None:
    """Run a failed run again from its failed step (completed steps are not repeated)."""
    _report(_engine_command(db, paths, as_json, lambda e: e.retry(run_id)), as_json)


@runs.command()
@click.argument("run_id")
@_wf_option
@_db_option
def cancel(run_id: str, paths: tuple[str, ...], db: str | None) -> None:
    """Cancel a run."""
    run = _engine_command(db, paths, True, lambda e: e.cancel(run_id))
    click.echo(
        f"run {run.id}: {run.status}"
        + (" (cancel requested; its worker stops at the next step)" if run.status != "cancelled" else "")
    )


@runs.command("input")
@click.argument("run_id")
@click.option("--data", "data", required=True, help="The answer, as JSON (a bare word is taken as a string).")
@click.option("--step", default=None, help="The waiting step's path, when several wait.")
@click.option("--json", "as_json", is_flag=True)
@_wf_option
@_db_option
def input_(run_id: str, data: str, step: str | None, as_json: bool, paths: tuple[str, ...], db: str | None) -> None:
    """Answer a run that waits for input, and continue it."""
    try:
        value = json.loads(data)
    except json.JSONDecodeError:
        value = data
    _report(_engine_command(db, paths, as_json, lambda e: e.submit_input(run_id, value, step=step)), as_json)


@runs.command()
@click.option("--older-than", "days", type=float, default=None, help="Days (default: $MOZAIKS_RETENTION_DAYS, 30).")
@_db_option
def prune(days: float | None, db: str | None) -> None:
    """Delete finished runs (with their steps, events and artifacts) older than the retention period."""
    config = config_from((), db)
    keep = config.retention_days if days is None else days
    count = run_async(lambda: _with_store(db, lambda s: s.prune(time.time() - keep * 86400)))
    click.echo(f"pruned {count} finished runs older than {keep:g} days")
