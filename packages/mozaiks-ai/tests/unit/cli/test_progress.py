"""Progress lines for every event type, plain and rich."""

from __future__ import annotations

import io
import time

from mozaiks_ai.cli.progress import PlainProgress, RichProgress, make_progress
from mozaiks_ai.state.records import EventRecord

EVENTS = [
    ("run.started", None, {"workflow": "wf", "retry": True}, "run started (wf) [retry]"),
    ("step.started", "a", {}, "▸ a"),
    ("chunk", "a", {"kind": "progress", "chunk": "working"}, "working"),
    ("step.retrying", "a", {"attempt": 2, "error": {"message": "flaky"}}, "retrying (attempt 2) after: flaky"),
    ("step.completed", "a", {"output": "x" * 200}, "✓ a: xxx"),
    ("step.failed", "b", {"error": {"message": "boom"}}, "✗ b: boom"),
    ("step.skipped", "c", {"reason": "condition is false"}, "- c skipped (condition is false)"),
    ("input.requested", "d", {"prompt": "Name?"}, "? d waits for input: Name?"),
    ("artifact.created", "e", {"path": "a.md", "size": 3}, "+ artifact a.md (3 bytes)"),
    ("run.completed", None, {"output": 1}, "run succeeded"),
    ("run.failed", None, {"error": {"message": "bad"}}, "run failed: bad"),
    ("run.cancelled", None, {}, "run cancelled"),
]


def _event(i: int, kind: str, step: str | None, data: dict[str, object]) -> EventRecord:
    return EventRecord("r1", i, kind, time.time(), step, data)


def test_plain_progress_writes_one_line_per_event() -> None:
    stream = io.StringIO()
    with PlainProgress(stream) as progress:
        for i, (kind, step, data, _) in enumerate(EVENTS, 1):
            progress(_event(i, kind, step, data))
        progress(_event(99, "usage", None, {}))  # events without a line are skipped
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(EVENTS)
    for line, (*_, expected) in zip(lines, EVENTS, strict=True):
        assert expected in line
    assert max(len(line) for line in lines) < 100, "long outputs are shortened"


def test_rich_progress_tracks_open_steps() -> None:
    progress = RichProgress()
    progress.console.file = io.StringIO()
    with progress:
        for i, (kind, step, data, _) in enumerate(EVENTS, 1):
            progress(_event(i, kind, step, data))
            if kind == "step.started":
                assert "a" in progress._open
    assert not progress._open
    assert "run succeeded" in progress.console.file.getvalue()


def test_make_progress_is_plain_off_a_terminal() -> None:
    assert make_progress(False) is None
    assert type(make_progress(True)) is PlainProgress
