"""Retries of model calls: ``Retry-After`` parsing and capped exponential backoff.

Providers turn a failed attempt into :class:`RetryableError` (429, 5xx, connection refused) or a
final :class:`~mozaiks_ai.errors.ModelError`; :func:`retry_call` waits and tries again until the
retries are used up. The SDKs' own retries are disabled so that this is the only retry loop.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from mozaiks_ai.errors import ModelError

__all__ = ["Backoff", "RetryableError", "parse_retry_after", "retry_call"]

T = TypeVar("T")


class RetryableError(Exception):
    """An attempt failed in a way worth retrying.

    Args:
        error: The error to raise when no retry is left.
        retry_after: Seconds the server asked to wait (``Retry-After``), if it said.
    """

    def __init__(self, error: ModelError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


@dataclass(frozen=True)
class Backoff:
    """How often and how long to wait between attempts.

    Attributes:
        max_retries: Attempts after the first one.
        initial_delay: Wait before the first retry when the server gives no ``Retry-After``.
        max_delay: Upper bound of any wait, ``Retry-After`` included.
    """

    max_retries: int = 4
    initial_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Return the seconds to wait before retry number ``retry`` (0-based).

        ``Retry-After`` wins over the exponential schedule; both are capped at ``max_delay``.
        """
        wanted = retry_after if retry_after is not None else self.initial_delay * 2**retry
        return max(0.0, min(wanted, self.max_delay))


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Read the wait a server asked for from ``retry-after-ms`` or ``Retry-After``.

    Args:
        headers: Response headers (case-insensitive mappings such as httpx's work as is).
        now: The current Unix time, for HTTP dates (default: the clock).

    Returns:
        Seconds to wait (never negative), or ``None`` when no usable header is present.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    milliseconds = lowered.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


async def retry_call(
    attempt: Callable[[], Awaitable[T]],
    backoff: Backoff,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run ``attempt`` until it succeeds, retrying :class:`RetryableError` as ``backoff`` allows.

    Args:
        attempt: Makes one call.
        backoff: Retry count and waits.
        sleep: Waits (injectable for tests).

    Raises:
        ModelError: The last attempt's error, once no retry is left (its message counts the retries).
    """
    for retry in range(backoff.max_retries + 1):
        try:
            return await attempt()
        except RetryableError as exc:
            if retry == backoff.max_retries:
                suffix = f" (after {retry} retries)" if retry else ""
                raise ModelError(f"{exc.error}{suffix}") from exc.error
            await sleep(backoff.delay(retry, exc.retry_after))
    raise AssertionError("unreachable")  # pragma: no cover
