"""The built ``@mozaiks/core-runtime`` in Chromium against real ``mozaiks-core serve`` and ``mozaiks-ai serve``.

The page (``page.html`` + ``scenario.js``) loads ``dist/index.js`` from another origin than the backend, as a Vite
dev server would, so CORS is part of what is tested. Playwright's sync API drives it; each step returns JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from conftest import Service, Site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile (its own localStorage) per test."""
    ctx = browser.new_context()
    yield ctx
    ctx.close()


class Tab:
    """A tab of the test page with a client for the backend; uncaught page errors fail the test."""

    def __init__(self, context: BrowserContext, site: Site, backend: Service, delay_refresh_ms: int = 0) -> None:
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(site.page)
        self.page.wait_for_function("window.scenario !== undefined")
        opened = self.step("open", backend.url, delay_refresh_ms)
        assert opened == {"locks": True}, "Chromium on 127.0.0.1 should offer navigator.locks"

    def step(self, name: str, *args: Any) -> Any:
        """Run ``scenario.<name>(*args)`` in the page and return its JSON result."""
        result = self.page.evaluate(f"(args) => window.scenario.{name}(...args)", list(args))
        assert not self.errors, self.errors
        return result


def test_a_frontend_journey_against_mozaiks_core_and_mozaiks_ai(
    context: BrowserContext, site: Site, backend: Service
) -> None:
    tab = Tab(context, site, backend)
    out = tab.step("journey", "ada@example.com")

    assert out["signup"]["email"] == "ada@example.com" and out["storedAfterSignup"] is True
    assert out["storedAfterLogout"] is None and out["meSignedOut"] is None
    assert out["tasksSignedOut"]["name"] == "AuthError" and out["tasksSignedOut"]["status"] == 401
    assert out["login"]["id"] == out["signup"]["id"]
    assert out["wrongPassword"] == {
        "name": "AuthError",
        "message": "invalid email or password",
        "status": 401,
        "mozaiks": True,
    }
    assert out["me"] == {
        "id": out["signup"]["id"],
        "email": "ada@example.com",
        "roles": [],
        "app_id": "task-tracker",
    }
    assert isinstance(out["accessExp"], int)
    assert out["events"][:3] == ["signedIn", "signedOut", "signedIn"]

    ids = [created["id"] for created in out["created"]]
    assert len(set(ids)) == 2
    tasks = out["listed"]["tasks"]
    assert [(t["id"], t["title"]) for t in tasks] == list(zip(ids, ["write the spec", "ship the client"], strict=True))
    assert {t["owner"] for t in tasks} == {out["signup"]["id"]}

    run = out["run"]
    assert (run["status"], run["output"]) == ("succeeded", "Hello, Ada!"), run
    assert run["run_id"]
    assert (out["notAllowed"]["name"], out["notAllowed"]["status"]) == ("AuthError", 403)
    assert "MOZAIKS_ALLOWED_WORKFLOWS" in out["notAllowed"]["message"]
    assert (out["badInput"]["name"], out["badInput"]["status"]) == ("ValidationError", 400)

    # A token the server refuses: one refresh, then the same request succeeds with the rotated token.
    rejected = tab.step("rejectedToken")
    assert rejected["titles"] == ["write the spec", "ship the client"]
    assert rejected["calls"] == ["GET /api/tasks 401", "POST /api/auth/refresh 200", "GET /api/tasks 200"]
    assert rejected["rotated"] is True

    # A token whose exp has passed is refreshed before the request goes out.
    expired = tab.step("expiredToken")
    assert expired["me"]["email"] == "ada@example.com"
    assert expired["calls"] == ["POST /api/auth/refresh 200", "GET /api/auth/me 200"]
    assert expired["rotated"] is True

    # Five requests refused together share one refresh.
    together = tab.step("concurrentRejections")
    assert together == {"ok": True, "refreshes": 1, "refused": 5}

    # A refresh token the server does not know ends the session.
    revoked = tab.step("revokedSession")
    assert (revoked["error"]["name"], revoked["error"]["status"]) == ("AuthError", 401)
    assert revoked["stored"] is None and revoked["user"] is None
    assert revoked["events"][-1] == "signedOut"


def test_two_tabs_share_one_refresh_through_web_locks_and_storage(
    context: BrowserContext, site: Site, backend: Service
) -> None:
    # Each tab holds its refresh back 500 ms, so whichever gets the lock first still has it when the other asks.
    tab_a = Tab(context, site, backend, delay_refresh_ms=500)
    tab_b = Tab(context, site, backend, delay_refresh_ms=500)
    tab_a.step("journey", "grace@example.com")
    old_refresh = tab_a.step("expireStoredToken")
    assert tab_a.step("startGetToken") is True
    assert tab_b.step("startGetToken") is True
    a, b = tab_a.step("finishGetToken"), tab_b.step("finishGetToken")

    # One tab refreshed; the other waited for the lock, then adopted its tokens from storage and sent nothing.
    assert sorted([a["calls"], b["calls"]]) == [[], ["POST /api/auth/refresh 200"]], (a, b)
    assert a["token"] == b["token"] == a["stored"] == b["stored"]
    assert a["listed"] == b["listed"] == 2
    assert old_refresh != tab_b.page.evaluate("JSON.parse(localStorage.getItem('mozaiks.auth')).refreshToken")
