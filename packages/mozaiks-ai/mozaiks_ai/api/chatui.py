"""Serve the built ChatUI bundle at ``/`` (and ``/chatui/widget.js`` for embedding).

The bundle is built from ``packages/chatui`` by ``npm ci && npm run build`` (``scripts/setup`` does
it) into ``mozaiks_ai/api/static/chatui``. Without a build, ``/`` says how to make one.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

__all__ = ["CHATUI_DIR", "mount_chatui"]

CHATUI_DIR = Path(__file__).resolve().parent / "static" / "chatui"

_MISSING = """<!doctype html><meta charset="utf-8"><title>Mozaiks</title>
<h1>Mozaiks AI runtime</h1><p>The API is up (<a href="/docs">/docs</a>), but ChatUI is not built.
Run <code>scripts/setup</code> (or <code>cd packages/chatui &amp;&amp; npm ci &amp;&amp; npm run build</code>).</p>"""


def mount_chatui(app: FastAPI, directory: Path = CHATUI_DIR) -> None:
    """Serve ``index.html`` at ``/`` and the bundle's assets under ``/chatui``."""
    index = directory / "index.html"
    if directory.is_dir():
        app.mount("/chatui", StaticFiles(directory=directory), name="chatui")

    @app.get("/", include_in_schema=False, response_model=None)
    async def home() -> HTMLResponse:
        if index.is_file():
            return HTMLResponse(index.read_text("utf-8"))
        return HTMLResponse(_MISSING)
