"""Access-token verification (SECURITY-TESTS 1–4), over HTTP against a protected handler."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from conftest import SECRET
from core_harness import mint
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mozaiks_core_runtime import App, auth

pytestmark = pytest.mark.anyio

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


class StaticJWKS(jwt.PyJWKClient):
    """A JWKS client serving one RSA key with kid ``k1`` without any network."""

    def __init__(self) -> None:
        super().__init__("http://jwks.invalid/keys")

    def fetch_data(self) -> Any:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}


def protected(make_app: Callable[..., App], **changes: Any) -> App:
    app = make_app(**changes)

    @app.get("/api/secret")
    @auth.require_user
    def secret(request: Any) -> dict[str, Any]:
        user = auth.current_user()
        return {"id": user.id, "roles": list(user.roles)}

    @app.get("/api/admin")
    @auth.require_role("admin")
    async def admin(request: Any) -> dict[str, Any]:
        return {"ok": True}

    return app


async def status(client: httpx.AsyncClient, token: str | None, path: str = "/api/secret") -> int:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return (await client.get(path, headers=headers)).status_code


def hs256_by_hand(key: bytes, template: str) -> str:
    """Re-sign ``template``'s header and claims with HMAC-SHA256 over ``key`` (PyJWT refuses PEM keys)."""
    head, body, _ = template.split(".")
    sig = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(sig).decode().rstrip('=')}"


def tamper(token: str, **changes: Any) -> str:
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims.update(changes)
    new_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{head}.{new_body}.{sig}"


async def test_valid_token_and_roles(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(protected(make_app))
    response = await client.get("/api/secret", headers={"Authorization": f"Bearer {mint(SECRET)}"})
    assert response.json() == {"id": "u1", "roles": []}
    assert await status(client, mint(SECRET), "/api/admin") == 403
    assert await status(client, mint(SECRET, roles=["admin"]), "/api/admin") == 200
    assert await status(client, None, "/api/admin") == 401


async def test_01_missing_malformed_forged_unknown_kid_none_and_key_confusion_are_401(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    app = protected(make_app)
    app.runtime.verifier._jwks = StaticJWKS()
    client = client_for(app)
    unsigned = jwt.encode(
        {"sub": "u1", "iss": "mozaiks-core:test-app", "aud": "test-app", "exp": time.time() + 60},
        "",
        algorithm="none",
    )
    hs_with_public_key = hs256_by_hand(RSA_PUBLIC_PEM, mint(SECRET))  # HS256 keyed with the RSA public key
    forged_kid = mint(RSA_KEY, alg="RS256", headers={"kid": "unknown"})
    for token in (
        None,
        "not-a-jwt",
        "a.b.c",
        mint("another-secret-0123456789-0123456789"),
        unsigned,
        hs_with_public_key,
        forged_kid,
    ):
        assert await status(client, token) == 401, token
    response = await client.get("/api/secret", headers={"Authorization": "Basic dTpw"})
    assert response.status_code == 401 and response.json()["error"]
    assert await status(client, mint(RSA_KEY, alg="RS256", headers={"kid": "k1"})) == 200


async def test_02_expired_future_nbf_missing_exp_wrong_iss_or_aud_are_401(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(protected(make_app))
    now = int(time.time())
    assert await status(client, mint(SECRET, exp=now - 10)) == 200  # inside the 30 s leeway
    for token in (
        mint(SECRET, exp=now - 120),
        mint(SECRET, nbf=now + 120),
        mint(SECRET, exp=None),
        mint(SECRET, iss="someone-else"),
        mint(SECRET, aud="another-app"),
    ):
        assert await status(client, token) == 401


async def test_03_payload_edited_after_signing_is_401(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(protected(make_app))
    token = mint(SECRET, app_id="test-app")
    for change in ({"sub": "admin"}, {"roles": ["admin"]}, {"app_id": "other"}):
        assert await status(client, tamper(token, **change)) == 401


async def test_04_other_app_refresh_and_execution_tokens_are_refused(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(protected(make_app))
    assert await status(client, mint(SECRET, app_id="app-b")) == 401
    assert await status(client, mint(SECRET, typ="refresh")) == 401
    assert await status(client, mint(SECRET, typ="execution")) == 401
    assert await status(client, mint(SECRET, app_id="test-app")) == 200


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_a_remembered_token_still_expires_and_failures_are_never_remembered(
    make_app: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mozaiks_core_runtime.auth import _tokens
    from mozaiks_core_runtime.errors import AuthError

    verifier = make_app().runtime.verifier
    token = mint(SECRET, exp=int(time.time()) + 60)
    assert verifier.verify(token)["sub"] == "u1"
    assert verifier.verify(token)["sub"] == "u1"  # from the cache
    clock = _Clock(time.time() + 60 + _tokens.LEEWAY_SECONDS + 1)
    monkeypatch.setattr(_tokens, "time", clock)
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(AuthError):
            verifier.verify(forged)
    assert forged not in verifier._verified and token not in verifier._verified


def test_the_cache_of_verified_tokens_is_bounded(make_app: Callable[..., App], monkeypatch: pytest.MonkeyPatch) -> None:
    from mozaiks_core_runtime.auth import _tokens

    monkeypatch.setattr(_tokens, "VERIFIED_CACHE_SIZE", 3)
    verifier = make_app().runtime.verifier
    tokens = [mint(SECRET, sub=f"u{i}") for i in range(10)]
    for token in tokens:
        verifier.verify(token)
    assert list(verifier._verified) == tokens[-3:]
    claims = verifier.verify(tokens[-1])
    claims["sub"] = "mallory"  # callers get a copy: the cached claims stay as verified
    claims["roles"].append("admin")  # a deep one
    again = verifier.verify(tokens[-1])
    assert again["sub"] == "u9" and again["roles"] == []
    fresh = mint(SECRET, sub="u10")
    verifier.verify(fresh)["roles"].append("admin")  # the first verification's claims are the caller's too
    assert verifier.verify(fresh)["roles"] == []
