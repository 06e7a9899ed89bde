"""Execute one run durably: replay what is recorded, run what is not, record each step as it ends.

Every step (leaf or container) has a unique path (``greet_each[2].echo``). When a run starts or
resumes, the records of finished steps are loaded; walking the workflow from the top, a recorded
step returns its stored output instead of running again. So a crash at any point resumes from
the first unfinished step, and a completed step never runs twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from typing import TYPE_CHECKING, Any

from mozaiks_ai.definitions.models import Step, Workflow
from mozaiks_ai.errors import MozaiksError, RunCancelled, StepError, StepTimeoutError
from mozaiks_ai.executor import kinds, waits
from mozaiks_ai.executor._paths import safe_relative_path
from mozaiks_ai.executor.expressions import render_value, truthy
from mozaiks_ai.executor.secrets import Redactor, SecretsView
from mozaiks_ai.executor.signals import StepFailed, Suspend
from mozaiks_ai.state.records import ArtifactRecord, Batch, EventRecord, RunRecord, StepRecord

if TYPE_CHECKING:
    from mozaiks_ai.executor.engine import Engine

__all__ = ["RunExecution"]

logger = logging.getLogger("mozaiks_ai.executor")
_CANCEL_CHECK_INTERVAL = 0.5


def error_dict(exc: BaseException, path: str | None) -> dict[str, Any]:
    """Describe an exception for records and events (never a traceback)."""
    message = str(exc) or type(exc).__name__
    if not isinstance(exc, MozaiksError):
        message = f"{type(exc).__name__}: {message}"
    return {"message": message, "type": type(exc).__name__, "step": path}


class RunExecution:
    """The state of one run while it executes in this process."""

    def __init__(self, engine: Engine, run: RunRecord, workflow: Workflow) -> None:
        self.engine = engine
        self.run = run
        self.workflow = workflow
        self.redactor = Redactor(parent=engine.redactor)
        self.secrets = SecretsView(engine.secret_source, self.redactor)
        self.seq = 0
        self.done: dict[str, StepRecord] = {}
        self.open_steps: dict[str, float] = {}
        self._next_cancel_check = 0.0
        self._failure_notes: list[str] = []
        #: Set when the run suspended because a step waits for an answer (not only for a timer).
        self.waiting_for_input = False
        #: Extra fields for a step's ``step.completed`` event (``{"offline": True}`` for offline answers).
        self.step_notes: dict[str, dict[str, Any]] = {}

    # -- recording ------------------------------------------------------------------------
    def redact(self, value: Any) -> Any:
        """Redact secret values this run has read."""
        return self.redactor.value(value) if self.redactor.active else value

    def emit(self, type_: str, step: str | None, data: dict[str, Any], batch: Batch | None = None) -> EventRecord:
        """Append an event; with no ``batch`` it is committed with the next group (not awaited).

        Live listeners receive it once it is committed (the store's ``on_commit``), so no client ever
        sees an event the log does not hold.
        """
        self.seq += 1
        event = EventRecord(self.run.id, self.seq, type_, time.time(), step, self.redact(data))
        if batch is None:
            self.engine.store.submit_nowait(Batch(events=[event]))
        else:
            batch.events.append(event)
        return event

    async def put_artifacts(self, files: dict[str, bytes], *, step: str, content_type: str = "text/plain") -> list[str]:
        """Store files as artifacts (paths checked, secrets redacted) with ``artifact.created`` events."""
        batch = Batch()
        stored = []
        for raw_path, content in files.items():
            path = safe_relative_path(raw_path)
            if self.redactor.active:
                content = self.redactor.bytes(content)
            batch.artifacts.append(ArtifactRecord(self.run.id, path, content, content_type))
            self.emit("artifact.created", step, {"path": path, "size": len(content)}, batch)
            stored.append(path)
        await self.engine.store.submit(batch)
        return stored

    # -- lifecycle ------------------------------------------------------------------------
    async def execute(self) -> RunRecord:
        """Run (or resume) until the run finishes, fails, is cancelled or must wait."""
        store = self.engine.store
        self.seq = await store.last_seq(self.run.id)
        self.done = {r.path: r for r in await store.get_steps(self.run.id)}
        batch = Batch(run_updates=[(self.run.id, {"status": "running", "wake_at": None})])
        self.run.status, self.run.wake_at = "running", None
        if self.seq > 0:
            await self._close_interrupted(batch)
        else:
            self.emit(
                "run.started",
                None,
                {"workflow": self.workflow.id, "workflow_hash": self.workflow.content_hash, "input": self.run.input},
                batch,
            )
        store.submit_nowait(batch)
        scope = self.base_scope()
        try:
            last = await self.exec_steps(self.workflow, self.workflow.steps, scope, "")
            output = last if self.workflow.output is None else render_value(self.workflow.output, scope)
            await self._finish("succeeded", output=self.redact(output))
        except Suspend as signal:
            await self._suspend(signal)
        except StepFailed as failure:
            await self._finish("failed", error=failure.error)
        except (RunCancelled, asyncio.CancelledError):
            if self.engine.closing:
                raise  # shutdown: leave the run to be resumed by the next process
            await self._finish("cancelled", error={"message": "run was cancelled", "type": "RunCancelled"})
        except MozaiksError as exc:
            await self._finish("failed", error=self.redact(error_dict(exc, None)))
        except Exception as exc:
            logger.error("internal error in run %s: %s", self.run.id, self.redactor.text(traceback.format_exc()))
            await self._finish(
                "failed",
                error={"message": f"internal error: {self.redact(str(exc))}", "type": type(exc).__name__, "step": None},
            )
        return self.run

    async def _close_interrupted(self, batch: Batch) -> None:
        """Close the steps a stopped process left open, so each ``step.started`` has one end."""
        open_paths: dict[str, None] = {}
        for event in await self.engine.store.list_events(self.run.id):
            if event.step is None:
                continue
            if event.type == "step.started":
                open_paths[event.step] = None
            elif event.type in ("step.completed", "step.failed", "step.skipped"):
                open_paths.pop(event.step, None)
        error = {
            "message": "interrupted: the process executing the step stopped; running it again",
            "type": "Interrupted",
        }
        for path in open_paths:
            record = self.done.get(path)
            if record is None or record.status not in ("waiting",):
                self.emit("step.failed", path, {"error": error, "interrupted": True}, batch)

    async def _finish(self, status: str, *, output: Any = None, error: dict[str, Any] | None = None) -> None:
        batch = Batch()
        for path in list(self.open_steps):  # close every open step before the final event
            self.emit("step.failed", path, {"error": {"message": f"run {status}", "type": "RunClosed"}}, batch)
        self.open_steps.clear()
        fields: dict[str, Any] = {
            "status": status,
            "output": output,
            "error": error,
            "owner": None,
            "lease_until": None,
            "wake_at": None,
        }
        batch.run_updates.append((self.run.id, fields))
        event_type = {"succeeded": "run.completed", "failed": "run.failed", "cancelled": "run.cancelled"}[status]
        data: dict[str, Any] = {"status": status}
        if status == "succeeded":
            data["output"] = output
        elif error is not None:
            data["error"] = error
        self.emit(event_type, None, data, batch)
        await asyncio.shield(self.engine.store.submit(batch))
        self.run.status, self.run.output, self.run.error = status, output, error  # type: ignore[assignment]
        self.run.owner = self.run.lease_until = None

    async def _suspend(self, signal: Suspend) -> None:
        self.waiting_for_input = signal.for_input
        fields = {"status": "waiting", "wake_at": signal.wake_at, "owner": None, "lease_until": None}
        await self.engine.store.submit(Batch(run_updates=[(self.run.id, fields)]))
        self.run.status, self.run.wake_at = "waiting", signal.wake_at
        self.run.owner = self.run.lease_until = None

    def base_scope(self) -> dict[str, Any]:
        """Names visible to expressions at the top of the workflow."""
        context = self.run.context
        event = context.get("event") or {}
        scope: dict[str, Any] = {
            "input": self.run.input,
            "vars": {},
            "steps": {},
            "event": event,
            "secrets": self.secrets,
            "run": {
                "id": self.run.id,
                "app_id": self.run.app_id,
                "user_id": self.run.user_id,
                "workflow": self.workflow.id,
                "session_id": self.run.session_id,
            },
            "trigger": context.get("trigger"),
        }
        trigger = context.get("trigger")
        if isinstance(trigger, str) and "." in trigger:
            noun = trigger.split(".", 1)[0]
            scope.setdefault(noun, event)
        return scope

    async def check_cancel(self) -> None:
        """Raise :class:`RunCancelled` when another process asked to cancel this run (throttled)."""
        now = time.monotonic()
        if now < self._next_cancel_check:
            return
        self._next_cancel_check = now + _CANCEL_CHECK_INTERVAL
        current = await self.engine.store.get_run(self.run.id)
        if current is not None and current.cancel_requested:
            raise RunCancelled()

    # -- steps ----------------------------------------------------------------------------
    async def exec_steps(self, workflow: Workflow, steps: tuple[Step, ...], scope: dict[str, Any], prefix: str) -> Any:
        """Run ``steps`` in order; return the last one's output."""
        last = None
        for step in steps:
            last = await self.exec_step(workflow, step, scope, prefix)
        return last

    def bind(self, scope: dict[str, Any], step: Step, record: StepRecord) -> None:
        """Make a step's result visible to later steps (and apply ``set``)."""
        scope["steps"][step.name] = {"output": record.output, "status": record.status, "error": record.error}
        if (
            step.kind == "action"
            and step.uses == "set"
            and record.status == "completed"
            and isinstance(record.output, dict)
        ):
            scope["vars"].update(record.output)

    async def exec_step(self, workflow: Workflow, step: Step, scope: dict[str, Any], prefix: str) -> Any:
        """Run one step (or replay its recorded result)."""
        path = prefix + step.name
        record = self.done.get(path)
        if record is not None and record.status != "waiting":
            self.bind(scope, step, record)
            return record.output
        await self.check_cancel()
        if step.condition is not None and record is None:
            try:
                condition = render_value(step.condition, scope)
            except StepError as exc:
                return await self._fail(step, path, exc, 1, time.time(), scope)
            if not truthy(condition):
                skipped = StepRecord(self.run.id, path, "skipped", started_at=time.time(), finished_at=time.time())
                batch = Batch(steps=[skipped])
                self.emit("step.skipped", path, {"name": step.name, "reason": "condition is false"}, batch)
                self.engine.store.submit_nowait(batch)
                self.done[path] = skipped
                self.bind(scope, step, skipped)
                return None
        if step.kind == "wait_for_input":
            return await waits.wait_for_input(self, workflow, step, scope, path, record)
        if step.kind == "action" and step.uses == "sleep":
            return await waits.sleep(self, step, scope, path, record)
        return await self._run_with_retry(workflow, step, scope, path)

    async def _run_with_retry(self, workflow: Workflow, step: Step, scope: dict[str, Any], path: str) -> Any:
        started = time.time()
        self.open_steps[path] = started
        self.emit("step.started", path, {"name": step.name, "kind": step.kind, "uses": step.uses})
        attempt = 0
        while True:
            attempt += 1
            try:
                work = kinds.run_kind(self, workflow, step, scope, path, attempt)
                output = await (asyncio.wait_for(work, step.timeout) if step.timeout else work)
                break
            except StepFailed as failure:  # a child step failed and was recorded
                if step.continue_on_error:
                    return await self._record_failure(step, path, failure.error, attempt, started, scope)
                await self._record_failure(step, path, failure.error, attempt, started, scope, propagate=False)
                raise
            except TimeoutError:
                error: BaseException = StepTimeoutError(f"step {path!r} timed out after {step.timeout:g}s", step=path)
            except Exception as exc:
                error = exc
            if (
                step.retry is not None
                and attempt < step.retry.max_attempts
                and step.kind not in ("parallel", "foreach")
            ):
                delay = step.retry.delay(attempt)
                self.emit(
                    "step.retrying", path, {"attempt": attempt + 1, "delay": delay, "error": error_dict(error, path)}
                )
                await asyncio.sleep(delay)
                continue
            return await self._fail(step, path, error, attempt, started, scope)
        record = StepRecord(self.run.id, path, "completed", self.redact(output), None, attempt, started, time.time())
        batch = Batch(steps=[record])
        data = {"name": step.name, "output": record.output, "attempts": attempt, **self.step_notes.pop(path, {})}
        self.emit("step.completed", path, data, batch)
        self.open_steps.pop(path, None)
        await self.engine.store.submit(batch)
        self.done[path] = record
        self.bind(scope, step, record)
        return record.output

    async def _fail(
        self,
        step: Step,
        path: str,
        exc: BaseException,
        attempt: int,
        started: float,
        scope: dict[str, Any] | None = None,
    ) -> Any:
        if isinstance(exc, StepError) and exc.step is None:
            exc.step = path
        error = self.redact(error_dict(exc, path))
        return await self._record_failure(step, path, error, attempt, started, scope)

    async def _record_failure(
        self,
        step: Step,
        path: str,
        error: dict[str, Any],
        attempt: int,
        started: float,
        scope: dict[str, Any] | None,
        *,
        propagate: bool = True,
    ) -> Any:
        record = StepRecord(self.run.id, path, "failed", None, error, attempt, started, time.time())
        batch = Batch(steps=[record])
        self.emit(
            "step.failed",
            path,
            {"name": step.name, "error": error, "attempts": attempt, "continue_on_error": step.continue_on_error},
            batch,
        )
        self.open_steps.pop(path, None)
        await self.engine.store.submit(batch)
        self.done[path] = record
        if scope is not None:
            self.bind(scope, step, record)
        if step.continue_on_error or not propagate:
            return None
        raise StepFailed(path, error)
