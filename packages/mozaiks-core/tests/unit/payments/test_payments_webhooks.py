"""SECURITY-TESTS 13: payment webhooks are verified by signature and de-duplicated by event id (every provider)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import stripe
from mozaiks_core_runtime.payments import (
    MozaiksPayConfig,
    MozaiksPayProvider,
    Payments,
    PaymentsConfig,
    SandboxConfig,
    SandboxProvider,
    StripeConfig,
    WebhookEvent,
)
from mozaiks_core_runtime.payments._signing import signature_header
from mozaiks_core_runtime.payments.stripe_provider import StripeProvider
from recording_peer import NoNetworkTransport

SECRET = "whsec_test_secret"


@dataclass
class Case:
    payments: Payments
    name: str
    header: str
    sign: Callable[[bytes, int, str], str]
    event_type: str

    def body(self, event_id: str = "evt_1") -> bytes:
        data: dict[str, object] = {
            "object": {"id": "cs_1", "client_reference_id": "user_1", "metadata": {"user_id": "user_1"}}
        }
        if self.name != "stripe":
            data = {"user_id": "user_1", "plan_id": "pro", "checkout_id": "cs_1"}
        event = {"id": event_id, "object": "event", "type": self.event_type, "created": int(time.time()), "data": data}
        return json.dumps(event).encode()

    def headers(self, body: bytes, *, age: int = 0, secret: str = SECRET) -> dict[str, str]:
        return {self.header: self.sign(body, int(time.time()) - age, secret), "Content-Type": "application/json"}


def _stripe_sign(body: bytes, timestamp: int, secret: str) -> str:
    # The library's own test helper builds Stripe's exact header format.
    header: str = stripe.WebhookSignature.generate_signature_header(body.decode(), secret, timestamp=timestamp)
    return header


def _local_sign(body: bytes, timestamp: int, secret: str) -> str:
    return signature_header(secret, body, timestamp)


@pytest.fixture(params=["sandbox", "stripe", "mozaiks"])
def case(request: pytest.FixtureRequest, no_network: NoNetworkTransport) -> Case:
    name: str = request.param
    payments = Payments(PaymentsConfig(mode="managed"))
    if name == "sandbox":
        payments.registry.register(SandboxProvider(SandboxConfig(secret=SECRET), store=payments.store), replace=True)
        return Case(payments, name, "Mozaiks-Signature", _local_sign, "checkout.completed")
    if name == "stripe":
        provider = StripeProvider(StripeConfig(api_key="sk_test_x", webhook_secret=SECRET), store=payments.store)
        payments.registry.register(provider, replace=True)
        return Case(payments, name, "Stripe-Signature", _stripe_sign, "checkout.session.completed")
    config = MozaiksPayConfig(mode="managed", api_url="http://mozaikspay.invalid", webhook_secret=SECRET)
    payments.registry.register(MozaiksPayProvider(config, transport=no_network), replace=True)
    return Case(payments, name, "Mozaiks-Signature", _local_sign, "subscription.updated")


@pytest.mark.anyio
async def test_13_missing_signature_400(case: Case) -> None:
    body = case.body()
    status, answer = await case.payments.webhook(case.name, {"Content-Type": "application/json"}, body)
    assert status == 400
    assert "error" in answer


@pytest.mark.anyio
async def test_13_invalid_signature_400(case: Case) -> None:
    body = case.body()
    for headers in (
        case.headers(body, secret="whsec_wrong"),
        {case.header: "t=123,v1=deadbeef"},
        {case.header: "garbage"},
        {case.header: ""},
    ):
        status, _ = await case.payments.webhook(case.name, headers, body)
        assert status == 400, headers


@pytest.mark.anyio
async def test_13_body_changed_400(case: Case) -> None:
    body = case.body()
    headers = case.headers(body)
    changed = body.replace(b"user_1", b"user_2")
    assert changed != body
    status, _ = await case.payments.webhook(case.name, headers, changed)
    assert status == 400


@pytest.mark.anyio
async def test_13_timestamp_older_than_300s_400(case: Case) -> None:
    body = case.body()
    status, _ = await case.payments.webhook(case.name, case.headers(body, age=301), body)
    assert status == 400
    status, _ = await case.payments.webhook(case.name, case.headers(body, age=290), body)
    assert status == 200


@pytest.mark.anyio
async def test_13_duplicate_event_processed_once(case: Case) -> None:
    seen: list[str] = []

    @case.payments.on_event
    async def record(event: WebhookEvent) -> None:
        seen.append(event.id)

    body = case.body("evt_dup")
    first = await case.payments.webhook(case.name, case.headers(body), body)
    second = await case.payments.webhook(case.name, case.headers(body), body)
    assert first == (200, {"received": True, "duplicate": False, "id": "evt_dup"})
    assert second == (200, {"received": True, "duplicate": True, "id": "evt_dup"})
    assert seen == ["evt_dup"]


@pytest.mark.anyio
async def test_headers_are_case_insensitive(case: Case) -> None:
    body = case.body()
    headers = {key.lower(): value for key, value in case.headers(body).items()}
    status, _ = await case.payments.webhook(case.name, headers, body)
    assert status == 200


@pytest.mark.anyio
async def test_failed_handler_releases_the_event_for_the_retry(case: Case) -> None:
    attempts: list[str] = []

    @case.payments.on_event
    async def flaky(event: WebhookEvent) -> None:
        attempts.append(event.id)
        if len(attempts) == 1:
            raise RuntimeError("database down")

    body = case.body("evt_retry")
    status, answer = await case.payments.webhook(case.name, case.headers(body), body)
    assert status == 500
    assert "database down" not in json.dumps(answer)
    status, answer = await case.payments.webhook(case.name, case.headers(body), body)
    assert (status, answer["duplicate"]) == (200, False)
    assert attempts == ["evt_retry", "evt_retry"]


@pytest.mark.anyio
async def test_signed_body_that_is_not_an_event_is_400(case: Case) -> None:
    for body in (b"not json", b"[1, 2]", b'{"type": "x"}'):
        status, _ = await case.payments.webhook(case.name, case.headers(body), body)
        assert status == 400


@pytest.mark.anyio
async def test_unknown_provider_is_404() -> None:
    status, answer = await Payments().webhook("nope", {}, b"{}")
    assert status == 404
    assert answer["details"] == {"provider": "nope"}


@pytest.mark.anyio
async def test_mozaiks_webhook_is_404_when_self_hosted(no_network: NoNetworkTransport) -> None:
    config = MozaiksPayConfig(mode="self-hosted", api_url="http://mozaikspay.invalid", webhook_secret=SECRET)
    payments = Payments()
    payments.registry.register(MozaiksPayProvider(config, transport=no_network), replace=True)
    body = b'{"id": "evt_1", "type": "x"}'
    status, _ = await payments.webhook(
        "mozaiks", {"Mozaiks-Signature": _local_sign(body, int(time.time()), SECRET)}, body
    )
    assert status == 404
    status, _ = await Payments().webhook("mozaiks", {}, body)
    assert status == 404
