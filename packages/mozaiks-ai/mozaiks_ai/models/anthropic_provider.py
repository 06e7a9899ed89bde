"""Anthropic's Messages API through the ``anthropic`` SDK (the optional extra ``mozaiks-ai[anthropic]``).

Calls stream: text deltas go to ``on_token``, ``tool_use`` blocks become :class:`ToolCall` (their
``input_json_delta`` fragments joined), usage comes from ``message_start`` and ``message_delta``
(cache reads and writes count as input). System messages become the ``system`` parameter, tool
results ``tool_result`` blocks of a user turn (consecutive turns of one role are merged, as the API
requires), and ``output_schema`` becomes ``output_config.format``. Retries and errors follow
:mod:`mozaiks_ai.models.openai_compat`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mozaiks_ai.models._extras import import_extra
from mozaiks_ai.models._loop_clients import LoopClients
from mozaiks_ai.models._retry import Backoff
from mozaiks_ai.models._sdk_errors import stream_with_retries
from mozaiks_ai.models._tool_calls import ToolCallParts, assemble_tool_calls
from mozaiks_ai.models.base import Message, ModelRequest, ModelResponse, OnToken, ToolSpec, Usage

if TYPE_CHECKING:
    import anthropic
    from anthropic.types import ContentBlockParam, MessageParam, OutputConfigParam, RawMessageStreamEvent, ToolParam

__all__ = ["DEFAULT_ANTHROPIC_BASE_URL", "AnthropicProvider", "to_anthropic_messages", "to_anthropic_tools"]

DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com"
_DEFAULT_MAX_TOKENS = 4096
_STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "tool_use": "tool_calls", "max_tokens": "length"}


def _blocks(message: Message) -> list[ContentBlockParam]:
    if message.role == "tool":
        return [{"type": "tool_result", "tool_use_id": message.tool_call_id or "", "content": message.content or ""}]
    blocks: list[ContentBlockParam] = [{"type": "text", "text": message.content}] if message.content else []
    for call in message.tool_calls:
        blocks.append({"type": "tool_use", "id": call.id, "name": call.name, "input": dict(call.arguments)})
    return blocks


def to_anthropic_messages(messages: Iterable[Message]) -> tuple[str | None, list[MessageParam]]:
    """Map our messages onto the Messages API: the ``system`` text and the user/assistant turns.

    Tool results become ``tool_result`` blocks of user turns, and consecutive messages of one role
    are merged into one turn (the API wants roles to alternate). Empty messages are dropped.
    """
    system: list[str] = []
    turns: list[tuple[str, list[ContentBlockParam]]] = []
    for message in messages:
        if message.role == "system":
            system.append(message.content or "")
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if not blocks:
            continue
        if turns and turns[-1][0] == role:
            turns[-1][1].extend(blocks)
        else:
            turns.append((role, blocks))
    out: list[MessageParam] = [
        {"role": "assistant", "content": blocks} if role == "assistant" else {"role": "user", "content": blocks}
        for role, blocks in turns
    ]
    return ("\n\n".join(s for s in system if s) or None), out


def to_anthropic_tools(tools: Iterable[ToolSpec]) -> list[ToolParam]:
    """Map tool specs onto Messages API ``tools``."""
    return [{"name": t.name, "description": t.description, "input_schema": t.parameters} for t in tools]


@dataclass
class _Assembler:
    text: list[str] = field(default_factory=list)
    calls: dict[int, ToolCallParts] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    stop_reason: str | None = None
    model: str = ""

    def add(self, event: RawMessageStreamEvent, on_token: OnToken) -> None:
        if event.type == "message_start":
            usage = event.message.usage
            self.model = event.message.model or self.model
            self.input_tokens = _input_tokens(usage)
            self.output_tokens = usage.output_tokens or 0
        elif event.type == "content_block_start":
            block = event.content_block
            if block.type == "tool_use":
                self.calls[event.index] = ToolCallParts(id=block.id, name=block.name)
        elif event.type == "content_block_delta":
            delta = event.delta
            if delta.type == "text_delta" and delta.text:
                self.text.append(delta.text)
                on_token(delta.text)
            elif delta.type == "input_json_delta" and event.index in self.calls:
                self.calls[event.index].arguments.append(delta.partial_json)
        elif event.type == "message_delta":
            self.stop_reason = event.delta.stop_reason or self.stop_reason
            self.output_tokens = event.usage.output_tokens or self.output_tokens
            if event.usage.input_tokens:
                self.input_tokens = _input_tokens(event.usage)


def _input_tokens(usage: Any) -> int:
    return int(
        (usage.input_tokens or 0)
        + (getattr(usage, "cache_creation_input_tokens", None) or 0)
        + (getattr(usage, "cache_read_input_tokens", None) or 0)
    )


class AnthropicProvider:
    """A Claude model over the Messages API.

    Args:
        api_key: ``ANTHROPIC_API_KEY``.
        base_url: The API root (default ``https://api.anthropic.com``).
        max_retries: Retries of 429/5xx (529 "overloaded" included)/connection failures.
        timeout: Upper bound in seconds of one attempt, streaming included.
        retry_delay: First backoff wait without ``Retry-After``; it doubles each retry.
        max_retry_delay: Cap of any wait.
        max_tokens: Output cap sent when a request sets none (the API requires one).

    Raises:
        MissingExtraError: The ``anthropic`` package is not installed.
    """

    name = "anthropic"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        max_retries: int = 4,
        timeout: float = 120.0,
        retry_delay: float = 0.5,
        max_retry_delay: float = 30.0,
        max_tokens: int = _DEFAULT_MAX_TOKENS,
    ) -> None:
        import_extra("anthropic", extra="anthropic")
        self.base_url = (base_url or DEFAULT_ANTHROPIC_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.backoff = Backoff(max_retries, retry_delay, max_retry_delay)
        self._api_key = api_key
        self._clients: LoopClients[anthropic.AsyncAnthropic] = LoopClients(self._new_client)

    def __repr__(self) -> str:
        return f"AnthropicProvider(base_url={self.base_url!r})"

    def _new_client(self) -> anthropic.AsyncAnthropic:
        import anthropic

        return anthropic.AsyncAnthropic(
            api_key=self._api_key, base_url=self.base_url, max_retries=0, timeout=self.timeout
        )

    def _client(self) -> anthropic.AsyncAnthropic:
        return self._clients.get()

    async def aclose(self) -> None:
        """Close the HTTP client of the running event loop."""
        await self._clients.aclose()

    async def complete(self, request: ModelRequest, on_token: OnToken | None = None) -> ModelResponse:
        """Stream one message, retrying transient failures.

        Raises:
            ModelError: HTTP 4xx (with the provider's message), retries exhausted, timeout, or
                tool input that is not JSON.
        """
        import anthropic
        import httpx2

        where = f"anthropic model {request.model!r}"
        timeout = min(request.timeout, self.timeout)
        return await stream_with_retries(
            lambda emit: self._stream(request, emit, timeout, where),
            on_token,
            sdk=anthropic,
            errors=(anthropic.AnthropicError, httpx2.TransportError),
            where=where,
            timeout=timeout,
            secret=self._api_key,
            backoff=self.backoff,
        )

    async def _stream(self, request: ModelRequest, emit: OnToken, timeout: float, where: str) -> ModelResponse:
        import anthropic

        system, messages = to_anthropic_messages(request.messages)
        output: OutputConfigParam | anthropic.Omit = anthropic.omit
        if request.output_schema is not None:
            output = {"format": {"type": "json_schema", "schema": request.output_schema}}
        # The SDK no longer types ``temperature`` (newer models fix it); send it only when asked for.
        extra = {"temperature": request.temperature} if request.temperature is not None else None
        stream = await self._client().messages.create(
            model=request.model,
            messages=messages,
            max_tokens=request.max_tokens or self.max_tokens,
            stream=True,
            system=system if system is not None else anthropic.omit,
            tools=to_anthropic_tools(request.tools) if request.tools else anthropic.omit,
            output_config=output,
            extra_body=extra,
            timeout=timeout,
        )
        assembler = _Assembler()
        async with stream:
            async for event in stream:
                assembler.add(event, emit)
        calls = assemble_tool_calls(assembler.calls, where)
        stop = assembler.stop_reason
        return ModelResponse(
            text="".join(assembler.text),
            tool_calls=calls,
            usage=Usage(assembler.input_tokens, assembler.output_tokens),
            provider=self.name,
            model=assembler.model or request.model,
            finish_reason=_STOP_REASONS.get(stop, stop) if stop else ("tool_calls" if calls else "stop"),
        )
