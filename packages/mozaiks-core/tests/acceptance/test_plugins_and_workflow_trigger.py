"""Plugins (entry points and the local plugins/ folder) and the frontend workflow trigger, over HTTP."""

from __future__ import annotations

import json
import runpy
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SECRET
from core_harness import HttpPeer, mint
from mozaiks_core_runtime import App, ConfigurationError, Request, Settings, auth, plugins
from mozaiks_core_runtime.plugins import AuthProvider, PaymentPlugin, PluginRegistry

pytestmark = pytest.mark.anyio

Client = Callable[[App], httpx.AsyncClient]

PAYPAL_ENV = {
    "MOZAIKS_PAYPAL_CLIENT_ID": "cid",
    "MOZAIKS_PAYPAL_CLIENT_SECRET": "csecret",
    "MOZAIKS_PAYPAL_WEBHOOK_ID": "WH-1",
    "MOZAIKS_PAYPAL_WEBHOOK_SECRET": "hook-secret",
}

LOCAL_PLUGIN = """
from mozaiks_core_runtime import User
from mozaiks_core_runtime.plugins import AuthPlugin


class HeaderAuth:
    name = "header-auth"

    def __init__(self, app_id):
        self.app_id = app_id

    def authenticate(self, headers):
        who = headers.get("x-demo-user")
        return User(id=who, roles=("demo",), app_id=self.app_id) if who else None


plugin = AuthPlugin("header-auth", lambda settings: HeaderAuth(settings.app_id))
"""


def test_the_installed_paypal_example_is_discovered(make_app: Callable[..., App]) -> None:
    app = make_app()
    assert "paypal" in app.plugins.names("payment")
    assert any(p.origin == "entry-point:paypal" for p in app.plugins.loaded)
    assert "paypal" in app.runtime.payments.registry.names()
    assert set(plugins.__all__) >= {"AuthProvider", "PaymentProvider", "PluginRegistry", "PLUGIN_GROUP"}
    assert plugins.PLUGIN_GROUP == "mozaiks_core_runtime.plugins"
    assert "paypal" not in make_app(load_plugins=False).runtime.payments.registry.names()


async def test_paypal_plugin_serves_its_webhook_route(make_app: Callable[..., App], client_for: Client) -> None:
    from mozaiks_paypal import PayPalConfig, sign_sandbox_webhook

    client = client_for(make_app(environ=PAYPAL_ENV))
    body = json.dumps(
        {"id": "WH-EVT-1", "event_type": "BILLING.SUBSCRIPTION.ACTIVATED", "resource": {"id": "I-1", "custom_id": "u1"}}
    ).encode()
    headers = sign_sandbox_webhook(
        PayPalConfig.from_environ(PAYPAL_ENV), body, transmission_id="tx-1", transmission_time=datetime.now(UTC)
    )
    first = await client.post("/api/payments/webhook/paypal", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["duplicate"] is False
    again = await client.post("/api/payments/webhook/paypal", content=body, headers=headers)
    assert again.json()["duplicate"] is True
    assert (await client.post("/api/payments/webhook/paypal", content=body)).status_code == 400
    unconfigured = client_for(make_app())
    assert (await unconfigured.post("/api/payments/webhook/paypal", content=body, headers=headers)).status_code == 404


async def test_local_plugins_folder_adds_an_auth_provider(
    make_app: Callable[..., App], client_for: Client, tmp_path: Path
) -> None:
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "header_auth.py").write_text(LOCAL_PLUGIN)
    (tmp_path / "plugins" / "_helper.py").write_text("raise RuntimeError('never imported')\n")
    app = make_app(plugins_dir=tmp_path / "plugins")
    assert app.plugins.names("auth") == ["header-auth"]
    assert isinstance(app.runtime.auth_providers[0], AuthProvider)

    @app.get("/api/me")
    @auth.require_user
    def me(request: Request) -> dict[str, Any]:
        user = auth.current_user()
        return {"id": user.id, "roles": list(user.roles)}

    client = client_for(app)
    assert (await client.get("/api/me", headers={"X-Demo-User": "ada"})).json() == {"id": "ada", "roles": ["demo"]}
    token = mint(SECRET, sub="u7")
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})).json()["id"] == "u7"
    assert (await client.get("/api/me")).status_code == 401


def test_plugins_folder_defaults_to_the_one_next_to_main_py(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "header_auth.py").write_text(LOCAL_PLUGIN)
    (tmp_path / "main.py").write_text(
        textwrap.dedent(
            """
            from mozaiks_core_runtime import App
            app = App("local", settings=SETTINGS, env_file=None)
            """
        )
    )
    app = runpy.run_path(str(tmp_path / "main.py"), init_globals={"SETTINGS": settings})["app"]
    try:
        assert app.plugins.names("auth") == ["header-auth"]
    finally:
        app.runtime.db.close()


