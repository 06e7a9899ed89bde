"""Request dependencies: the engine, the caller's identity, and tenancy checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from mozaiks_ai.api.auth import Authenticator, AuthError, Principal
from mozaiks_ai.config import ServerConfig
from mozaiks_ai.errors import RunNotFoundError
from mozaiks_ai.executor.engine import Engine
from mozaiks_ai.state.records import RunRecord

__all__ = [
    "CurrentEngine",
    "CurrentPrincipal",
    "CurrentServerConfig",
    "authenticate",
    "load_run",
    "scoped_key",
    "visible",
]


def get_engine(request: Request) -> Engine:
    """The engine of this server."""
    engine: Engine = request.app.state.engine
    return engine


#: What each scope of a scoped token allows: (method, path) of the one endpoint it opens.
SCOPED_ENDPOINTS: dict[tuple[str, str], str] = {
    ("POST", "/api/workflows/execute"): "workflows:execute",
    ("POST", "/api/events"): "events:publish",
}


def check_principal(
    authenticator: Authenticator, config: ServerConfig, authorization: str | None, endpoint: tuple[str, str] = ("", "")
) -> Principal:
    """Authenticate and apply the app allowlist (403 for other apps' tokens) and token scopes.

    Args:
        authenticator: The server's authenticator.
        config: Server settings (the app allowlist).
        authorization: The ``Authorization`` header.
        endpoint: ``(method, path)`` being called; a scoped token must hold the scope that opens it.
    """
    principal = authenticator.authenticate(authorization)
    if principal.kind == "jwt" and config.allowed_apps and principal.app_id not in config.allowed_apps:
        raise AuthError(f"tokens of app {principal.app_id!r} are not accepted by this runtime", status=403)
    if principal.scopes is not None:
        needed = SCOPED_ENDPOINTS.get(endpoint)
        if needed is None or needed not in principal.scopes:
            granted = " ".join(sorted(principal.scopes)) or "nothing"
            raise AuthError(f"this token is scoped to {granted}: it cannot call {' '.join(endpoint)}", status=403)
    return principal


def authenticate(request: Request) -> Principal:
    """The caller, from the ``Authorization`` header (never from the body)."""
    return check_principal(
        request.app.state.authenticator,
        request.app.state.server_config,
        request.headers.get("authorization"),
        (request.method, request.url.path),
    )


def get_server_config(request: Request) -> ServerConfig:
    """The server settings."""
    config: ServerConfig = request.app.state.server_config
    return config


CurrentEngine = Annotated[Engine, Depends(get_engine)]
CurrentServerConfig = Annotated[ServerConfig, Depends(get_server_config)]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def visible(run: RunRecord, principal: Principal) -> bool:
    """Whether ``principal`` may see ``run``: same app, and the same user for user tokens."""
    if run.app_id != principal.app_id:
        return False
    return principal.is_service or principal.user_id is None or run.user_id == principal.user_id


def scoped_key(principal: Principal, key: str | None) -> str | None:
    """An idempotency key (or event id) as stored: per user for user tokens.

    The store maps a key to one run per app; without this, a user sending another user's key would
    be handed that user's run (and, from ``execute``, its output).
    """
    if key is None or principal.is_service or principal.user_id is None:
        return key
    return f"user:{len(principal.user_id)}:{principal.user_id}:{key}"  # length-prefixed: unambiguous


async def load_run(engine: Engine, principal: Principal, run_id: str) -> RunRecord:
    """Return a run the caller may see; any other id is a 404 (other tenants' runs included)."""
    run = await engine.store.get_run(run_id, app_id=principal.app_id)
    if run is None or not visible(run, principal):
        raise RunNotFoundError(f"run {run_id} not found")
    return run
