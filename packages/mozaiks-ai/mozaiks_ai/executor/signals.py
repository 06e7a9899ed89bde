"""Control-flow signals of the executor (internal)."""

from __future__ import annotations

from typing import Any

__all__ = ["StepFailed", "Suspend"]


class Suspend(BaseException):
    """The run must stop here and wait (for input, or until ``wake_at``) without holding a task."""

    def __init__(self, wake_at: float | None = None, *, for_input: bool = False) -> None:
        super().__init__(wake_at)
        self.wake_at = wake_at
        self.for_input = for_input

    @staticmethod
    def earliest(signals: list[Suspend]) -> Suspend:
        """Combine the suspensions of parallel branches into one (earliest timer wins)."""
        times = [s.wake_at for s in signals if s.wake_at is not None]
        return Suspend(min(times) if times else None, for_input=any(s.for_input for s in signals))


class StepFailed(Exception):
    """A step failed and its failure has been recorded; propagates to the run."""

    def __init__(self, path: str, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", "step failed"))
        self.path = path
        self.error = error
