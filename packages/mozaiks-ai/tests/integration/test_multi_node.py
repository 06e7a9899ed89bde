"""Several runtime processes on one PostgreSQL store: shared work, and events relayed by LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from engine_harness import Harness, check_event_log, wait_done
from mozaiks_ai.state.records import EventRecord

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

SLOW = "steps:\n" + "".join(f"  - s{i}: {{sleep: 150ms}}\n" for i in range(4)) + "  - done: {echo: ok}\n"


@pytest.fixture
async def pg_harness(tmp_path: Path, pg_url: str) -> AsyncIterator[Harness]:
    harness = Harness(tmp_path, pg_url)
    try:
        yield harness
    finally:
        await harness.close()


async def test_a_client_on_one_node_follows_a_run_executed_on_another(pg_harness: Harness) -> None:
    pg_harness.workflow("slow", SLOW)
    executor = await pg_harness.engine()
    watcher = await pg_harness.engine()
    assert await watcher.relay_remote_events()
    run, _ = await executor.start("slow")
    received: list[EventRecord] = []
    done = asyncio.Event()

    def listen(event: EventRecord) -> None:
        received.append(event)
        if event.type == "run.completed":
            done.set()

    watcher.bus.subscribe(listen, run.id)
    executor.launch(run.id)
    await asyncio.wait_for(done.wait(), 10)
    assert [e.seq for e in received] == list(range(1, len(received) + 1)), "every event once, in order"
    check_event_log(received)
    assert received[-1].data["output"] == "ok"


async def test_an_orphaned_run_is_finished_by_another_worker(pg_harness: Harness) -> None:
    pg_harness.workflow("slow", SLOW)
    first = await pg_harness.engine()
    second = await pg_harness.engine()
    run, _ = await first.start("slow")
    await first.store.update_run(run.id, lease_until=0.0)  # as if its process had died before executing it
    claimed = await second.recover()
    assert claimed == 1
    finished = await wait_done(second, run.id, timeout=10)
    assert finished.status == "succeeded"
    assert await first.recover() == 0, "a finished run is never claimed again"
