"""Control flow: foreach, parallel, retry, timeout, continue_on_error and sub-workflows."""

from __future__ import annotations

import time

import pytest
from engine_harness import Harness, check_event_log

pytestmark = pytest.mark.anyio

TRACK = '''
import asyncio

_state = {"in_flight": 0, "peak": 0}


async def track(value: str, hold: float = 0.05) -> dict:
    """Hold a slot for a moment; report how many calls were in flight at the busiest."""
    _state["in_flight"] += 1
    _state["peak"] = max(_state["peak"], _state["in_flight"])
    await asyncio.sleep(hold)
    _state["in_flight"] -= 1
    return {"value": value, "peak": _state["peak"]}
'''

FLAKY = '''
from pathlib import Path

from mozaiks_ai import ToolContext


def flaky(path: str, fail_times: int, context: ToolContext) -> str:
    """Fail ``fail_times`` times (counted in a file), then succeed."""
    file = Path(path)
    calls = (file.read_text().splitlines() if file.exists() else []) + [f"{context.attempt} {context.idempotency_key}"]
    file.write_text("\\n".join(calls))
    if len(calls) <= fail_times:
        raise RuntimeError(f"failure number {len(calls)}")
    return f"ok after {len(calls)}"
'''

SLOW = '''
import asyncio


async def slow(seconds: float) -> str:
    """Sleep, then answer."""
    await asyncio.sleep(seconds)
    return "finished"
'''


async def test_foreach_with_as_loop_vars_and_output(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - greet_each:
              foreach: "{{ ['ann', 'bob', 'cy'] }}"
              as: person
              do:
                - echo: "{{ loop.index }}/{{ loop.length }} {{ person }}{{ ' (first)' if loop.first else '' }}"
                - shout: {echo: "{{ steps.echo.output | upper }}{{ '!' if loop.last else '' }}"}
          - over_map:
              foreach: "{{ {'a': 1, 'b': 2} }}"
              do:
                - echo: "{{ item.key }}={{ item.value }}"
          - empty:
              foreach: "{{ [] }}"
              do:
                - echo: never
        output:
          greetings: "{{ steps.greet_each.output }}"
          pairs: "{{ steps.over_map.output }}"
          empty: "{{ steps.empty.output }}"
        """,
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output == {
        "greetings": ["1/3 ANN (FIRST)", "2/3 BOB", "3/3 CY!"],
        "pairs": ["a=1", "b=2"],
        "empty": [],
    }
    engine = mz.engines[0]
    paths = {s.path for s in await engine.store.get_steps(run.id)}
    assert {"greet_each", "greet_each[0].echo", "greet_each[2].shout", "over_map[1].echo", "empty"} <= paths
    check_event_log(await engine.store.list_events(run.id))


async def test_foreach_over_a_non_list_fails(mz: Harness) -> None:
    mz.workflow("wf", 'steps:\n  - loop:\n      foreach: "{{ 42 }}"\n      do:\n        - echo: x\n')
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "foreach needs a list, got int" in run.error["message"]


@pytest.mark.parametrize(("limit", "expected_peak"), [(2, 2), (1, 1), (None, 6)])
async def test_foreach_max_concurrency_bounds_in_flight_iterations(
    mz: Harness, limit: int | None, expected_peak: int
) -> None:
    concurrency = f"max_concurrency: {limit}" if limit else ""
    mz.workflow(
        "wf",
        f"""
        steps:
          - each:
              foreach: "{{{{ range(6) | list }}}}"
              {concurrency}
              do:
                - track: {{value: "v{{{{ item }}}}"}}
        """,
        tools={"track": TRACK},
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert [r["value"] for r in run.output] == [f"v{i}" for i in range(6)]
    assert max(r["peak"] for r in run.output) == expected_peak


async def test_parallel_runs_branches_at_once_and_maps_outputs(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - both:
              parallel:
                - first: {tool: track, with: {value: a, hold: 0.2}}
                - second: {tool: track, with: {value: b, hold: 0.2}}
                - third: {echo: "{{ 1 + 2 }}"}
          - after: {echo: "{{ steps.both.output.third }} {{ steps.both.output.first.value }}"}
        """,
        tools={"track": TRACK},
    )
    started = time.monotonic()
    run = await mz.run("wf")
    elapsed = time.monotonic() - started
    assert run.status == "succeeded", run.error
    both = next(s for s in await mz.engines[0].store.get_steps(run.id) if s.path == "both").output
    assert set(both) == {"first", "second", "third"}
    assert both["third"] == 3
    assert max(both["first"]["peak"], both["second"]["peak"]) == 2
    assert elapsed < 0.39  # two 0.2 s branches overlapped
    assert run.output == "3 a"


