"""What each step kind does once the executor decided to run it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from mozaiks_ai.definitions.inputs import validate_input
from mozaiks_ai.definitions.models import Step, Workflow
from mozaiks_ai.errors import ActionError, InputValidationError, StepError, ToolError
from mozaiks_ai.executor.actions import ACTIONS
from mozaiks_ai.executor.call import StepCall
from mozaiks_ai.executor.expressions import render_value
from mozaiks_ai.executor.signals import StepFailed, Suspend
from mozaiks_ai.executor.templates import render_template_folder
from mozaiks_ai.executor.tools import ToolContext, load_tools

if TYPE_CHECKING:
    from mozaiks_ai.executor.run import RunExecution

__all__ = ["run_kind"]


async def run_kind(
    execution: RunExecution, workflow: Workflow, step: Step, scope: dict[str, Any], path: str, attempt: int
) -> Any:
    """Execute ``step`` once and return its output."""
    if step.kind == "parallel":
        return await _parallel(execution, workflow, step, scope, path)
    if step.kind == "foreach":
        return await _foreach(execution, workflow, step, scope, path)
    params = render_value(step.params, scope)
    if step.kind == "action":
        action = ACTIONS.get(step.uses or "")
        if action is None:
            raise ActionError(f"unknown action {step.uses!r}")
        return await action(StepCall(execution, step, path, params, scope, workflow, attempt))
    if step.kind == "tool":
        return await _tool(execution, workflow, step, params, path, attempt)
    if step.kind == "template":
        return await _template(execution, workflow, step, params, scope, path)
    if step.kind == "workflow":
        return await _sub_workflow(execution, step, params, scope, path)
    if step.kind == "model":
        from mozaiks_ai.executor.model_step import run_model_step

        return await run_model_step(execution, workflow, step, params, scope, path)
    if step.kind == "agent":
        from mozaiks_ai.executor.agent_step import run_agent_step

        return await run_agent_step(execution, workflow, step, params, scope, path)
    raise StepError(f"unknown step kind {step.kind!r}", step=path)


async def _tool(execution: RunExecution, workflow: Workflow, step: Step, params: Any, path: str, attempt: int) -> Any:
    return await call_tool(execution, workflow, step.uses or "", params, path, attempt)


async def call_tool(
    execution: RunExecution, workflow: Workflow, name: str, params: Any, path: str, attempt: int
) -> Any:
    """Call the Python tool ``name`` of ``workflow`` with a :class:`ToolContext` for the step at ``path``."""
    if workflow.uploaded:
        raise ToolError(f"workflow {workflow.id!r} was uploaded: its Python tools never run", step=path)
    if workflow.root is None:
        raise ToolError(f"workflow {workflow.id!r} has no tools/ folder", step=path)
    tool = load_tools(workflow.root).get(name)
    if tool is None:
        raise ToolError(f"tool {name!r} is not defined in {workflow.root / 'tools'}", step=path)
    run = execution.run
    loop = asyncio.get_running_loop()

    def progress(text: str) -> None:
        def emit() -> None:
            execution.emit("chunk", path, {"kind": "progress", "chunk": text})

        if _on_loop(loop):
            emit()
        else:
            loop.call_soon_threadsafe(emit)

    context = ToolContext(
        run_id=run.id,
        app_id=run.app_id,
        user_id=run.user_id,
        workflow_id=workflow.id,
        step=path,
        idempotency_key=f"{run.id}:{path}",
        secrets=execution.secrets,
        attempt=attempt,
        _progress=progress,
    )
    return await tool.call(params, context)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


async def _template(
    execution: RunExecution, workflow: Workflow, step: Step, params: Any, scope: dict[str, Any], path: str
) -> Any:
    if workflow.root is None:
        raise ActionError(f"single-file workflow {workflow.id!r} has no templates/ folder", step=path)
    folder = render_value(step.uses, scope)
    options = params if isinstance(params, dict) else {}
    into = str(options.get("into", ""))
    extra = options.get("with") or options.get("vars") or {}
    if not isinstance(extra, dict):
        raise ActionError("template 'with' must be a mapping of extra variables", step=path)
    files = render_template_folder(workflow.root / "templates", str(folder), into, {**scope, **extra})
    stored = await execution.put_artifacts(files, step=path)
    return {"files": stored, "count": len(stored)}


async def _sub_workflow(execution: RunExecution, step: Step, params: Any, scope: dict[str, Any], path: str) -> Any:
    child = execution.engine.registry.get(str(render_value(step.uses, scope)))
    options = params if isinstance(params, dict) else {}
    raw_input = options.get(
        "input", options.get("with", {k: v for k, v in options.items() if k not in ("input", "with")})
    )
    try:
        child_input = validate_input(child, raw_input)
    except InputValidationError as exc:
        raise StepError(f"sub-workflow {child.id!r}: {exc}", step=path) from None
    child_scope = {
        **scope,
        "input": child_input,
        "vars": {},
        "steps": {},
        "run": {**scope["run"], "workflow": child.id},
    }
    last = await execution.exec_steps(child, child.steps, child_scope, path + ".")
    return last if child.output is None else render_value(child.output, child_scope)


async def _gather(makers: list[Callable[[], Awaitable[Any]]], limit: int | None) -> list[Any]:
    semaphore = asyncio.Semaphore(limit) if limit else None

    async def one(make: Callable[[], Awaitable[Any]]) -> Any:
        if semaphore is None:
            return await make()
        async with semaphore:
            return await make()

    results = await asyncio.gather(*(one(m) for m in makers), return_exceptions=True)
    suspends = [r for r in results if isinstance(r, Suspend)]
    for result in results:
        if isinstance(result, asyncio.CancelledError):
            raise result
    for result in results:
        if isinstance(result, StepFailed):
            raise result
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Suspend):
            raise result
    if suspends:
        raise Suspend.earliest(suspends)
    return list(results)


async def _parallel(execution: RunExecution, workflow: Workflow, step: Step, scope: dict[str, Any], path: str) -> Any:
    branch_scope = {**scope, "steps": dict(scope["steps"])}

    def maker(child: Step) -> Callable[[], Awaitable[Any]]:
        return lambda: execution.exec_step(workflow, child, branch_scope, path + ".")

    makers = [maker(child) for child in step.steps]
    results = await _gather(makers, step.max_concurrency)
    return {child.name: result for child, result in zip(step.steps, results, strict=True)}


async def _foreach(execution: RunExecution, workflow: Workflow, step: Step, scope: dict[str, Any], path: str) -> Any:
    items = render_value(step.foreach, scope)
    if isinstance(items, dict):
        items = [{"key": k, "value": v} for k, v in items.items()]
    if not isinstance(items, list | tuple):
        raise StepError(f"foreach needs a list, got {type(items).__name__}: {items!r}"[:300], step=path)
    total = len(items)

    def maker(index: int, item: Any) -> Callable[[], Awaitable[Any]]:
        iteration = {
            **scope,
            step.item_name: item,
            "steps": dict(scope["steps"]),
            "loop": {
                "index": index + 1,
                "index0": index,
                "first": index == 0,
                "last": index == total - 1,
                "length": total,
            },
        }
        return lambda: execution.exec_steps(workflow, step.steps, iteration, f"{path}[{index}].")

    return await _gather([maker(i, item) for i, item in enumerate(items)], step.max_concurrency)
