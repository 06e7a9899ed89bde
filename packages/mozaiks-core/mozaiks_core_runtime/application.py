"""``App``: the ASGI application of a generated backend, built on Starlette.

::

    app = App("task-tracker")

    @app.post("/api/tasks")
    @auth.require_user
    def create_task(request): ...

Sync handlers run in a threadpool, async ones on the event loop. Handlers receive a :class:`Request` whose
``data`` is the parsed JSON body; they return a dict or list (JSON), ``(body, status)``, ``None`` (204) or a
Starlette response. Errors become ``{"error": …}`` with the right status and never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ._edge import EdgeMiddleware
from ._identity import RequestState, use_state
from ._integrations import register_integration_routes
from ._request import Request, read_json_body
from ._responses import error_response, to_response
from ._runtime import Runtime, set_latest, use_runtime
from .auth._provider import register_auth_routes
from .config import Settings
from .docdb import Database, transaction
from .errors import ConfigurationError
from .plugins.registry import PluginRegistry
from .telemetry import insights as insights_module

__all__ = ["App", "Hook"]

log = logging.getLogger("mozaiks_core_runtime")

F = TypeVar("F", bound=Callable[..., Any])
Hook = Callable[[], Awaitable[None] | None]


class App:
    """A mozaiks-core application (an ASGI app: hand it to uvicorn or ``mozaiks-core serve``).

    Settings are read from the environment and ``.env`` (see :mod:`mozaiks_core_runtime.config`) and checked
    at once: weak production configuration raises :class:`ConfigurationError` naming what to set.

    Args:
        name: The app's name (default ``MOZAIKS_APP_ID``).
        settings: Explicit settings instead of the environment (tests).
        env_file: The ``.env`` file to read (``None`` to skip).
        database: A database to use instead of ``settings.db_url`` (tests).
        builtin_auth: Serve the email/password provider under ``/api/auth`` (default: when a
            ``MOZAIKS_JWT_SECRET`` is available).
        plugins_dir: The app's local plugins folder (default: ``plugins/`` next to the file that creates the App).
        load_plugins: Load plugins from the ``mozaiks_core_runtime.plugins`` entry points and ``plugins_dir``.

    Attributes:
        on_startup: Hooks run (in order) when the server starts; sync or async callables.
        on_shutdown: Hooks run (in order) when the server stops.
    """

    def __init__(
        self,
        name: str,
        *,
        settings: Settings | None = None,
        env_file: str | Path | None = ".env",
        database: Database | None = None,
        builtin_auth: bool | None = None,
        plugins_dir: str | Path | None = None,
        load_plugins: bool = True,
    ) -> None:
        self.name = name
        self.settings = settings or Settings.from_env(name, env_file=env_file)
        self.settings.check()
        if self.settings.generated_secret:
            log.warning("MOZAIKS_JWT_SECRET is not set: using a random secret; tokens end with this process")
        self.runtime = Runtime(self.settings, database=database)
        self.on_startup: list[Hook] = []
        self.on_shutdown: list[Hook] = []
        self._routes: list[BaseRoute] = []
        self._middleware: list[Middleware] = []
        self._asgi: Starlette | None = None
        self._background: list[asyncio.Task[None]] = []
        set_latest(self.runtime)
        if load_plugins:
            plugins = PluginRegistry()
            plugins.load_entry_points()
            folder = Path(plugins_dir) if plugins_dir is not None else _caller_dir() / "plugins"
            plugins.load_folder(folder)
            self.runtime.install_plugins(plugins)
        self.add_route("/health", self._health, methods=["GET"])
        self.add_route("/ready", self._ready, methods=["GET"])
        if builtin_auth if builtin_auth is not None else bool(self.settings.jwt_secret):
            register_auth_routes(self)
        register_integration_routes(self)

    @property
    def plugins(self) -> PluginRegistry:
        """The plugins this app loaded."""
        return self.runtime.plugins

    # -- routing -------------------------------------------------------------------------------------------
    def route(self, path: str, methods: Sequence[str]) -> Callable[[F], F]:
        """Return a decorator registering a handler for ``path`` and ``methods``."""

        def decorate(handler: F) -> F:
            self.add_route(path, handler, methods=methods)
            return handler

        return decorate

    def get(self, path: str) -> Callable[[F], F]:
        """Register a ``GET`` handler."""
        return self.route(path, ["GET"])

    def post(self, path: str) -> Callable[[F], F]:
        """Register a ``POST`` handler."""
        return self.route(path, ["POST"])

    def put(self, path: str) -> Callable[[F], F]:
        """Register a ``PUT`` handler."""
        return self.route(path, ["PUT"])

    def patch(self, path: str) -> Callable[[F], F]:
        """Register a ``PATCH`` handler."""
        return self.route(path, ["PATCH"])

    def delete(self, path: str) -> Callable[[F], F]:
        """Register a ``DELETE`` handler."""
        return self.route(path, ["DELETE"])

    def add_route(self, path: str, handler: Callable[..., Any], *, methods: Sequence[str] = ("GET",)) -> None:
        """Register a handler (sync or async) taking the :class:`Request` and optional path parameters.

        Raises:
            ConfigurationError: The app is already serving requests.
        """
        self._check_open()
        self._routes.append(Route(path, partial(self._endpoint, _HandlerCall(handler)), methods=list(methods)))

    def add_raw_route(
        self, path: str, endpoint: Callable[[StarletteRequest], Awaitable[Response]], *, methods: Sequence[str]
    ) -> None:
        """Register a bare Starlette endpoint: no JSON parsing, no request identity (webhooks, metrics)."""
        self._check_open()
        self._routes.append(Route(path, endpoint, methods=list(methods)))

    def mount(self, path: str, app: ASGIApp, *, name: str | None = None) -> None:
        """Mount another ASGI app (static files, a sub-application…) under ``path``."""
        self._check_open()
        self._routes.append(Mount(path, app=app, name=name))

    def add_middleware(self, cls: Any, **options: Any) -> None:
        """Wrap the app in an ASGI middleware (innermost first)."""
        self._check_open()
        self._middleware.append(Middleware(cls, **options))

    def _check_open(self) -> None:
        if self._asgi is not None:
            raise ConfigurationError("routes and middleware must be added before the app serves requests")

    # -- request handling ----------------------------------------------------------------------------------
    async def _endpoint(self, call: _HandlerCall, raw: StarletteRequest) -> Response:
        client = raw.client.host if raw.client else ""
        state = RequestState(partial(self.runtime.authenticate, raw.headers), client=client)
        with use_runtime(self.runtime), use_state(state):
            try:
                data = await read_json_body(raw, self.settings.max_body_bytes, self.settings.max_json_depth)
                request = Request(raw, data)
                if call.is_async:
                    return to_response(await call(request, raw.path_params))
                # The whole transaction (first write … commit) happens in this one worker thread.
                response: Response = await run_in_threadpool(call.run_in_transaction, request, raw.path_params)
                return response
            except Exception as exc:
                return error_response(exc)

    def _health(self, request: Request) -> dict[str, Any]:
        return {"status": "ok", "app": self.settings.app_id, "mode": self.settings.mode}

    def _ready(self, request: Request) -> Any:
        try:
            self.runtime.db.ping()
        except Exception as exc:
            log.warning("readiness check failed: %s", exc)
            return {"status": "unavailable", "checks": {"database": "unreachable"}}, 503
        return {"status": "ready", "checks": {"database": "ok"}}

    # -- ASGI ----------------------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def lifespan(self, _app: object = None) -> AsyncIterator[None]:
        """Open the database, start the event sender and the insights pusher, run hooks; undo all of it on exit."""
        runtime = self.runtime
        with use_runtime(runtime):
            await run_in_threadpool(runtime.db.open)
            await runtime.outbox.start()
            insights_module.bind(runtime.insights)
            self._background.append(asyncio.create_task(runtime.insights.run(), name="mozaiks-core-insights"))
            await _run_hooks(self.on_startup)
            try:
                yield
            finally:
                try:
                    await _run_hooks(self.on_shutdown)
                finally:
                    tasks, self._background = self._background, []
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                    try:
                        await runtime.insights.aclose()  # flushes what is pending (managed mode only)
                    except Exception:
                        log.exception("flushing insights on shutdown failed")
                    if insights_module.current() is runtime.insights:
                        insights_module.bind(None)
                    await runtime.payments.aclose()
                    await runtime.outbox.stop()
                    await run_in_threadpool(runtime.db.close)

    def build(self) -> Starlette:
        """Build (once) and return the underlying Starlette app; routes are frozen from then on."""
        if self._asgi is None:
            cors = self.settings.cors_origins or (
                ("http://localhost:5173", "http://127.0.0.1:5173") if self.settings.env == "development" else ()
            )
            middleware = [
                Middleware(EdgeMiddleware, metrics=self.runtime.metrics, hsts=self.settings.env == "production")
            ]
            if cors:  # no allowlist, no CORS layer: browsers then refuse every cross-origin call
                middleware.append(
                    Middleware(
                        CORSMiddleware,
                        allow_origins=list(cors),
                        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                        allow_headers=["Authorization", "Content-Type", "X-API-Key", "Idempotency-Key"],
                        expose_headers=["Retry-After"],  # browsers may then read how long to wait after a 429
                        max_age=600,
                    )
                )
            middleware += self._middleware
            self._asgi = Starlette(
                routes=self._routes,
                middleware=middleware,
                lifespan=self.lifespan,
                exception_handlers={HTTPException: _http_error},
            )
        return self._asgi

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (builds the Starlette app on first use)."""
        await self.build()(scope, receive, send)