async def test_parallel_max_concurrency(mz: Harness) -> None:
    branches = "\n".join(f"        - b{i}: {{tool: track, with: {{value: '{i}'}}}}" for i in range(4))
    yaml = f"steps:\n  - all:\n      max_concurrency: 1\n      parallel:\n{branches}\n"
    mz.workflow("wf", yaml, tools={"track": TRACK})
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert max(v["peak"] for v in run.output.values()) == 1


async def test_retry_with_backoff(mz: Harness) -> None:
    calls = mz.tmp_path / "calls.txt"
    mz.workflow(
        "wf",
        f"""
        steps:
          - name: shaky
            tool: flaky
            with: {{path: "{calls}", fail_times: 2}}
            retry: {{max_attempts: 3, backoff: exponential, initial_delay: 20ms}}
        """,
        tools={"flaky": FLAKY},
    )
    started = time.monotonic()
    run = await mz.run("wf")
    assert time.monotonic() - started >= 0.06  # 20 ms + 40 ms of backoff
    assert run.status == "succeeded", run.error
    assert run.output == "ok after 3"
    engine = mz.engines[0]
    (record,) = await engine.store.get_steps(run.id)
    assert (record.status, record.attempts) == ("completed", 3)
    events = await engine.store.list_events(run.id)
    check_event_log(events)
    retrying = [e for e in events if e.type == "step.retrying"]
    assert [e.data["attempt"] for e in retrying] == [2, 3]
    assert [e.data["delay"] for e in retrying] == pytest.approx([0.02, 0.04])
    assert [e.data["error"]["message"] for e in retrying] == [
        "tool 'flaky' raised RuntimeError: failure number 1",
        "tool 'flaky' raised RuntimeError: failure number 2",
    ]
    assert all(e.step == "shaky" for e in retrying)
    completed = [e for e in events if e.type == "step.completed"]
    assert completed[-1].data["attempts"] == 3
    attempts = [line.split(" ") for line in calls.read_text().splitlines()]
    assert [a for a, _ in attempts] == ["1", "2", "3"]
    assert {key for _, key in attempts} == {f"{run.id}:shaky"}  # the idempotency key is stable


async def test_retry_gives_up_after_max_attempts(mz: Harness) -> None:
    calls = mz.tmp_path / "calls.txt"
    mz.workflow(
        "wf",
        f"steps:\n  - shaky:\n      tool: flaky\n      with: {{path: '{calls}', fail_times: 5}}\n"
        "      retry: {max_attempts: 2, backoff: fixed, initial_delay: 10ms}\n",
        tools={"flaky": FLAKY},
    )
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error["message"] == "tool 'flaky' raised RuntimeError: failure number 2"
    assert run.error["step"] == "shaky"
    (record,) = await mz.engines[0].store.get_steps(run.id)
    assert (record.status, record.attempts) == ("failed", 2)
    assert len(calls.read_text().splitlines()) == 2


async def test_timeout_stops_a_step(mz: Harness) -> None:
    mz.workflow(
        "wf",
        "steps:\n  - wait_long:\n      tool: slow\n      with: {seconds: 5}\n      timeout: 100ms\n",
        tools={"slow": SLOW},
    )
    started = time.monotonic()
    run = await mz.run("wf")
    assert time.monotonic() - started < 2
    assert run.status == "failed" and run.error is not None
    assert run.error["type"] == "StepTimeoutError"
    assert run.error["message"] == "step 'wait_long' timed out after 0.1s"
    check_event_log(await mz.engines[0].store.list_events(run.id))


