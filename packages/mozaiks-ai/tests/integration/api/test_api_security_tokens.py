"""SECURITY-TESTS.md items 1–5 (tokens, HTTP and WebSocket) against the server; each test is named after its line.

1 missing/malformed/forged tokens · 2 time and audience claims · 3 edited payloads · 4 other apps' and
non-access tokens · 5 WebSocket close codes. Every refusal is checked for JSON, security headers, no stack
trace and no echo of the token.
"""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import httpx
import jwt
import pytest
from api_harness import (
    APP_A,
    APP_B,
    JWT_SECRET,
    SERVICE_TOKEN,
    Api,
    Jwks,
    Serve,
    assert_error,
    claims,
    edit_payload,
    forge,
    hs256,
    serve_jwks,
    stored_runs,
    ws_recv,
    ws_send,
    ws_until,
)
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

PROTECTED = [
    ("GET", "/api/runs", None),
    ("GET", "/api/workflows", None),
    ("GET", "/api/workflows/hello", None),
    ("POST", "/api/workflows/execute", {"workflow": "hello"}),
    ("POST", "/api/events", {"type": "task.created", "data": {"title": "x"}}),
    ("GET", "/api/runs/0123456789abcdef/events", None),
]


def call(
    api: Api, authorization: str | None, method: str = "GET", path: str = "/api/runs", body: Any = None
) -> httpx.Response:
    if authorization == "":  # an empty header, not none
        return api.request(method, path, json=body, headers={"Authorization": ""})
    return api.request(method, path, authorization, json=body)


def assert_401(api: Api, token: str | None, *, raw: bool = False) -> None:
    """``token`` is refused with 401 on every protected endpoint, and nothing ran."""
    authorization = token if raw or token is None else f"Bearer {token}"
    for method, path, body in PROTECTED:
        response = call(api, authorization, method, path, body)
        assert_error(response, 401)
        assert response.headers.get("www-authenticate") == "Bearer"
        if token:
            assert token not in response.text  # never echoed


def assert_ok(api: Api, token: str) -> None:
    response = call(api, f"Bearer {token}")
    assert response.status_code == 200, response.text


# -- 1 -------------------------------------------------------------------------------------
def test_01_valid_tokens_are_accepted(secure_api: Api, jwks: Jwks) -> None:
    # the control for every 401 below: each kind of credential works when it is right
    assert_ok(secure_api, hs256())
    assert_ok(secure_api, jwks.rs256())
    assert_ok(secure_api, SERVICE_TOKEN)
    assert call(secure_api, None, "GET", "/health").status_code == 200  # health stays public


def test_01_no_token_is_401(secure_api: Api) -> None:
    assert_401(secure_api, None)
    assert stored_runs(secure_api) == []


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        f"Token {SERVICE_TOKEN}",
        "Bearer not-a-jwt",
        "Bearer a.b",
        "Bearer a.b.c",
        "Bearer ....",
        "Bearer eyJhbGciOiJIUzI1NiJ9.%%%.sig",
        f"Bearer {SERVICE_TOKEN}x",
        f"Bearer {SERVICE_TOKEN[:-1]}",
    ],
)
def test_01_malformed_token_is_401(secure_api: Api, authorization: str) -> None:
    assert_401(secure_api, authorization, raw=True)


