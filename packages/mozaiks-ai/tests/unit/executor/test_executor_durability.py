"""Durable execution: sleeps and input waits hold nothing, restarts resume, cancel and retry."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from engine_harness import Harness, check_event_log, wait_done
from mozaiks_ai import InputValidationError, RunStateError
from mozaiks_ai.executor.waits import INLINE_SLEEP

pytestmark = pytest.mark.anyio

MARKER_TOOLS = '''
from pathlib import Path


def record(path: str, label: str) -> str:
    """Append a side effect to a file."""
    file = Path(path)
    file.write_text((file.read_text() if file.exists() else "") + label + "\\n")
    return label


def needs_marker(marker: str) -> str:
    """Fail until the marker file exists."""
    if not Path(marker).exists():
        raise RuntimeError("marker missing")
    return "marker found"
'''

APPROVAL = """
steps:
  - echo: before
  - approval:
      wait_for_input:
        prompt: "Approve the plan for {{ input.project }}?"
        schema:
          type: object
          properties:
            approved: {type: boolean}
            note: {type: string}
          required: [approved]
  - echo: "approved={{ steps.approval.output.approved }} note={{ steps.approval.output.note }}"
"""


async def test_short_sleep_runs_inline(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - sleep: 50ms\n  - nap: {sleep: {seconds: 0.05}}\n  - echo: awake\n")
    started = time.monotonic()
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert 0.1 <= time.monotonic() - started < INLINE_SLEEP
    steps = {s.path: s for s in await mz.engines[0].store.get_steps(run.id)}
    assert steps["sleep"].status == "completed" and "slept_until" in steps["sleep"].output
    check_event_log(await mz.engines[0].store.list_events(run.id))


async def test_bad_sleep_duration_fails(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - sleep: forever\n")
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "sleep:" in run.error["message"] and "forever" in run.error["message"]


async def test_long_sleep_suspends_and_a_new_engine_resumes_it(mz: Harness) -> None:
    counter = mz.tmp_path / "effects.txt"
    mz.workflow(
        "wf",
        f"""
        steps:
          - before: {{tool: record, with: {{path: "{counter}", label: before}}}}
          - sleep: 1200ms
          - after: {{tool: record, with: {{path: "{counter}", label: after}}}}
        """,
        tools={"effects": MARKER_TOOLS},
    )
    first = await mz.engine()
    first.follow_timers = False
    run = await first.run("wf")
    assert run.status == "waiting"
    assert run.wake_at is not None and run.wake_at > time.time()
    assert first._tasks == {}  # waiting holds no task
    stored = await first.get_run(run.id)
    assert (stored.status, stored.owner, stored.lease_until) == ("waiting", None, None)
    assert stored.wake_at == pytest.approx(run.wake_at)
    await first.close()  # the process goes away

    second = await mz.engine()
    early = await second.resume(run.id)  # not due yet: nothing to do
    assert early.status == "waiting"
    assert second._tasks == {} and second._timers == {}
    await asyncio.sleep(max(0.0, run.wake_at - time.time()) + 0.05)
    assert await second.recover() == 1
    done = await wait_done(second, run.id)
    assert done.status == "succeeded", done.error
    assert done.output == "after"
    assert counter.read_text().splitlines() == ["before", "after"]  # "before" did not run again
    events = await second.store.list_events(run.id)
    check_event_log(events)
    assert [e.type for e in events].count("run.started") == 1


async def test_recover_arms_a_timer_for_a_sleep_not_yet_due(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - sleep: 1100ms\n  - echo: done\n")
    first = await mz.engine()
    first.follow_timers = False
    run = await first.run("wf")
    await first.close()
    second = await mz.engine()
    assert await second.recover() == 0
    assert list(second._timers) == [run.id]
    done = await wait_done(second, run.id, timeout=3)
    assert done.status == "succeeded" and done.output == "done"
    check_event_log(await second.store.list_events(run.id))


async def test_engine_resume_after_wake(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - sleep: 1.1\n  - echo: done\n")
    first = await mz.engine()
    first.follow_timers = False
    run = await first.run("wf")
    assert run.status == "waiting" and run.wake_at is not None
    await first.close()
    second = await mz.engine()
    await asyncio.sleep(max(0.0, run.wake_at - time.time()) + 0.02)
    resumed = await second.resume(run.id)
    assert resumed.status == "succeeded" and resumed.output == "done"


async def test_run_follows_its_own_timers(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - sleep: 1.05s\n  - echo: done\n")
    run = await mz.run("wf")
    assert run.status == "succeeded" and run.output == "done"


async def test_wait_for_input(mz: Harness) -> None:
    mz.workflow("wf", APPROVAL)
    engine = await mz.engine()
    run = await engine.run("wf", {"project": "Apollo"})
    assert run.status == "waiting"
    assert run.wake_at is None
    assert engine._tasks == {}
    events = await engine.store.list_events(run.id)
    requested = [e for e in events if e.type == "input.requested"]
    assert len(requested) == 1 and requested[0].step == "approval"
    assert requested[0].data["prompt"] == "Approve the plan for Apollo?"
    assert requested[0].data["schema"]["required"] == ["approved"]

    for bad in ({"note": "no decision"}, {"approved": "yes"}, "approved", None):
        with pytest.raises(InputValidationError):
            await engine.submit_input(run.id, bad)
    assert (await engine.get_run(run.id)).status == "waiting"
    with pytest.raises(RunStateError):
        await engine.submit_input(run.id, {"approved": True}, step="other")

    done = await engine.submit_input(run.id, {"approved": True, "note": "ship it"})
    assert done.status == "succeeded", done.error
    assert done.output == "approved=True note=ship it"
    steps = {s.path: s for s in await engine.store.get_steps(run.id)}
    assert steps["approval"].output == {"approved": True, "note": "ship it"}
    events = await engine.store.list_events(run.id)
    received = [e for e in events if e.type == "input.received"]
    assert [(e.step, e.data["value"]) for e in received] == [("approval", {"approved": True, "note": "ship it"})]
    check_event_log(events)
    with pytest.raises(RunStateError):
        await engine.submit_input(run.id, {"approved": False})


async def test_wait_for_input_answer_after_a_restart(mz: Harness) -> None:
    mz.workflow("wf", APPROVAL)
    first = await mz.engine()
    run = await first.run("wf", {"project": "Gemini"})
    await first.close()
    second = await mz.engine()
    done = await second.submit_input(run.id, {"approved": False, "note": "later"})
    assert done.status == "succeeded" and done.output == "approved=False note=later"


async def test_wait_for_input_with_a_prompt_string(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - name_please: {wait_for_input: 'Your name?', schema: {type: string}}\n")
    engine = await mz.engine()
    run = await engine.run("wf")
    events = await engine.store.list_events(run.id)
    (requested,) = [e for e in events if e.type == "input.requested"]
    assert requested.data["prompt"] == "Your name?"
    with pytest.raises(InputValidationError, match="must be of type string"):
        await engine.submit_input(run.id, 42)
    assert (await engine.submit_input(run.id, "Ada")).output == "Ada"


async def test_wait_for_input_times_out_with_its_default(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - choice:
              wait_for_input: {prompt: "Pick", timeout: 200ms, default: {approved: false}}
          - echo: "{{ steps.choice.output.approved }}"
        """,
    )
    started = time.monotonic()
    run = await mz.run("wf")
    assert run.status == "waiting", "run() returns when a step waits for an answer"
    run = await wait_done(mz.engines[0], run.id)  # the engine's timer applies the default
    assert time.monotonic() - started >= 0.2
    assert run.status == "succeeded", run.error
    assert run.output is False
    events = await mz.engines[0].store.list_events(run.id)
    (received,) = [e for e in events if e.type == "input.received"]
    assert received.data == {"timed_out": True, "value": {"approved": False}}
    check_event_log(events)


