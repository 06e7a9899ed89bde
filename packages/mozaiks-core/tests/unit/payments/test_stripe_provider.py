from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest
from mozaiks_core_runtime.payments import (
    InMemoryPaymentStore,
    PaymentProviderError,
    StripeConfig,
    WebhookVerificationError,
)
from mozaiks_core_runtime.payments.stripe_provider import StripeProvider
from payments_harness import User
from recording_peer import HttpPeer, Recorded

SECRET = "whsec_unit"


@pytest.fixture
async def provider(http_peer: HttpPeer) -> AsyncIterator[StripeProvider]:
    config = StripeConfig(
        api_key="sk_test_123",
        webhook_secret=SECRET,
        prices={"pro": "price_pro"},
        api_base=http_peer.url,
        max_network_retries=0,
        success_url="https://app.example/ok",
        cancel_url="https://app.example/no",
    )
    stripe_provider = StripeProvider(config, store=InMemoryPaymentStore())
    yield stripe_provider
    await stripe_provider.aclose()


def _hand_signed(body: bytes, timestamp: int, secret: str = SECRET) -> dict[str, str]:
    # Computed from Stripe's documented scheme, independently of the library.
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={timestamp},v1={signature}"}


def _event(event_id: str, event_type: str, obj: dict[str, object]) -> bytes:
    return json.dumps(
        {"id": event_id, "object": "event", "type": event_type, "created": int(time.time()), "data": {"object": obj}}
    ).encode()


@pytest.mark.anyio
async def test_create_checkout_posts_a_subscription_session(
    provider: StripeProvider, http_peer: HttpPeer, user: User
) -> None:
    def respond(request: Recorded) -> tuple[int, object]:
        return 200, {
            "id": "cs_test_1",
            "object": "checkout.session",
            "url": "https://checkout.stripe.com/c/pay/cs_test_1",
        }

    http_peer.respond = respond
    checkout = await provider.create_checkout("pro", user)
    assert (checkout.id, checkout.url) == ("cs_test_1", "https://checkout.stripe.com/c/pay/cs_test_1")
    [request] = http_peer.requests
    assert (request.method, request.path) == ("POST", "/v1/checkout/sessions")
    assert request.headers["authorization"] == "Bearer sk_test_123"
    assert "idempotency-key" in request.headers
    form = parse_qs(request.body.decode())
    assert form["mode"] == ["subscription"]
    assert form["line_items[0][price]"] == ["price_pro"]
    assert form["client_reference_id"] == ["user_1"]
    assert form["customer_email"] == ["ada@example.com"]
    assert form["metadata[plan_id]"] == ["pro"]
    assert form["subscription_data[metadata][user_id]"] == ["user_1"]
    assert form["success_url"] == ["https://app.example/ok"]


@pytest.mark.anyio
async def test_stripe_error_becomes_payment_provider_error(
    provider: StripeProvider, http_peer: HttpPeer, user: User
) -> None:
    http_peer.respond = lambda _r: (400, {"error": {"message": "No such price", "type": "invalid_request_error"}})
    with pytest.raises(PaymentProviderError, match="No such price") as caught:
        await provider.create_checkout("basic", user)
    assert caught.value.upstream_status == 400
    assert parse_qs(http_peer.requests[0].body.decode())["line_items[0][price]"] == ["basic"]


@pytest.mark.anyio
async def test_webhooks_drive_the_subscription_and_cancel_calls_stripe(
    provider: StripeProvider, http_peer: HttpPeer, user: User
) -> None:
    now = int(time.time())
    completed = _event(
        "evt_1",
        "checkout.session.completed",
        {"client_reference_id": "user_1", "subscription": "sub_1", "metadata": {"plan_id": "pro", "user_id": "user_1"}},
    )
    event = await provider.verify_webhook(_hand_signed(completed, now), completed)
    assert (event.id, event.type, event.data["subscription"]) == ("evt_1", "checkout.session.completed", "sub_1")
    await provider.apply_event(event)
    subscription = await provider.subscription_status(user)
    assert (subscription.status, subscription.plan_id, subscription.external_id) == ("active", "pro", "sub_1")

    past_due = _event(
        "evt_2",
        "customer.subscription.updated",
        {"id": "sub_1", "status": "past_due", "current_period_end": now + 60, "metadata": {"user_id": "user_1"}},
    )
    await provider.apply_event(await provider.verify_webhook(_hand_signed(past_due, now), past_due))
    subscription = await provider.subscription_status(user)
    assert (subscription.status, subscription.plan_id, subscription.current_period_end) == ("past_due", "pro", now + 60)

    http_peer.respond = lambda _r: (200, {"id": "sub_1", "object": "subscription", "status": "canceled"})
    cancelled = await provider.cancel(user)
    assert cancelled.status == "canceled"
    [request] = http_peer.requests
    assert (request.method, request.path) == ("DELETE", "/v1/subscriptions/sub_1")
    assert await provider.cancel(user) == cancelled
    assert len(http_peer.requests) == 1


@pytest.mark.anyio
async def test_subscription_deleted_event_cancels(provider: StripeProvider, user: User) -> None:
    body = _event(
        "evt_3",
        "customer.subscription.deleted",
        {"id": "sub_9", "status": "canceled", "metadata": {"user_id": "user_1"}},
    )
    await provider.apply_event(await provider.verify_webhook(_hand_signed(body, int(time.time())), body))
    assert (await provider.subscription_status(user)).status == "canceled"
    assert (await provider.cancel(User(id="nobody"))).status == "none"


@pytest.mark.anyio
async def test_cancel_failure_is_reported(provider: StripeProvider, http_peer: HttpPeer, user: User) -> None:
    body = _event("evt_4", "checkout.session.completed", {"client_reference_id": "user_1", "subscription": "sub_2"})
    await provider.apply_event(await provider.verify_webhook(_hand_signed(body, int(time.time())), body))
    http_peer.respond = lambda _r: (
        404,
        {"error": {"message": "No such subscription", "type": "invalid_request_error"}},
    )
    with pytest.raises(PaymentProviderError) as caught:
        await provider.cancel(user)
    assert caught.value.upstream_status == 404
    assert (await provider.subscription_status(user)).status == "active"


@pytest.mark.anyio
async def test_verify_refuses_without_a_webhook_secret(http_peer: HttpPeer) -> None:
    unconfigured = StripeProvider(StripeConfig(api_key="sk_test", webhook_secret="", api_base=http_peer.url))
    body = _event("evt_5", "ping", {})
    with pytest.raises(WebhookVerificationError, match="WEBHOOK_SECRET"):
        await unconfigured.verify_webhook(_hand_signed(body, int(time.time())), body)
    await unconfigured.aclose()
    assert http_peer.requests == []
