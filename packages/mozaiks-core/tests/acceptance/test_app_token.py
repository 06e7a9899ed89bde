"""The app-scoped token workflows call the app back with (``auth.require_app``), as the app or for a user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import SECRET
from core_harness import mint
from mozaiks_core_runtime import App, ConfigurationError, Request, Settings, auth, db

pytestmark = pytest.mark.anyio

APP_TOKEN = "app-scoped-" + "t" * 40


def callback_app(make_app: Callable[..., App]) -> App:
    app = make_app(app_token=APP_TOKEN)

    @app.post("/api/notes")
    @auth.require_user
    def create(request: Request) -> Any:
        return db.notes.create(text=request.data["text"]), 201

    @app.get("/api/my-notes")
    @auth.require_user
    def my_notes(request: Request) -> Any:
        return {"texts": [n["text"] for n in db.notes.find()]}

    @app.get("/api/internal/notes")
    @auth.require_app
    def every_note(request: Request) -> Any:
        return {"caller": auth.current_user().id, "texts": sorted(n["text"] for n in db.notes.find())}

    return app


def user(sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(SECRET, sub=sub)}"}


async def test_the_app_token_acts_for_the_app_or_for_the_named_user(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(callback_app(make_app))
    for sub, text in (("ann", "a1"), ("ann", "a2"), ("bob", "b1")):
        assert (await client.post("/api/notes", json={"text": text}, headers=user(sub))).status_code == 201
    app_wide = await client.get("/api/internal/notes", headers={"Authorization": f"Bearer {APP_TOKEN}"})
    assert app_wide.json() == {"caller": "app:test-app", "texts": ["a1", "a2", "b1"]}
    for_bob = {"Authorization": f"Bearer {APP_TOKEN}", "X-Mozaiks-User": "bob"}
    assert (await client.get("/api/internal/notes", headers=for_bob)).json() == {"caller": "bob", "texts": ["b1"]}


async def test_other_credentials_never_reach_an_app_route(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(callback_app(make_app))
    assert (await client.get("/api/internal/notes")).status_code == 401
    assert (await client.get("/api/internal/notes", headers=user("ann"))).status_code == 403
    wrong = await client.get("/api/internal/notes", headers={"Authorization": f"Bearer {APP_TOKEN}x"})
    assert wrong.status_code == 401 and APP_TOKEN not in wrong.text
    # The app token opens only require_app routes, with or without a user to act for.
    for headers in ({}, {"X-Mozaiks-User": "ann"}):
        refused = await client.get("/api/my-notes", headers={"Authorization": f"Bearer {APP_TOKEN}", **headers})
        assert refused.status_code == 403 and "require_app" in refused.json()["error"]
    trailing = {"Authorization": f"Bearer {APP_TOKEN}", "X-Mozaiks-User": "bob\n"}
    assert (await client.get("/api/internal/notes", headers=trailing)).status_code in (400, 401)
    hostile = {"Authorization": f"Bearer {APP_TOKEN}", "X-Mozaiks-User": "bob' OR 1=1 --"}
    refused = await client.get("/api/internal/notes", headers=hostile)
    assert refused.status_code == 401 and "X-Mozaiks-User" in refused.json()["error"]


def test_production_refuses_a_weak_app_token_or_ai_secret() -> None:
    strong = "s" * 48
    for field in ("app_token", "ai_jwt_secret"):
        settings = Settings(app_name="a", app_id="a", env="production", jwt_secret=strong, **{field: "short"})
        with pytest.raises(ConfigurationError, match="at least 32"):
            settings.check()
