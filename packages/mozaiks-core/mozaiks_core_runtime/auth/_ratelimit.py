"""Login rate limiting: a sliding window of failures per key (email, client address)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from ..errors import RateLimitedError

__all__ = ["FailureLimiter"]


class FailureLimiter:
    """Counts failures per key in a sliding window and refuses keys over their limit.

    The state is per process: behind several processes the effective limit is multiplied by their number.

    Args:
        window: Seconds a failure counts for.
        clock: Time source (tests inject one).
    """

    def __init__(self, window: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def check(self, key: str, limit: int) -> None:
        """Raise if ``key`` already has ``limit`` failures in the window.

        Raises:
            RateLimitedError: With ``retry_after`` until the oldest failure expires.
        """
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if len(times) >= limit:
                retry = max(1, math.ceil(times[0] + self.window - now))
                raise RateLimitedError("too many attempts, try again later", retry_after=retry)

    def fail(self, key: str) -> None:
        """Record a failure for ``key``."""
        with self._lock:
            self._recent(key, self._clock()).append(self._clock())

    def reset(self, key: str) -> None:
        """Forget the failures of ``key`` (after a success)."""
        with self._lock:
            self._failures.pop(key, None)