def test_bad_plugins_are_refused_with_their_origin(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("plugin = 42\n")
    with pytest.raises(ConfigurationError, match=r"bad\.py is a int"):
        PluginRegistry().load_folder(tmp_path)
    (tmp_path / "bad.py").write_text("nothing = 1\n")
    with pytest.raises(ConfigurationError, match="exposes neither"):
        PluginRegistry().load_folder(tmp_path)
    (tmp_path / "bad.py").write_text("raise ValueError('boom')\n")
    with pytest.raises(ConfigurationError, match="failed to import: boom"):
        PluginRegistry().load_folder(tmp_path)
    registry = PluginRegistry()
    registry.add([PaymentPlugin("p1", lambda context: None)], origin="test")  # type: ignore[arg-type, return-value]
    assert registry.names() == ["p1"]
    assert PluginRegistry().load_folder(tmp_path / "missing") == []


# -- the frontend workflow trigger -------------------------------------------------------------------------------


def trigger_app(make_app: Callable[..., App], peer: HttpPeer, **changes: Any) -> App:
    options: dict[str, Any] = {
        "ai_url": peer.url,
        "ai_token": "server-side-runtime-token",
        "allowed_workflows": ("Onboarding",),
    }
    options.update(changes)
    return make_app(**options)


async def test_workflow_trigger_forwards_allowed_workflows_with_the_server_token(
    make_app: Callable[..., App], client_for: Client, peer: HttpPeer
) -> None:
    peer.expected_token = "server-side-runtime-token"
    client = client_for(trigger_app(make_app, peer))
    user = {"Authorization": f"Bearer {mint(SECRET, sub='u42')}"}
    response = await client.post(
        "/api/workflows/Onboarding/run",
        json={"input": {"plan": "pro"}, "wait": True},
        headers={**user, "Idempotency-Key": "key-1"},
    )
    assert response.status_code == 200 and response.json()["run_id"] == "r1"
    assert "server-side-runtime-token" not in response.text
    (sent,) = peer.requests
    assert (sent.method, sent.path) == ("POST", "/api/workflows/execute")
    assert sent.headers["authorization"] == "Bearer server-side-runtime-token"
    assert sent.headers["idempotency-key"] == "key-1"
    assert sent.body == {"workflow": "Onboarding", "input": {"plan": "pro"}, "wait": True, "idempotency_key": "key-1",
                         "user_id": "u42"}  # fmt: skip


async def test_with_a_shared_secret_each_call_carries_a_short_lived_token_scoped_to_it(
    make_app: Callable[..., App], client_for: Client, peer: HttpPeer
) -> None:
    import jwt

    shared = "shared-with-mozaiks-ai-" + "s" * 32
    client = client_for(trigger_app(make_app, peer, ai_jwt_secret=shared))
    user = {"Authorization": f"Bearer {mint(SECRET, sub='u42')}"}
    assert (await client.post("/api/workflows/Onboarding/run", json={}, headers=user)).status_code == 200
    (sent,) = peer.requests
    scheme, _, token = sent.headers["authorization"].partition(" ")
    assert scheme == "Bearer" and "server-side-runtime-token" not in token
    claims = jwt.decode(token, shared, algorithms=["HS256"], audience="mozaiks-ai", issuer="mozaiks-core")
    assert claims["scope"] == "workflows:execute" and claims["workflows"] == ["Onboarding"]
    assert claims["user_id"] == claims["sub"] == "u42" and claims["app_id"] == "test-app"
    assert claims["exp"] - claims["iat"] == 120


async def test_workflow_trigger_refuses_anonymous_unlisted_and_malformed_calls(
    make_app: Callable[..., App], client_for: Client, peer: HttpPeer
) -> None:
    client = client_for(trigger_app(make_app, peer))
    user = {"Authorization": f"Bearer {mint(SECRET)}"}
    assert (await client.post("/api/workflows/Onboarding/run", json={})).status_code == 401
    forbidden = await client.post("/api/workflows/DeleteEverything/run", json={}, headers=user)
    assert forbidden.status_code == 403 and "MOZAIKS_ALLOWED_WORKFLOWS" in forbidden.json()["error"]
    assert (await client.post("/api/workflows/Onboarding/run", json={"input": [1]}, headers=user)).status_code == 400
    assert (await client.post("/api/workflows/Onboarding/run", json={"wait": "y"}, headers=user)).status_code == 400
    assert peer.requests == []
    nothing_allowed = client_for(trigger_app(make_app, peer, allowed_workflows=()))
    assert (await nothing_allowed.post("/api/workflows/Onboarding/run", json={}, headers=user)).status_code == 403


async def test_workflow_trigger_reports_a_refused_runtime_token_without_leaking_it(
    make_app: Callable[..., App], client_for: Client, peer: HttpPeer
) -> None:
    peer.expected_token = "the-right-token"
    client = client_for(trigger_app(make_app, peer))
    response = await client.post(
        "/api/workflows/Onboarding/run", json={}, headers={"Authorization": f"Bearer {mint(SECRET)}"}
    )
    assert response.status_code == 502 and "401" in response.json()["error"]
    assert "server-side-runtime-token" not in response.text
    assert peer.requests[0].headers["authorization"] == "Bearer server-side-runtime-token"