def test_01_bad_signature_is_401(secure_api: Api, jwks: Jwks) -> None:
    assert_401(secure_api, hs256(secret="another-secret-that-is-long-enough-for-hs256"))
    good = hs256()
    assert_401(secure_api, good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"))
    assert_401(secure_api, jwks.rs256(key=jwks.stranger))  # kid k1, signed by another key


def test_01_unknown_kid_is_401(secure_api: Api, jwks: Jwks) -> None:
    assert_401(secure_api, jwks.rs256(kid="k-unknown", key=jwks.stranger))
    assert_401(secure_api, jwks.rs256(kid="k-unknown"))


@pytest.mark.anyio
async def test_01_unknown_kid_on_a_websocket_never_blocks_other_requests(serve: Serve) -> None:
    # an unknown kid makes the server fetch the JWKS again; that fetch must not stall the event loop
    with serve_jwks(delay=1.0) as slow:
        api = serve({"MOZAIKS_AI_JWKS_URL": slow.url})

        codes: list[int] = []
        latency: list[float] = []

        async def attack() -> None:
            codes.append(await close_code(api.ws_url(), token=slow.rs256(kid="k-unknown", key=slow.stranger)))

        async def probe() -> None:
            async with api.async_client() as client:
                await anyio.sleep(0.2)  # the WebSocket is then waiting for the JWKS
                started = time.monotonic()
                assert (await client.get("/health")).status_code == 200
                latency.append(time.monotonic() - started)

        async with anyio.create_task_group() as group:
            group.start_soon(attack)
            group.start_soon(probe)
    assert codes == [4001]
    assert latency[0] < 0.5, latency


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_01_alg_none_is_401(secure_api: Api, alg: str) -> None:
    unsigned = forge({"alg": alg, "typ": "JWT"}, claims(), None)
    assert_401(secure_api, unsigned)
    assert_401(secure_api, unsigned + "c2lnbmF0dXJl")


def test_01_hs256_signed_with_an_rsa_public_key_is_401(serve: Serve, secure_api: Api, jwks: Jwks) -> None:
    confused = forge({"alg": "HS256", "typ": "JWT", "kid": "k1"}, claims(), jwks.public_pem)
    assert_401(secure_api, confused)
    jwks_only = serve({"MOZAIKS_AI_JWKS_URL": jwks.url})
    assert_401(jwks_only, confused)
    assert_401(jwks_only, hs256())  # HS256 is not accepted at all without a secret
    assert_ok(jwks_only, jwks.rs256())


# -- 2 -------------------------------------------------------------------------------------
def test_02_expired_beyond_the_leeway_is_401(secure_api: Api, jwks: Jwks) -> None:
    assert_401(secure_api, hs256(ttl=-120))
    assert_401(secure_api, jwks.rs256(ttl=-120))
    assert_ok(secure_api, hs256(ttl=-5))  # within the clock-skew leeway


def test_02_nbf_in_the_future_is_401(secure_api: Api) -> None:
    assert_401(secure_api, hs256(nbf=int(time.time()) + 600))
    assert_401(secure_api, hs256(iat=int(time.time()) + 600))


def test_02_missing_exp_is_401(secure_api: Api, jwks: Jwks) -> None:
    assert_401(secure_api, hs256(exp=None))
    assert_401(secure_api, jwks.rs256(exp=None))


def test_02_wrong_iss_or_aud_is_401(serve: Serve, auth_env: dict[str, str]) -> None:
    issuer, audience = "https://auth.example.com", "mozaiks-ai"
    api = serve({**auth_env, "MOZAIKS_AI_JWT_ISSUER": issuer, "MOZAIKS_AI_JWT_AUDIENCE": audience})
    assert_ok(api, hs256(iss=issuer, aud=audience))
    assert_ok(api, hs256(iss=issuer, aud=[audience, "other"]))
    assert_401(api, hs256(iss="https://evil.example.com", aud=audience))
    assert_401(api, hs256(aud=audience))  # no iss
    assert_401(api, hs256(iss=issuer, aud="another-service"))
    assert_401(api, hs256(iss=issuer))  # no aud


# -- 3 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "changes", [{"sub": "mallory"}, {"roles": ["admin"]}, {"app_id": APP_B}, {"exp": int(time.time()) + 10**6}]
)
def test_03_payload_edited_after_signing_is_401(secure_api: Api, jwks: Jwks, changes: dict[str, Any]) -> None:
    assert_401(secure_api, edit_payload(hs256(), **changes))
    assert_401(secure_api, edit_payload(jwks.rs256(), **changes))


# -- 4 -------------------------------------------------------------------------------------
def test_04_token_for_app_a_used_on_app_b_is_403(serve: Serve, auth_env: dict[str, str]) -> None:
    api_b = serve({**auth_env, "MOZAIKS_AI_APP_IDS": APP_B, "MOZAIKS_AI_APP_ID": APP_B})
    for method, path, body in PROTECTED:
        assert_error(call(api_b, f"Bearer {hs256(APP_A)}", method, path, body), 403)
    assert_ok(api_b, hs256(APP_B))
    assert call(api_b, f"Bearer {SERVICE_TOKEN}").status_code == 200  # its own static token acts for app B


def test_04_token_without_an_app_is_401(secure_api: Api) -> None:
    without = claims()
    del without["app_id"]
    assert_401(secure_api, jwt.encode(without, JWT_SECRET, algorithm="HS256"))
    for app_id in (None, "", 5, ["app-a"]):
        assert_401(secure_api, jwt.encode({**claims(), "app_id": app_id}, JWT_SECRET, algorithm="HS256"))


@pytest.mark.parametrize(
    "extra",
    [
        {"typ": "refresh"},
        {"typ": "Refresh"},
        {"token_use": "refresh"},
        {"typ": "execution"},
        {"token_use": "execution"},
        {"typ": "id"},
    ],
)
def test_04_refresh_or_execution_token_used_as_access_token_is_401(secure_api: Api, extra: dict[str, str]) -> None:
    assert_401(secure_api, hs256(**extra))


