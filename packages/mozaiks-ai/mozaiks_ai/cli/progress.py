"""Show a run's events while it executes: rich on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO, Any

from mozaiks_ai.state.records import EventRecord

__all__ = ["PlainProgress", "make_progress"]


def _summary(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(data: dict[str, Any]) -> Any:
    return (data.get("error") or {}).get("message")


_LINES: dict[str, Callable[[str | None, dict[str, Any]], str]] = {
    "run.started": lambda s, d: f"run started ({d.get('workflow')})" + (" [retry]" if d.get("retry") else ""),
    "step.started": lambda s, d: f"  ▸ {s}",
    "step.completed": lambda s, d: f"  ✓ {s}: {_summary(d.get('output'))}",
    "step.failed": lambda s, d: f"  ✗ {s}: {_error(d)}",
    "step.skipped": lambda s, d: f"  - {s} skipped ({d.get('reason')})",
    "step.retrying": lambda s, d: f"  ↻ {s} retrying (attempt {d.get('attempt')}) after: {_error(d)}",
    "chunk": lambda s, d: f"    {d.get('chunk')}",
    "input.requested": lambda s, d: f"  ? {s} waits for input: {d.get('prompt')}",
    "artifact.created": lambda s, d: f"    + artifact {d.get('path')} ({d.get('size')} bytes)",
    "run.completed": lambda s, d: "run succeeded",
    "run.failed": lambda s, d: f"run failed: {_error(d)}",
    "run.cancelled": lambda s, d: "run cancelled",
}


class PlainProgress:
    """One line per event that matters, for logs and pipes."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.flush()

    def line(self, event: EventRecord) -> str | None:
        """Return the line for an event, or ``None`` to skip it."""
        render = _LINES.get(event.type)
        return render(event.step, event.data) if render is not None else None

    def __call__(self, event: EventRecord) -> None:
        """Print the event's line."""
        line = self.line(event)
        if line is not None:
            print(line, file=self.stream, flush=True)


class RichProgress(PlainProgress):
    """Live progress on a terminal: a spinner for open steps above the event lines."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.spinner import Spinner

        super().__init__()
        self.console = Console(stderr=True)
        self._open: dict[str, str] = {}
        self._spinner = Spinner
        self.live = Live(console=self.console, refresh_per_second=12, transient=True)

    def __enter__(self) -> RichProgress:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def _render(self) -> Any:
        from rich.console import Group

        return Group(*(self._spinner("dots", text=f"{path}") for path in self._open))

    def __call__(self, event: EventRecord) -> None:
        """Show an event."""
        if event.type == "step.started" and event.step:
            self._open[event.step] = event.step
        elif event.step in self._open and event.type in ("step.completed", "step.failed", "step.skipped"):
            self._open.pop(event.step, None)
        if event.type in ("run.completed", "run.failed", "run.cancelled"):
            self._open.clear()
        line = self.line(event)
        if line is not None and event.type != "step.started":
            style = {"step.failed": "red", "run.failed": "bold red", "run.completed": "bold green"}.get(event.type)
            self.console.print(line, style=style, markup=False, highlight=False)
        self.live.update(self._render())


def make_progress(enabled: bool) -> PlainProgress | None:
    """Return a progress display for stderr (rich when it is a terminal), or ``None``."""
    if not enabled:
        return None
    if sys.stderr.isatty():
        return RichProgress()
    return PlainProgress()
