"""Server-Sent Events and live replay of a run's event log.

:func:`follow_events` yields every event after a sequence number, first from the store and then
live from the engine's bus, once each and in order, until the run's final event.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from mozaiks_ai.executor.engine import Engine
from mozaiks_ai.state.records import EventRecord

__all__ = ["FINAL_EVENTS", "follow_events", "sse_stream"]

FINAL_EVENTS = frozenset({"run.completed", "run.failed", "run.cancelled"})
_KEEPALIVE_SECONDS = 15.0


async def follow_events(engine: Engine, run_id: str, after: int) -> AsyncIterator[EventRecord]:
    """Yield the events of ``run_id`` with ``seq > after``, then live ones, until the run finishes."""
    queue: asyncio.Queue[EventRecord] = asyncio.Queue()
    unsubscribe = engine.bus.subscribe(queue.put_nowait, run_id)
    try:
        await engine.store.flush()  # published-but-uncommitted events are then in the store or the queue
        last = after
        for event in await engine.store.list_events(run_id, after=after):
            last = event.seq
            yield event
            if event.type in FINAL_EVENTS:
                return
        run = await engine.store.get_run(run_id)
        if run is not None and run.status in ("succeeded", "failed", "cancelled"):
            for event in await engine.store.list_events(run_id, after=last):
                yield event
            return
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), _KEEPALIVE_SECONDS)
            except TimeoutError:
                yield EventRecord(run_id, -1, "keepalive", 0.0)
                continue
            if event.seq <= last:
                continue
            if event.seq > last + 1:  # a gap: fill it from the store
                for missed in await engine.store.list_events(run_id, after=last, limit=event.seq - last - 1):
                    last = missed.seq
                    yield missed
            last = event.seq
            yield event
            if event.type in FINAL_EVENTS:
                return
    finally:
        unsubscribe()


async def sse_stream(engine: Engine, run_id: str, after: int) -> AsyncIterator[bytes]:
    """Encode :func:`follow_events` as ``text/event-stream`` (``id:`` is the sequence number)."""
    async for event in follow_events(engine, run_id, after):
        if event.type == "keepalive":
            yield b": keepalive\n\n"
            continue
        data = json.dumps(event.to_dict(), default=str, separators=(",", ":"))
        yield f"id: {event.seq}\nevent: {event.type}\ndata: {data}\n\n".encode()
