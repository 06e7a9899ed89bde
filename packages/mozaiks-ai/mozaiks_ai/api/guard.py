"""ASGI middleware that guards every HTTP request before the application sees it.

* Bodies larger than the limit are refused with 413, whether announced by ``Content-Length`` or
  streamed with chunked transfer encoding (bytes are counted as they arrive).
* JSON bodies nested deeper than :data:`MAX_JSON_DEPTH` are refused with 400 before parsing.
* Security headers are added to every response.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "RequestGuard", "json_depth_exceeds"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_JSON_DEPTH = 64
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_CSP = (
    b"default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    b"script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests objects/arrays deeper than ``limit`` (strings are skipped)."""
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


async def _reply(send: Send, status: int, error: str) -> None:
    payload = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
                *_HEADERS,
                (b"content-security-policy", _CSP),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class RequestGuard:
    """Body-size and JSON-depth limits plus security headers.

    Args:
        app: The wrapped ASGI application.
        max_body_bytes: Largest accepted request body.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        problem = self._declared_size_problem(headers.get(b"content-length"))
        if problem is not None:
            await _reply(send, *problem)
            return
        body = await self._read_body(receive, send)
        if body is None:
            return
        if body and b"json" in headers.get(b"content-type", b"").lower() and json_depth_exceeds(body):
            await _reply(send, 400, f"JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _HEADERS if k not in existing]
                if not path.startswith(("/docs", "/redoc")) and b"content-security-policy" not in existing:
                    extra.append((b"content-security-policy", _CSP))
                if path.startswith("/api/") and b"cache-control" not in existing:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, replay, send_with_headers)

    def _declared_size_problem(self, declared: bytes | None) -> tuple[int, str] | None:
        """Check ``Content-Length`` before reading anything."""
        if declared is None:
            return None
        try:
            size = int(declared)
        except ValueError:
            return 400, "invalid Content-Length header"
        if size > self.max_body_bytes:
            return 413, f"request body is larger than {self.max_body_bytes} bytes"
        return None

    async def _read_body(self, receive: Receive, send: Send) -> bytes | None:
        """Read the whole body, counting bytes as they stream in; ``None`` once answered (413) or gone."""
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > self.max_body_bytes:
                await _reply(send, 413, f"request body is larger than {self.max_body_bytes} bytes")
                return None
        return bytes(body)
