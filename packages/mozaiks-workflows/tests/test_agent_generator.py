from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mozaiks_ai.definitions.agents import load_agent_file
from mozaiks_ai.executor.actions import ACTION_SCHEMAS
from mozaiks_workflows.agent_draft import AGENT_TOOLS, draft_agent, finalize_agent
from platform_harness import cli, model_environ, run_workflow, serve_openai_peer, step_schema, validate

DESCRIPTION = "Answers customers' questions about their orders, sends a follow-up email and escalates to a human."


def _write_and_load(tmp_path: Path, agent_id: str, agent: dict[str, Any]) -> None:
    folder = tmp_path / "app" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / f"{agent_id}.json"
    file.write_text(json.dumps(agent), "utf-8")
    loaded = load_agent_file(file)
    assert loaded.id == agent_id and loaded.name == agent["name"] and loaded.tools == tuple(agent["tools"])


def test_appgenerator_interface_gives_a_valid_agent(tmp_path: Path) -> None:
    result = run_workflow(
        tmp_path, "AgentGenerator", {"description": DESCRIPTION, "id": "support-bot", "name": "Support bot"}
    )

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    assert output["id"] == "support-bot" and output["offline"] is True
    agent = output["agent"]
    assert set(agent) == {"name", "description", "model", "system", "tools", "max_turns", "handoffs"}
    assert agent["name"] == "Support bot" and agent["model"] == "default" and agent["handoffs"] == []
    assert agent["tools"] == ["call_app_api", "send_email", "emit_event"]
    assert "You are Support bot" in agent["system"] and "Never invent" in agent["system"]
    validate({k: agent[k] for k in ("name", "description", "system", "tools", "max_turns")},
             step_schema("AgentGenerator", "draft"))  # fmt: skip
    _write_and_load(tmp_path, output["id"], agent)
    # the artifacts: the definition exactly as output, and a readable page next to it
    assert output["artifacts"] == ["agents/support-bot.json", "agents/support-bot.md"]
    assert json.loads(result.text("agents/support-bot.json")) == agent
    page = result.text("agents/support-bot.md")
    assert page.startswith("# Support bot (`support-bot`)") and "call_app_api, send_email, emit_event" in page
    assert result.progress()[:2] == [
        "Designing the agent…",
        "Drafting the agent from its description (offline analysis)…",
    ]
    assert result.completed("draft")["offline"] is True


def test_the_generated_agent_runs_on_mozaiks_ai(tmp_path: Path) -> None:
    generated = run_workflow(tmp_path, "AgentGenerator", {"description": DESCRIPTION}).output
    root = tmp_path / "app"
    (root / "agents").mkdir(parents=True)
    (root / "agents" / f"{generated['id']}.json").write_text(json.dumps(generated["agent"]), "utf-8")
    (root / "chat").mkdir()
    (root / "chat" / "workflow.yml").write_text(
        f"steps:\n  - answer: {{agent: {generated['id']}, message: 'Where is my order?'}}\n", "utf-8"
    )

    result = run_workflow(tmp_path, "chat", {}, roots=(root,))

    assert result.run.status == "succeeded", result.run.error
    assert generated["id"] == "support-assistant"


def test_id_and_name_are_derived_or_normalised(tmp_path: Path) -> None:
    derived = run_workflow(tmp_path, "AgentGenerator", {"description": "Helps users plan their weekly workouts"})
    assert derived.output["id"] == "workout-assistant" and derived.output["agent"]["tools"] == []
    assert derived.output["agent"]["max_turns"] == 4

    normalised = run_workflow(tmp_path, "AgentGenerator", {"description": "Books appointments", "id": "My Bot"})
    assert normalised.output["id"] == "my-bot"
    assert normalised.output["agent"]["name"] == "My Bot"
    assert "normalised to 'my-bot'" in normalised.output["notes"][0]
    assert "agents/my-bot.json" in normalised.artifacts


def test_every_offline_tool_is_a_built_in_action_agents_may_call() -> None:
    assert set(AGENT_TOOLS) <= set(ACTION_SCHEMAS)
    everything = "look up orders, email people, call the web, escalate, write a report"
    assert draft_agent(everything).tools == list(AGENT_TOOLS)


def test_unsupported_capabilities_are_reported_not_invented() -> None:
    description = "Issues refunds through Stripe for customers"
    result = finalize_agent(draft_agent(description).model_dump(), description)
    assert any("Payments and refunds" in note for note in result["notes"])
    with pytest.raises(ValueError, match="unknown agent tool"):
        finalize_agent({**draft_agent(description).model_dump(), "tools": ["refund_payment"]}, description)


def test_cli_refuses_an_empty_description(tmp_path: Path) -> None:
    bad = cli("run", "AgentGenerator", "--input", json.dumps({"description": ""}), "--db", f"sqlite:///{tmp_path}/c.db")
    assert bad.returncode == 2 and "description must not be blank" in bad.stderr


def test_with_a_model_the_draft_is_validated_and_kept(tmp_path: Path) -> None:
    answer = {"name": "Order helper", "description": "Tracks orders.", "system": "You help with orders.",
              "tools": ["call_app_api"], "max_turns": 5}  # fmt: skip
    with serve_openai_peer([{"json": answer}]) as peer:
        result = run_workflow(
            tmp_path, "AgentGenerator", {"description": DESCRIPTION, "id": "orders"}, environ=model_environ(peer)
        )

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    assert output["offline"] is False and output["id"] == "orders"
    assert output["agent"] == {**answer, "model": "default", "handoffs": []}
    assert DESCRIPTION in peer.requests[0]["messages"][-1]["content"]
    _write_and_load(tmp_path, "orders", output["agent"])
