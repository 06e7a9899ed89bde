"""Built-in actions. ``sleep`` is implemented by the run executor (it is durable)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mozaiks_ai.executor.actions.artifact import artifact
from mozaiks_ai.executor.actions.basic import echo, log, set_vars
from mozaiks_ai.executor.actions.email import send_email
from mozaiks_ai.executor.actions.http import call_app_api, http
from mozaiks_ai.executor.actions.platform import emit_event, use_mozaiks_tool
from mozaiks_ai.executor.call import StepCall

__all__ = ["ACTIONS", "Action"]

Action = Callable[[StepCall], Awaitable[Any]]

#: Built-in actions by name (``sleep`` is handled by the executor itself).
ACTIONS: dict[str, Action] = {
    "artifact": artifact,
    "call_app_api": call_app_api,
    "echo": echo,
    "emit_event": emit_event,
    "http": http,
    "log": log,
    "send_email": send_email,
    "set": set_vars,
    "use_mozaiks_tool": use_mozaiks_tool,
}