class _HandlerCall:
    """A handler with how to call it, worked out once at registration (not per request).

    A handler takes the :class:`Request` as its first argument (or nothing at all) and, by keyword, whichever
    path parameters it names.
    """

    def __init__(self, handler: Callable[..., Any]) -> None:
        self.handler = handler
        self.is_async = inspect.iscoroutinefunction(handler)
        try:
            params = inspect.signature(handler).parameters
        except (TypeError, ValueError):
            self.takes_request, self.names = True, frozenset[str]()
        else:
            self.takes_request, self.names = bool(params), frozenset(params)

    def __call__(self, request: Request, path_params: dict[str, Any]) -> Any:
        if not self.takes_request:
            return self.handler()
        if not path_params:
            return self.handler(request)
        return self.handler(request, **{k: v for k, v in path_params.items() if k in self.names})

    def run_in_transaction(self, request: Request, path_params: dict[str, Any]) -> Response:
        """Call a sync handler in a transaction, build its response, then commit — all in this worker thread.

        The response is built before the commit, so a handler returning something that is not JSON rolls back
        instead of answering 500 after its writes were kept.
        """
        with transaction():
            return to_response(self(request, path_params))


def _caller_dir() -> Path:
    """The directory of the first file outside this package on the stack (the app's ``main.py``)."""
    frame = sys._getframe(1)
    here = Path(__file__).resolve().parent
    while frame is not None:
        name = frame.f_globals.get("__file__")
        if name and here not in Path(name).resolve().parents:
            return Path(name).resolve().parent
        frame = frame.f_back  # type: ignore[assignment]
    return Path.cwd()


async def _run_hooks(hooks: list[Hook]) -> None:
    for hook in hooks:
        result = hook()
        if inspect.isawaitable(result):
            await result


async def _http_error(request: StarletteRequest, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
