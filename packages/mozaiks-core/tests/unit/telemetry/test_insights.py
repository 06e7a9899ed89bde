from __future__ import annotations

import math

import httpx
import pytest
from mozaiks_core_runtime.telemetry import Insights, InsightsConfig, Metrics, insights, render
from recording_peer import HttpPeer, NoNetworkTransport, Recorded

SLEEPS: list[float] = []


async def _no_sleep(seconds: float) -> None:
    SLEEPS.append(seconds)


def _managed(url: str, **overrides: int) -> InsightsConfig:
    return InsightsConfig(mode="managed", url=url, app_id="app_1", api_key="ik", **overrides)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_managed_mode_pushes_batches_with_idempotency_ids(http_peer: HttpPeer) -> None:
    metrics = Metrics(process_collectors=False)
    sink = Insights(_managed(http_peer.url + "/ingest", batch_size=2), metrics=metrics, clock=lambda: 1000.0)
    sink.track("task.created", plan="pro", tags=["a"], nested={"n": 1})
    sink.track("task.created")
    sink.kpi("active_users", 42)
    assert sink.pending == 3
    assert await sink.flush() == 3
    assert sink.pending == 0
    first, second = http_peer.requests
    assert (first.method, first.path) == ("POST", "/ingest")
    assert first.headers["authorization"] == "Bearer ik"
    assert first.headers["x-mozaiks-app-id"] == "app_1"
    body = first.json()
    assert first.headers["idempotency-key"] == body["batch_id"]
    assert body["app_id"] == "app_1"
    assert body["records"] == [
        {
            "kind": "event",
            "name": "task.created",
            "props": {"plan": "pro", "tags": ["a"], "nested": {"n": 1}},
            "ts": 1000.0,
        },
        {"kind": "event", "name": "task.created", "props": {}, "ts": 1000.0},
    ]
    assert second.json()["records"] == [{"kind": "kpi", "name": "active_users", "value": 42.0, "ts": 1000.0}]
    assert second.json()["batch_id"] != body["batch_id"]
    text = render(metrics).decode()
    assert 'mozaiks_insights_events_total{event="task.created"} 2.0' in text
    assert 'mozaiks_kpi{name="active_users"} 42.0' in text
    assert await sink.flush() == 0
    await sink.aclose()


@pytest.mark.anyio
async def test_failed_push_is_retried_with_the_same_batch_id(http_peer: HttpPeer) -> None:
    answers = iter([(503, {}), (429, {}), (500, {}), (502, {}), (409, {"duplicate": True})])

    def respond(_request: Recorded) -> tuple[int, object]:
        return next(answers)

    http_peer.respond = respond
    SLEEPS.clear()
    sink = Insights(_managed(http_peer.url, max_attempts=3), sleep=_no_sleep)
    sink.track("signup")
    assert await sink.flush() == 0
    assert sink.pending == 1
    assert SLEEPS == [0.5, 1.0]
    assert await sink.flush() == 1
    assert sink.pending == 0
    ids = {request.json()["batch_id"] for request in http_peer.requests}
    assert len(http_peer.requests) == 5
    assert len(ids) == 1
    await sink.aclose()


@pytest.mark.anyio
async def test_rejected_batch_is_dropped_and_counted(http_peer: HttpPeer) -> None:
    http_peer.respond = lambda _r: (400, {"error": "bad batch"})
    metrics = Metrics(process_collectors=False)
    sink = Insights(_managed(http_peer.url), metrics=metrics, sleep=_no_sleep)
    sink.track("x")
    assert await sink.flush() == 0
    assert sink.pending == 0
    assert len(http_peer.requests) == 1
    assert 'mozaiks_insights_dropped_total{reason="rejected"} 1.0' in render(metrics).decode()
    await sink.aclose()


@pytest.mark.anyio
async def test_unreachable_platform_keeps_the_batch() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    sink = Insights(
        _managed("http://127.0.0.1:9/x", max_attempts=2), transport=httpx.MockTransport(refuse), sleep=_no_sleep
    )
    sink.kpi("latency", 1.5)
    assert await sink.flush() == 0
    assert sink.pending == 1
    await sink.aclose()


@pytest.mark.anyio
async def test_buffer_is_bounded(http_peer: HttpPeer) -> None:
    metrics = Metrics(process_collectors=False)
    sink = Insights(_managed(http_peer.url, max_buffer=3), metrics=metrics)
    for index in range(5):
        sink.track("e", index=index)
    assert sink.pending == 3
    assert 'mozaiks_insights_dropped_total{reason="buffer_full"} 2.0' in render(metrics).decode()
    await sink.aclose()
    assert [record["props"]["index"] for record in http_peer.requests[0].json()["records"]] == [2, 3, 4]


@pytest.mark.anyio
async def test_self_hosted_never_pushes(no_network: NoNetworkTransport) -> None:
    metrics = Metrics(process_collectors=False)
    config = InsightsConfig(mode="self-hosted", url="https://platform.example/api/insights/batches")
    sink = Insights(config, metrics=metrics, transport=no_network)
    sink.track("task.created", plan="pro")
    sink.kpi("active_users", 3)
    assert (sink.pushing, sink.pending) == (False, 0)
    assert await sink.flush() == 0
    await sink.run()  # returns at once when not pushing
    await sink.aclose()
    assert no_network.calls == 0
    assert 'mozaiks_insights_events_total{event="task.created"} 1.0' in render(metrics).decode()


@pytest.mark.anyio
async def test_run_flushes_periodically(http_peer: HttpPeer) -> None:
    sink = Insights(_managed(http_peer.url))
    ticks = 0

    async def tick(_seconds: float) -> None:
        nonlocal ticks
        ticks += 1
        if ticks == 2:
            raise RuntimeError("stop the loop")

    sink = Insights(_managed(http_peer.url), sleep=tick)
    sink.track("e")
    with pytest.raises(RuntimeError, match="stop the loop"):
        await sink.run()
    assert len(http_peer.requests) == 1
    await sink.aclose()


def test_bad_input_is_refused() -> None:
    sink = Insights()
    with pytest.raises(ValueError, match="JSON"):
        sink.track("e", value=object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="JSON"):
        sink.track("e", value=math.nan)
    with pytest.raises(ValueError, match="name"):
        sink.track("")
    with pytest.raises(ValueError, match="finite"):
        sink.kpi("k", math.inf)
    with pytest.raises(ValueError, match="name"):
        sink.kpi("", 1)


def test_module_functions_reach_the_bound_instance() -> None:
    metrics = Metrics(process_collectors=False)
    insights.track("ignored")  # nothing bound: a no-op
    insights.kpi("ignored", 1)
    sink = Insights(metrics=metrics)
    insights.bind(sink)
    try:
        assert insights.current() is sink
        insights.track("bound.event")
        insights.kpi("bound_kpi", 7)
    finally:
        insights.bind(None)
    assert insights.current() is None
    text = render(metrics).decode()
    assert 'event="bound.event"' in text
    assert 'mozaiks_kpi{name="bound_kpi"} 7.0' in text
