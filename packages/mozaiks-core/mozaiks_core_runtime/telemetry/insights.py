"""Product insights: ``insights.track(event, **props)`` and ``insights.kpi(name, value)``.

Records are counted in Prometheus always (``<ns>_insights_events_total``, ``<ns>_kpi``). In managed mode they are
also buffered in memory and pushed to the platform in batches: each batch gets a UUID that is sent as its
``batch_id`` and ``Idempotency-Key`` and kept across retries, so a batch re-sent after a timeout is counted once.
Connection errors, 408, 429 and 5xx are retried with exponential backoff; a batch that still fails stays queued
(with the same id) for the next flush. A 4xx other than 408/409/429 means the platform will never take the batch:
it is dropped and counted. In self-hosted mode nothing is buffered and no request is ever made.

The App owns one :class:`Insights`, calls :meth:`Insights.run` in its lifespan and :meth:`Insights.aclose` on
shutdown, and binds it with :func:`bind` so that the module-level :func:`track` and :func:`kpi` reach it.

Batch body::

    {"batch_id": "…", "app_id": "…", "sent_at": 1730000000.0,
     "records": [{"kind": "event", "name": "task.created", "props": {…}, "ts": …},
                 {"kind": "kpi", "name": "active_users", "value": 42.0, "ts": …}]}
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from mozaiks_core_runtime.telemetry.config import InsightsConfig
from mozaiks_core_runtime.telemetry.metrics import Metrics

__all__ = ["Batch", "Insights", "JSONValue", "bind", "current", "kpi", "track"]

logger = logging.getLogger(__name__)

JSONValue = str | int | float | bool | None | list["JSONValue"] | dict[str, "JSONValue"]
"""A value ``json.dumps`` accepts."""

_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
_ALREADY_RECEIVED = 409


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch of records with its idempotency id.

    Attributes:
        id: UUID sent as ``batch_id`` and ``Idempotency-Key``; unchanged across retries.
        records: The records.
    """

    id: str
    records: tuple[dict[str, Any], ...]


