"""The built-in routes a frontend calls with the user's token: payments checkout/subscription/cancel, marketing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import SECRET
from core_harness import mint
from mozaiks_core_runtime import App
from recording_peer import HttpPeer, Recorded

pytestmark = pytest.mark.anyio

Client = Callable[[App], httpx.AsyncClient]


def bearer(sub: str = "u1") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(SECRET, sub=sub, email=f'{sub}@example.com')}"}


async def test_checkout_subscription_and_cancel_for_the_signed_in_user(
    make_app: Callable[..., App], client_for: Client
) -> None:
    app = make_app()
    client = client_for(app)
    async with app.lifespan():
        assert (await client.post("/api/payments/checkout", json={"plan_id": "pro"})).status_code == 401
        started = await client.post("/api/payments/checkout", json={"plan_id": "pro"}, headers=bearer())
        assert started.status_code == 201
        checkout = started.json()
        assert checkout["provider"] == "sandbox" and checkout["plan_id"] == "pro" and checkout["user_id"] == "u1"
        assert checkout["url"].endswith(f"/sandbox/checkout/{checkout['id']}")
        status = (await client.get("/api/payments/subscription", headers=bearer())).json()
        assert status["status"] == "none" and status["user_id"] == "u1"
        assert (await client.post(f"{checkout['url']}/complete", json={"action": "pay"})).status_code == 200
        status = (await client.get("/api/payments/subscription", headers=bearer())).json()
        assert (status["status"], status["plan_id"]) == ("active", "pro")
        assert (await client.get("/api/payments/subscription", headers=bearer("u2"))).json()["status"] == "none"
        assert (await client.post("/api/payments/cancel", headers=bearer())).json()["status"] == "canceled"


async def test_checkout_input_errors_name_the_field(make_app: Callable[..., App], client_for: Client) -> None:
    client = client_for(make_app())
    missing = await client.post("/api/payments/checkout", json={}, headers=bearer())
    assert missing.status_code == 400 and "plan_id" in missing.json()["error"]
    wrong = await client.post("/api/payments/checkout", json={"plan_id": ["pro"]}, headers=bearer())
    assert wrong.status_code == 400
    unknown = await client.post("/api/payments/checkout", json={"plan_id": "pro", "provider": "nope"}, headers=bearer())
    assert unknown.status_code in (400, 404) and "nope" in unknown.json()["error"]


async def test_self_hosted_marketing_says_what_to_configure_and_never_calls_out(
    make_app: Callable[..., App], client_for: Client, http_peer: HttpPeer
) -> None:
    app = make_app(mode="self-hosted", environ={"MOZAIKS_MARKETING_API_URL": http_peer.url})
    answer = await client_for(app).post("/api/marketing/campaigns", json={"name": "launch"}, headers=bearer())
    assert answer.status_code == 503 and "managed mode" in answer.json()["error"]
    assert http_peer.requests == []


async def test_managed_marketing_posts_the_campaign_with_the_server_key(
    make_app: Callable[..., App], client_for: Client, http_peer: HttpPeer
) -> None:
    def respond(request: Recorded) -> tuple[int, Any]:
        if request.json()["campaign"].get("name") == "refused":
            return 422, {"error": "budget must be positive"}
        return 201, {"id": "cmp_1", "status": "draft"}

    http_peer.respond = respond
    environ = {"MOZAIKS_MARKETING_API_URL": http_peer.url + "/", "MOZAIKS_MARKETING_API_KEY": "mkt-key"}
    client = client_for(make_app(mode="managed", environ=environ))
    campaign = {"name": "launch", "budget": 500, "platforms": ["linkedin"]}
    headers = {**bearer(), "Idempotency-Key": "k-1"}
    answer = await client.post("/api/marketing/campaigns", json=campaign, headers=headers)
    assert answer.status_code == 200 and answer.json() == {"id": "cmp_1", "status": "draft"}
    sent = http_peer.requests[0]
    assert (sent.method, sent.path) == ("POST", "/campaigns")
    assert sent.headers["authorization"] == "Bearer mkt-key" and sent.headers["idempotency-key"] == "k-1"
    assert sent.json() == {"app_id": "test-app", "user_id": "u1", "campaign": campaign}
    refused = await client.post("/api/marketing/campaigns", json={"name": "refused"}, headers=bearer())
    assert refused.status_code == 502 and "budget must be positive" in refused.json()["error"]
    assert "mkt-key" not in refused.text
