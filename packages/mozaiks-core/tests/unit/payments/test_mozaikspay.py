from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from mozaiks_core_runtime.payments import (
    MozaiksPayConfig,
    MozaiksPayProvider,
    PaymentProviderError,
    Payments,
    PaymentsConfig,
    PaymentsDisabledError,
)
from payments_harness import User
from recording_peer import HttpPeer, NoNetworkTransport, Recorded

SLEEPS: list[float] = []


async def _no_sleep(seconds: float) -> None:
    SLEEPS.append(seconds)


@pytest.fixture
async def provider(http_peer: HttpPeer) -> AsyncIterator[MozaiksPayProvider]:
    config = MozaiksPayConfig(mode="managed", api_url=http_peer.url + "/pay", app_id="app_7", api_key="mzk_key")
    mozaiks = MozaiksPayProvider(config, sleep=_no_sleep)
    yield mozaiks
    await mozaiks.aclose()


@pytest.mark.anyio
async def test_checkout_status_and_cancel_go_to_the_configured_url(
    provider: MozaiksPayProvider, http_peer: HttpPeer, user: User
) -> None:
    def respond(request: Recorded) -> tuple[int, object]:
        if request.path == "/pay/checkout":
            return 201, {"id": "mzk_cs_1", "url": "https://pay.mozaiks.example/c/1"}
        if request.path.endswith("/cancel"):
            return 200, {"status": "cancelled", "plan_id": "pro", "id": "mzk_sub_1"}
        return 200, {"status": "active", "plan_id": "pro", "id": "mzk_sub_1", "current_period_end": 1_800_000_000}

    http_peer.respond = respond
    checkout = await provider.create_checkout("pro", user)
    assert (checkout.id, checkout.url, checkout.provider) == ("mzk_cs_1", "https://pay.mozaiks.example/c/1", "mozaiks")
    subscription = await provider.subscription_status(user)
    assert (subscription.status, subscription.external_id, subscription.current_period_end) == (
        "active",
        "mzk_sub_1",
        1_800_000_000,
    )
    assert (await provider.cancel(user)).status == "canceled"

    create, status, cancel = http_peer.requests
    assert (create.method, create.path) == ("POST", "/pay/checkout")
    assert create.json() == {
        "app_id": "app_7",
        "plan_id": "pro",
        "user_id": "user_1",
        "email": "ada@example.com",
        "success_url": provider.config.success_url,
        "cancel_url": provider.config.cancel_url,
    }
    assert create.headers["authorization"] == "Bearer mzk_key"
    assert create.headers["x-mozaiks-app-id"] == "app_7"
    assert create.headers["idempotency-key"]
    assert (status.method, status.path) == ("GET", "/pay/subscriptions/user_1")
    assert (cancel.method, cancel.path) == ("POST", "/pay/subscriptions/user_1/cancel")


@pytest.mark.anyio
async def test_retries_keep_the_idempotency_key(provider: MozaiksPayProvider, http_peer: HttpPeer, user: User) -> None:
    answers = iter([(503, {}), (502, {}), (200, {"id": "cs", "url": "https://x"})])
    http_peer.respond = lambda _r: next(answers)
    SLEEPS.clear()
    await provider.create_checkout("pro", user)
    keys = {request.headers["idempotency-key"] for request in http_peer.requests}
    assert len(http_peer.requests) == 3
    assert len(keys) == 1
    assert SLEEPS == [0.25, 0.5]


@pytest.mark.anyio
async def test_errors(provider: MozaiksPayProvider, http_peer: HttpPeer, user: User) -> None:
    http_peer.respond = lambda _r: (404, {"error": "no subscription"})
    assert (await provider.subscription_status(User(id="a/b"))).status == "none"
    assert http_peer.requests[-1].path == "/pay/subscriptions/a%2Fb"
    http_peer.respond = lambda _r: (400, {"error": "bad plan"})
    with pytest.raises(PaymentProviderError) as caught:
        await provider.create_checkout("bad", user)
    assert caught.value.upstream_status == 400
    http_peer.respond = lambda _r: (200, {"id": "cs"})
    with pytest.raises(PaymentProviderError, match="without 'id' and 'url'"):
        await provider.create_checkout("pro", user)
    http_peer.respond = lambda _r: (500, {})
    with pytest.raises(PaymentProviderError, match="answered 500"):
        await provider.cancel(user)
    http_peer.respond = lambda _r: (200, ["not", "an", "object"])
    with pytest.raises(PaymentProviderError, match="non-JSON"):
        await provider.subscription_status(user)


@pytest.mark.anyio
async def test_unreachable_platform_is_a_provider_error(user: User) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    config = MozaiksPayConfig(mode="managed", api_url="http://127.0.0.1:9", max_attempts=2)
    mozaiks = MozaiksPayProvider(config, transport=httpx.MockTransport(refuse), sleep=_no_sleep)
    with pytest.raises(PaymentProviderError, match="cannot reach MozaiksPay"):
        await mozaiks.create_checkout("pro", user)
    await mozaiks.aclose()


@pytest.mark.anyio
async def test_self_hosted_never_calls_out(no_network: NoNetworkTransport, user: User) -> None:
    config = MozaiksPayConfig(mode="self-hosted", api_url="https://pay.mozaiks.example", webhook_secret="s")
    mozaiks = MozaiksPayProvider(config, transport=no_network)
    with pytest.raises(PaymentsDisabledError, match="self-hosted"):
        await mozaiks.create_checkout("pro", user)
    with pytest.raises(PaymentsDisabledError):
        await mozaiks.subscription_status(user)
    with pytest.raises(PaymentsDisabledError):
        await mozaiks.cancel(user)
    with pytest.raises(PaymentsDisabledError):
        await mozaiks.verify_webhook({}, b"{}")
    await mozaiks.aclose()
    assert no_network.calls == 0


@pytest.mark.anyio
async def test_self_hosted_payments_service_defaults_to_sandbox_and_refuses_mozaiks(user: User) -> None:
    environ = {"MOZAIKS_MODE": "self-hosted", "MOZAIKS_PAYMENT_API_URL": "https://pay.mozaiks.example"}
    payments = Payments(PaymentsConfig.from_environ(environ))
    assert payments.config.default_provider == "sandbox"
    assert (await payments.create_checkout("pro", user)).provider == "sandbox"
    with pytest.raises(PaymentsDisabledError):
        await payments.create_checkout("pro", user, provider="mozaiks")
