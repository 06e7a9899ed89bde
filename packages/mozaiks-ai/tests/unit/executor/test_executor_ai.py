"""model and agent steps on the real engine: offline, and against a local OpenAI-compatible server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from engine_harness import Harness, check_event_log
from openai_peer import DEFAULT_API_KEY, OpenAIPeer, serve_openai_peer

pytestmark = pytest.mark.anyio

ENTITIES = {
    "type": "object",
    "properties": {"entities": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
    "required": ["entities"],
}

AGENT_WORKFLOW = """
name: Support
inputs:
  message: {type: string, required: true}
steps:
  - answer: {agent: support-bot, message: "{{ input.message }}"}
"""
SUPPORT_BOT = {
    "name": "Support bot",
    "system": "You answer support questions.",
    "tools": ["lookup_order"],
    "max_turns": 4,
}
TOOLS = {
    "orders": '''
from mozaiks_ai import ToolContext, tool


@tool
def lookup_order(order_id: str, context: ToolContext) -> dict:
    """Find an order by id."""
    context.progress(f"looking up {order_id}")
    return {"order_id": order_id, "status": "shipped"}
'''
}


def _peer_env(peer: OpenAIPeer, model: str = "openai:test-model") -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": peer.base_url,
        "OPENAI_API_KEY": DEFAULT_API_KEY,
        "MOZAIKS_MODEL": model,
        "MOZAIKS_MODEL_MAX_RETRIES": "2",
    }


def _agent_folder(mz: Harness) -> None:
    mz.workflow("support", AGENT_WORKFLOW, tools=TOOLS, files={"agents/support-bot.json": json.dumps(SUPPORT_BOT)})


async def _events(mz: Harness, run_id: str) -> list[Any]:
    return await mz.engines[-1].store.list_events(run_id)


async def test_model_step_offline_is_labelled_and_schema_valid(mz: Harness) -> None:
    mz.workflow(
        "wf",
        f"steps:\n  - analyze: {{model: default, prompt: 'Tasks and users', output_schema: {json.dumps(ENTITIES)}}}\n"
        "  - talk: {model: default, prompt: 'Say hi'}\n",
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    events = await _events(mz, run.id)
    completed = {e.step: e.data for e in events if e.type == "step.completed"}
    assert completed["analyze"]["offline"] is True and completed["analyze"]["output"]["entities"]
    assert completed["talk"]["output"].startswith("[offline]")
    usage = [e.data for e in events if e.type == "usage"]
    assert [u["provider"] for u in usage] == ["offline", "offline"] and all(u["offline"] for u in usage)
    check_event_log(events)


async def test_model_step_offline_result_is_used_when_declared(mz: Harness) -> None:
    mz.workflow(
        "wf",
        "steps:\n  - plan:\n      model: default\n      prompt: x\n      offline: {entities: ['{{ input.topic }}']}\n",
    )
    run = await mz.run("wf", {"topic": "tasks"})
    assert run.output == {"entities": ["tasks"]}


async def test_model_step_offline_tool_receives_rendered_arguments(mz: Harness) -> None:
    mz.workflow(
        "wf",
        "steps:\n  - plan:\n      model: default\n      prompt: x\n"
        "      offline: {tool: plan_for, with: {topic: '{{ input.topic }}', count: '{{ input.n }}'}}\n",
        tools={"plan": "def plan_for(topic: str, count: int) -> dict:\n    return {'entities': [topic] * count}\n"},
    )
    run = await mz.run("wf", {"topic": "tasks", "n": 2})
    assert run.status == "succeeded", run.error
    assert run.output == {"entities": ["tasks", "tasks"]}


async def test_model_step_streams_tokens_and_accounts_usage(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - talk: {model: default, prompt: 'Say hello to {{ input.name }}'}\n")
    script = [{"text": "Hello there Ada", "usage": {"input_tokens": 12, "output_tokens": 3}}]
    with serve_openai_peer(script) as peer:
        engine = await mz.engine(_peer_env(peer))
        run = await engine.run("wf", {"name": "Ada"})
    assert run.status == "succeeded", run.error
    assert run.output == "Hello there Ada"
    assert peer.requests[0]["messages"][-1]["content"] == "Say hello to Ada"
    events = await engine.store.list_events(run.id)
    tokens = [e.data["chunk"] for e in events if e.type == "chunk" and e.data["kind"] == "token"]
    assert "".join(tokens) == "Hello there Ada" and len(tokens) > 1
    (usage,) = [e.data for e in events if e.type == "usage"]
    assert (usage["provider"], usage["model"], usage["input_tokens"], usage["output_tokens"]) == (
        "openai",
        "test-model",
        12,
        3,
    )
    totals = await engine.store.usage_totals(run_id=run.id)
    assert (totals["input_tokens"], totals["output_tokens"]) == (12, 3)


async def test_model_step_reasks_until_the_schema_matches(mz: Harness) -> None:
    mz.workflow(
        "wf", f"steps:\n  - analyze: {{model: default, prompt: 'Entities?', output_schema: {json.dumps(ENTITIES)}}}\n"
    )
    script = [{"json": {"entities": []}}, {"text": "not json"}, {"json": {"entities": ["task", "user"]}}]
    with serve_openai_peer(script) as peer:
        engine = await mz.engine(_peer_env(peer))
        run = await engine.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output == {"entities": ["task", "user"]}
    assert peer.count == 3
    events = await engine.store.list_events(run.id)
    retries = [e for e in events if e.type == "step.retrying"]
    assert len(retries) == 2 and retries[0].data["reason"] == "output_schema"
    assert len([e for e in events if e.type == "usage"]) == 3
    check_event_log(events)


async def test_model_step_gives_up_with_a_clear_error(mz: Harness) -> None:
    mz.workflow("wf", f"steps:\n  - analyze: {{model: default, prompt: 'x', output_schema: {json.dumps(ENTITIES)}}}\n")
    with serve_openai_peer([{"text": "no"}] * 3) as peer:
        engine = await mz.engine({**_peer_env(peer), "MOZAIKS_MODEL_REASKS": "2"})
        run = await engine.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "did not match output_schema after 3 attempts" in run.error["message"]


async def test_model_step_retries_a_429_honouring_retry_after(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - talk: {model: default, prompt: hi}\n")
    with serve_openai_peer([{"status": 429, "retry_after": 1}, {"text": "ok now"}]) as peer:
        engine = await mz.engine(_peer_env(peer))
        run = await engine.run("wf")
    assert run.output == "ok now"
    assert peer.times[1] - peer.times[0] >= 0.9


async def test_agent_runs_offline_and_against_the_peer(mz: Harness) -> None:
    _agent_folder(mz)
    offline = await (await mz.engine()).run("support", {"message": "Where is order 42?"})
    assert offline.status == "succeeded", offline.error
    assert offline.output.startswith("[offline]")

    script = [
        {
            "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "42"}, "id": "call_1"}],
            "usage": {"input_tokens": 30, "output_tokens": 8},
        },
        {"text": "Order 42 has shipped.", "usage": {"input_tokens": 45, "output_tokens": 6}},
    ]
    with serve_openai_peer(script) as peer:
        engine = await mz.engine(_peer_env(peer))
        run = await engine.run("support", {"message": "Where is order 42?"})
    assert run.status == "succeeded", run.error
    assert run.output == "Order 42 has shipped."
    assert peer.requests[0]["tools"][0]["function"]["name"] == "lookup_order"
    tool_message = peer.requests[1]["messages"][-1]
    assert tool_message["role"] == "tool" and json.loads(tool_message["content"])["status"] == "shipped"
    events = await engine.store.list_events(run.id)
    started = [e.data for e in events if e.type == "tool.started"]
    completed = [e.data for e in events if e.type == "tool.completed"]
    assert started == [{"call_id": "call_1", "name": "lookup_order", "arguments": {"order_id": "42"}}]
    assert completed[0]["result"] == {"order_id": "42", "status": "shipped"}
    totals = await engine.store.usage_totals(run_id=run.id)
    assert (totals["input_tokens"], totals["output_tokens"]) == (75, 14), "totals equal what the server reported"
    check_event_log(events)


async def test_agent_resumes_without_repeating_a_finished_llm_call(mz: Harness) -> None:
    _agent_folder(mz)
    script = [
        {"tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "7"}, "id": "call_1"}]},
        {"status": 500, "message": "boom"},
        {"status": 500},
        {"status": 500},
    ]
    with serve_openai_peer(script) as peer:
        engine = await mz.engine(_peer_env(peer))
        failed = await engine.run("support", {"message": "order 7?"})
        assert failed.status == "failed", "the second call fails after its retries"
        assert peer.count == 4
        peer.add({"text": "Order 7 has shipped."})
        retried = await engine.retry(failed.id)
    assert retried.status == "succeeded", retried.error
    assert peer.count == 5, "the first (finished) LLM call is replayed from the store, not repeated"
    steps = {s.path for s in await engine.store.get_steps(retried.id)}
    assert {"answer.turn[0].llm", "answer.turn[0].call[0]", "answer.turn[1].llm"} <= steps


async def test_handoff_to_another_agent(mz: Harness) -> None:
    mz.workflow(
        "desk",
        "steps:\n  - triage: {agent: triage, message: '{{ input.message }}'}\n",
        files={
            "agents/triage.json": json.dumps({"name": "Triage", "system": "Route.", "handoffs": ["billing"]}),
            "agents/billing.json": json.dumps({"name": "Billing", "description": "Invoices", "system": "Billing."}),
        },
    )
    script = [
        {"tool_calls": [{"name": "transfer_to_billing", "arguments": {"reason": "invoice"}}]},
        {"text": "Billing here: your invoice is paid."},
    ]
    with serve_openai_peer(script) as peer:
        engine = await mz.engine(_peer_env(peer))
        run = await engine.run("desk", {"message": "my invoice?"})
    assert run.output == "Billing here: your invoice is paid."
    assert peer.requests[1]["messages"][0] == {"role": "system", "content": "Billing."}


async def test_run_token_budget_stops_the_run_before_the_call(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - a: {model: default, prompt: 'first'}\n  - b: {model: default, prompt: 'second'}\n")
    script = [{"text": "one", "usage": {"input_tokens": 40, "output_tokens": 10}}]
    with serve_openai_peer(script) as peer:
        engine = await mz.engine({**_peer_env(peer), "MOZAIKS_RUN_TOKEN_BUDGET": "50"})
        run = await engine.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "token budget of 50" in run.error["message"] and "MOZAIKS_RUN_TOKEN_BUDGET" in run.error["message"]
    assert peer.count == 1, "the call that would exceed the budget is never made"


async def test_unconfigured_provider_says_what_to_set(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - a: {model: 'openai:gpt-4o-mini', prompt: hi}\n")
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "OPENAI_API_KEY" in run.error["message"]
