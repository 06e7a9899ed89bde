"""The ASGI application of ``mozaiks-ai serve``: HTTP API, WebSocket chat, SSE and ChatUI."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

import mozaiks_ai
from mozaiks_ai.api import chat
from mozaiks_ai.api.auth import AuthConfig, Authenticator
from mozaiks_ai.api.chatui import mount_chatui
from mozaiks_ai.api.errors import install_error_handlers
from mozaiks_ai.api.guard import RequestGuard
from mozaiks_ai.api.routes import agents, artifacts, events, runs, workflows
from mozaiks_ai.config import RuntimeConfig, ServerConfig
from mozaiks_ai.executor.engine import Engine

__all__ = ["create_app"]


def create_app(
    runtime: RuntimeConfig | None = None, server: ServerConfig | None = None, *, engine: Engine | None = None
) -> FastAPI:
    """Build the application.

    Args:
        runtime: Runtime configuration (default: from the environment).
        server: Server configuration (default: from the environment).
        engine: An open engine to serve (tests); by default one is opened at startup and closed at shutdown.
    """
    runtime = runtime or RuntimeConfig.from_env()
    server = server or ServerConfig.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = engine is None
        current = engine or await Engine.open(runtime)
        current.follow_timers = False  # timers are the engine's, not a request's
        app.state.engine = current
        await current.relay_remote_events()  # PostgreSQL: clients here can follow runs executed elsewhere
        worker = asyncio.ensure_future(current.work(poll_interval=1.0))  # resume orphaned and due runs
        try:
            yield
        finally:
            worker.cancel()
            with contextlib.suppress(BaseException):
                await worker
            if own:
                await current.close()

    app = FastAPI(
        title="Mozaiks AI runtime",
        version=mozaiks_ai.__version__,
        description="Run durable AI workflows over HTTP, WebSocket and SSE.",
        lifespan=lifespan,
    )
    app.state.server_config = server
    app.state.authenticator = Authenticator(
        AuthConfig(
            tokens=server.tokens,
            jwt_secret=server.jwt_secret,
            jwks_url=server.jwks_url,
            issuer=server.jwt_issuer,
            audience=server.jwt_audience,
            app_id=runtime.app_id,
        )
    )
    if engine is not None:
        app.state.engine = engine
    install_error_handlers(app)

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, Any]:
        current: Engine = app.state.engine
        return {
            "status": "ok",
            "version": mozaiks_ai.__version__,
            "workflows": len(current.registry.workflows),
            "invalid_workflows": len(current.registry.invalid),
            "store": current.store.url.split("://")[0],
            "auth": server.auth_enabled,
        }

    for module in (workflows, agents, events, runs, artifacts):
        app.include_router(module.router)
    app.include_router(chat.router)
    mount_chatui(app)
    if server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(server.cors_origins),
            allow_credentials=False,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"],
            expose_headers=["Content-Disposition"],
        )
    app.add_middleware(RequestGuard, max_body_bytes=server.max_body_bytes)
    return app
