"""Payments, insights, /metrics and hosting wired into the App, over HTTP (ASGI) and against a local HTTP peer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SECRET
from core_harness import HttpPeer, mint
from mozaiks_core_runtime import (
    App,
    AuthError,
    ConfigurationError,
    Request,
    Settings,
    auth,
    hosting,
    insights,
    payments,
)
from mozaiks_core_runtime.payments import PaymentsDisabledError, SandboxProvider
from mozaiks_core_runtime.telemetry import insights as insights_module

pytestmark = pytest.mark.anyio

Client = Callable[[App], httpx.AsyncClient]


def bearer(sub: str = "u1", **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(SECRET, sub=sub, email=f'{sub}@example.com', **claims)}"}


def shop(make_app: Callable[..., App], **changes: Any) -> App:
    app = make_app(**changes)

    @app.post("/api/subscribe")
    @auth.require_user
    def subscribe(request: Request) -> dict[str, Any]:
        checkout = payments.create_checkout(request.data["plan"])
        insights.track("checkout.started", plan=request.data["plan"])
        return {"id": checkout.id, "url": checkout.url, "provider": checkout.provider}

    @app.post("/api/subscribe-async")
    @auth.require_user
    async def subscribe_async(request: Request) -> dict[str, Any]:
        checkout = await payments.create_checkout_async(request.data["plan"])
        return {"id": checkout.id, "url": checkout.url}

    @app.post("/api/wrong-twin")
    @auth.require_user
    async def wrong_twin(request: Request) -> dict[str, Any]:
        payments.create_checkout("pro")  # the blocking twin inside an async handler
        return {}

    @app.get("/api/subscription")
    @auth.require_user
    def subscription(request: Request) -> dict[str, Any]:
        sub = payments.subscription_status()
        return {"status": sub.status, "plan": sub.plan_id}

    @app.post("/api/cancel")
    @auth.require_user
    def cancel(request: Request) -> dict[str, Any]:
        return {"status": payments.cancel().status}

    @app.get("/items/{item_id}")
    def item(request: Request, item_id: str) -> dict[str, Any]:
        return {"id": item_id}

    return app


async def test_metrics_always_served_and_labelled_by_route_template(
    make_app: Callable[..., App], client_for: Client
) -> None:
    app = shop(make_app)
    client = client_for(app)
    for item_id in ("1", "2", "3"):
        assert (await client.get(f"/items/{item_id}")).status_code == 200
    assert (await client.get("/no/such/path")).status_code == 404
    assert (await client.post("/api/subscribe", json={"plan": "pro"})).status_code == 401
    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'mozaiks_http_requests_total{method="GET",route="/items/{item_id}",status="200"} 3.0' in text
    assert 'route="unmatched",status="404"' in text
    assert 'mozaiks_http_requests_total{method="POST",route="/api/subscribe",status="401"} 1.0' in text
    assert "/items/1" not in text  # raw paths never become labels
    assert "mozaiks_http_request_duration_seconds_bucket" in text
    openmetrics = await client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert openmetrics.headers["content-type"].startswith("application/openmetrics-text")


async def test_sandbox_checkout_round_trip_through_the_payments_facade(
    make_app: Callable[..., App], client_for: Client
) -> None:
    app = shop(make_app)
    make_app(name="other")  # the latest app: the facade must still use the app serving the request
    client = client_for(app)
    async with app.lifespan():
        started = (await client.post("/api/subscribe", json={"plan": "pro"}, headers=bearer())).json()
        assert started["provider"] == "sandbox" and started["url"].endswith(f"/sandbox/checkout/{started['id']}")
        assert (await client.get("/api/subscription", headers=bearer())).json() == {"status": "none", "plan": None}

        page = await client.get(started["url"])
        assert page.status_code == 200 and "Subscribe to pro" in page.text and "u1@example.com" in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'sha256-" in csp and "'unsafe-inline'" not in csp and "connect-src 'self'" in csp

        done = await client.post(f"{started['url']}/complete", json={"action": "pay"})
        assert done.status_code == 200 and done.json()["status"] == "paid"
        assert (await client.get("/api/subscription", headers=bearer())).json() == {"status": "active", "plan": "pro"}
        assert (await client.post(f"{started['url']}/complete", json={"action": "pay"})).status_code == 404
        assert (await client.post("/api/cancel", headers=bearer())).json() == {"status": "canceled"}

        other = await client.post("/api/subscribe-async", json={"plan": "basic"}, headers=bearer("u2"))
        assert other.status_code == 200 and other.json()["url"].startswith("/api/payments/sandbox/checkout/")
        wrong = await client.post("/api/wrong-twin", headers=bearer())
        assert wrong.status_code == 500  # ConfigurationError: use payments.create_checkout_async in async handlers
        assert (await client.get("/api/payments/sandbox/checkout/nope")).status_code == 404
    assert 'mozaiks_insights_events_total{event="checkout.started"} 1.0' in (await client.get("/metrics")).text


async def test_webhook_route_takes_the_raw_body_without_auth_and_deduplicates(
    make_app: Callable[..., App], client_for: Client
) -> None:
    app = make_app()
    client = client_for(app)
    sandbox = app.runtime.payments.provider("sandbox")
    assert isinstance(sandbox, SandboxProvider)
    headers, body = sandbox.signed_webhook(
        "checkout.completed", {"checkout_id": "c1", "plan_id": "pro", "user_id": "u9"}
    )
    first = await client.post("/api/payments/webhook/sandbox", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["duplicate"] is False
    again = await client.post("/api/payments/webhook/sandbox", content=body, headers=headers)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    tampered = body.replace(b"pro", b"max")
    assert (await client.post("/api/payments/webhook/sandbox", content=tampered, headers=headers)).status_code == 400
    assert (await client.post("/api/payments/webhook/sandbox", content=body)).status_code == 400
    assert (await client.post("/api/payments/webhook/nope", content=body, headers=headers)).status_code == 404
    assert (await client.post("/api/payments/webhook/mozaiks", content=body, headers=headers)).status_code == 404
    huge = await client.post("/api/payments/webhook/sandbox", content=b"x" * (1024 * 1024 + 1), headers=headers)
    assert huge.status_code == 413


async def test_self_hosted_mode_never_calls_out(
    make_app: Callable[..., App], client_for: Client, peer: HttpPeer, tmp_path: Path
) -> None:
    environ = {
        "MOZAIKS_PAYMENT_API_URL": f"{peer.url}/pay",
        "MOZAIKS_PAYMENT_API_KEY": "pay-key",
        "MOZAIKS_INSIGHTS_URL": f"{peer.url}/insights",
        "MOZAIKS_PLATFORM_URL": peer.url,
    }
    app = shop(make_app, mode="self-hosted", environ=environ)
    client = client_for(app)
    assert app.runtime.payments.config.default_provider == "sandbox"
    async with app.lifespan():
        assert insights_module.current() is app.runtime.insights
        assert (await client.post("/api/subscribe", json={"plan": "pro"}, headers=bearer())).status_code == 200
        insights.track("signup", plan="pro")
        insights.kpi("active_users", 3)
        insights_module.track("module.level")
        with pytest.raises(PaymentsDisabledError):
            await payments.create_checkout_async("pro", auth.User(id="u1"), provider="mozaiks")
        assert app.runtime.insights.pending == 0
    assert insights_module.current() is None
    assert peer.requests == []


async def test_managed_mode_sends_payments_and_insights_to_the_configured_urls(
    make_app: Callable[..., App], client_for: Client, peer: HttpPeer
) -> None:
    peer.reply = {"id": "co_1", "url": "https://pay.example/co_1", "status": "active", "plan_id": "pro"}
    environ = {
        "MOZAIKS_PAYMENT_API_URL": f"{peer.url}/pay",
        "MOZAIKS_PAYMENT_API_KEY": "pay-key",
        "MOZAIKS_INSIGHTS_URL": f"{peer.url}/insights",
        "MOZAIKS_INSIGHTS_API_KEY": "insights-key",
    }
    app = shop(make_app, mode="managed", environ=environ)
    client = client_for(app)
    async with app.lifespan():
        started = await client.post("/api/subscribe", json={"plan": "pro"}, headers=bearer())
        assert started.json() == {"id": "co_1", "url": "https://pay.example/co_1", "provider": "mozaiks"}
        assert (await client.get("/api/subscription", headers=bearer())).json() == {"status": "active", "plan": "pro"}
        insights.kpi("active_users", 7)
    checkout, status, batch = peer.wait_for(3)
    assert (checkout.method, checkout.path) == ("POST", "/pay/checkout")
    assert checkout.headers["authorization"] == "Bearer pay-key" and checkout.headers["x-mozaiks-app-id"] == "test-app"
    assert checkout.body["plan_id"] == "pro" and checkout.body["user_id"] == "u1"
    assert (status.method, status.path) == ("GET", "/pay/subscriptions/u1")
    assert (batch.method, batch.path) == ("POST", "/insights")  # flushed on shutdown
    assert batch.headers["authorization"] == "Bearer insights-key"
    assert batch.headers["idempotency-key"] == batch.body["batch_id"]
    assert [(r["kind"], r["name"]) for r in batch.body["records"]] == [
        ("event", "checkout.started"),
        ("kpi", "active_users"),
    ]


def test_payments_facade_works_from_a_script(make_app: Callable[..., App]) -> None:
    app = make_app()
    checkout = payments.create_checkout("pro", auth.User(id="script-user"))
    assert checkout.provider == "sandbox" and checkout.user_id == "script-user"
    assert payments.subscription_status(auth.User(id="script-user")).status == "none"
    assert payments.provider().name == "sandbox" and app.runtime.payments.provider() is payments.provider()
    assert payments.Checkout is type(checkout)  # the facade also exposes the payments subpackage's names
    with pytest.raises(AuthError):
        payments.create_checkout("pro")  # no request, no user


def test_settings_refuse_the_sandbox_provider_in_production() -> None:
    environ = {"MOZAIKS_ENV": "production", "MOZAIKS_JWT_SECRET": "x" * 48, "MOZAIKS_PAYMENT_PROVIDER": "sandbox"}
    settings = Settings.from_env("shop", environ=environ, env_file=None)
    with pytest.raises(ConfigurationError, match="MOZAIKS_PAYMENT_PROVIDER is 'sandbox'"):
        settings.check()
    assert Settings.from_env("shop", environ={**environ, "MOZAIKS_ENV": "development"}, env_file=None).problems() == []
    with pytest.raises(ConfigurationError, match="sandbox"):
        App("shop", settings=settings, env_file=None)


async def test_production_app_has_no_sandbox(make_app: Callable[..., App], client_for: Client) -> None:
    app = make_app(env="production", jwt_secret="y" * 48)
    client = client_for(app)
    assert (await client.get("/api/payments/sandbox/checkout/x")).status_code == 404
    assert (await client.post("/api/payments/sandbox/checkout/x/complete", json={"action": "pay"})).status_code == 404
    with pytest.raises(PaymentsDisabledError, match="disabled in production"):
        app.runtime.payments.provider("sandbox")
    forged = SandboxProvider().signed_webhook(
        "checkout.completed", {"checkout_id": "c", "plan_id": "p", "user_id": "u"}
    )
    response = await client.post("/api/payments/webhook/sandbox", content=forged[1], headers=forged[0])
    assert response.status_code == 404


def test_settings_read_integration_variables(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MOZAIKS_PAYMENT_API_URL=http://pay.local\nMOZAIKS_ALLOWED_WORKFLOWS=A, B\n")
    settings = Settings.from_env("shop", environ={"MOZAIKS_MODE": "managed", "HOME": "/x"}, env_file=tmp_path / ".env")
    assert settings.allowed_workflows == ("A", "B")
    assert "HOME" not in settings.environ
    merged = settings.integration_environ()
    assert merged["MOZAIKS_PAYMENT_API_URL"] == "http://pay.local" and merged["MOZAIKS_MODE"] == "managed"
    assert merged["MOZAIKS_APP_ID"] == "shop"


def test_hosting_is_re_exported() -> None:
    assert hosting.detect({"MOZAIKS_MODE": "managed"}).mode == "managed"
    assert hosting.mode in ("managed", "self-hosted")
    assert json.dumps(hosting.detect({}).platform) in ('"local"', '"docker"', '"kubernetes"', '"container-apps"')


async def test_payment_state_and_webhook_ledger_survive_a_restart(
    make_app: Callable[..., App], client_for: Client, db_url: str
) -> None:
    environ = {"MOZAIKS_PAYMENT_SANDBOX_SECRET": "s" * 64}
    first = shop(make_app, db_url=db_url, environ=environ)
    client = client_for(first)
    async with first.lifespan():
        started = (await client.post("/api/subscribe", json={"plan": "pro"}, headers=bearer())).json()
        assert (await client.post(f"{started['url']}/complete", json={"action": "pay"})).status_code == 200
        sandbox = first.runtime.payments.provider("sandbox")
        assert isinstance(sandbox, SandboxProvider)
        headers, body = sandbox.signed_webhook(
            "checkout.canceled", {"checkout_id": "x", "plan_id": "p", "user_id": "u3"}
        )
        assert (await client.post("/api/payments/webhook/sandbox", content=body, headers=headers)).status_code == 200

    second = shop(make_app, db_url=db_url, environ=environ)  # a restart (or a second worker) on the same database
    client = client_for(second)
    async with second.lifespan():
        assert (await client.get("/api/subscription", headers=bearer())).json() == {"status": "active", "plan": "pro"}
        again = await client.post("/api/payments/webhook/sandbox", content=body, headers=headers)
        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert (await client.post(f"{started['url']}/complete", json={"action": "pay"})).status_code == 404
        # payment documents are app-internal: not owner-scoped, never tied to the requesting user
        assert second.runtime.db.collection("mozaiks_payment_subscriptions").owner_scoped is False
