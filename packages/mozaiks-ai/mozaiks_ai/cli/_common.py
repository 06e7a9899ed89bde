"""Helpers shared by the CLI commands: configuration, engine lifetime, error reporting, output."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from mozaiks_ai.config import RuntimeConfig
from mozaiks_ai.errors import (
    ConfigurationError,
    DefinitionError,
    InputValidationError,
    MozaiksError,
    RunNotFoundError,
    RunStateError,
)

T = TypeVar("T")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def config_from(workflows: Sequence[str], db: str | None) -> RuntimeConfig:
    """Build the configuration from the environment plus CLI options."""
    try:
        return RuntimeConfig.from_env(
            workflow_paths=tuple(Path(p) for p in workflows) or None,
            db_url=db,
        )
    except ConfigurationError as exc:
        fail(str(exc))
        raise  # unreachable


def fail(message: str, code: int = EXIT_USAGE) -> None:
    """Print an error to stderr and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine, turning expected errors into messages and exit codes (never tracebacks)."""
    try:
        return asyncio.run(make())  # type: ignore[arg-type]
    except (DefinitionError, InputValidationError, ConfigurationError) as exc:
        fail(str(exc), EXIT_USAGE)
    except (RunNotFoundError, RunStateError) as exc:
        fail(str(exc), EXIT_USAGE)
    except MozaiksError as exc:
        fail(str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        fail("interrupted; unfinished runs can be resumed with 'mozaiks-ai runs resume RUN_ID'", 130)
    raise AssertionError("unreachable")


def dump_json(value: Any) -> str:
    """Serialise for ``--json`` output."""
    return json.dumps(value, indent=2, default=str, ensure_ascii=False)


def parse_input(raw_json: str | None, pairs: Sequence[str]) -> dict[str, Any]:
    """Combine ``--input JSON`` and ``-i key=value`` options (values parsed as JSON when they parse)."""
    data: dict[str, Any] = {}
    if raw_json:
        try:
            loaded = json.loads(raw_json)
        except json.JSONDecodeError as exc:
            fail(f"--input is not valid JSON: {exc.msg} at position {exc.pos}")
        if not isinstance(loaded, dict):
            fail('--input must be a JSON object such as \'{"name": "Ada"}\'')
        data.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"-i expects key=value, got {pair!r}")
        try:
            data[key] = json.loads(value)
        except json.JSONDecodeError:
            data[key] = value
    return data


def print_output(output: Any) -> None:
    """Print a run's output: strings as they are, anything else as JSON."""
    if output is None:
        return
    click.echo(output if isinstance(output, str) else dump_json(output))
