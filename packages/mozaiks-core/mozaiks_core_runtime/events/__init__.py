"""Events: ``events.emit("task.created", task)`` stores the event durably and returns at once.

A background sender started with the app delivers it to mozaiks-ai (``POST {MOZAIKS_AI_URL}/api/events``, with
``MOZAIKS_AI_TOKEN``), retrying with backoff. Without ``MOZAIKS_AI_URL`` events stay in the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._outbox import Outbox

__all__ = ["Outbox", "emit", "emit_async"]


def emit(type: str, data: Mapping[str, Any] | None = None) -> str:
    """Store an event in the outbox of the current app and return its id.

    Args:
        type: Event type, e.g. ``task.created``; workflows whose ``trigger`` matches run on mozaiks-ai.
        data: A JSON object (a db document works as is).

    Returns:
        The outbox id, sent to mozaiks-ai as the event id.

    Raises:
        RequestError: Invalid type or data that is not a JSON object.
    """
    from .._runtime import get_runtime

    return get_runtime().outbox.emit(type, data)


async def emit_async(type: str, data: Mapping[str, Any] | None = None) -> str:
    """Async twin of :func:`emit`."""
    from .._runtime import get_runtime

    return await get_runtime().outbox.emit_async(type, data)
