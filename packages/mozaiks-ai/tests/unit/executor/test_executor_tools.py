"""Python tools from a workflow's ``tools/``: arguments, context, threads, errors."""

from __future__ import annotations

import pytest
from engine_harness import Harness, check_event_log
from mozaiks_ai.executor.tools import load_tools

pytestmark = pytest.mark.anyio

TOOLS = '''
import asyncio
import threading

from mozaiks_ai import ToolContext, tool


@tool
async def inspect_context(label: str, context: ToolContext) -> dict:
    """Report what the context holds, streaming progress."""
    context.progress(f"inspecting {label}")
    await asyncio.sleep(0)
    return {
        "label": label,
        "run_id": context.run_id,
        "app_id": context.app_id,
        "user_id": context.user_id,
        "workflow_id": context.workflow_id,
        "step": context.step,
        "idempotency_key": context.idempotency_key,
        "attempt": context.attempt,
    }


@tool
def sync_worker(n: int, ctx: ToolContext) -> dict:
    """A blocking tool: must run in a worker thread, and may stream progress from it."""
    ctx.progress(f"working on {n}")
    return {"double": n * 2, "main_thread": threading.current_thread() is threading.main_thread()}


@tool
def add(a: int, b: int = 1) -> int:
    """Add two integers."""
    return a + b


@tool
def explode(message: str) -> None:
    """Raise an error."""
    raise ValueError(message)


@tool
def nothing() -> str:
    """Take no arguments."""
    return "nothing"


def helper() -> None:
    """Unmarked, so not a tool."""
'''


async def test_tool_context(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - first: {tool: inspect_context, with: {label: one}}
          - loop:
              foreach: "{{ ['x'] }}"
              do:
                - inspect_context: "{{ item }}"
        """,
        tools={"toolbox": TOOLS},
    )
    engine = await mz.engine()
    run = await engine.run("wf", user_id="u-1")
    assert run.status == "succeeded", run.error
    steps = {s.path: s.output for s in await engine.store.get_steps(run.id)}
    first = steps["first"]
    assert first == {
        "label": "one",
        "run_id": run.id,
        "app_id": "default",
        "user_id": "u-1",
        "workflow_id": "wf",
        "step": "first",
        "idempotency_key": f"{run.id}:first",
        "attempt": 1,
    }
    inner = steps["loop[0].inspect_context"]
    assert (inner["label"], inner["step"], inner["idempotency_key"]) == (
        "x",
        "loop[0].inspect_context",
        f"{run.id}:loop[0].inspect_context",
    )
    events = await engine.store.list_events(run.id)
    chunks = [(e.step, e.data) for e in events if e.type == "chunk"]
    assert chunks == [
        ("first", {"kind": "progress", "chunk": "inspecting one"}),
        ("loop[0].inspect_context", {"kind": "progress", "chunk": "inspecting x"}),
    ]
    check_event_log(events)


async def test_sync_tools_run_in_worker_threads(mz: Harness) -> None:
    mz.workflow(
        "wf",
        "steps:\n  - work:\n      parallel:\n        - a: {tool: sync_worker, with: {n: 2}}\n"
        "        - b: {tool: sync_worker, with: {n: 5}}\n",
        tools={"toolbox": TOOLS},
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output == {"a": {"double": 4, "main_thread": False}, "b": {"double": 10, "main_thread": False}}
    events = await mz.engines[0].store.list_events(run.id)
    chunks = sorted((e.step or "", e.data["chunk"]) for e in events if e.type == "chunk")
    assert chunks == [("work.a", "working on 2"), ("work.b", "working on 5")]
    check_event_log(events)


async def test_scalar_argument_and_validated_types(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - add: {a: "40", b: 2}
          - add: 7
          - nothing: {}
        output: ["{{ steps.add.output }}", "{{ steps.add_2.output }}", "{{ steps.nothing.output }}"]
        """,
        tools={"toolbox": TOOLS},
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output == [42, 8, "nothing"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("{a: not-a-number}", "tool 'add' got invalid arguments: a: Input should be a valid integer"),
        ("{b: 2}", "tool 'add' got invalid arguments: a: Missing required argument"),
        ("{a: 1, c: 3}", "tool 'add' got invalid arguments: c: Unexpected keyword argument"),
    ],
)
async def test_bad_tool_arguments_are_named(mz: Harness, params: str, expected: str) -> None:
    mz.workflow("wf", f"steps:\n  - sum: {{tool: add, with: {params}}}\n", tools={"toolbox": TOOLS})
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error["type"] == "ToolError"
    assert run.error["message"].startswith(expected), run.error["message"]
    assert run.error["step"] == "sum"


async def test_scalar_to_a_tool_without_arguments(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - nothing: 3\n", tools={"toolbox": TOOLS})
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "takes no arguments" in run.error["message"]


async def test_tool_exception_becomes_a_tool_error(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - explode: {message: kaboom}\n", tools={"toolbox": TOOLS})
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error == {"message": "tool 'explode' raised ValueError: kaboom", "type": "ToolError", "step": "explode"}


async def test_tool_module_that_fails_to_import(mz: Harness) -> None:
    broken = "def boom() -> None:\n    pass\n\n\nraise ImportError('no')\n"
    mz.workflow("wf", "steps:\n  - boom: {}\n", tools={"broken": broken})
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "failed to import" in run.error["message"] and "broken.py" in run.error["message"]


async def test_tool_schema_from_signature_and_docstring(mz: Harness) -> None:
    folder = mz.workflow("wf", "steps:\n  - add: {a: 1}\n", tools={"toolbox": TOOLS})
    tools = load_tools(folder)
    assert sorted(tools) == ["add", "explode", "inspect_context", "nothing", "sync_worker"]
    schema = tools["add"].json_schema()
    assert schema["name"] == "add" and schema["description"] == "Add two integers."
    assert schema["parameters"]["required"] == ["a"]
    assert set(schema["parameters"]["properties"]) == {"a", "b"}
    assert "context" not in tools["inspect_context"].json_schema()["parameters"]["properties"]
