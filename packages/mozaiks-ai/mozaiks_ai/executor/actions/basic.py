"""The simplest built-ins: ``echo``, ``log`` and ``set``."""

from __future__ import annotations

import logging
from typing import Any

from mozaiks_ai.errors import ActionError
from mozaiks_ai.executor.call import StepCall

__all__ = ["echo", "log", "set_vars"]

logger = logging.getLogger("mozaiks_ai.workflow")
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


async def echo(call: StepCall) -> Any:
    """Return the message (``- echo: "Hello {{ input.name }}"``); it becomes the step's output."""
    if isinstance(call.params, dict) and set(call.params) == {"message"}:
        return call.params["message"]
    return call.params


async def log(call: StepCall) -> Any:
    """Log a message (``- log: "…"`` or ``{message, level}``) and stream it as a progress chunk."""
    args = call.mapping("message")
    message = str(args.get("message", ""))
    level = str(args.get("level", "info")).lower()
    if level not in _LEVELS:
        raise ActionError(f"log level must be one of {', '.join(_LEVELS)}, got {level!r}")
    logger.log(_LEVELS[level], "[%s %s] %s", call.run.id, call.path, call.execution.redact(message))
    call.execution.emit("chunk", call.path, {"kind": "progress", "chunk": message, "level": level})
    return message


async def set_vars(call: StepCall) -> Any:
    """Store variables for later steps (``- set: {count: 3}`` → ``vars.count``)."""
    if not isinstance(call.params, dict):
        raise ActionError("set takes a mapping of variable names to values, e.g. '- set: {count: 3}'")
    return call.params