async def test_wait_for_input_timeout_as_a_step_key(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - ask: {wait_for_input: 'Pick', timeout: 100ms, default: b}\n")
    run = await mz.run("wf")
    run = await wait_done(mz.engines[0], run.id)
    assert run.status == "succeeded", run.error
    assert run.output == "b"


async def test_wait_for_input_timeout_without_default_fails(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - ask: {wait_for_input: {prompt: 'Pick', timeout: 100ms}}\n")
    run = await mz.run("wf")
    run = await wait_done(mz.engines[0], run.id)
    assert run.status == "failed" and run.error is not None
    assert "no input received for 'ask' before its timeout" in run.error["message"]
    check_event_log(await mz.engines[0].store.list_events(run.id))


async def test_cancel_a_waiting_run(mz: Harness) -> None:
    mz.workflow("wf", APPROVAL)
    engine = await mz.engine()
    run = await engine.run("wf", {"project": "X"})
    assert run.status == "waiting"
    cancelled = await engine.cancel(run.id)
    assert cancelled.status == "cancelled"
    assert cancelled.error is not None and cancelled.error["type"] == "RunCancelled"
    events = await engine.store.list_events(run.id)
    assert events[-1].type == "run.cancelled"
    check_event_log(events)
    with pytest.raises(RunStateError, match="already cancelled"):
        await engine.cancel(run.id)
    with pytest.raises(RunStateError):
        await engine.submit_input(run.id, {"approved": True})


async def test_cancel_a_sleeping_run(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - sleep: 5m\n  - echo: never\n")
    engine = await mz.engine()
    engine.follow_timers = False
    run = await engine.run("wf")
    assert run.status == "waiting" and run.id in engine._timers
    cancelled = await engine.cancel(run.id)
    assert cancelled.status == "cancelled"
    assert cancelled.wake_at is None
    assert engine._timers == {}
    check_event_log(await engine.store.list_events(run.id))


async def test_cancel_a_running_run(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - echo: start\n  - sleep: 900ms\n  - echo: never\n")
    engine = await mz.engine()
    run, _ = await engine.start("wf")
    task = engine.launch(run.id)
    for _ in range(100):
        if any(s.path == "sleep" for s in await engine.store.get_steps(run.id)):
            break
        await asyncio.sleep(0.01)
    cancelled = await engine.cancel(run.id)
    assert cancelled.status == "cancelled"
    assert task.done()
    events = await engine.store.list_events(run.id)
    assert events[-1].type == "run.cancelled"
    check_event_log(events)
    assert not any(e.step == "echo_2" for e in events)


async def test_cancel_a_finished_run_is_refused(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - echo: done\n")
    engine = await mz.engine()
    run = await engine.run("wf")
    with pytest.raises(RunStateError, match="already succeeded"):
        await engine.cancel(run.id)
    with pytest.raises(RunStateError, match="only failed or cancelled runs can be retried"):
        await engine.retry(run.id)
    with pytest.raises(RunStateError):
        await engine.resume(run.id)


async def test_retry_from_the_failed_step(mz: Harness) -> None:
    effects = mz.tmp_path / "effects.txt"
    marker = mz.tmp_path / "marker"
    mz.workflow(
        "wf",
        f"""
        steps:
          - first: {{tool: record, with: {{path: "{effects}", label: first}}}}
          - each:
              foreach: "{{{{ ['a', 'b'] }}}}"
              max_concurrency: 1
              do:
                - record: {{path: "{effects}", label: "item-{{{{ item }}}}"}}
          - gate: {{tool: needs_marker, with: {{marker: "{marker}"}}}}
          - last: {{tool: record, with: {{path: "{effects}", label: last}}}}
        """,
        tools={"effects": MARKER_TOOLS},
    )
    engine = await mz.engine()
    run = await engine.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error["step"] == "gate" and "marker missing" in run.error["message"]
    assert effects.read_text().splitlines() == ["first", "item-a", "item-b"]

    marker.touch()
    retried = await engine.retry(run.id)
    assert retried.id == run.id
    assert retried.status == "succeeded", retried.error
    assert retried.output == "last"
    assert effects.read_text().splitlines() == ["first", "item-a", "item-b", "last"]
    steps = {s.path: s.status for s in await engine.store.get_steps(run.id)}
    assert steps["gate"] == "completed"
    events = await engine.store.list_events(run.id)
    check_event_log(events)
    assert [e.type for e in events].count("run.started") == 2
    assert [e.type for e in events if e.type.startswith("run.")] == [
        "run.started",
        "run.failed",
        "run.started",
        "run.completed",
    ]


async def test_retry_inside_foreach_reruns_only_failed_iterations(mz: Harness) -> None:
    effects = mz.tmp_path / "effects.txt"
    marker = mz.tmp_path / "marker"
    mz.workflow(
        "wf",
        f"""
        steps:
          - each:
              foreach: "{{{{ ['a', 'b', 'c'] }}}}"
              max_concurrency: 1
              do:
                - record: {{path: "{effects}", label: "{{{{ item }}}}"}}
                - check:
                    tool: needs_marker
                    with: {{marker: "{marker}"}}
                    if: "{{{{ item == 'b' }}}}"
        """,
        tools={"effects": MARKER_TOOLS},
    )
    engine = await mz.engine()
    run = await engine.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error["step"] == "each[1].check"
    marker.touch()
    retried = await engine.retry(run.id)
    assert retried.status == "succeeded", retried.error
    assert retried.output == [None, "marker found", None]  # each iteration's last step; skipped → None
    assert sorted(effects.read_text().splitlines()) == ["a", "b", "c"]
    check_event_log(await engine.store.list_events(run.id))


async def test_retry_after_cancel_asks_for_input_again(mz: Harness) -> None:
    mz.workflow("wf", APPROVAL)
    engine = await mz.engine()
    run = await engine.run("wf", {"project": "Y"})
    await engine.cancel(run.id)
    again = await engine.retry(run.id)
    assert again.status == "waiting"
    events = await engine.store.list_events(run.id)
    assert [e.type for e in events].count("input.requested") == 2
    done = await engine.submit_input(run.id, {"approved": True, "note": "ok"})
    assert done.status == "succeeded" and done.output == "approved=True note=ok"
    events = await engine.store.list_events(run.id)
    assert [e.type for e in events if e.step == "echo"] == ["step.started", "step.completed"]  # ran once
    check_event_log(events)


async def test_a_run_interrupted_by_shutdown_resumes_without_repeating_steps(mz: Harness) -> None:
    effects = mz.tmp_path / "effects.txt"
    started = mz.tmp_path / "started"
    mz.workflow(
        "wf",
        f"""
        steps:
          - first: {{tool: record, with: {{path: "{effects}", label: first}}}}
          - slow: {{tool: slow_once, with: {{flag: "{started}"}}}}
          - last: {{tool: record, with: {{path: "{effects}", label: last}}}}
        """,
        tools={
            "effects": MARKER_TOOLS,
            "slow": """
            import asyncio
            from pathlib import Path


            async def slow_once(flag: str) -> str:
                \"\"\"Hang the first time (until the engine shuts down), return at once afterwards.\"\"\"
                if not Path(flag).exists():
                    Path(flag).touch()
                    await asyncio.sleep(30)
                return "resumed"
            """,
        },
    )
    first = await mz.engine()
    run, _ = await first.start("wf")
    first.launch(run.id)
    for _ in range(200):
        if started.exists():
            break
        await asyncio.sleep(0.01)
    await first.close()
    second = await mz.engine()
    stuck = await second.get_run(run.id)
    assert stuck.status == "running"  # the lease of the stopped process is still held
    with pytest.raises(RunStateError, match="being executed by"):
        await second.resume(run.id)
    done = await second.resume(run.id, force=True)
    assert done.status == "succeeded", done.error
    assert done.output == "last"
    assert effects.read_text().splitlines() == ["first", "last"]
    events = await second.store.list_events(run.id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [e.step for e in events if e.type == "step.started"].count("first") == 1
    assert events[-1].type == "run.completed"


async def test_an_answer_sent_the_moment_input_is_requested_is_accepted(mz: Harness) -> None:
    mz.workflow("ask", "steps:\n  - approval: {wait_for_input: 'Approve?', schema: {type: boolean}}\n")
    engine = await mz.engine()
    answered: list[asyncio.Task[Any]] = []

    def answer(event: Any) -> None:
        if event.type == "input.requested":
            answered.append(asyncio.ensure_future(engine.submit_input(event.run_id, True, wait=False)))

    engine.bus.subscribe(answer)
    run, _ = await engine.start("ask", {})
    engine.launch(run.id)
    finished = await wait_done(engine, run.id)
    assert finished.status == "succeeded" and finished.output is True
    assert answered and answered[0].exception() is None


async def test_cancel_right_after_launch_closes_the_run(mz: Harness) -> None:
    mz.workflow("slow", "steps:\n  - nap: {sleep: 2s}\n")
    engine = await mz.engine()
    run, _ = await engine.start("slow", {})
    engine.launch(run.id)  # the task exists but has not started yet
    cancelled = await engine.cancel(run.id)
    assert cancelled.status == "cancelled"
    assert (await engine.store.list_events(run.id))[-1].type == "run.cancelled"
