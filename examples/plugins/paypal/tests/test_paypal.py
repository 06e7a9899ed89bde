from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import EntryPoint

import httpx
import pytest
from mozaiks_core_runtime.payments import (
    PLUGIN_GROUP,
    PaymentProvider,
    PaymentProviderError,
    Payments,
)
from mozaiks_paypal import PayPalConfig, PayPalProvider, plugin, sign_sandbox_webhook

ENV = {
    "MOZAIKS_PAYPAL_CLIENT_ID": "cid",
    "MOZAIKS_PAYPAL_CLIENT_SECRET": "csecret",
    "MOZAIKS_PAYPAL_WEBHOOK_ID": "WH-1",
    "MOZAIKS_PAYPAL_WEBHOOK_SECRET": "hook-secret",
}


@dataclass(frozen=True)
class User:
    id: str = "user_1"
    email: str | None = "ada@example.com"


def _paypal_api(requests: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.path == "/v1/oauth2/token":
            return httpx.Response(200, json={"access_token": "A21", "token_type": "Bearer"})
        if request.url.path == "/v1/billing/subscriptions":
            links = [{"rel": "approve", "href": "https://www.sandbox.paypal.com/webapps/billing/subscriptions?ba=I-1"}]
            return httpx.Response(201, json={"id": "I-1", "status": "APPROVAL_PENDING", "links": links})
        if request.url.path.endswith("/cancel"):
            return httpx.Response(204)
        return httpx.Response(404, json={"name": "RESOURCE_NOT_FOUND"})

    return httpx.MockTransport(handle)


def _payments(requests: list[httpx.Request]) -> Payments:
    payments = Payments(environ=ENV)
    config = PayPalConfig.from_environ(ENV)
    payments.registry.register(PayPalProvider(config, store=payments.store, transport=_paypal_api(requests)))
    return payments


def _event(event_type: str, event_id: str = "WH-EVT-1") -> bytes:
    resource = {"id": "I-1", "custom_id": "user_1", "plan_id": "P-PRO", "status": "ACTIVE"}
    return json.dumps({"id": event_id, "event_type": event_type, "resource": resource}).encode()


def _signed(body: bytes, *, age: timedelta = timedelta(0), secret: str = "hook-secret") -> dict[str, str]:
    config = PayPalConfig.from_environ({**ENV, "MOZAIKS_PAYPAL_WEBHOOK_SECRET": secret})
    return sign_sandbox_webhook(config, body, transmission_id="tx-1", transmission_time=datetime.now(UTC) - age)


@pytest.mark.anyio
async def test_checkout_webhook_and_cancel() -> None:
    requests: list[httpx.Request] = []
    payments = _payments(requests)
    checkout = await payments.create_checkout("P-PRO", User(), provider="paypal")
    assert (checkout.id, checkout.provider) == ("I-1", "paypal")
    assert checkout.url.startswith("https://www.sandbox.paypal.com/")
    token, create = requests
    assert token.headers["authorization"].startswith("Basic ")
    assert create.headers["authorization"] == "Bearer A21"
    assert json.loads(create.content)["custom_id"] == "user_1"

    body = _event("BILLING.SUBSCRIPTION.ACTIVATED")
    assert (await payments.webhook("paypal", _signed(body), body))[0] == 200
    assert (await payments.webhook("paypal", _signed(body), body))[1]["duplicate"] is True
    assert (await payments.subscription_status(User(), provider="paypal")).status == "active"

    cancelled = await payments.cancel(User(), provider="paypal")
    assert cancelled.status == "canceled"
    assert requests[-1].url.path == "/v1/billing/subscriptions/I-1/cancel"
    await payments.aclose()


@pytest.mark.anyio
async def test_webhook_verification_failures_are_400() -> None:
    payments = _payments([])
    body = _event("BILLING.SUBSCRIPTION.ACTIVATED")
    assert (await payments.webhook("paypal", {}, body))[0] == 400
    assert (await payments.webhook("paypal", _signed(body, secret="wrong"), body))[0] == 400
    assert (await payments.webhook("paypal", _signed(body), body.replace(b"user_1", b"user_2")))[0] == 400
    assert (await payments.webhook("paypal", _signed(body, age=timedelta(seconds=301)), body))[0] == 400
    bad_time = {**_signed(body), "PAYPAL-TRANSMISSION-TIME": "yesterday"}
    assert (await payments.webhook("paypal", bad_time, body))[0] == 400
    await payments.aclose()


@pytest.mark.anyio
async def test_plugin_loads_from_its_entry_point() -> None:
    payments = Payments(environ=ENV)
    names = payments.registry.load_entry_points([EntryPoint("paypal", "mozaiks_paypal:plugin", PLUGIN_GROUP)])
    assert names == ["paypal"]
    provider = payments.provider("paypal")
    assert isinstance(provider, PaymentProvider)
    assert plugin.name == "paypal"
    await payments.aclose()


def test_missing_settings_are_named() -> None:
    with pytest.raises(PaymentProviderError, match="MOZAIKS_PAYPAL_WEBHOOK_SECRET"):
        PayPalConfig.from_environ({k: v for k, v in ENV.items() if k != "MOZAIKS_PAYPAL_WEBHOOK_SECRET"})
