"""``mozaiks-core doctor``: configuration, database, event delivery, credentials, payments, insights and plugins."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from ..errors import MozaiksCoreError

if TYPE_CHECKING:
    from ..application import App

__all__ = ["doctor"]


def doctor(folder: str | Path, attribute: str = "app") -> int:
    """Print a report on the app in ``folder``; return 0 when everything needed works, else 1."""
    from ._loader import load_app

    ok = True

    def line(status: str, text: str) -> None:
        print(f"[{status:>4}] {text}")

    try:
        app = load_app(folder, attribute)
    except MozaiksCoreError as exc:
        line("FAIL", f"configuration: {exc}")
        return 1
    s = app.settings
    line("ok", f"app {s.app_id!r} env={s.env} mode={s.mode}")
    if s.generated_secret:
        line("warn", "MOZAIKS_JWT_SECRET is not set: a random secret is used (sessions end on restart)")
    for problem in s.problems():
        line("FAIL", problem)
        ok = False
    try:
        app.runtime.db.ping()
        line("ok", f"database {s.db_url.split('@')[-1]} reachable")
        stats = app.runtime.outbox.stats()
    except MozaiksCoreError as exc:
        line("FAIL", f"database: {exc}")
        return 1
    pending = stats["pending"] + stats["sending"]
    line(
        "ok" if not stats["dead"] else "warn",
        f"event outbox: {pending} waiting, {stats['sent']} sent, {stats['dead']} dead",
    )
    if s.ai_url is None:
        line("warn", f"MOZAIKS_AI_URL is not set: events stay in the outbox ({pending} waiting)")
    else:
        try:
            response = httpx.get(f"{s.ai_url}/health", timeout=5)
            line("ok" if response.is_success else "FAIL", f"mozaiks-ai at {s.ai_url}: HTTP {response.status_code}")
            ok = ok and response.is_success
        except httpx.HTTPError as exc:
            line("FAIL", f"mozaiks-ai at {s.ai_url} unreachable: {exc}")
            ok = False
    _integrations(app, line)
    app.runtime.db.close()
    return 0 if ok else 1


def _integrations(app: App, line: Callable[[str, str], None]) -> None:
    """Report what the app would call and with which credentials (informational: never fails the check)."""
    s, runtime = app.settings, app.runtime
    if s.ai_url is not None:
        kind = "short-lived scoped tokens (MOZAIKS_AI_JWT_SECRET)" if s.ai_jwt_secret else "the static MOZAIKS_AI_TOKEN"
        line("ok", f"calls to mozaiks-ai carry {kind}")
    line(
        "ok" if s.app_token else "info",
        "workflows can call this app back (MOZAIKS_APP_API_TOKEN set)"
        if s.app_token
        else "MOZAIKS_APP_API_TOKEN is not set: auth.require_app routes refuse every caller",
    )
    payments = runtime.payments.config
    line("ok", f"payments: default provider {payments.default_provider!r}; available: "
               f"{', '.join(runtime.payments.registry.names())}")  # fmt: skip
    push = runtime.insights.config.push_url
    line("ok", f"insights: /metrics served; pushes to {push}" if push else "insights: /metrics served; no pushes")
    problem = runtime.marketing.config.problem()
    line(
        "ok" if problem is None else "info",
        f"marketing: {problem or 'campaigns go to ' + str(runtime.marketing.config.url)}",
    )
    plugins = runtime.plugins.names()
    line("ok", f"plugins: {', '.join(plugins) if plugins else 'none'}")
    if s.allowed_workflows:
        line("ok", f"frontend may trigger: {', '.join(s.allowed_workflows)}")
