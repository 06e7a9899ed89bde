"""The one middleware every response passes through: security headers, and the request in Prometheus metrics.

One ASGI layer does both (rather than one middleware each) because every layer wraps ``send`` again, and on the
hot path of a small JSON handler those wrappers cost as much as the routing itself.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .telemetry.metrics import Metrics

__all__ = ["SECURITY_HEADERS", "EdgeMiddleware"]

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_HSTS = (b"strict-transport-security", b"max-age=31536000")


class EdgeMiddleware:
    """Adds security headers to every HTTP response and records the request in :class:`Metrics`.

    Headers the response already set are kept; requests are labelled by their route *template* (``unmatched``
    for 404s).

    Args:
        app: The wrapped ASGI app.
        metrics: Where requests are counted and timed.
        hsts: Add ``Strict-Transport-Security`` (production).
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, hsts: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.headers = [*SECURITY_HEADERS, *((_HSTS,) if hsts else ())]
        self._names = frozenset(name for name, _ in self.headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_edge(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers if name.lower() in self._names}
                headers.extend(h for h in self.headers if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_edge)
        finally:
            # Starlette's router stores the matched route in the (shared) scope; its ``path`` is the template.
            template = getattr(scope.get("route"), "path", None)
            self.metrics.observe_request(scope["method"], template or "unmatched", status, time.perf_counter() - start)
