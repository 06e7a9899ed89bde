"""The test peer itself: non-streaming answers, models, auth and an exhausted script."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai_peer import serve_openai_peer

pytestmark = pytest.mark.anyio


async def test_non_streaming_completion_with_tool_calls() -> None:
    script = [
        {
            "text": "Calling.",
            "tool_calls": [{"id": "c1", "name": "f", "arguments": {"x": 1}}],
            "usage": {"input_tokens": 3, "output_tokens": 2},
        }
    ]
    with serve_openai_peer(script) as peer:
        async with openai.AsyncOpenAI(api_key=peer.api_key, base_url=peer.base_url, max_retries=0) as client:
            completion = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])

    message = completion.choices[0].message
    assert message.content == "Calling." and completion.choices[0].finish_reason == "tool_calls"
    assert message.tool_calls is not None and message.tool_calls[0].function.arguments == '{"x": 1}'  # type: ignore[union-attr]
    assert completion.usage is not None and (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (
        3,
        2,
    )
    assert peer.count == 1 and peer.requests[0]["messages"] == [{"role": "user", "content": "hi"}]


async def test_models_endpoint_and_bearer_check() -> None:
    with serve_openai_peer() as peer:
        async with httpx.AsyncClient(base_url=peer.base_url) as http:
            ok = await http.get("/models", headers={"Authorization": f"Bearer {peer.api_key}"})
            refused = await http.get("/models", headers={"Authorization": "Bearer nope"})

    assert ok.status_code == 200 and ok.json()["data"][0]["id"] == "gpt-4o-mini"
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_api_key"


async def test_an_exhausted_script_answers_400() -> None:
    with serve_openai_peer([{"text": "only one"}]) as peer:
        async with httpx.AsyncClient(
            base_url=peer.base_url, headers={"Authorization": f"Bearer {peer.api_key}"}
        ) as http:
            first = await http.post("/chat/completions", json={"model": "m", "messages": []})
            second = await http.post("/chat/completions", json={"model": "m", "messages": []})

    assert first.json()["choices"][0]["message"]["content"] == "only one"
    assert second.status_code == 400 and "no reply left (1 used)" in second.json()["error"]["message"]
    assert peer.count == 2


async def test_non_streaming_anthropic_message() -> None:
    import anthropic

    script = [{"text": "Hi!", "tool_calls": [{"id": "t1", "name": "f", "arguments": {"y": 2}}]}]
    with serve_openai_peer(script) as peer:
        async with anthropic.AsyncAnthropic(api_key=peer.api_key, base_url=peer.root_url, max_retries=0) as client:
            message = await client.messages.create(
                model="claude-test", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
            )

    assert [block.type for block in message.content] == ["text", "tool_use"]
    assert message.content[1].input == {"y": 2}  # type: ignore[union-attr]
    assert message.stop_reason == "tool_use"
