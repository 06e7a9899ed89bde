"""Any OpenAI-compatible chat-completions endpoint, through the official ``openai`` SDK.

Works with OpenAI, Azure OpenAI (``base_url=https://<resource>.openai.azure.com/openai/v1``),
Ollama, vLLM, LM Studio and llama.cpp's server. Every call streams (``stream_options.include_usage``):
text pieces go to ``on_token`` as they arrive and tool calls are assembled from their deltas.

Retries are ours, not the SDK's (it is built with ``max_retries=0``): 408, 409, 429, 5xx and
refused connections are retried with capped exponential backoff that honours ``Retry-After``;
other 4xx answers and timeouts raise :class:`~mozaiks_ai.errors.ModelError` at once. Once text has
been streamed to ``on_token`` nothing is retried, so a consumer never sees the same text twice.
The ``openai`` package is imported on first use, so offline runs never pay for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mozaiks_ai.models._loop_clients import LoopClients
from mozaiks_ai.models._retry import Backoff
from mozaiks_ai.models._sdk_errors import stream_with_retries
from mozaiks_ai.models._tokens import approx_request_tokens, approx_tokens
from mozaiks_ai.models._tool_calls import ToolCallParts, assemble_tool_calls
from mozaiks_ai.models.base import Message, ModelRequest, ModelResponse, OnToken, ToolSpec, Usage

if TYPE_CHECKING:
    import openai
    from openai.types.chat import (
        ChatCompletionChunk,
        ChatCompletionFunctionToolParam,
        ChatCompletionMessageFunctionToolCallParam,
        ChatCompletionMessageParam,
    )
    from openai.types.chat.completion_create_params import ResponseFormat

__all__ = ["DEFAULT_OPENAI_BASE_URL", "OpenAIProvider", "to_openai_messages", "to_openai_tools"]

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
# OpenAI's own hosts want ``max_completion_tokens`` (reasoning models refuse ``max_tokens``); most
# compatible servers only know ``max_tokens``.
_COMPLETION_TOKENS_HOSTS = ("api.openai.com", ".openai.azure.com")


def to_openai_messages(messages: Iterable[Message]) -> list[ChatCompletionMessageParam]:
    """Map our messages onto chat-completions messages (assistant tool calls and tool results included)."""
    out: list[ChatCompletionMessageParam] = []
    for message in messages:
        if message.role == "system":
            out.append({"role": "system", "content": message.content or ""})
        elif message.role == "user":
            out.append({"role": "user", "content": message.content or ""})
        elif message.role == "tool":
            out.append({"role": "tool", "tool_call_id": message.tool_call_id or "", "content": message.content or ""})
        elif message.tool_calls:
            calls: list[ChatCompletionMessageFunctionToolCallParam] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
                for c in message.tool_calls
            ]
            out.append({"role": "assistant", "content": message.content, "tool_calls": calls})
        else:
            out.append({"role": "assistant", "content": message.content or ""})
    return out


def to_openai_tools(tools: Iterable[ToolSpec]) -> list[ChatCompletionFunctionToolParam]:
    """Map tool specs onto chat-completions ``tools``."""
    return [
        {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
        for t in tools
    ]


@dataclass
class _Assembler:
    """Collects a streamed answer: text, tool-call deltas (by index), usage and finish reason."""

    text: list[str] = field(default_factory=list)
    calls: dict[int, ToolCallParts] = field(default_factory=dict)
    usage: Usage | None = None
    finish_reason: str | None = None
    model: str = ""

    def add(self, chunk: ChatCompletionChunk, on_token: OnToken) -> None:
        self.model = chunk.model or self.model
        if chunk.usage is not None:
            self.usage = Usage(chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            delta = choice.delta
            if delta.content:
                self.text.append(delta.content)
                on_token(delta.content)
            for call in delta.tool_calls or ():
                parts = self.calls.setdefault(call.index, ToolCallParts())
                parts.id = parts.id or (call.id or "")
                if call.function is not None:
                    parts.name += call.function.name or ""
                    parts.arguments.append(call.function.arguments or "")
            self.finish_reason = choice.finish_reason or self.finish_reason


def _completion_tokens_param(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    return any(host == h or (h.startswith(".") and host.endswith(h)) for h in _COMPLETION_TOKENS_HOSTS)


class OpenAIProvider:
    """A model behind an OpenAI-compatible ``/chat/completions`` endpoint.

    Args:
        base_url: The API root, ending in ``/v1`` (default: OpenAI's).
        api_key: The bearer key; local servers (Ollama, vLLM) may need none.
        max_retries: Retries of 429/5xx/connection failures.
        timeout: Upper bound in seconds of one attempt, streaming included (a request's own,
            smaller ``timeout`` wins).
        retry_delay: First backoff wait when the server sends no ``Retry-After``; it doubles each retry.
        max_retry_delay: Cap of any wait, ``Retry-After`` included.
    """

    name = "openai"

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        max_retries: int = 4,
        timeout: float = 120.0,
        retry_delay: float = 0.5,
        max_retry_delay: float = 30.0,
    ) -> None:
        self.base_url = (base_url or DEFAULT_OPENAI_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.backoff = Backoff(max_retries, retry_delay, max_retry_delay)
        self._api_key = api_key
        self._completion_tokens = _completion_tokens_param(self.base_url)
        self._clients: LoopClients[openai.AsyncOpenAI] = LoopClients(self._new_client)

    def __repr__(self) -> str:
        return f"OpenAIProvider(base_url={self.base_url!r})"

    def _new_client(self) -> openai.AsyncOpenAI:
        import openai

        # Keyless local servers still need a non-empty key for the SDK (it is sent, and ignored).
        return openai.AsyncOpenAI(
            api_key=self._api_key or "no-key", base_url=self.base_url, max_retries=0, timeout=self.timeout
        )

    def _client(self) -> openai.AsyncOpenAI:
        return self._clients.get()

    async def aclose(self) -> None:
        """Close the HTTP client of the running event loop (others close with their loop)."""
        await self._clients.aclose()

    async def complete(self, request: ModelRequest, on_token: OnToken | None = None) -> ModelResponse:
        """Stream one chat completion, retrying transient failures.

        Raises:
            ModelError: HTTP 4xx (with the provider's message), retries exhausted, timeout, or
                tool-call arguments that are not JSON.
        """
        import httpx2
        import openai

        where = f"openai model {request.model!r}"
        timeout = min(request.timeout, self.timeout)
        return await stream_with_retries(
            lambda emit: self._stream(request, emit, timeout, where),
            on_token,
            sdk=openai,
            errors=(openai.OpenAIError, httpx2.TransportError),
            where=where,
            timeout=timeout,
            secret=self._api_key,
            backoff=self.backoff,
        )

    async def _stream(self, request: ModelRequest, emit: OnToken, timeout: float, where: str) -> ModelResponse:
        import openai

        limit = request.max_tokens if request.max_tokens is not None else openai.omit
        response_format: ResponseFormat | openai.Omit = openai.omit
        if request.output_schema is not None:
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": request.output_schema, "strict": False},
            }
        stream = await self._client().chat.completions.create(
            model=request.model,
            messages=to_openai_messages(request.messages),
            stream=True,
            stream_options={"include_usage": True},
            tools=to_openai_tools(request.tools) if request.tools else openai.omit,
            response_format=response_format,
            temperature=request.temperature if request.temperature is not None else openai.omit,
            max_completion_tokens=limit if self._completion_tokens else openai.omit,
            max_tokens=openai.omit if self._completion_tokens else limit,
            timeout=timeout,
        )
        assembler = _Assembler()
        async with stream:
            async for chunk in stream:
                assembler.add(chunk, emit)
        text = "".join(assembler.text)
        calls = assemble_tool_calls(assembler.calls, where)
        # Some compatible servers ignore include_usage: estimate rather than report zero.
        usage = assembler.usage or Usage(
            approx_request_tokens(request.messages, request.tools), approx_tokens(text) + len(calls)
        )
        return ModelResponse(
            text=text,
            tool_calls=calls,
            usage=usage,
            provider=self.name,
            model=assembler.model or request.model,
            finish_reason=assembler.finish_reason or ("tool_calls" if calls else "stop"),
        )
