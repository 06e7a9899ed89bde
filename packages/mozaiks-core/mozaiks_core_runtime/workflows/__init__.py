"""Workflow client: ``workflows.execute("Onboarding", {...})`` runs a workflow on mozaiks-ai."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._client import WorkflowClient

__all__ = ["WorkflowClient", "execute", "execute_async"]


def execute(
    workflow: str, data: Mapping[str, Any] | None = None, *, wait: bool = True, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Run a workflow on mozaiks-ai through the current app's client (see :meth:`WorkflowClient.execute`)."""
    from .._runtime import get_runtime

    return get_runtime().workflows.execute(workflow, data, wait=wait, idempotency_key=idempotency_key)


async def execute_async(
    workflow: str, data: Mapping[str, Any] | None = None, *, wait: bool = True, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Async twin of :func:`execute`."""
    from .._runtime import get_runtime

    return await get_runtime().workflows.execute_async(workflow, data, wait=wait, idempotency_key=idempotency_key)
