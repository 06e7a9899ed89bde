"""Prometheus metrics for an App, on ``prometheus-client``, in a registry the App owns.

Each :class:`Metrics` has its own :class:`~prometheus_client.CollectorRegistry` (not the library's process-wide
default), so several Apps or tests in one process never collide. The App records every request with
:meth:`Metrics.observe_request` (or the :meth:`Metrics.time_request` context manager) and serves ``GET /metrics``
with :func:`metrics_response`. Routes are labelled by their *template* (``/api/tasks/{id}``), never the raw path,
to keep label cardinality bounded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST, choose_encoder, generate_latest

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "RequestTimer", "metrics_response", "render"]

_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(slots=True)
class RequestTimer:
    """Set :attr:`status` inside :meth:`Metrics.time_request`; it is recorded when the block exits.

    Attributes:
        status: The response status (500 if the block raised before setting it).
    """

    status: int = 500


class Metrics:
    """The App's metrics.

    Args:
        registry: Where the metrics live; a fresh registry when omitted.
        namespace: Prefix of every metric name.
        process_collectors: Also export process, platform and GC metrics (CPU, memory, open fds, Python version).

    Attributes:
        registry: The registry :func:`render` exposes.
        requests: ``<ns>_http_requests_total{method, route, status}``.
        request_duration: ``<ns>_http_request_duration_seconds{method, route}``.
        requests_in_progress: ``<ns>_http_requests_in_progress{method, route}``.
        insights_events: ``<ns>_insights_events_total{event}``, fed by ``insights.track``.
        kpis: ``<ns>_kpi{name}``, the last value given to ``insights.kpi``.
        insights_dropped: ``<ns>_insights_dropped_total{reason}``: records insights could not deliver.
    """

    def __init__(
        self, registry: CollectorRegistry | None = None, *, namespace: str = "mozaiks", process_collectors: bool = True
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        if process_collectors:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)
        self.requests = Counter(
            "http_requests",
            "HTTP requests handled, by method, route template and status.",
            ["method", "route", "status"],
            namespace=namespace,
            registry=self.registry,
        )
        self.request_duration = Histogram(
            "http_request_duration_seconds",
            "Time to handle an HTTP request, by method and route template.",
            ["method", "route"],
            namespace=namespace,
            registry=self.registry,
            buckets=_DURATION_BUCKETS,
        )
        self.requests_in_progress = Gauge(
            "http_requests_in_progress",
            "HTTP requests being handled.",
            ["method", "route"],
            namespace=namespace,
            registry=self.registry,
        )
        self.insights_events = Counter(
            "insights_events",
            "Events recorded with insights.track.",
            ["event"],
            namespace=namespace,
            registry=self.registry,
        )
        self.kpis = Gauge(
            "kpi", "Last value recorded with insights.kpi.", ["name"], namespace=namespace, registry=self.registry
        )
        self.insights_dropped = Counter(
            "insights_dropped",
            "Insights records dropped (buffer full, or rejected by the platform).",
            ["reason"],
            namespace=namespace,
            registry=self.registry,
        )

    def observe_request(self, method: str, route: str, status: int, duration: float) -> None:
        """Record one handled request.

        Args:
            method: The HTTP method.
            route: The route template (``/api/tasks/{id}``), or ``"unmatched"``.
            status: The response status.
            duration: Seconds spent handling it.
        """
        self.requests.labels(method=method.upper(), route=route, status=str(status)).inc()
        self.request_duration.labels(method=method.upper(), route=route).observe(duration)

    @contextmanager
    def time_request(self, method: str, route: str) -> Iterator[RequestTimer]:
        """Time a request handled inside the ``with`` block and count it as in progress meanwhile.

        Args:
            method: The HTTP method.
            route: The route template.

        Yields:
            A :class:`RequestTimer` whose ``status`` the caller sets.
        """
        timer = RequestTimer()
        in_progress = self.requests_in_progress.labels(method=method.upper(), route=route)
        in_progress.inc()
        start = time.perf_counter()
        try:
            yield timer
        finally:
            in_progress.dec()
            self.observe_request(method, route, timer.status, time.perf_counter() - start)


def render(metrics: Metrics) -> bytes:
    """Return the Prometheus text exposition of ``metrics``.

    Args:
        metrics: The App's metrics.

    Returns:
        The ``/metrics`` body, in the format :data:`CONTENT_TYPE_LATEST` names.
    """
    return generate_latest(metrics.registry)


def metrics_response(metrics: Metrics, headers: Mapping[str, str]) -> tuple[int, bytes, str]:
    """Handle ``GET /metrics``, negotiating OpenMetrics when the scraper's ``Accept`` asks for it.

    Args:
        metrics: The App's metrics.
        headers: The request headers (any case).

    Returns:
        ``(status, body, content type)``.
    """
    accept = next((value for key, value in headers.items() if key.lower() == "accept"), "")
    encoder, content_type = choose_encoder(accept)
    return 200, encoder(metrics.registry), content_type
