"""Column lists and JSON encoding shared by the SQL backends."""

from __future__ import annotations

import json
from typing import Any

from mozaiks_ai.state.records import RunRecord

RUN_COLUMNS = (
    "id",
    "workflow_id",
    "workflow_hash",
    "status",
    "input",
    "app_id",
    "user_id",
    "context",
    "output",
    "error",
    "idempotency_key",
    "session_id",
    "parent_run_id",
    "wake_at",
    "owner",
    "lease_until",
    "cancel_requested",
    "created_at",
    "updated_at",
)
JSON_RUN_COLUMNS = frozenset({"input", "context", "output", "error"})
UPDATABLE = frozenset(RUN_COLUMNS) - {"id", "created_at"}


def dumps(value: Any) -> str:
    """Encode a value as compact JSON (non-JSON values become strings)."""
    return json.dumps(value, separators=(",", ":"), default=str)


def loads(text: str | None) -> Any:
    """Decode JSON text stored by :func:`dumps` (``None`` stays ``None``)."""
    return None if text is None else json.loads(text)


def run_values(run: RunRecord) -> list[Any]:
    """Return the column values of ``run`` in :data:`RUN_COLUMNS` order, JSON encoded."""
    return [dumps(getattr(run, c)) if c in JSON_RUN_COLUMNS else getattr(run, c) for c in RUN_COLUMNS]


def run_from_row(row: Any) -> RunRecord:
    """Build a record from a row whose fields follow :data:`RUN_COLUMNS`."""
    values = {c: (loads(row[i]) if c in JSON_RUN_COLUMNS else row[i]) for i, c in enumerate(RUN_COLUMNS)}
    values["cancel_requested"] = bool(values["cancel_requested"])
    values["input"] = values["input"] or {}
    values["context"] = values["context"] or {}
    return RunRecord(**values)


def check_columns(fields: dict[str, Any]) -> None:
    """Refuse updates of unknown or immutable run columns."""
    bad = set(fields) - UPDATABLE
    if bad:
        raise ValueError(f"cannot update run columns {sorted(bad)}")
