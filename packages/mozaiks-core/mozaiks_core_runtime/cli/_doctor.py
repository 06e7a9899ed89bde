"""``mozaiks-core doctor``: configuration, database connectivity and event delivery status."""

from __future__ import annotations

from pathlib import Path

import httpx

from ..errors import MozaiksCoreError

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
    app.runtime.db.close()
    return 0 if ok else 1
