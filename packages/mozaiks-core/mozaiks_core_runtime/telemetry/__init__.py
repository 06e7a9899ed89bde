"""Telemetry: product insights pushed to the platform in managed mode, and Prometheus ``/metrics`` always.

``from mozaiks_core_runtime.telemetry import insights`` then ``insights.track("task.created", plan="pro")`` and
``insights.kpi("active_users", 42)``; the App owns an :class:`Insights` and a :class:`Metrics` and mounts
:func:`metrics_response` at ``GET /metrics``.
"""

from __future__ import annotations

from mozaiks_core_runtime.telemetry import insights
from mozaiks_core_runtime.telemetry.config import DEFAULT_INSIGHTS_PATH, InsightsConfig
from mozaiks_core_runtime.telemetry.insights import Batch, Insights, JSONValue
from mozaiks_core_runtime.telemetry.metrics import CONTENT_TYPE_LATEST, Metrics, RequestTimer, metrics_response, render

__all__ = [
    "CONTENT_TYPE_LATEST",
    "DEFAULT_INSIGHTS_PATH",
    "Batch",
    "Insights",
    "InsightsConfig",
    "JSONValue",
    "Metrics",
    "RequestTimer",
    "insights",
    "metrics_response",
    "render",
]
