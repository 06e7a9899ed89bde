"""Plain records the store persists: runs, steps, events and artifacts."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "FINISHED",
    "ArtifactRecord",
    "Batch",
    "EventRecord",
    "RunRecord",
    "RunStatus",
    "StepRecord",
    "StepStatus",
    "UsageRecord",
]

RunStatus = Literal["queued", "pending", "running", "waiting", "succeeded", "failed", "cancelled"]
StepStatus = Literal["completed", "failed", "skipped", "waiting"]
#: Run statuses that never change again (except through an explicit retry).
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


@dataclass
class RunRecord:
    """One run of a workflow.

    Attributes:
        id: Run id.
        workflow_id: The workflow it runs.
        workflow_hash: Content hash of the definition it started with.
        status: Lifecycle status.
        input: Validated input.
        app_id: Tenant (from the caller's token, never from a request body).
        user_id: User within the tenant.
        context: Trigger data: ``{"event": {...}, "trigger": "task.created", "app_base_url": …}``.
        output: The run's output once it succeeded.
        error: ``{"message", "type", "step"}`` once it failed.
        idempotency_key: Maps one key to one run per app.
        session_id: Chat session the run belongs to, if any.
        parent_run_id: Set for runs started by another run.
        wake_at: Epoch seconds at which a sleeping run must resume.
        owner: Worker holding the run's lease.
        lease_until: Epoch seconds until which ``owner`` holds it.
        cancel_requested: Set by cancel; the executing worker stops at the next checkpoint.
        created_at: Epoch seconds.
        updated_at: Epoch seconds.
    """

    id: str
    workflow_id: str
    workflow_hash: str
    status: RunStatus = "pending"
    input: dict[str, Any] = field(default_factory=dict)
    app_id: str = "default"
    user_id: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    output: Any = None
    error: dict[str, Any] | None = None
    idempotency_key: str | None = None
    session_id: str | None = None
    parent_run_id: str | None = None
    wake_at: float | None = None
    owner: str | None = None
    lease_until: float | None = None
    cancel_requested: bool = False
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)


@dataclass
class StepRecord:
    """The persisted result of one step (leaf or container), keyed by its unique path."""

    run_id: str
    path: str
    status: StepStatus
    output: Any = None
    error: dict[str, Any] | None = None
    attempts: int = 1
    started_at: float | None = None
    finished_at: float | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class EventRecord:
    """One entry of a run's append-only event log."""

    run_id: str
    seq: int
    type: str
    ts: float
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the event as the JSON object clients receive."""
        out: dict[str, Any] = {"type": self.type, "seq": self.seq, "run_id": self.run_id, "ts": self.ts}
        if self.step is not None:
            out["step"] = self.step
        out.update(self.data)
        return out


@dataclass
class ArtifactRecord:
    """A file produced by a run (generated code, reports, e-mails…)."""

    run_id: str
    path: str
    content: bytes
    content_type: str = "text/plain"
    created_at: float = field(default_factory=time.time)

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.content)


@dataclass
class UsageRecord:
    """One model call's accounting (also sent as a ``usage`` event)."""

    run_id: str
    app_id: str
    seq: int
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cost: float
    latency_ms: float
    ts: float = field(default_factory=time.time)


@dataclass
class Batch:
    """Writes committed together, atomically.

    Attributes:
        run_updates: ``(run_id, {column: value})`` pairs.
        steps: Step records to insert or replace.
        events: Events to append.
        artifacts: Artifacts to insert or replace.
        delete_steps: ``(run_id, path)`` pairs whose step records (and children) are removed.
        usage: Accounting rows of model calls.
    """

    run_updates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    artifacts: list[ArtifactRecord] = field(default_factory=list)
    delete_steps: list[tuple[str, str]] = field(default_factory=list)
    usage: list[UsageRecord] = field(default_factory=list)
