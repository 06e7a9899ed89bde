"""AgentGenerator's tools: the deterministic draft (the offline answer) and the validated final definition."""

from __future__ import annotations

from typing import Any

from mozaiks_ai import ToolContext, tool
from mozaiks_workflows.agent_draft import draft_agent, finalize_agent

#: Marks an offline answer; it is not part of the output schema the model sees.
OFFLINE_SOURCE = "offline"


@tool
def draft_agent_offline(
    description: str, context: ToolContext, agent_id: str | None = None, name: str | None = None
) -> dict[str, Any]:
    """Draft an agent (name, description, system prompt, built-in tools, max turns) from its description."""
    context.progress("Drafting the agent from its description (offline analysis)…")
    return {**draft_agent(description, agent_id, name).model_dump(), "source": OFFLINE_SOURCE}


@tool
def finalize_agent_definition(
    draft: dict[str, Any], description: str, agent_id: str | None = None, name: str | None = None
) -> dict[str, Any]:
    """Attach the kebab-case id and validate the agent as mozaiks-ai loads it.

    Returns:
        ``{"id", "agent", "notes", "offline"}``.
    """
    body = dict(draft)
    offline = body.pop("source", None) == OFFLINE_SOURCE
    return {**finalize_agent(body, description, agent_id, name), "offline": offline}
