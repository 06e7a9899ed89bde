"""Durable waits: ``sleep`` and ``wait_for_input`` hold no task while they wait.

The wait is recorded first (a ``waiting`` step record with its deadline). A short sleep (up to
:data:`INLINE_SLEEP` seconds) then simply awaits; anything longer suspends the run: its status
becomes ``waiting`` with ``wake_at``, the task ends, and a timer (or, after a restart, the worker
that claims due runs) resumes it. Input answers resume it through :meth:`Engine.submit_input`.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from mozaiks_ai._durations import parse_duration
from mozaiks_ai.definitions.models import Step, Workflow
from mozaiks_ai.errors import ActionError, StepError
from mozaiks_ai.executor.expressions import render_value
from mozaiks_ai.executor.signals import Suspend
from mozaiks_ai.state.records import Batch, StepRecord

if TYPE_CHECKING:
    from mozaiks_ai.executor.run import RunExecution

__all__ = ["INLINE_SLEEP", "sleep", "wait_for_input"]

#: Sleeps up to this many seconds are awaited in the run's task; longer ones suspend the run.
INLINE_SLEEP = 1.0


async def _complete(
    execution: RunExecution,
    step: Step,
    path: str,
    scope: dict[str, Any],
    output: Any,
    started: float,
    event: tuple[str, dict[str, Any]] | None = None,
) -> Any:
    record = StepRecord(execution.run.id, path, "completed", execution.redact(output), None, 1, started, time.time())
    batch = Batch(steps=[record])
    if event is not None:
        execution.emit(event[0], path, event[1], batch)
    execution.emit("step.completed", path, {"name": step.name, "output": record.output, "attempts": 1}, batch)
    execution.open_steps.pop(path, None)
    await execution.engine.store.submit(batch)
    execution.done[path] = record
    execution.bind(scope, step, record)
    return record.output


async def sleep(
    execution: RunExecution, step: Step, scope: dict[str, Any], path: str, record: StepRecord | None
) -> Any:
    """Run a ``sleep`` step durably."""
    now = time.time()
    if record is None:
        params = render_value(step.params, scope)
        raw = params.get("duration", params.get("seconds")) if isinstance(params, dict) else params
        try:
            duration = parse_duration(raw)
        except ValueError as exc:
            error = ActionError(f"sleep: {exc}", step=path)
            return await execution._fail(step, path, error, 1, now, scope)
        wake_at = now + duration
        record = StepRecord(execution.run.id, path, "waiting", started_at=now, data={"wake_at": wake_at})
        batch = Batch(steps=[record])
        execution.emit(
            "step.started", path, {"name": step.name, "kind": "action", "uses": "sleep", "wake_at": wake_at}, batch
        )
        execution.open_steps[path] = now
        execution.done[path] = record
        if duration > INLINE_SLEEP:
            await execution.engine.store.submit(batch)
            raise Suspend(wake_at)
        execution.engine.store.submit_nowait(batch)
    wake_at = float(record.data.get("wake_at", now))
    remaining = wake_at - time.time()
    if remaining > INLINE_SLEEP:
        raise Suspend(wake_at)
    if remaining > 0:
        await asyncio.sleep(remaining)
    return await _complete(execution, step, path, scope, {"slept_until": wake_at}, record.started_at or now)


async def wait_for_input(
    execution: RunExecution, workflow: Workflow, step: Step, scope: dict[str, Any], path: str, record: StepRecord | None
) -> Any:
    """Ask for input (``input.requested``) and suspend until it arrives or the timeout passes."""
    now = time.time()
    if record is None:
        params = render_value(step.params, scope) or {}
        if isinstance(params, str):
            params = {"prompt": params}
        if not isinstance(params, dict):
            error = StepError("wait_for_input takes {prompt, schema, timeout, default}", step=path)
            return await execution._fail(step, path, error, 1, now, scope)
        timeout_at = None
        # `timeout:` next to `wait_for_input:` is parsed as the step's timeout modifier; it means the same here
        timeout = params.get("timeout", step.timeout)
        if timeout is not None:
            try:
                timeout_at = now + parse_duration(timeout)
            except ValueError as exc:
                return await execution._fail(step, path, StepError(f"wait_for_input: {exc}", step=path), 1, now, scope)
        data = {"prompt": str(params.get("prompt", "")), "schema": params.get("schema"), "timeout_at": timeout_at}
        if "default" in params:
            data["default"] = params["default"]
        record = StepRecord(execution.run.id, path, "waiting", started_at=now, data=execution.redact(data))
        # The run is "waiting" in the same commit that clients hear of the request from: an answer sent the
        # moment input.requested arrives always finds the run waiting.
        batch = Batch(steps=[record], run_updates=[(execution.run.id, {"status": "waiting", "wake_at": timeout_at})])
        execution.emit("step.started", path, {"name": step.name, "kind": "wait_for_input"}, batch)
        execution.emit(
            "input.requested",
            path,
            {"prompt": data["prompt"], "schema": data["schema"], "timeout_at": timeout_at},
            batch,
        )
        await execution.engine.store.submit(batch)
        execution.done[path] = record
        raise Suspend(timeout_at, for_input=True)
    timeout_at = record.data.get("timeout_at")
    if timeout_at is not None and now >= float(timeout_at):
        if "default" in record.data:
            return await _complete(
                execution,
                step,
                path,
                scope,
                record.data["default"],
                record.started_at or now,
                ("input.received", {"timed_out": True, "value": record.data["default"]}),
            )
        error = StepError(f"no input received for {step.name!r} before its timeout", step=path)
        return await execution._fail(step, path, error, 1, record.started_at or now, scope)
    raise Suspend(float(timeout_at) if timeout_at is not None else None, for_input=True)


def complete_input_record(record: StepRecord, value: Any) -> StepRecord:
    """Return the completed record of a ``wait_for_input`` step answered with ``value``."""
    return StepRecord(
        record.run_id,
        record.path,
        "completed",
        value,
        None,
        1,
        record.started_at,
        time.time(),
        {k: v for k, v in record.data.items() if k != "default"},
    )
