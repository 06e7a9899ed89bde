"""Tool calls assembled from streamed pieces (an id, a name and JSON arguments in fragments)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from mozaiks_ai.errors import ModelError
from mozaiks_ai.models.base import ToolCall

__all__ = ["ToolCallParts", "assemble_tool_calls"]


@dataclass
class ToolCallParts:
    """What has arrived so far of one streamed tool call."""

    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


def assemble_tool_calls(calls: dict[int, ToolCallParts], where: str) -> tuple[ToolCall, ...]:
    """Turn streamed parts (keyed by their position in the answer) into tool calls, in order.

    Args:
        calls: Parts by index.
        where: Names the model call in error messages.

    Raises:
        ModelError: A call's arguments are not a JSON object; the message names the tool.
    """
    out = []
    for index in sorted(calls):
        parts = calls[index]
        raw = "".join(parts.arguments).strip()
        try:
            arguments = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise ModelError(
                f"{where}: the arguments of tool call {parts.name!r} are not valid JSON ({exc}): {raw[:200]}"
            ) from None
        if not isinstance(arguments, dict):
            raise ModelError(f"{where}: the arguments of tool call {parts.name!r} are not a JSON object: {raw[:200]}")
        out.append(ToolCall(parts.id or f"call_{index}", parts.name, arguments))
    return tuple(out)
