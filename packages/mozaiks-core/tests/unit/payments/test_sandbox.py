from __future__ import annotations

import json
import time

import pytest
from mozaiks_core_runtime.payments import (
    CheckoutNotFoundError,
    Payments,
    PaymentsConfig,
    SandboxConfig,
    SandboxProvider,
)
from payments_harness import User


def _payments() -> Payments:
    config = PaymentsConfig(sandbox=SandboxConfig(secret="s3cret", base_url="http://app.local"))
    return Payments(config)


@pytest.mark.anyio
async def test_checkout_page_and_webhook_round_trip_activate_the_subscription(user: User) -> None:
    payments = _payments()
    checkout = await payments.create_checkout("pro", user)
    assert checkout.provider == "sandbox"
    assert checkout.url == f"http://app.local/api/payments/sandbox/checkout/{checkout.id}"
    status, page = await payments.sandbox_checkout_page(checkout.id)
    assert status == 200
    assert page.startswith("<!doctype html>")
    assert "ada@example.com" in page
    assert f"/api/payments/sandbox/checkout/{checkout.id}/complete" in page
    assert (await payments.subscription_status(user)).status == "none"

    status, answer = await payments.sandbox_complete(checkout.id, {}, json.dumps({"action": "pay"}).encode())
    assert status == 200
    assert answer["status"] == "paid"
    assert answer["redirect"] == payments.config.sandbox.success_url
    assert f"sandbox:{answer['event']}" in payments.processed  # type: ignore[operator]
    subscription = await payments.subscription_status(user)
    assert (subscription.status, subscription.plan_id, subscription.is_active) == ("active", "pro", True)

    status, _ = await payments.sandbox_complete(checkout.id, {}, b'{"action": "pay"}')
    assert status == 404
    status, _ = await payments.sandbox_checkout_page(checkout.id)
    assert status == 404


@pytest.mark.anyio
async def test_cancelled_checkout_leaves_no_subscription(user: User) -> None:
    payments = _payments()
    checkout = await payments.create_checkout("pro", user)
    status, answer = await payments.sandbox_complete(checkout.id, {}, b'{"action": "cancel"}')
    assert (status, answer["redirect"]) == (200, payments.config.sandbox.cancel_url)
    assert (await payments.subscription_status(user)).status == "none"


@pytest.mark.anyio
async def test_cancel_and_subscription_canceled_event(user: User) -> None:
    payments = _payments()
    checkout = await payments.create_checkout("pro", user)
    await payments.sandbox_complete(checkout.id, {}, b'{"action": "pay"}')
    cancelled = await payments.cancel(user)
    assert (cancelled.status, cancelled.plan_id) == ("canceled", "pro")

    sandbox = payments.provider("sandbox")
    assert isinstance(sandbox, SandboxProvider)
    other = User(id="user_2")
    headers, body = sandbox.signed_webhook("checkout.completed", {"user_id": "user_2", "plan_id": "basic"})
    assert (await payments.webhook("sandbox", headers, body))[0] == 200
    headers, body = sandbox.signed_webhook("subscription.canceled", {"user_id": "user_2"})
    assert (await payments.webhook("sandbox", headers, body))[0] == 200
    assert (await payments.subscription_status(other)).status == "canceled"
    headers, body = sandbox.signed_webhook("unknown.type", {"nobody": True})
    assert (await payments.webhook("sandbox", headers, body))[0] == 200


@pytest.mark.anyio
async def test_complete_rejects_bad_actions(user: User) -> None:
    payments = _payments()
    checkout = await payments.create_checkout("pro", user)
    for body in (b"", b"not json", b'{"action": "steal"}', b"[]"):
        status, answer = await payments.sandbox_complete(checkout.id, {}, body)
        assert status == 400, body
        assert "error" in answer
    status, _ = await payments.sandbox_complete("cs_unknown", {}, b'{"action": "pay"}')
    assert status == 404


@pytest.mark.anyio
async def test_page_escapes_user_controlled_values() -> None:
    payments = _payments()
    evil = User(id="u", email="<img src=x onerror=alert(1)>")
    checkout = await payments.create_checkout("</script><script>alert(1)</script>", evil)
    _, page = await payments.sandbox_checkout_page(checkout.id)
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;img src=x" in page


@pytest.mark.anyio
async def test_stale_sandbox_webhook_is_refused_with_an_injected_clock() -> None:
    now = [1_700_000_000.0]
    provider = SandboxProvider(SandboxConfig(secret="k"), clock=lambda: now[0])
    headers, body = provider.signed_webhook("checkout.completed", {"user_id": "u"})
    now[0] += 301
    with pytest.raises(Exception, match="tolerance"):
        await provider.verify_webhook(headers, body)
    now[0] -= 2
    event = await provider.verify_webhook(headers, body)
    assert event.created == 1_700_000_000


@pytest.mark.anyio
async def test_checkout_page_of_unknown_checkout_raises() -> None:
    with pytest.raises(CheckoutNotFoundError):
        await SandboxProvider().checkout_page("cs_nope")
    assert SandboxProvider().config.secret != SandboxProvider().config.secret
    assert time.time() > 0
