"""AnthropicProvider: message mapping, and streaming against the peer's Messages API."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator

import pytest
from mozaiks_ai.errors import ModelError, ProviderNotConfiguredError
from mozaiks_ai.models import AnthropicProvider, Message, MissingExtraError, ModelRequest, ToolCall, ToolSpec, Usage
from mozaiks_ai.models.anthropic_provider import to_anthropic_messages, to_anthropic_tools
from openai_peer import OpenAIPeer, serve_openai_peer

pytestmark = pytest.mark.anyio

# Not a real model: the SDK warns about deprecated names, and warnings are errors here.
MODEL = "claude-test"


def test_system_messages_become_the_system_parameter() -> None:
    system, messages = to_anthropic_messages(
        [Message("system", "Be brief."), Message("user", "Hi"), Message("system", "Use English.")]
    )

    assert system == "Be brief.\n\nUse English."
    assert messages == [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]


def test_tool_calls_and_results_map_to_blocks_and_merge_into_turns() -> None:
    calls = (ToolCall("toolu_1", "add", {"a": 1}), ToolCall("toolu_2", "mul", {"b": 2}))
    system, messages = to_anthropic_messages(
        [
            Message("user", "Compute"),
            Message("assistant", "Working on it.", tool_calls=calls),
            Message("tool", "3", tool_call_id="toolu_1", name="add"),
            Message("tool", "4", tool_call_id="toolu_2", name="mul"),
            Message("user", "And now?"),
            Message("assistant", None),
        ]
    )

    assert system is None
    assert messages == [
        {"role": "user", "content": [{"type": "text", "text": "Compute"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Working on it."},
                {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 1}},
                {"type": "tool_use", "id": "toolu_2", "name": "mul", "input": {"b": 2}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "3"},
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": "4"},
                {"type": "text", "text": "And now?"},
            ],
        },
    ]


def test_tools_map_to_input_schemas() -> None:
    tool = ToolSpec("add", "Add numbers", {"type": "object", "properties": {"a": {"type": "number"}}})

    assert to_anthropic_tools([tool]) == [
        {"name": "add", "description": "Add numbers", "input_schema": tool.parameters}
    ]


def test_a_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "anthropic", None)  # what `import anthropic` sees when it is not installed

    with pytest.raises(MissingExtraError) as caught:
        AnthropicProvider("sk-ant-key")

    assert isinstance(caught.value, ImportError) and isinstance(caught.value, ProviderNotConfiguredError)
    assert "pip install 'mozaiks-ai[anthropic]'" in str(caught.value)
    assert (caught.value.name, caught.value.extra) == ("anthropic", "anthropic")


@pytest.fixture
def peer() -> Iterator[OpenAIPeer]:
    with serve_openai_peer() as running:
        yield running


@pytest.fixture
async def claude(peer: OpenAIPeer) -> AsyncIterator[AnthropicProvider]:
    assert peer.api_key is not None
    provider = AnthropicProvider(peer.api_key, base_url=peer.root_url, max_retries=2, retry_delay=0.01)
    yield provider
    await provider.aclose()


async def test_streams_text_and_tool_use(peer: OpenAIPeer, claude: AnthropicProvider) -> None:
    peer.add(
        {
            "chunks": ["I'll ", "add ", "them."],
            "tool_calls": [{"id": "toolu_9", "name": "add", "arguments": {"a": 1, "b": 22}}],
            "arguments_chunk": 4,
            "usage": {"input_tokens": 31, "output_tokens": 17},
        }
    )
    tokens: list[str] = []
    tool = ToolSpec("add", "Add numbers", {"type": "object"})
    request = ModelRequest(MODEL, (Message("system", "Be exact."), Message("user", "1 + 22?")), tools=(tool,))

    response = await claude.complete(request, tokens.append)

    assert tokens == ["I'll ", "add ", "them."]
    assert response.text == "I'll add them."
    assert response.tool_calls == (ToolCall("toolu_9", "add", {"a": 1, "b": 22}),)
    assert response.usage == Usage(input_tokens=31, output_tokens=17)
    assert (response.provider, response.model, response.finish_reason) == ("anthropic", MODEL, "tool_calls")
    body = peer.requests[0]
    assert body["stream"] is True and body["system"] == "Be exact." and body["max_tokens"] == 4096
    assert body["tools"] == [{"name": "add", "description": "Add numbers", "input_schema": {"type": "object"}}]
    assert "temperature" not in body and "output_config" not in body
    sent = peer.headers[0]
    assert peer.api_key in (sent.get("x-api-key"), sent.get("authorization", "").removeprefix("Bearer "))


async def test_output_schema_temperature_and_max_tokens_are_sent(peer: OpenAIPeer, claude: AnthropicProvider) -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    peer.add({"json": {"ok": True}})

    request = ModelRequest(MODEL, (Message("user", "ok?"),), output_schema=schema, temperature=0.0, max_tokens=99)
    response = await claude.complete(request)

    assert response.text == '{"ok": true}' and response.finish_reason == "stop"
    body = peer.requests[0]
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": schema}}
    assert body["temperature"] == 0.0 and body["max_tokens"] == 99


async def test_overloaded_and_rate_limited_answers_are_retried(peer: OpenAIPeer, claude: AnthropicProvider) -> None:
    peer.add({"status": 529, "message": "Overloaded"}, {"status": 429, "retry_after_ms": 200}, {"text": "hi"})

    response = await claude.complete(ModelRequest(MODEL, (Message("user", "hi"),)))

    assert response.text == "hi" and peer.count == 3
    assert peer.times[2] - peer.times[1] >= 0.18


async def test_400_is_a_model_error_with_the_message(peer: OpenAIPeer, claude: AnthropicProvider) -> None:
    peer.add({"status": 400, "message": "messages: roles must alternate"})

    with pytest.raises(ModelError, match=r"^anthropic model 'claude-test': HTTP 400: messages: roles must alternate$"):
        await claude.complete(ModelRequest(MODEL, (Message("user", "hi"),)))


async def test_bad_tool_input_names_the_tool(peer: OpenAIPeer, claude: AnthropicProvider) -> None:
    peer.add({"tool_calls": [{"name": "lookup", "arguments": '{"q": '}]})

    with pytest.raises(ModelError, match="lookup"):
        await claude.complete(ModelRequest(MODEL, (Message("user", "hi"),)))


async def test_a_slow_answer_times_out(peer: OpenAIPeer, claude: AnthropicProvider) -> None:
    peer.add({"text": "late", "delay": 2})

    with pytest.raises(ModelError, match="timeout"):
        await claude.complete(ModelRequest(MODEL, (Message("user", "hi"),), timeout=0.3))


async def test_a_connection_cut_mid_stream_fails_without_retry(peer: OpenAIPeer, claude: AnthropicProvider) -> None:
    peer.add({"text": "one two three", "disconnect_after": 4}, {"text": "never asked"})
    tokens: list[str] = []

    with pytest.raises(ModelError, match="connection failed"):
        await claude.complete(ModelRequest(MODEL, (Message("user", "hi"),)), tokens.append)

    assert tokens == ["one ", "two "] and peer.count == 1


async def test_a_connection_cut_before_text_is_retried(peer: OpenAIPeer, claude: AnthropicProvider) -> None:
    peer.add({"text": "lost", "disconnect_after": 1}, {"text": "again"})

    assert (await claude.complete(ModelRequest(MODEL, (Message("user", "hi"),)))).text == "again"
    assert peer.count == 2
