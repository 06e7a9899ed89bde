"""Approximate token counting for providers that do not report usage (and for ``offline``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mozaiks_ai.models.base import Message, ToolSpec

__all__ = ["approx_request_tokens", "approx_tokens"]

# A word or a single punctuation mark: close enough to BPE counts for English prose and JSON.
_TOKEN = re.compile(r"\w+|[^\w\s]")


def approx_tokens(text: str) -> int:
    """Count words and punctuation marks in ``text``, an approximation of its tokens."""
    return len(_TOKEN.findall(text))


def approx_request_tokens(messages: Iterable[Message], tools: Iterable[ToolSpec] = ()) -> int:
    """Approximate the input tokens of a request: message texts, tool calls and tool descriptions."""
    total = 0
    for message in messages:
        total += approx_tokens(message.content or "")
        for call in message.tool_calls:
            total += approx_tokens(call.name) + approx_tokens(repr(call.arguments))
    for tool in tools:
        total += approx_tokens(tool.name) + approx_tokens(tool.description) + approx_tokens(repr(tool.parameters))
    return total
