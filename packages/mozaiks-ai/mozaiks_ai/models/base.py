"""The one small interface every model provider implements.

A provider turns a :class:`ModelRequest` (messages, optional tools and JSON-schema output) into a
:class:`ModelResponse` (text and/or tool calls, token usage), streaming text pieces to a callback
as they arrive. Providers: ``offline`` (deterministic, no network), ``openai`` (any
OpenAI-compatible endpoint through the official SDK) and ``anthropic`` (optional extra).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

__all__ = [
    "Message",
    "ModelProvider",
    "ModelRequest",
    "ModelResponse",
    "OnToken",
    "ToolCall",
    "ToolSpec",
    "Usage",
]

#: Called with each piece of streamed text.
OnToken = Callable[[str], None]


@dataclass(frozen=True)
class ToolCall:
    """A tool call requested by the model.

    Attributes:
        id: The provider's call id (``call_…``); echoed back with the result.
        name: Tool name.
        arguments: Parsed JSON arguments.
    """

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Message:
    """One chat message.

    Attributes:
        role: ``system``, ``user``, ``assistant`` or ``tool``.
        content: Text (``None`` for an assistant message that only calls tools).
        tool_calls: Calls made by an assistant message.
        tool_call_id: For ``tool`` messages: the call answered.
        name: For ``tool`` messages: the tool's name.
    """

    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call: name, description and JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ModelRequest:
    """One model call.

    Attributes:
        model: The model name within the provider (``gpt-4o-mini``).
        messages: The conversation.
        tools: Tools the model may call.
        output_schema: A JSON schema the answer must follow (JSON mode / structured output).
        temperature: Sampling temperature (``None``: the provider's default).
        max_tokens: Upper bound of output tokens.
        timeout: Seconds before the call fails.
    """

    model: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    output_schema: dict[str, Any] | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    timeout: float = 120.0


@dataclass(frozen=True)
class Usage:
    """Tokens a call consumed, as reported by the provider."""

    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class ModelResponse:
    """What a model answered.

    Attributes:
        text: The answer's text (``""`` when it only calls tools).
        tool_calls: Tools to call before the next turn.
        usage: Token usage.
        provider: ``offline``, ``openai``, ``anthropic``.
        model: The model that answered.
        finish_reason: ``stop``, ``tool_calls``, ``length`` …
        offline: True for the deterministic offline provider: never present it as an LLM's answer.
    """

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = field(default_factory=Usage)
    provider: str = ""
    model: str = ""
    finish_reason: str = "stop"
    offline: bool = False


class ModelProvider(Protocol):
    """A source of model answers."""

    name: str

    async def complete(self, request: ModelRequest, on_token: OnToken | None = None) -> ModelResponse:
        """Answer ``request``; stream text pieces to ``on_token`` when given.

        Raises:
            ModelError: The call failed after the provider's retries (the message says why).
        """
        ...
