"""In-process fan-out of run events to live listeners (CLI progress, WebSocket clients)."""

from __future__ import annotations

from collections.abc import Callable

from mozaiks_ai.state.records import EventRecord

__all__ = ["EventBus", "Listener"]

Listener = Callable[[EventRecord], None]


class EventBus:
    """Delivers every event to the listeners of its run and to global listeners.

    Listeners are called synchronously on the event loop and must not block; a WebSocket handler
    typically puts the event on its own queue.
    """

    def __init__(self) -> None:
        self._by_run: dict[str, list[Listener]] = {}
        self._global: list[Listener] = []

    def subscribe(self, listener: Listener, run_id: str | None = None) -> Callable[[], None]:
        """Register a listener for one run (or all runs); returns a function that unsubscribes it."""
        bucket = self._global if run_id is None else self._by_run.setdefault(run_id, [])
        bucket.append(listener)

        def unsubscribe() -> None:
            if listener in bucket:
                bucket.remove(listener)
            if run_id is not None and not bucket:
                self._by_run.pop(run_id, None)

        return unsubscribe

    def has_listeners(self, run_id: str) -> bool:
        """Whether anyone listens to this run specifically."""
        return bool(self._by_run.get(run_id))

    def publish(self, event: EventRecord) -> None:
        """Deliver an event."""
        for listener in self._global:
            listener(event)
        for listener in self._by_run.get(event.run_id, ()):
            listener(event)
