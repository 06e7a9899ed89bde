"""The engine: starts, executes, resumes, cancels and retries runs on a store.

It is a library-style engine (the DBOS model): no orchestrator server. Any process holding an
:class:`Engine` on the same store can execute runs; leases say which process holds a run, so a
crashed process's runs are picked up by the next one (``recover``/``work``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from mozaiks_ai.config import RuntimeConfig
from mozaiks_ai.definitions import WorkflowRegistry, entry_point_roots, validate_input
from mozaiks_ai.definitions.inputs import check_json_value
from mozaiks_ai.definitions.models import Workflow
from mozaiks_ai.errors import InputValidationError, RunNotFoundError, RunStateError
from mozaiks_ai.executor.bus import EventBus
from mozaiks_ai.executor.run import RunExecution
from mozaiks_ai.executor.secrets import RedactingFilter, Redactor, SecretSource
from mozaiks_ai.executor.waits import complete_input_record
from mozaiks_ai.state import FINISHED, Batch, EventRecord, RunRecord, StepRecord, Store, open_store

if TYPE_CHECKING:
    import httpx

    from mozaiks_ai.models import ModelSettings, PriceTable

__all__ = ["Engine"]

logger = logging.getLogger("mozaiks_ai.engine")
LEASE_SECONDS = 60.0
_FILTERED_LOGGERS = (
    "httpx",
    "httpcore",
    "mozaiks_ai.workflow",
    "mozaiks_ai.executor",
    "mozaiks_ai.engine",
    "mozaiks_ai.state",
)


class Engine:
    """Executes workflow runs durably.

    Args:
        config: Runtime configuration.
        registry: The workflows to serve.
        store: An open store.
        worker_id: This process's identity in leases (default: ``host:pid:random``).
    """

    def __init__(
        self, config: RuntimeConfig, registry: WorkflowRegistry, store: Store, *, worker_id: str | None = None
    ) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.bus = EventBus()
        store.on_commit = self._publish_committed
        self.secret_source = SecretSource(config.environ, config.secrets_file)
        # Every secret any run reads is also redacted from the log records of these loggers.
        self.redactor = Redactor()
        self._log_filter = RedactingFilter(self.redactor)
        for name in _FILTERED_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.closing = False
        self._tasks: dict[str, asyncio.Task[RunRecord]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._relayed: dict[str, int] = {}
        self._model_settings: ModelSettings | None = None
        #: Providers this engine called: their HTTP clients (per event loop) are closed with the engine.
        self.providers_used: set[Any] = set()
        self._price_table: PriceTable | None = None
        self._stop_relay: Callable[[], Awaitable[None]] | None = None
        self._http: httpx.AsyncClient | None = None
        self.follow_timers = True

    @classmethod
    async def open(cls, config: RuntimeConfig | None = None, *, registry: WorkflowRegistry | None = None) -> Engine:
        """Load the workflows and open the store named by ``config``."""
        config = config or RuntimeConfig.from_env()
        if registry is None:
            roots = config.workflow_roots()
            if config.load_entry_points:
                roots += entry_point_roots()
            registry = WorkflowRegistry.from_roots(roots, enabled=config.workflows_enabled)
        store = open_store(config.db_url)
        await store.open()
        return cls(config, registry, store)

    async def close(self) -> None:
        """Stop timers and in-flight runs (they stay resumable) and close the store."""
        self.closing = True
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(BaseException):
                await self._heartbeat
        if self._stop_relay is not None:
            with contextlib.suppress(Exception):
                await self._stop_relay()
        for provider in self.providers_used:
            close = getattr(provider, "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()
        if self._http is not None:
            await self._http.aclose()
        await self.store.close()
        for name in _FILTERED_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _publish_committed(self, batch: Batch) -> None:
        for event in batch.events:
            self.bus.publish(event)

    def model_settings(self) -> ModelSettings:
        """Model provider settings from the configuration (providers are cached per settings)."""
        if self._model_settings is None:
            from mozaiks_ai.models import ModelSettings

            c = self.config
            self._model_settings = ModelSettings(
                openai_api_key=c.openai_api_key,
                openai_base_url=c.openai_base_url,
                anthropic_api_key=c.anthropic_api_key,
                anthropic_base_url=c.anthropic_base_url,
                default_model=c.model,
                timeout=c.model_timeout,
                max_retries=c.model_max_retries,
            )
        return self._model_settings

    def price_table(self) -> PriceTable:
        """Prices per model (built-in, or ``MOZAIKS_PRICES_FILE``)."""
        if self._price_table is None:
            from mozaiks_ai.models import load_price_table

            self._price_table = load_price_table(self.config.prices_file)
        return self._price_table

    def http_client(self) -> httpx.AsyncClient:
        """The shared HTTP client of ``http``-like actions (redirects are followed by hand)."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        return self._http

    # -- starting runs ------------------------------------------------------------------
    async def start(
        self,
        workflow_id: str,
        input: Mapping[str, Any] | None = None,
        *,
        app_id: str | None = None,
        user_id: str | None = None,
        session_id: str | None = None,
        idempotency_key: str | None = None,
        context: Mapping[str, Any] | None = None,
        parent_run_id: str | None = None,
        queued: bool = False,
    ) -> tuple[RunRecord, bool]:
        """Validate input and create a run owned by this engine (not yet executing).

        With ``queued=True`` the run waits (status ``queued``) until the other runs of its session
        have finished; :meth:`start_next_in_session` then starts it.

        Returns:
            ``(run, created)``; ``created`` is false when the idempotency key already had a run.

        Raises:
            WorkflowNotFoundError: Unknown or invalid workflow.
            InputValidationError: The input does not match ``inputs:``; no run is created.
        """
        workflow = self.registry.get(workflow_id)
        data = validate_input(workflow, input)
        now = time.time()
        run = RunRecord(
            id=uuid.uuid4().hex,
            workflow_id=workflow.id,
            workflow_hash=workflow.content_hash,
            status="queued" if queued else "pending",
            input=data,
            app_id=app_id or self.config.app_id,
            user_id=user_id,
            context=dict(context or {}),
            idempotency_key=idempotency_key,
            session_id=session_id,
            parent_run_id=parent_run_id,
            owner=None if queued else self.worker_id,
            lease_until=None if queued else now + LEASE_SECONDS,
            created_at=now,
            updated_at=now,
        )
        return await self.store.create_run(run)

    async def run(self, workflow_id: str, input: Mapping[str, Any] | None = None, **options: Any) -> RunRecord:
        """Start a run and execute it here until it finishes or waits for input.

        Accepts the keyword options of :meth:`start`. Timers (sleeps) are waited for.
        """
        run, created = await self.start(workflow_id, input, **options)
        if not created and run.status in FINISHED:
            return run
        return await self.execute(run.id)

    def launch(self, run_id: str) -> asyncio.Task[RunRecord]:
        """Execute a run in the background; returns its task (one task per run at most)."""
        task = self._tasks.get(run_id)
        if task is None or task.done():
            task = asyncio.ensure_future(self.execute(run_id))
            self._tasks[run_id] = task  # visible to drain() and cancel() before it first runs
        return task

    async def execute(self, run_id: str) -> RunRecord:
        """Execute (or resume) a run this engine holds the lease of, following its timers."""
        current = self._tasks.get(run_id)
        if current is not None and not current.done() and current is not asyncio.current_task():
            return await asyncio.shield(current)
        task = asyncio.current_task()
        if task is not None:
            self._tasks[run_id] = task  # type: ignore[assignment]
        try:
            while True:
                run = await self.store.get_run(run_id)
                if run is None:
                    raise RunNotFoundError(f"run {run_id} not found")
                if run.status in FINISHED:
                    return run
                workflow = self._workflow_for(run)
                self._ensure_heartbeat()
                execution = RunExecution(self, run, workflow)
                result = await execution.execute()
                if result.status in FINISHED and result.session_id is not None:
                    await self.start_next_in_session(result.app_id, result.session_id)
                if result.status != "waiting" or result.wake_at is None:
                    return result
                if execution.waiting_for_input:  # its timeout is a timer of the server/worker, not ours
                    self.schedule_wake(result)
                    return result
                if not self.follow_timers:
                    self.schedule_wake(result)
                    return result
                await asyncio.sleep(max(0.0, result.wake_at - time.time()))
                if not await self.store.claim(run_id, self.worker_id, LEASE_SECONDS):
                    return result
        finally:
            if self._tasks.get(run_id) is task:
                del self._tasks[run_id]

    async def wait(self, run_id: str, timeout: float) -> RunRecord:
        """Wait up to ``timeout`` seconds until a run finishes or waits; return its current record."""
        deadline = time.monotonic() + timeout
        while True:
            task = self._tasks.get(run_id)
            if task is not None and not task.done():
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(task), max(0.0, deadline - time.monotonic()))
            run = await self.get_run(run_id)
            if run.status not in ("queued", "pending", "running") or time.monotonic() >= deadline:
                return run
            if task is None or task.done():
                await asyncio.sleep(0.1)  # executed by another process (or queued): poll the store

    async def drain(self) -> None:
        """Wait until the runs executing in this process (e.g. started by events) have finished or wait."""
        current = asyncio.current_task()
        while True:
            pending = [t for t in self._tasks.values() if t is not current and not t.done()]
            if not pending:
                return
            await asyncio.wait(pending)

    async def start_next_in_session(self, app_id: str, session_id: str) -> RunRecord | None:
        """Start the oldest queued run of a session once none of its runs is active."""
        runs = await self.store.list_runs(app_id=app_id, session_id=session_id, limit=500)
        if any(r.status in ("pending", "running", "waiting") for r in runs):
            return None
        queued = sorted((r for r in runs if r.status == "queued"), key=lambda r: r.created_at)
        if not queued:
            return None
        run = queued[0]
        await self.store.update_run(
            run.id, status="pending", owner=self.worker_id, lease_until=time.time() + LEASE_SECONDS
        )
        self.launch(run.id)
        return run

    def _workflow_for(self, run: RunRecord) -> Workflow:
        workflow = self.registry.get(run.workflow_id)
        if workflow.content_hash != run.workflow_hash:
            logger.warning(
                "run %s started with definition %s of %s; resuming with the current one (%s)",
                run.id,
                run.workflow_hash[:12],
                run.workflow_id,
                workflow.content_hash[:12],
            )
        return workflow

    def schedule_wake(self, run: RunRecord) -> None:
        """Arrange for a waiting run to resume at its ``wake_at`` (a timer, not a task)."""
        if run.wake_at is None:
            return
        old = self._timers.pop(run.id, None)
        if old is not None:
            old.cancel()

        def wake() -> None:
            self._timers.pop(run.id, None)
            task = asyncio.ensure_future(self._wake(run.id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

        self._timers[run.id] = asyncio.get_running_loop().call_later(max(0.0, run.wake_at - time.time()), wake)

    async def _wake(self, run_id: str) -> None:
        if await self.store.claim(run_id, self.worker_id, LEASE_SECONDS):
            self.launch(run_id)

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.ensure_future(self._beat())

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            try:
                await self.store.renew_leases(self.worker_id, LEASE_SECONDS)
            except Exception as exc:  # keep beating; the store may come back
                logger.warning("lease renewal failed: %s", exc)

    # -- operations on existing runs --------------------------------------------------
    async def get_run(self, run_id: str, *, app_id: str | None = None) -> RunRecord:
        """Return a run or raise :class:`RunNotFoundError`."""
        run = await self.store.get_run(run_id, app_id=app_id)
        if run is None:
            raise RunNotFoundError(f"run {run_id} not found")
        return run

    async def resume(self, run_id: str, *, app_id: str | None = None, force: bool = False) -> RunRecord:
        """Take over an unfinished run (e.g. after a crash) and execute it to its end or next wait.

        Raises:
            RunStateError: The run is finished, or another live process holds its lease.
        """
        run = await self.get_run(run_id, app_id=app_id)
        if run.status in FINISHED:
            raise RunStateError(f"run {run_id} is already {run.status}; use retry to run a failed run again")
        if run.status == "waiting" and not _has_due_work(run) and not force:
            return run
        if not await self.store.claim(run_id, self.worker_id, LEASE_SECONDS, force=force or _owner_dead(run.owner)):
            raise RunStateError(
                f"run {run_id} is being executed by {run.owner} (lease until {time.ctime(run.lease_until or 0)}); "
                "wait for it, or pass --force if that process is gone"
            )
        return await self.execute(run_id)

    async def cancel(self, run_id: str, *, app_id: str | None = None) -> RunRecord:
        """Cancel a run: stop it here, ask its owner to stop, or close it if nobody executes it."""
        run = await self.get_run(run_id, app_id=app_id)
        if run.status in FINISHED:
            raise RunStateError(f"run {run_id} is already {run.status}")
        task = self._tasks.get(run_id)
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([task])
            run = await self.get_run(run_id)
            if run.status in FINISHED:
                return run
            # cancelled before it ever ran (launched, not yet started): nothing recorded the cancel — do it here
        timer = self._timers.pop(run_id, None)
        if timer is not None:
            timer.cancel()
        await self.store.update_run(run_id, cancel_requested=True)
        live_owner = (
            run.owner not in (None, self.worker_id)
            and run.lease_until is not None
            and run.lease_until > time.time()
            and not _owner_dead(run.owner)
        )
        if run.status == "running" and live_owner:
            return await self.get_run(run_id)  # the owner stops at its next checkpoint
        seq = await self.store.last_seq(run_id)
        now = time.time()
        batch = Batch()
        closed = {"message": "run cancelled", "type": "RunClosed"}
        for record in await self.store.get_steps(run_id):
            if record.status == "waiting":  # an open sleep / wait_for_input: close it before the final event
                seq += 1
                batch.steps.append(
                    StepRecord(run_id, record.path, "failed", None, closed, record.attempts, record.started_at, now)
                )
                batch.events.append(EventRecord(run_id, seq, "step.failed", now, record.path, {"error": closed}))
        event = EventRecord(
            run_id,
            seq + 1,
            "run.cancelled",
            now,
            None,
            {"status": "cancelled", "error": {"message": "run was cancelled", "type": "RunCancelled"}},
        )
        batch.events.append(event)
        fields = {
            "status": "cancelled",
            "owner": None,
            "lease_until": None,
            "wake_at": None,
            "error": event.data["error"],
        }
        batch.run_updates.append((run_id, fields))
        await self.store.submit(batch)
        if run.session_id is not None:
            await self.start_next_in_session(run.app_id, run.session_id)
        return await self.get_run(run_id)

    async def retry(self, run_id: str, *, app_id: str | None = None, wait: bool = True) -> RunRecord:
        """Run a failed (or cancelled) run again from its failed step; completed steps are kept."""
        run = await self.get_run(run_id, app_id=app_id)
        if run.status not in ("failed", "cancelled"):
            raise RunStateError(f"only failed or cancelled runs can be retried; run {run_id} is {run.status}")
        steps = await self.store.get_steps(run_id)
        batch = Batch(delete_steps=[(run_id, s.path) for s in steps if s.status == "failed"])
        # deleting a failed container (foreach, parallel, sub-workflow) deletes its children too: put back
        # those that finished, so that they are replayed rather than executed again
        batch.steps.extend(s for s in steps if s.status in ("completed", "skipped"))
        seq = await self.store.last_seq(run_id)
        event = EventRecord(
            run_id, seq + 1, "run.started", time.time(), None, {"workflow": run.workflow_id, "retry": True}
        )
        batch.events.append(event)
        batch.run_updates.append(
            (
                run_id,
                {
                    "status": "pending",
                    "error": None,
                    "output": None,
                    "cancel_requested": False,
                    "owner": self.worker_id,
                    "lease_until": time.time() + LEASE_SECONDS,
                },
            )
        )
        await self.store.submit(batch)
        if not wait:
            self.launch(run_id)
            return await self.get_run(run_id)
        return await self.execute(run_id)

    async def submit_input(
        self, run_id: str, value: Any, *, step: str | None = None, app_id: str | None = None, wait: bool = True
    ) -> RunRecord:
        """Answer a ``wait_for_input`` step and resume the run.

        Raises:
            RunStateError: The run is not waiting for input (or for that step).
            InputValidationError: The value does not match the step's schema.
        """
        task = self._tasks.get(run_id)
        if task is not None and not task.done() and task is not asyncio.current_task():
            await asyncio.wait([task])  # the run is suspending right now: let it finish before answering
        run = await self.get_run(run_id, app_id=app_id)
        waiting = [s for s in await self.store.get_steps(run_id) if s.status == "waiting" and "prompt" in s.data]
        if step is not None:
            waiting = [s for s in waiting if s.path == step]
        if run.status != "waiting" or not waiting:
            raise RunStateError(f"run {run_id} is not waiting for input" + (f" at step {step!r}" if step else ""))
        record = waiting[0]
        check_json_value(record.data.get("schema"), value)
        seq = await self.store.last_seq(run_id)
        now = time.time()
        event = EventRecord(run_id, seq + 1, "input.received", now, record.path, {"value": value})
        name = record.path.rsplit(".", 1)[-1]
        completed = EventRecord(
            run_id, seq + 2, "step.completed", now, record.path, {"name": name, "output": value, "attempts": 1}
        )
        batch = Batch(
            steps=[complete_input_record(record, value)],
            events=[event, completed],
            run_updates=[
                (
                    run_id,
                    {
                        "status": "pending",
                        "wake_at": None,
                        "owner": self.worker_id,
                        "lease_until": time.time() + LEASE_SECONDS,
                    },
                )
            ],
        )
        await self.store.submit(batch)
        if wait:
            return await self.execute(run_id)
        self.launch(run_id)
        return await self.get_run(run_id)

    async def emit_event(
        self,
        event_type: str,
        data: Mapping[str, Any],
        *,
        event_id: str | None = None,
        app_id: str | None = None,
        user_id: str | None = None,
        parent_run_id: str | None = None,
        depth: int = 0,
    ) -> list[RunRecord]:
        """Start (in the background) every workflow whose trigger matches; ``event_id`` makes it idempotent."""
        runs = []
        for workflow in self.registry.matching(event_type):
            key = f"event:{event_id}:{workflow.id}" if event_id else None
            try:
                run, created = await self.start(
                    workflow.id,
                    dict(data),  # the event's data is also the run's input (validated against `inputs:`)
                    app_id=app_id,
                    user_id=user_id,
                    idempotency_key=key,
                    parent_run_id=parent_run_id,
                    context={"event": dict(data), "trigger": event_type, "event_id": event_id, "event_depth": depth},
                )
            except InputValidationError as exc:
                logger.warning("event %s did not start %s: %s", event_type, workflow.id, exc)
                continue
            if created:
                self.launch(run.id)
            runs.append(run)
        return runs

    # -- multi-process ------------------------------------------------------------------
    async def relay_remote_events(self) -> bool:
        """Deliver events that other processes commit to this process's listeners (PostgreSQL ``LISTEN``).

        A WebSocket or SSE client attached here then follows a run executed by another worker.

        Returns:
            Whether the store supports it.
        """
        if self._stop_relay is None:
            self._stop_relay = await self.store.listen(self._on_remote_commit)
        return self._stop_relay is not None

    def _on_remote_commit(self, run_id: str, seq: int) -> None:
        if run_id in self._tasks or not self.bus.has_listeners(run_id) or seq <= self._relayed.get(run_id, 0):
            return
        task = asyncio.ensure_future(self._relay(run_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _relay(self, run_id: str) -> None:
        for event in await self.store.list_events(run_id, after=self._relayed.get(run_id, 0)):
            if event.seq > self._relayed.get(run_id, 0):
                self._relayed[run_id] = event.seq
                self.bus.publish(event)

    async def recover(self, limit: int = 100) -> int:
        """Claim and resume runs that need a worker (orphaned by a crash, pending, or due)."""
        claimed = await self.store.claim_ready(self.worker_id, LEASE_SECONDS, limit)
        for run in claimed:
            self.launch(run.id)
        for run in await self.store.list_runs(status="waiting", limit=1000):
            if run.wake_at is not None and run.id not in self._timers:
                self.schedule_wake(run)
        return len(claimed)

    async def work(self, poll_interval: float = 1.0) -> None:
        """Run forever, claiming ready runs (``mozaiks-ai worker``)."""
        self.follow_timers = False
        next_prune = 0.0
        while not self.closing:
            try:
                await self.recover()
                if self.config.retention_days > 0 and time.time() >= next_prune:
                    pruned = await self.store.prune(time.time() - self.config.retention_days * 86400)
                    if pruned:
                        logger.info("pruned %d finished runs older than %g days", pruned, self.config.retention_days)
                    next_prune = time.time() + 3600
            except Exception as exc:
                logger.warning("claiming runs failed: %s", exc)
            await asyncio.sleep(poll_interval)


def _has_due_work(run: RunRecord) -> bool:
    return run.wake_at is not None and run.wake_at <= time.time()


def _owner_dead(owner: str | None) -> bool:
    """Whether ``owner`` names a process on this host that no longer exists."""
    if not owner:
        return True
    parts = owner.split(":")
    if len(parts) < 2 or parts[0] != socket.gethostname():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False
