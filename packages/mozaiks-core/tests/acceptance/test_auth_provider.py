"""The built-in email/password provider over HTTP (SECURITY-TESTS 10–12, 6, 9) and API keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from argon2 import extract_parameters
from argon2.low_level import Type
from mozaiks_core_runtime import App, Request, auth, db

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery staple"


def notes_app(make_app: Callable[..., App], **changes: Any) -> App:
    app = make_app(**changes)

    @app.post("/api/notes")
    @auth.require_user
    def create(request: Request) -> Any:
        return db.notes.create(request.data), 201

    @app.get("/api/notes")
    @auth.require_user
    async def list_notes(request: Request) -> Any:
        return list(await db.notes.find_async())

    @app.get("/api/notes/{note_id}")
    @auth.require_user
    def read(request: Request, note_id: str) -> Any:
        return db.notes.get(note_id)

    return app


async def signup(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post("/api/auth/signup", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_signup_login_me_and_duplicate_email(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(notes_app(make_app))
    tokens = await signup(client, "Ada@Example.com")
    me = (await client.get("/api/auth/me", headers=bearer(tokens))).json()
    assert me["email"] == "ada@example.com" and me["app_id"] == "test-app"
    assert (
        await client.post("/api/auth/signup", json={"email": "ada@example.com", "password": PASSWORD})
    ).status_code == 409
    login = await client.post("/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert login.status_code == 200 and login.json()["user"]["id"] == me["id"]
    assert (await client.post("/api/auth/signup", json={"email": "x@y.z", "password": "short"})).status_code == 400


async def test_06_09_users_only_see_their_own_documents_over_http(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(notes_app(make_app))
    alice, bob = await signup(client, "alice@example.com"), await signup(client, "bob@example.com")
    body = {"text": "private", "owner": "bob", "app_id": "other", "roles": ["admin"], "_context": {"user_id": "bob"}}
    note = (await client.post("/api/notes", json=body, headers=bearer(alice))).json()
    assert note["owner"] == alice["user"]["id"] and "app_id" not in note and "_context" not in note
    assert (await client.get(f"/api/notes/{note['id']}", headers=bearer(bob))).status_code == 404
    assert (await client.get("/api/notes", headers=bearer(bob))).json() == []
    assert len((await client.get("/api/notes", headers=bearer(alice))).json()) == 1
    assert (await client.get("/api/auth/me", headers=bearer(alice))).json()["roles"] == []


async def test_10_refresh_rotation_reuse_revokes_the_family(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(notes_app(make_app, refresh_reuse_grace=0))
    first = await signup(client, "carol@example.com")
    second = (await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    assert second["refresh_token"] != first["refresh_token"]
    replay = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and "reuse" in replay.json()["error"]
    # The whole family is gone: the legitimately rotated token and its access token too.
    assert (await client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})).status_code == 401
    assert (await client.get("/api/auth/me", headers=bearer(second))).status_code == 401


async def test_10_reuse_inside_the_grace_window_is_refused_without_revoking(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(notes_app(make_app, refresh_reuse_grace=60))
    first = await signup(client, "dan@example.com")
    second = (await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    assert (await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).status_code == 401
    assert (await client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})).status_code == 200


async def test_10_logout_and_password_change_revoke_sessions(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(notes_app(make_app))
    tokens = await signup(client, "erin@example.com")
    assert (await client.post("/api/auth/logout", headers=bearer(tokens))).status_code == 204
    assert (await client.get("/api/auth/me", headers=bearer(tokens))).status_code == 401
    assert (await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).status_code == 401

    a = (await client.post("/api/auth/login", json={"email": "erin@example.com", "password": PASSWORD})).json()
    b = (await client.post("/api/auth/login", json={"email": "erin@example.com", "password": PASSWORD})).json()
    new = "a much better passphrase"
    wrong = await client.post(
        "/api/auth/password", json={"current_password": "nope", "new_password": new}, headers=bearer(a)
    )
    assert wrong.status_code == 401
    changed = await client.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": new}, headers=bearer(a)
    )
    assert changed.status_code == 204
    for session in (a, b):
        assert (await client.get("/api/auth/me", headers=bearer(session))).status_code == 401
        assert (
            await client.post("/api/auth/refresh", json={"refresh_token": session["refresh_token"]})
        ).status_code == 401
    assert (
        await client.post("/api/auth/login", json={"email": "erin@example.com", "password": new})
    ).status_code == 200


async def test_11_brute_force_is_429_and_unknown_user_looks_like_wrong_password(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(notes_app(make_app, login_max_failures=3))
    await signup(client, "frank@example.com")
    wrong = await client.post("/api/auth/login", json={"email": "frank@example.com", "password": "wrong password"})
    unknown = await client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "wrong password"})
    assert (
        (wrong.status_code, wrong.json())
        == (unknown.status_code, unknown.json())
        == (401, {"error": "invalid email or password"})
    )
    for _ in range(2):
        await client.post("/api/auth/login", json={"email": "frank@example.com", "password": "wrong password"})
    limited = await client.post("/api/auth/login", json={"email": "frank@example.com", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


async def test_12_hashes_are_argon2id_with_owasp_parameters_and_long_passwords_work(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    app = notes_app(make_app)
    client = client_for(app)
    long_password = "p" * 100 + "é" * 20  # 140 bytes: beyond bcrypt's 72
    await signup(client, "gail@example.com", long_password)
    stored = app.runtime.auth_store.user_by_email("gail@example.com")
    assert stored is not None
    params = extract_parameters(stored["password_hash"])
    assert params.type is Type.ID and params.memory_cost >= 19456 and params.time_cost >= 2 and params.parallelism >= 1
    ok = await client.post("/api/auth/login", json={"email": "gail@example.com", "password": long_password})
    assert ok.status_code == 200
    truncated = await client.post("/api/auth/login", json={"email": "gail@example.com", "password": long_password[:72]})
    assert truncated.status_code == 401


async def test_api_keys_are_hashed_and_revocable(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    app = notes_app(make_app)
    client = client_for(app)
    key = app.runtime.auth_store.create_api_key("service-user", "ci")
    key_id = key.split("_")[1]
    stored = app.runtime.auth_store.api_keys.get_row(key_id)
    assert stored is not None and key.split("_", 2)[2] not in str(stored.data)
    assert (await client.get("/api/notes", headers={"X-API-Key": key})).status_code == 200
    assert (await client.get("/api/notes", headers={"Authorization": f"Bearer {key}"})).status_code == 200
    assert (await client.get("/api/notes", headers={"X-API-Key": key[:-2] + "xx"})).status_code == 401
    app.runtime.auth_store.revoke_api_key(key_id)
    assert (await client.get("/api/notes", headers={"X-API-Key": key})).status_code == 401