def test_04_refresh_token_marked_in_the_header_is_401(secure_api: Api) -> None:
    token = jwt.encode(claims(), JWT_SECRET, algorithm="HS256", headers={"typ": "refresh+jwt"})
    assert_401(secure_api, token)


# -- 5 -------------------------------------------------------------------------------------
async def close_code(url: str, token: str | None = None, message: dict[str, Any] | None = None) -> int:
    """Connect (with ``token`` as bearer), optionally send ``message``, and return the close code."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with connect(url, additional_headers=headers) as ws:
        if message is not None:
            await ws.send(json.dumps(message))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ws_recv(ws, timeout=10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


@pytest.mark.anyio
async def test_05_websocket_without_token_is_closed_with_4001(secure_api: Api, jwks: Jwks) -> None:
    assert await close_code(secure_api.ws_url()) == 4001
    assert await close_code(secure_api.ws_url(), token="not-a-token") == 4001
    assert await close_code(secure_api.ws_url(), token=hs256(ttl=-600)) == 4001
    assert await close_code(secure_api.ws_url(), token=hs256(typ="refresh")) == 4001
    assert await close_code(secure_api.ws_url(token="garbage.in.query")) == 4001
    assert await close_code(secure_api.ws_url(), token=jwks.rs256(kid="k-unknown", key=jwks.stranger)) == 4001
    assert stored_runs(secure_api) == []


@pytest.mark.anyio
async def test_05_websocket_token_for_another_app_is_closed_with_4003(serve: Serve, auth_env: dict[str, str]) -> None:
    api_b = serve({**auth_env, "MOZAIKS_AI_APP_IDS": APP_B})
    assert await close_code(api_b.ws_url(), token=hs256(APP_A)) == 4003


@pytest.mark.anyio
async def test_05_websocket_token_whose_user_differs_from_the_sessions_is_closed_with_4003(secure_api: Api) -> None:
    alice, bob = hs256(user_id="alice"), hs256(user_id="bob")
    async with connect(secure_api.ws_url(token=alice)) as ws:  # ?token= works for browsers
        await ws_send(ws, type="message", message="mine", sessionId="s-alice", workflow="hello")
        alice_events = [m for m in await ws_until(ws) if "seq" in m]
    run_id = alice_events[0]["run_id"]
    for message in (
        {"type": "message", "message": "hijack", "sessionId": "s-alice", "workflow": "hello"},
        {"type": "resume", "sessionId": "s-alice", "after": 0},
        {"type": "input", "sessionId": "s-alice", "value": 1},
    ):
        assert await close_code(secure_api.ws_url(), token=bob, message=message) == 4003, message
    assert [r["run_id"] for r in stored_runs(secure_api)] == [run_id]
    # a static service token acts for the app: it may attach to any session of it
    async with connect(secure_api.ws_url(), additional_headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}) as ws:
        await ws_send(ws, type="resume", sessionId="s-alice", after=0)
        replay = [m for m in await ws_until(ws, run_id) if "seq" in m]
    assert replay == alice_events


# -- scoped tokens (what mozaiks-core mints per call) ---------------------------------------
def test_04_a_scoped_execution_token_runs_only_its_workflow_and_opens_nothing_else(secure_api: Api) -> None:
    token = f"Bearer {hs256(scope='workflows:execute', workflows=['hello'], ttl=60)}"
    ran = secure_api.request("POST", "/api/workflows/execute", token, json={"workflow": "hello"})
    assert ran.status_code == 200, ran.text
    other = secure_api.request("POST", "/api/workflows/execute", token, json={"workflow": "other"})
    assert_error(other, 403, "may not execute")
    for method, path, body in PROTECTED:
        if (method, path) != ("POST", "/api/workflows/execute"):
            assert_error(call(secure_api, token, method, path, body), 403, "scoped to workflows:execute")


def test_04_an_events_token_publishes_events_and_cannot_execute(secure_api: Api) -> None:
    token = f"Bearer {hs256(scope=['events:publish'], ttl=60)}"
    published = call(secure_api, token, "POST", "/api/events", {"type": "task.created", "data": {"title": "x"}})
    assert published.status_code in (200, 202), published.text
    assert_error(call(secure_api, token, "POST", "/api/workflows/execute", {"workflow": "hello"}), 403, "scoped")
    assert_401(secure_api, hs256(scope=42))  # a malformed scope claim is refused outright
    # An identity provider's scopes mean nothing here: such a token is not restricted.
    assert call(secure_api, f"Bearer {hs256(scope='openid profile')}", "GET", "/api/runs").status_code == 200
