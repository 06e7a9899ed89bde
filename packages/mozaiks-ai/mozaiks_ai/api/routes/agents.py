"""``/api/agents`` and ``/api/usage``: the agents one can chat with, and token accounting."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from mozaiks_ai.api.deps import CurrentEngine, CurrentPrincipal, load_run
from mozaiks_ai.definitions.agents import DEFAULT_AGENT, AgentDefinition

__all__ = ["router"]

router = APIRouter(tags=["agents"])


def _agent_view(agent: AgentDefinition) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "description": agent.description,
        "model": agent.model,
        "tools": list(agent.tools),
        "handoffs": list(agent.handoffs),
    }


@router.get("/api/agents")
async def list_agents(engine: CurrentEngine, principal: CurrentPrincipal) -> dict[str, Any]:
    """Agents to chat with (``{"type": "message", "agent": id}``), the built-in ``ask`` agent included."""
    registry = engine.registry
    agents = dict(registry.agents)
    agents.setdefault(DEFAULT_AGENT.id, DEFAULT_AGENT)
    return {
        "agents": [_agent_view(a) for _, a in sorted(agents.items())],
        "invalid": [
            {"id": k, "error": str(e), "file": e.file, "line": e.line}
            for k, e in sorted(registry.invalid_agents.items())
        ],
    }


@router.get("/api/usage")
async def usage(
    engine: CurrentEngine,
    principal: CurrentPrincipal,
    run_id: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Token and cost totals of the caller's app (and of one run with ``?run_id=``), by provider and model."""
    result: dict[str, Any] = {
        "app_id": principal.app_id,
        "app": await engine.store.usage_totals(app_id=principal.app_id),
    }
    if run_id is not None:
        run = await load_run(engine, principal, run_id)
        result["run_id"] = run.id
        result["run"] = await engine.store.usage_totals(run_id=run.id)
    return result