async def test_timeout_is_retried(mz: Harness) -> None:
    mz.workflow(
        "wf",
        "steps:\n  - s:\n      tool: slow\n      with: {seconds: 1}\n      timeout: 50ms\n"
        "      retry: {max_attempts: 2, initial_delay: 10ms}\n",
        tools={"slow": SLOW},
    )
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error["type"] == "StepTimeoutError"
    events = await mz.engines[0].store.list_events(run.id)
    assert [e.data["error"]["type"] for e in events if e.type == "step.retrying"] == ["StepTimeoutError"]


async def test_continue_on_error(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - name: notify
            uses: http
            with: {url: "http://not-allowed.example/hook"}
            continue_on_error: true
          - loop:
              foreach: "{{ [1, 2] }}"
              continue_on_error: true
              do:
                - broken: {echo: "{{ item.nope }}"}
          - after: {echo: "{{ steps.notify.status }} {{ steps.notify.output }} {{ steps.loop.status }}"}
        """,
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output == "failed None failed"
    engine = mz.engines[0]
    steps = {s.path: s for s in await engine.store.get_steps(run.id)}
    assert steps["notify"].status == "failed"
    assert steps["notify"].error is not None and "allowlist" in steps["notify"].error["message"]
    assert steps["loop"].status == "failed"
    events = await engine.store.list_events(run.id)
    failed = [e for e in events if e.type == "step.failed" and e.step == "notify"]
    assert failed[0].data["continue_on_error"] is True
    check_event_log(events)


async def test_failure_inside_foreach_fails_the_run_with_the_inner_path(mz: Harness) -> None:
    mz.workflow(
        "wf",
        'steps:\n  - loop:\n      foreach: "{{ [0, 1, 2] }}"\n      do:\n        - check: {echo: "{{ 10 // item }}"}\n',
    )
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error["step"] == "loop[0].check"
    assert "ZeroDivisionError" in run.error["message"] or "division" in run.error["message"]
    statuses = {s.path: s.status for s in await mz.engines[0].store.get_steps(run.id)}
    assert statuses["loop"] == "failed" and statuses["loop[0].check"] == "failed"
    check_event_log(await mz.engines[0].store.list_events(run.id))


async def test_sub_workflow_with_input(mz: Harness) -> None:
    mz.workflow(
        "greeter",
        """
        inputs:
          name: {type: string, required: true}
          punctuation: {type: string, default: "!"}
        steps:
          - greet: {echo: "Hello {{ input.name }}{{ input.punctuation }}"}
          - set: {seen: "{{ run.workflow }}"}
        output: "{{ steps.greet.output }} ({{ vars.seen }})"
        """,
    )
    mz.workflow(
        "parent",
        """
        steps:
          - set: {who: Ada}
          - child: {workflow: greeter, input: {name: "{{ vars.who }}"}}
          - child_with: {workflow: greeter, with: {name: Bob, punctuation: "?"}}
          - bad_child: {workflow: greeter, input: {}, continue_on_error: true}
          - after: {echo: "{{ steps.child.output }} / {{ steps.child_with.output }} / {{ vars.who }}"}
        """,
    )
    run = await mz.run("parent")
    assert run.status == "succeeded", run.error
    assert run.output == "Hello Ada! (greeter) / Hello Bob? (greeter) / Ada"
    engine = mz.engines[0]
    steps = {s.path: s for s in await engine.store.get_steps(run.id)}
    assert steps["child.greet"].output == "Hello Ada!"
    assert steps["child_with.greet"].output == "Hello Bob?"
    assert steps["bad_child"].status == "failed"
    assert steps["bad_child"].error is not None and "name is required" in steps["bad_child"].error["message"]
    check_event_log(await engine.store.list_events(run.id))
