"""``agent`` steps: a tool-calling loop over the workflow's tools and built-in actions, with handoffs.

```yaml
- triage:
    agent: support-bot                # agents/support-bot.json (the workflow's, or shared)
    message: "{{ input.message }}"
```

Every model call and every tool call is a checkpoint (a record under the step's path,
``triage.turn[0].llm``, ``triage.turn[0].call[1]``): after a restart the loop replays them from the
store, so a finished LLM call is never paid for twice and a tool never runs twice. Tool calls emit
``tool.started``/``tool.completed`` with the call id, name and arguments/result; a tool that fails
returns its error to the model instead of failing the step. ``transfer_to_<agent>`` tools hand
the conversation to another agent.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from mozaiks_ai.definitions.agents import AgentDefinition
from mozaiks_ai.definitions.models import Step, Workflow
from mozaiks_ai.errors import ModelError, MozaiksError, StepError
from mozaiks_ai.executor.actions import ACTION_SCHEMAS, ACTIONS
from mozaiks_ai.executor.call import StepCall
from mozaiks_ai.executor.model_step import extract_json, validate_output
from mozaiks_ai.models import Message, ModelRequest, ModelResponse, ToolCall, ToolSpec, Usage
from mozaiks_ai.state.records import Batch, StepRecord

if TYPE_CHECKING:
    from mozaiks_ai.executor.run import RunExecution

__all__ = ["run_agent_step"]

_HANDOFF = "transfer_to_"


def _handoff_name(agent_id: str) -> str:
    return _HANDOFF + re.sub(r"[^A-Za-z0-9_]", "_", agent_id)


async def checkpoint(execution: RunExecution, path: str, make: Callable[[], Awaitable[Any]]) -> tuple[Any, bool]:
    """Return the recorded result at ``path``, or compute, record and return it; the flag says "replayed"."""
    record = execution.done.get(path)
    if record is not None and record.status == "completed":
        return record.output, True
    started = time.time()
    value = await make()
    record = StepRecord(execution.run.id, path, "completed", execution.redact(value), None, 1, started, time.time())
    await execution.engine.store.submit(Batch(steps=[record]))
    execution.done[path] = record
    return record.output, False


def _response_dict(response: ModelResponse) -> dict[str, Any]:
    return {
        "text": response.text,
        "tool_calls": [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in response.tool_calls],
        "provider": response.provider,
        "model": response.model,
        "offline": response.offline,
        "usage": {"input_tokens": response.usage.input_tokens, "output_tokens": response.usage.output_tokens},
    }


def _response_from(data: dict[str, Any]) -> ModelResponse:
    calls = tuple(ToolCall(c["id"], c["name"], c.get("arguments") or {}) for c in data.get("tool_calls", []))
    usage = Usage(**data.get("usage", {}))
    return ModelResponse(
        data.get("text", ""),
        calls,
        usage,
        data.get("provider", ""),
        data.get("model", ""),
        offline=bool(data.get("offline")),
    )


class _Toolbox:
    """The tools an agent may call, as specs for the model and as callables."""

    def __init__(self, execution: RunExecution, workflow: Workflow, agent: AgentDefinition) -> None:
        self.execution = execution
        self.workflow = workflow
        self.agent = agent
        self.specs: list[ToolSpec] = []
        self.handoffs: dict[str, AgentDefinition] = {}
        python_tools = self._python_tools()
        for name in agent.tools:
            if name in python_tools:
                schema = python_tools[name].json_schema()
                self.specs.append(ToolSpec(name, schema["description"] or name, schema["parameters"]))
            elif name in ACTION_SCHEMAS:
                description, parameters = ACTION_SCHEMAS[name]
                self.specs.append(ToolSpec(name, description, parameters))
            else:
                raise StepError(
                    f"agent {agent.id!r} lists tool {name!r}, which is neither a built-in action nor a "
                    f"tool of {self._tools_root_label()}"
                )
        for other_id in agent.handoffs:
            other = execution.engine.registry.get_agent(other_id, workflow)
            name = _handoff_name(other.id)
            self.handoffs[name] = other
            self.specs.append(
                ToolSpec(
                    name,
                    f"Hand the conversation to {other.name}: {other.description}",
                    {"type": "object", "properties": {"reason": {"type": "string"}}},
                )
            )

    def _tools_root(self) -> Any:
        return self.agent.root or self.workflow.root

    def _tools_root_label(self) -> str:
        root = self._tools_root()
        return f"{root}/tools" if root is not None else "this agent (it has no tools/ folder)"

    def _python_tools(self) -> dict[str, Any]:
        from mozaiks_ai.executor.tools import load_tools

        root = self._tools_root()
        if root is None or self.workflow.uploaded:
            return {}
        return load_tools(root)

    async def call(self, call: ToolCall, path: str, scope: dict[str, Any], step: Step) -> Any:
        """Run one tool call; failures are returned to the model as ``{"error": …}``."""
        from mozaiks_ai.executor.kinds import call_tool

        try:
            if call.name in ACTIONS and call.name in self.agent.tools:
                action_call = StepCall(self.execution, step, path, call.arguments, scope, self.workflow)
                return await ACTIONS[call.name](action_call)
            if call.name in self.agent.tools:
                root_workflow = (
                    self.workflow
                    if self.agent.root in (None, self.workflow.root)
                    else self.workflow.model_copy(update={"root": self.agent.root})
                )
                return await call_tool(self.execution, root_workflow, call.name, call.arguments, path, 1)
            return {"error": f"unknown tool {call.name!r}; available: {', '.join(s.name for s in self.specs)}"}
        except MozaiksError as exc:
            return {"error": str(exc)}


async def run_agent_step(
    execution: RunExecution, workflow: Workflow, step: Step, params: Any, scope: dict[str, Any], path: str
) -> Any:
    """Run the agent loop of an ``agent`` step and return its final answer."""
    from mozaiks_ai.executor.llm import call_model

    options = params if isinstance(params, dict) else {"message": params}
    agent = execution.engine.registry.get_agent(str(step.uses), workflow)
    message = options.get("message", options.get("input", options.get("prompt", "")))
    if not isinstance(message, str):
        message = json.dumps(message, default=str)
    toolbox = _Toolbox(execution, workflow, agent)
    messages: list[Message] = [
        Message("system", agent.system),
        *_history(options.get("history")),
        Message("user", message),
    ]
    for turn in range(agent.max_turns):
        request = ModelRequest(
            model="",
            messages=tuple(messages),
            tools=tuple(toolbox.specs),
            output_schema=agent.output_schema,
            temperature=agent.temperature,
            timeout=execution.engine.config.model_timeout,
        )
        spec = agent.model if agent.model not in (None, "default") else workflow.model

        async def ask(request: ModelRequest = request, spec: str | None = spec) -> dict[str, Any]:
            return _response_dict(await call_model(execution, path, spec, request))

        data, _ = await checkpoint(execution, f"{path}.turn[{turn}].llm", ask)
        response = _response_from(data)
        if response.offline:
            execution.step_notes[path] = {"offline": True, "agent": agent.id}
        messages.append(Message("assistant", response.text or None, response.tool_calls))
        if not response.tool_calls:
            return _final(agent, response)
        for index, call in enumerate(response.tool_calls):
            call_path = f"{path}.turn[{turn}].call[{index}]"
            if call.name in toolbox.handoffs:
                agent = toolbox.handoffs[call.name]
                toolbox = _Toolbox(execution, workflow, agent)
                messages[0] = Message("system", agent.system)
                result: Any = {"handoff": agent.id}
                execution.emit("chunk", path, {"kind": "progress", "chunk": f"handing over to {agent.name}"})
            else:
                result = await _tool_call(execution, toolbox, call, call_path, scope, step, path)
            messages.append(Message("tool", json.dumps(result, default=str), tool_call_id=call.id, name=call.name))
    raise StepError(f"agent {agent.id!r} did not finish within max_turns={agent.max_turns}")


async def _tool_call(
    execution: RunExecution,
    toolbox: _Toolbox,
    call: ToolCall,
    call_path: str,
    scope: dict[str, Any],
    step: Step,
    path: str,
) -> Any:
    async def run() -> Any:
        execution.emit("tool.started", path, {"call_id": call.id, "name": call.name, "arguments": call.arguments})
        value = await toolbox.call(call, call_path, scope, step)
        execution.emit("tool.completed", path, {"call_id": call.id, "name": call.name, "result": value})
        return value

    result, _ = await checkpoint(execution, call_path, run)
    return result


def _history(value: Any) -> list[Message]:
    """Earlier turns of a chat (``[{"role": "user"|"assistant", "content": "…"}]``), the last 20 at most."""
    if not isinstance(value, list):
        return []
    turns = [
        t
        for t in value
        if isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
    ]
    return [Message(t["role"], t["content"]) for t in turns[-20:]]


def _final(agent: AgentDefinition, response: ModelResponse) -> Any:
    if agent.output_schema is None:
        return response.text
    try:
        value = extract_json(response.text)
    except ValueError:
        raise ModelError(f"agent {agent.id!r} answered without the JSON its output_schema asks for") from None
    problem = validate_output(value, agent.output_schema)
    if problem is not None:
        raise ModelError(f"agent {agent.id!r} answer does not match its output_schema: {problem}")
    return value
