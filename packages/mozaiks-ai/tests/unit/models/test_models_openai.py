"""OpenAIProvider against a scripted OpenAI-compatible server, through the real ``openai`` SDK."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from mozaiks_ai.errors import ModelError
from mozaiks_ai.models import Message, ModelRequest, OpenAIProvider, ToolCall, ToolSpec, Usage
from mozaiks_ai.models.openai_compat import _completion_tokens_param
from openai_peer import OpenAIPeer, serve_openai_peer

pytestmark = pytest.mark.anyio

HELLO = (Message("user", "Say hello"),)


@pytest.fixture
def peer() -> Iterator[OpenAIPeer]:
    with serve_openai_peer() as running:
        yield running


@pytest.fixture
async def provider(peer: OpenAIPeer) -> AsyncIterator[OpenAIProvider]:
    model = OpenAIProvider(peer.base_url, peer.api_key, max_retries=2, retry_delay=0.01)
    yield model
    await model.aclose()


def request(*messages: Message, **options: Any) -> ModelRequest:
    return ModelRequest("gpt-4o-mini", messages or HELLO, **options)


async def test_text_streams_in_order_and_usage_is_the_servers(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"chunks": ["Hel", "lo, ", "wor", "ld!"], "usage": {"input_tokens": 12, "output_tokens": 4}})
    tokens: list[str] = []

    response = await provider.complete(request(), tokens.append)

    assert tokens == ["Hel", "lo, ", "wor", "ld!"]
    assert response.text == "Hello, world!"
    assert response.usage == Usage(input_tokens=12, output_tokens=4)
    assert (response.provider, response.model, response.finish_reason) == ("openai", "gpt-4o-mini", "stop")
    assert response.offline is False and response.tool_calls == ()


async def test_the_request_is_a_streaming_chat_completion(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"text": "ok"})
    call = ToolCall("call_1", "lookup", {"q": "weather"})
    messages = (
        Message("system", "Be brief."),
        Message("user", "Weather?"),
        Message("assistant", None, tool_calls=(call,)),
        Message("tool", '{"temp": 21}', tool_call_id="call_1", name="lookup"),
    )
    tool = ToolSpec("lookup", "Look something up", {"type": "object", "properties": {"q": {"type": "string"}}})

    await provider.complete(request(*messages, tools=(tool,), temperature=0.2, max_tokens=50))

    body = peer.requests[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0.2 and body["max_tokens"] == 50
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "weather"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 21}'},
    ]
    assert body["tools"] == [{"type": "function", "function": {"name": "lookup", **_spec(tool)}}]
    assert "response_format" not in body
    assert peer.headers[0]["authorization"] == f"Bearer {peer.api_key}"


def _spec(tool: ToolSpec) -> dict[str, Any]:
    return {"description": tool.description, "parameters": tool.parameters}


async def test_two_tool_calls_with_arguments_streamed_in_pieces(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add(
        {
            "text": "Let me check.",
            "arguments_chunk": 3,
            "tool_calls": [
                {"id": "call_a", "name": "add", "arguments": {"a": 1, "b": 2}},
                {"id": "call_b", "name": "search", "arguments": {"query": "mozaiks", "tags": ["x", "y"]}},
            ],
        }
    )

    response = await provider.complete(request())

    assert response.text == "Let me check."
    assert response.tool_calls == (
        ToolCall("call_a", "add", {"a": 1, "b": 2}),
        ToolCall("call_b", "search", {"query": "mozaiks", "tags": ["x", "y"]}),
    )
    assert response.finish_reason == "tool_calls"


async def test_a_tool_call_without_arguments_gets_an_empty_object(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"tool_calls": [{"name": "now", "arguments": ""}]})

    response = await provider.complete(request())

    assert response.tool_calls == (ToolCall("call_peer_0", "now", {}),)


@pytest.mark.parametrize("arguments", ['{"q": "unterminated', "[1, 2]"])
async def test_bad_tool_arguments_name_the_tool(peer: OpenAIPeer, provider: OpenAIProvider, arguments: str) -> None:
    peer.add({"tool_calls": [{"name": "search_docs", "arguments": arguments}]})

    with pytest.raises(ModelError, match="search_docs"):
        await provider.complete(request())
    assert peer.count == 1  # a broken answer is not retried here; the step decides


async def test_output_schema_asks_for_json_schema_output(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    schema = {"type": "object", "properties": {"entities": {"type": "array"}}, "required": ["entities"]}
    peer.add({"json": {"entities": ["Task", "User"]}})

    response = await provider.complete(request(output_schema=schema))

    assert json.loads(response.text) == {"entities": ["Task", "User"]}
    assert peer.requests[0]["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "output", "schema": schema, "strict": False},
    }


async def test_429_waits_as_long_as_retry_after_says(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"status": 429, "retry_after": 1, "message": "Rate limit reached"}, {"text": "finally"})

    response = await provider.complete(request())

    assert response.text == "finally" and peer.count == 2
    waited = peer.times[1] - peer.times[0]
    assert 0.95 <= waited < 3  # the exponential schedule alone would have waited 0.01s


async def test_retry_after_ms_is_honoured(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"status": 429, "retry_after_ms": 300}, {"text": "ok"})

    await provider.complete(request())

    assert peer.times[1] - peer.times[0] >= 0.28


async def test_a_long_retry_after_is_capped(peer: OpenAIPeer) -> None:
    peer.add({"status": 503, "retry_after": 3600}, {"text": "ok"})
    model = OpenAIProvider(peer.base_url, peer.api_key, max_retries=1, retry_delay=0.01, max_retry_delay=0.2)
    try:
        started = time.monotonic()
        assert (await model.complete(request())).text == "ok"
        assert time.monotonic() - started < 2
    finally:
        await model.aclose()


async def test_5xx_is_retried_then_succeeds(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"status": 500}, {"status": 503}, {"text": "recovered"})

    response = await provider.complete(request())

    assert response.text == "recovered" and peer.count == 3


async def test_5xx_after_the_last_retry_fails(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add(*[{"status": 502, "message": "bad gateway"}] * 3)

    with pytest.raises(ModelError, match=r"HTTP 502: bad gateway \(after 2 retries\)"):
        await provider.complete(request())
    assert peer.count == 3


async def test_400_fails_at_once_with_the_providers_message(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"status": 400, "message": "Invalid schema for response_format 'output'"}, {"text": "unused"})

    with pytest.raises(ModelError) as caught:
        await provider.complete(request())

    assert str(caught.value) == ("openai model 'gpt-4o-mini': HTTP 400: Invalid schema for response_format 'output'")
    assert peer.count == 1


async def test_a_wrong_key_is_an_error_that_does_not_repeat_the_key(peer: OpenAIPeer) -> None:
    secret = "sk-wrong-0123456789abcdef"
    model = OpenAIProvider(peer.base_url, secret, max_retries=2, retry_delay=0.01)
    try:
        with pytest.raises(ModelError, match="HTTP 401") as caught:
            await model.complete(request())
    finally:
        await model.aclose()
    assert secret not in str(caught.value) and "***" in str(caught.value)
    assert peer.count == 1


async def test_a_slow_answer_times_out(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"text": "too late", "delay": 2})
    started = time.monotonic()

    with pytest.raises(ModelError, match="timeout"):
        await provider.complete(request(timeout=0.3))

    assert time.monotonic() - started < 1.5
    assert peer.count == 1  # timeouts are not retried


async def test_a_trickling_stream_times_out_as_a_whole(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    words = [f"w{i}" for i in range(40)]
    peer.add({"text": " ".join(words), "chunk_delay": 0.05})  # 2s in all
    tokens: list[str] = []

    with pytest.raises(ModelError, match=r"within 1s \(timeout\)"):
        await provider.complete(request(timeout=1.0), tokens.append)

    assert 0 < len(tokens) < len(words)  # every chunk came in time, the whole answer did not
    assert peer.count == 1


async def test_refused_connections_are_retried_then_fail() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    model = OpenAIProvider(f"http://127.0.0.1:{port}/v1", "sk-x", max_retries=1, retry_delay=0.01)
    try:
        with pytest.raises(ModelError, match=r"connection failed.*after 1 retries"):
            await model.complete(request())
    finally:
        await model.aclose()


async def test_usage_is_estimated_when_the_server_reports_none(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"text": "one two three", "include_usage": False})

    response = await provider.complete(request())

    assert response.usage == Usage(input_tokens=2, output_tokens=3)


async def test_the_model_the_server_reports_is_kept(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"text": "ok", "model": "gpt-4o-mini-2024-07-18"})

    assert (await provider.complete(request())).model == "gpt-4o-mini-2024-07-18"


async def test_a_keyless_local_server_works() -> None:
    with serve_openai_peer([{"text": "from ollama"}], api_key=None) as local:
        model = OpenAIProvider(local.base_url, None, max_retries=0)
        try:
            assert (await model.complete(request())).text == "from ollama"
        finally:
            await model.aclose()


@pytest.mark.parametrize(
    ("base_url", "completion_tokens"),
    [
        ("https://api.openai.com/v1", True),
        ("https://my-resource.openai.azure.com/openai/v1", True),
        ("http://localhost:11434/v1", False),
        ("http://vllm.internal:8000/v1", False),
    ],
)
def test_openai_hosts_get_max_completion_tokens(base_url: str, completion_tokens: bool) -> None:
    assert _completion_tokens_param(base_url) is completion_tokens


async def test_a_connection_cut_before_any_text_is_retried(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"text": "lost", "disconnect_after": 1}, {"text": "second try"})
    tokens: list[str] = []

    response = await provider.complete(request(), tokens.append)

    assert response.text == "second try" and tokens == ["second ", "try"] and peer.count == 2


async def test_a_connection_cut_after_streamed_text_is_not_retried(peer: OpenAIPeer, provider: OpenAIProvider) -> None:
    peer.add({"text": "one two three four", "disconnect_after": 3}, {"text": "never asked"})
    tokens: list[str] = []

    with pytest.raises(ModelError, match="connection failed"):
        await provider.complete(request(), tokens.append)

    assert tokens == ["one ", "two "]  # a retry would stream text the consumer already has
    assert peer.count == 1
