"""The ``mozaiks-ai`` command line.

Exit codes: 0 the run succeeded (or waits for input), 1 the run failed or was cancelled, 2 bad
usage, definition or input. The server is imported only by ``serve`` so ``run`` starts fast.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import click

from mozaiks_ai.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    config_from,
    dump_json,
    fail,
    parse_input,
    print_output,
    run_async,
)
from mozaiks_ai.cli.progress import make_progress
from mozaiks_ai.cli.runs import runs
from mozaiks_ai.cli.workflows import workflows

__all__ = ["main"]

_workflows_option = click.option(
    "--workflows",
    "-w",
    "workflow_paths",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Folder of workflows (repeatable; default: $MOZAIKS_WORKFLOWS_PATH, else ./workflows and the examples).",
)
_db_option = click.option(
    "--db", "db", default=None, help="Store URL (default: $MOZAIKS_DB_URL or SQLite in ./.mozaiks)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mozaiks-ai")
def cli() -> None:
    """Mozaiks AI: run durable AI workflows defined in YAML."""


def run_result(run: Any) -> dict[str, Any]:
    """The JSON object ``run --json`` prints."""
    out: dict[str, Any] = {"run_id": run.id, "workflow": run.workflow_id, "status": run.status, "output": run.output}
    if run.error:
        out["error"] = run.error
    return out


@cli.command()
@click.argument("workflow")
@click.option("--input", "input_json", default=None, help="Input as a JSON object.")
@click.option("-i", "pairs", multiple=True, metavar="KEY=VALUE", help="One input field (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: run_id, status, output.")
@click.option("--idempotency-key", default=None, help="Return the existing run for this key instead of starting one.")
@click.option("--quiet", "-q", is_flag=True, help="Do not show progress.")
@_workflows_option
@_db_option
def run(
    workflow: str,
    input_json: str | None,
    pairs: tuple[str, ...],
    as_json: bool,
    idempotency_key: str | None,
    quiet: bool,
    workflow_paths: tuple[str, ...],
    db: str | None,
) -> None:
    """Run WORKFLOW and wait for its result."""
    config = config_from(workflow_paths, db)
    data = parse_input(input_json, pairs)

    async def go() -> Any:
        from mozaiks_ai.executor.engine import Engine

        async with await Engine.open(config) as engine:
            progress = make_progress(not quiet and not as_json)
            if progress is None:
                result = await engine.run(workflow, data, idempotency_key=idempotency_key)
                await engine.drain()
                return result
            with progress:
                engine.bus.subscribe(progress)
                result = await engine.run(workflow, data, idempotency_key=idempotency_key)
                await engine.drain()  # runs its events started finish here too
                return result

    result = run_async(go)
    if as_json:
        click.echo(dump_json(run_result(result)))
    elif result.status == "succeeded":
        print_output(result.output)
    elif result.status == "waiting":
        click.echo(
            f"run {result.id} is waiting for input; answer with: mozaiks-ai runs input {result.id} --data '<json>'",
            err=True,
        )
    else:
        message = (result.error or {}).get("message", result.status)
        click.echo(f"error: run {result.id} {result.status}: {message}", err=True)
        click.echo(
            f"hint: fix the cause, then 'mozaiks-ai runs retry {result.id}' resumes from the failed step", err=True
        )
    sys.exit(EXIT_OK if result.status in ("succeeded", "waiting") else EXIT_FAILED)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of workflow.yml (for editors)."""
    from mozaiks_ai.definitions.schema import workflow_json_schema

    click.echo(dump_json(workflow_json_schema()))


@cli.command()
@click.option("--poll", default=1.0, show_default=True, help="Seconds between looks for ready runs.")
@_workflows_option
@_db_option
def worker(poll: float, workflow_paths: tuple[str, ...], db: str | None) -> None:
    """Execute runs only (for several processes sharing one PostgreSQL store)."""
    config = config_from(workflow_paths, db)

    async def go() -> None:
        from mozaiks_ai.executor.engine import Engine

        async with await Engine.open(config) as engine:
            click.echo(
                f"worker {engine.worker_id} on {engine.store.url.split('@')[-1]}: "
                f"{len(engine.registry.workflows)} workflows",
                err=True,
            )
            await engine.work(poll)

    try:
        run_async(go)
    except SystemExit:
        raise


@cli.command()
@click.option("--host", default=None, help="Interface (default 127.0.0.1; with no auth configured always 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default $MOZAIKS_AI_PORT or 8080).")
@_workflows_option
@_db_option
def serve(host: str | None, port: int | None, workflow_paths: tuple[str, ...], db: str | None) -> None:
    """Start the HTTP/WebSocket API and ChatUI."""
    from mozaiks_ai.config import ServerConfig
    from mozaiks_ai.errors import ConfigurationError

    config = config_from(workflow_paths, db)
    try:
        server = ServerConfig.from_env(config.environ, host=host, port=port)
    except ConfigurationError as exc:
        fail(str(exc))
        return
    if not server.auth_enabled and server.host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: no authentication is configured, so the server binds to 127.0.0.1, not {server.host} "
            "(set MOZAIKS_AI_TOKEN or MOZAIKS_AI_JWT_SECRET to listen on other interfaces)",
            err=True,
        )
        server = ServerConfig.from_env(config.environ, host="127.0.0.1", port=port)
    elif not server.auth_enabled:
        click.echo("note: no authentication is configured; listening on 127.0.0.1 only", err=True)
    import uvicorn

    from mozaiks_ai.api import create_app

    shown = "localhost" if server.host in ("127.0.0.1", "::1") else server.host
    click.echo(f"Mozaiks AI runtime on http://{shown}:{server.port}  (ChatUI at /, API docs at /docs)", err=True)
    uvicorn.run(
        create_app(config, server),
        host=server.host,
        port=server.port,
        log_level="info",
        proxy_headers=False,
        server_header=False,
    )


cli.add_command(workflows)
cli.add_command(runs)


def main() -> None:
    """Entry point of the ``mozaiks-ai`` script."""
    started = time.perf_counter()
    del started
    try:
        cli.main(prog_name="mozaiks-ai")
    except asyncio.CancelledError:  # pragma: no cover - interrupted
        fail("interrupted", 130)
