"""The one storage interface the engine depends on, and its group-commit helper.

Writes go through :meth:`Store.submit`: every :class:`~mozaiks_ai.state.records.Batch` submitted
while a commit is being prepared joins that commit (group commit), so many concurrent runs share
one fsync while each caller still waits until its own writes are durable.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from mozaiks_ai.state.records import ArtifactRecord, Batch, EventRecord, RunRecord, StepRecord

__all__ = ["Store", "merge_batches", "usage_summary"]

logger = logging.getLogger("mozaiks_ai.state")


def merge_batches(batches: Sequence[Batch]) -> list[Batch]:
    """Coalesce a group into as few batches as keeps its meaning (one, unless steps are deleted).

    Deletions must apply in order relative to inserts, so batches that delete start a new segment.
    """
    merged: list[Batch] = []
    current: Batch | None = None
    for batch in batches:
        if current is None or batch.delete_steps:
            current = Batch(delete_steps=list(batch.delete_steps))
            merged.append(current)
        current.steps.extend(batch.steps)
        current.events.extend(batch.events)
        current.artifacts.extend(batch.artifacts)
        current.run_updates.extend(batch.run_updates)
        current.usage.extend(batch.usage)
    return merged


class Store(ABC):
    """Durable state of runs, steps, events and artifacts.

    Implementations: :class:`~mozaiks_ai.state.sqlite.SqliteStore` (embedded default) and
    :class:`~mozaiks_ai.state.postgres.PostgresStore` (multi-node).
    """

    url: str

    def __init__(self) -> None:
        self._pending: list[tuple[Batch, asyncio.Future[None] | None]] = []
        self._flushing: asyncio.Task[None] | None = None
        #: Called with each batch once it is committed, in commit order (the engine publishes its events).
        self.on_commit: Callable[[Batch], None] | None = None

    # -- lifecycle ---------------------------------------------------------------------
    @abstractmethod
    async def open(self) -> None:
        """Connect and create the schema if needed."""

    async def close(self) -> None:
        """Flush pending writes and release connections."""
        while self._pending or self._flushing is not None:
            if self._flushing is not None:
                await asyncio.shield(self._flushing)
            elif self._pending:
                self._schedule_flush()
        await self._close()

    @abstractmethod
    async def _close(self) -> None: ...

    # -- group commit ----------------------------------------------------------------
    def submit(self, batch: Batch) -> asyncio.Future[None]:
        """Queue ``batch``; the returned future resolves once it is committed.

        Callers that need durability await the future; fire-and-forget writes (such as a
        ``step.started`` event) simply don't, and are committed with the next group.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((batch, future))
        if self._flushing is None:
            self._schedule_flush()
        return future

    def submit_nowait(self, batch: Batch) -> None:
        """Queue ``batch`` without waiting for it; it commits with the next group, in order."""
        self._pending.append((batch, None))
        if self._flushing is None:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        self._flushing = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        try:
            while self._pending:
                group, self._pending = self._pending, []
                try:
                    await self._commit([b for b, _ in group])
                except BaseException as exc:
                    waited = [fut for _, fut in group if fut is not None and not fut.done()]
                    for fut in waited:
                        fut.set_exception(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))
                    if not waited:
                        logger.error("could not persist run state: %s", exc)
                    if not isinstance(exc, Exception):
                        raise
                else:
                    if self.on_commit is not None:
                        for batch, _ in group:
                            if batch.events:
                                self.on_commit(batch)
                    for _, pending in group:
                        if pending is not None and not pending.done():
                            pending.set_result(None)
        finally:
            self._flushing = None

    async def flush(self) -> None:
        """Wait until every batch submitted so far is committed."""
        if self._pending or self._flushing is not None:
            await self.submit(Batch())

    async def listen(self, callback: Callable[[str, int], None]) -> Callable[[], Awaitable[None]] | None:
        """Call ``callback(run_id, last_seq)`` when another process commits events; ``None`` if unsupported.

        PostgreSQL implements it with ``LISTEN/NOTIFY``; the embedded SQLite store serves one process.
        """
        return None

    @abstractmethod
    async def _commit(self, batches: Sequence[Batch]) -> None:
        """Write every batch in one transaction."""

    # -- runs --------------------------------------------------------------------------
    @abstractmethod
    async def create_run(self, run: RunRecord) -> tuple[RunRecord, bool]:
        """Insert ``run``; with an idempotency key already used in its app, return that run instead.

        Returns:
            ``(run, created)``.
        """

    @abstractmethod
    async def get_run(self, run_id: str, *, app_id: str | None = None) -> RunRecord | None:
        """Return a run (restricted to ``app_id`` when given)."""

    @abstractmethod
    async def list_runs(
        self,
        *,
        app_id: str | None = None,
        user_id: str | None = None,
        status: str | None = None,
        workflow_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
    ) -> list[RunRecord]:
        """Return runs, newest first, filtered by the given columns."""

    @abstractmethod
    async def update_run(self, run_id: str, **fields: Any) -> None:
        """Change columns of a run right away (outside any batch)."""

    @abstractmethod
    async def claim(self, run_id: str, owner: str, lease_s: float, *, force: bool = False) -> bool:
        """Take the lease of a run whose lease is free, expired, or already ``owner``'s."""

    @abstractmethod
    async def claim_ready(self, owner: str, lease_s: float, limit: int) -> list[RunRecord]:
        """Claim runs that need a worker (pending, orphaned, or whose timer is due).

        PostgreSQL uses ``FOR UPDATE SKIP LOCKED`` so several workers never claim the same run.
        """

    @abstractmethod
    async def renew_leases(self, owner: str, lease_s: float) -> None:
        """Extend every lease ``owner`` holds on unfinished runs."""

    # -- steps, events, artifacts ---------------------------------------------------------
    @abstractmethod
    async def get_steps(self, run_id: str) -> list[StepRecord]:
        """Return the step records of a run."""

    @abstractmethod
    async def list_events(self, run_id: str, *, after: int = 0, limit: int | None = None) -> list[EventRecord]:
        """Return events with ``seq > after``, in order."""

    @abstractmethod
    async def last_seq(self, run_id: str) -> int:
        """Return the highest event sequence number of a run (0 when none)."""

    @abstractmethod
    async def list_artifacts(self, run_id: str) -> list[ArtifactRecord]:
        """Return a run's artifacts, sorted by path."""

    async def get_artifact(self, run_id: str, path: str) -> ArtifactRecord | None:
        """Return one artifact or ``None``."""
        for artifact in await self.list_artifacts(run_id):
            if artifact.path == path:
                return artifact
        return None

    @abstractmethod
    async def usage_totals(self, *, app_id: str | None = None, run_id: str | None = None) -> dict[str, Any]:
        """Sum the usage rows of a run or an app.

        Returns:
            ``{"calls", "input_tokens", "output_tokens", "cost", "by_model": [{"provider", "model", "calls",
            "input_tokens", "output_tokens", "cost"}]}``.
        """

    @abstractmethod
    async def prune(self, finished_before: float) -> int:
        """Delete finished runs (with their steps, events and artifacts) older than the cutoff."""


def usage_summary(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Build the :meth:`Store.usage_totals` answer from ``(provider, model, calls, in, out, cost)`` rows."""
    by_model = [
        {
            "provider": r[0],
            "model": r[1],
            "calls": int(r[2]),
            "input_tokens": int(r[3] or 0),
            "output_tokens": int(r[4] or 0),
            "cost": round(float(r[5] or 0.0), 8),
        }
        for r in rows
    ]
    return {
        "calls": sum(m["calls"] for m in by_model),
        "input_tokens": sum(m["input_tokens"] for m in by_model),
        "output_tokens": sum(m["output_tokens"] for m in by_model),
        "cost": round(sum(m["cost"] for m in by_model), 8),
        "by_model": by_model,
    }
