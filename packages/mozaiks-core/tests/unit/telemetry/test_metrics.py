from __future__ import annotations

import pytest
from mozaiks_core_runtime.telemetry import CONTENT_TYPE_LATEST, Metrics, metrics_response, render


def test_requests_are_counted_and_timed() -> None:
    metrics = Metrics(process_collectors=False)
    metrics.observe_request("get", "/api/tasks/{id}", 200, 0.02)
    with metrics.time_request("POST", "/api/tasks") as timer:
        timer.status = 201
    with pytest.raises(RuntimeError), metrics.time_request("POST", "/api/tasks"):
        raise RuntimeError("handler crashed")
    text = render(metrics).decode()
    assert 'mozaiks_http_requests_total{method="GET",route="/api/tasks/{id}",status="200"} 1.0' in text
    assert 'mozaiks_http_requests_total{method="POST",route="/api/tasks",status="201"} 1.0' in text
    assert 'mozaiks_http_requests_total{method="POST",route="/api/tasks",status="500"} 1.0' in text
    assert 'mozaiks_http_request_duration_seconds_count{method="POST",route="/api/tasks"} 2.0' in text
    assert 'mozaiks_http_requests_in_progress{method="POST",route="/api/tasks"} 0.0' in text


def test_each_metrics_object_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.observe_request("GET", "/", 200, 0.1)
    assert 'route="/"' in render(first).decode()
    assert 'route="/"' not in render(second).decode()
    assert b"process_cpu_seconds_total" in render(first) or b"python_info" in render(first)


def test_metrics_response_negotiates_the_format() -> None:
    metrics = Metrics(process_collectors=False)
    status, body, content_type = metrics_response(metrics, {})
    assert status == 200
    assert content_type.startswith("text/plain")
    assert CONTENT_TYPE_LATEST.startswith("text/plain")
    assert b"# HELP mozaiks_http_requests_total" in body
    _, body, content_type = metrics_response(metrics, {"ACCEPT": "application/openmetrics-text; version=1.0.0"})
    assert content_type.startswith("application/openmetrics-text")
    assert body.endswith(b"# EOF\n")
