"""Turning handler results and errors into responses; security headers on every response."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import MozaiksCoreError, RateLimitedError

__all__ = ["SecurityHeadersMiddleware", "error_response", "to_response"]

log = logging.getLogger("mozaiks_core_runtime")

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def to_response(result: Any) -> Response:
    """Convert what a handler returned into a response.

    ``dict``/``list`` → JSON 200, ``(body, status)`` → JSON with that status, ``None`` → 204, a Starlette
    ``Response`` as is.

    Raises:
        TypeError: Anything else (a bug in the handler, reported as 500).
    """
    if isinstance(result, Response):
        return result
    status = 200
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], int):
        result, status = result
    if result is None:
        return Response(status_code=204 if status == 200 else status)
    if isinstance(result, Mapping | list):
        return JSONResponse(dict(result) if isinstance(result, Mapping) else result, status_code=status)
    raise TypeError(f"handler returned {type(result).__name__}: return a dict, a list, None or a Response")


def error_response(exc: BaseException) -> Response:
    """Return the JSON error response for ``exc``; unexpected errors are logged and never leak details."""
    if isinstance(exc, MozaiksCoreError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
        if exc.status_code == 401:
            headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
        return JSONResponse(exc.to_json(), status_code=exc.status_code, headers=headers)
    log.error("unhandled error in handler", exc_info=exc)
    return JSONResponse({"error": "internal server error"}, status_code=500)


class SecurityHeadersMiddleware:
    """Adds conservative security headers (and HSTS in production) to every HTTP response.

    Args:
        app: The wrapped ASGI app.
        hsts: Add ``Strict-Transport-Security``.
    """

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*_HEADERS, *([(b"strict-transport-security", b"max-age=31536000")] if hsts else [])]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