class Insights:
    """Batched, idempotent insights for one App.

    Args:
        config: Insights settings.
        metrics: Where records are counted for ``/metrics``; none when omitted.
        transport: The httpx transport (injected by tests); httpx's default otherwise.
        clock: Returns the current Unix time.
        sleep: Awaited between retries (injected by tests).
    """

    def __init__(
        self,
        config: InsightsConfig | None = None,
        *,
        metrics: Metrics | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.config = config or InsightsConfig()
        self.metrics = metrics
        self._transport = transport
        self._clock = clock
        self._sleep = sleep
        # Sync handlers call track() from worker threads, so the buffer is guarded by a thread lock.
        self._lock = threading.Lock()
        self._records: deque[dict[str, Any]] = deque()
        self._outbox: deque[Batch] = deque()
        self._flush_lock = anyio.Lock()
        self._client: httpx.AsyncClient | None = None

    @property
    def pushing(self) -> bool:
        """Whether records are pushed to the platform (managed mode with a URL)."""
        return self.config.push_url is not None

    @property
    def pending(self) -> int:
        """Records waiting to be pushed (buffered or in queued batches)."""
        with self._lock:
            return len(self._records) + sum(len(batch.records) for batch in self._outbox)

    def track(self, event: str, **props: JSONValue) -> None:
        """Record that ``event`` happened.

        Args:
            event: The event's name (``"task.created"``).
            **props: JSON-serialisable properties.

        Raises:
            ValueError: ``event`` is empty, or ``props`` cannot be serialised to JSON.
        """
        if not event:
            raise ValueError("an insights event needs a name")
        try:
            json.dumps(props, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"insights props of {event!r} must be JSON-serialisable: {exc}") from None
        if self.metrics is not None:
            self.metrics.insights_events.labels(event=event).inc()
        self._buffer({"kind": "event", "name": event, "props": props, "ts": self._clock()})

    def kpi(self, name: str, value: float) -> None:
        """Record the current value of a key performance indicator.

        Args:
            name: The KPI's name (``"active_users"``).
            value: Its value; must be finite.

        Raises:
            ValueError: ``name`` is empty or ``value`` is not a finite number.
        """
        if not name:
            raise ValueError("an insights KPI needs a name")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"KPI {name!r} must be a finite number, got {value!r}")
        if self.metrics is not None:
            self.metrics.kpis.labels(name=name).set(number)
        self._buffer({"kind": "kpi", "name": name, "value": number, "ts": self._clock()})

    async def flush(self) -> int:
        """Push every pending record now.

        Returns:
            The number of records the platform accepted (0 when not pushing).
        """
        url = self.config.push_url
        if url is None:
            return 0
        async with self._flush_lock:
            self._cut_batches()
            accepted = 0
            while True:
                with self._lock:
                    batch = self._outbox[0] if self._outbox else None
                if batch is None:
                    return accepted
                outcome = await self._push(url, batch)
                if outcome == "retry-later":
                    return accepted
                with self._lock:
                    self._outbox.popleft()
                if outcome == "accepted":
                    accepted += len(batch.records)
                else:
                    self._count_dropped("rejected", len(batch.records))

    async def run(self) -> None:
        """Flush every ``config.flush_interval`` seconds until cancelled (run it in the App's lifespan)."""
        if not self.pushing:
            return
        while True:
            await self._sleep(self.config.flush_interval)
            try:
                await self.flush()
            except Exception:
                logger.exception("insights flush failed")

    async def aclose(self) -> None:
        """Flush what is pending and close the HTTP client."""
        try:
            await self.flush()
        finally:
            if self._client is not None:
                await self._client.aclose()
                self._client = None

    def _buffer(self, record: dict[str, Any]) -> None:
        if not self.pushing:
            return
        with self._lock:
            self._records.append(record)
            overflow = len(self._records) - self.config.max_buffer
            for _ in range(max(0, overflow)):
                self._records.popleft()
        if overflow > 0:
            self._count_dropped("buffer_full", overflow)

    def _cut_batches(self) -> None:
        with self._lock:
            size = max(1, self.config.batch_size)
            while self._records:
                records = tuple(self._records.popleft() for _ in range(min(size, len(self._records))))
                self._outbox.append(Batch(id=str(uuid.uuid4()), records=records))

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            headers = {"X-Mozaiks-App-Id": self.config.app_id}
            if self.config.api_key:
                headers["Authorization"] = f"Bearer {self.config.api_key}"
            self._client = httpx.AsyncClient(headers=headers, timeout=self.config.timeout, transport=self._transport)
        return self._client

    async def _push(self, url: str, batch: Batch) -> str:
        body = {"batch_id": batch.id, "app_id": self.config.app_id, "sent_at": self._clock(), "records": batch.records}
        headers = {"Idempotency-Key": batch.id}
        for attempt in range(max(1, self.config.max_attempts)):
            if attempt:
                await self._sleep(min(0.5 * 2 ** (attempt - 1), 30.0))
            try:
                response = await self._http().post(url, json=body, headers=headers)
            except httpx.TransportError as exc:
                logger.warning("insights batch %s: cannot reach %s: %r", batch.id, url, exc)
                continue
            if response.is_success or response.status_code == _ALREADY_RECEIVED:
                return "accepted"
            if response.status_code in _RETRYABLE:
                continue
            logger.error("insights batch %s rejected with %s; dropping it", batch.id, response.status_code)
            return "rejected"
        return "retry-later"

    def _count_dropped(self, reason: str, count: int) -> None:
        if self.metrics is not None:
            self.metrics.insights_dropped.labels(reason=reason).inc(count)


_bound: Insights | None = None


def bind(insights: Insights | None) -> None:
    """Make ``insights`` the target of the module-level :func:`track` and :func:`kpi` (the App does this at startup).

    Args:
        insights: The App's insights, or ``None`` to unbind on shutdown.
    """
    global _bound
    _bound = insights


def current() -> Insights | None:
    """Return the bound :class:`Insights`, if any.

    Returns:
        The bound instance or ``None``.
    """
    return _bound


def track(event: str, **props: JSONValue) -> None:
    """Record an event on the running App's insights (see :meth:`Insights.track`).

    Outside a running App (a script, an import-time call) nothing is recorded: insights never break the caller.

    Args:
        event: The event's name.
        **props: JSON-serialisable properties.
    """
    if _bound is not None:
        _bound.track(event, **props)


def kpi(name: str, value: float) -> None:
    """Record a KPI on the running App's insights (see :meth:`Insights.kpi`).

    Outside a running App nothing is recorded.

    Args:
        name: The KPI's name.
        value: Its value.
    """
    if _bound is not None:
        _bound.kpi(name, value)
