"""Agents over the API: listed, chatted with over the WebSocket (offline and against a local OpenAI peer),
and their tokens accounted at /api/usage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_harness import Serve, run_events, ws_send, ws_until
from openai_peer import DEFAULT_API_KEY, serve_openai_peer
from websockets.asyncio.client import connect

pytestmark = pytest.mark.anyio

HELPER = {"name": "Helper", "description": "Answers briefly", "system": "Be brief.", "tools": ["echo"]}


def _shared_agent(workflows_root: Path) -> None:
    (workflows_root / "agents").mkdir(exist_ok=True)
    (workflows_root / "agents" / "helper.json").write_text(json.dumps(HELPER))


def test_agents_are_listed_with_the_builtin_ask(serve: Serve, workflows_root: Path) -> None:
    _shared_agent(workflows_root)
    api = serve()
    listed = api.request("GET", "/api/agents").json()
    assert [a["id"] for a in listed["agents"]] == ["ask", "helper"]
    assert listed["agents"][1]["tools"] == ["echo"]


async def test_a_message_naming_nothing_goes_to_the_offline_ask_agent(serve: Serve) -> None:
    api = serve()
    async with connect(api.ws_url()) as ws:
        await ws_send(ws, type="message", message="What is Mozaiks?", sessionId="s-ask")
        messages = await ws_until(ws)
    run_id = next(m["run_id"] for m in messages if "seq" in m)
    events = run_events(messages, run_id)
    completed = [e for e in events if e["type"] == "step.completed"]
    assert completed[-1]["offline"] is True and completed[-1]["output"].startswith("[offline]")
    assert events[-1]["type"] == "run.completed"
    run = api.request("GET", f"/api/runs/{run_id}").json()
    assert run["workflow"] == "agent:ask"


async def test_agent_chat_against_a_model_server_streams_tokens_and_remembers(
    serve: Serve, workflows_root: Path
) -> None:
    _shared_agent(workflows_root)
    script = [
        {"text": "Hi Ada, how can I help?", "usage": {"input_tokens": 11, "output_tokens": 7}},
        {"text": "You said your name is Ada.", "usage": {"input_tokens": 25, "output_tokens": 8}},
    ]
    with serve_openai_peer(script) as peer:
        api = serve(
            {"OPENAI_BASE_URL": peer.base_url, "OPENAI_API_KEY": DEFAULT_API_KEY, "MOZAIKS_MODEL": "openai:test-model"}
        )
        async with connect(api.ws_url()) as ws:
            await ws_send(ws, type="message", message="I am Ada", sessionId="s-helper", agent="helper")
            first = await ws_until(ws)
            await ws_send(ws, type="message", message="What is my name?", sessionId="s-helper")
            second = await ws_until(ws)
    first_run = next(m["run_id"] for m in first if "seq" in m)
    tokens = [e["chunk"] for e in run_events(first, first_run) if e["type"] == "chunk" and e["kind"] == "token"]
    assert "".join(tokens) == "Hi Ada, how can I help?"
    history = peer.requests[1]["messages"]
    assert [m["role"] for m in history] == ["system", "user", "assistant", "user"], "the session is the memory"
    assert history[2]["content"] == "Hi Ada, how can I help?"
    second_run = next(m["run_id"] for m in second if "seq" in m and m["run_id"] != first_run)
    usage = api.request("GET", "/api/usage", params={"run_id": second_run}).json()
    assert (usage["run"]["input_tokens"], usage["run"]["output_tokens"]) == (25, 8)
    assert (usage["app"]["input_tokens"], usage["app"]["output_tokens"]) == (36, 15)
    assert usage["app"]["by_model"][0]["model"] == "test-model"


def test_usage_of_another_apps_run_is_404(serve: Serve) -> None:
    api = serve()
    assert api.request("GET", "/api/usage", params={"run_id": "nope"}).status_code == 404
