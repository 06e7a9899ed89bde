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

__all__ = ["ACTIONS", "ACTION_SCHEMAS", "Action"]

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


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


_TEXT = {"type": "string"}

#: What agents see of the built-in actions they may call: a description and a JSON schema of arguments.
ACTION_SCHEMAS: dict[str, tuple[str, dict[str, Any]]] = {
    "echo": ("Return a message unchanged.", _object({"message": _TEXT}, ["message"])),
    "log": ("Write a message to the run's log.", _object({"message": _TEXT}, ["message"])),
    "http": (
        "Call an allowlisted HTTP URL.",
        _object({"url": _TEXT, "method": _TEXT, "json": {"type": "object"}, "headers": {"type": "object"}}, ["url"]),
    ),
    "call_app_api": (
        "Call the app's own API.",
        _object({"endpoint": _TEXT, "method": _TEXT, "body": {"type": "object"}}, ["endpoint"]),
    ),
    "send_email": ("Send an e-mail.", _object({"to": _TEXT, "subject": _TEXT, "body": _TEXT}, ["to", "subject"])),
    "emit_event": ("Emit an app event.", _object({"type": _TEXT, "data": {"type": "object"}}, ["type"])),
    "artifact": ("Save a file in the run's artifacts.", _object({"path": _TEXT, "content": _TEXT}, ["path"])),
}
