"""Test helpers: a recording HTTP peer (stands in for mozaiks-ai) and token minting."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt


@dataclass
class Recorded:
    """One request the peer received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class HttpPeer:
    """A local HTTP server recording requests; ``statuses`` queues the status codes of the next answers."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    reply: dict[str, Any] = field(default_factory=lambda: {"run_id": "r1", "status": "succeeded", "output": {}})
    expected_token: str | None = None
    """When set, requests without ``Authorization: Bearer <expected_token>`` get 401 (and are still recorded)."""

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Recorded]:
        """Wait until ``count`` requests arrived; return them."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
            time.sleep(0.02)
        return list(self.requests)


@contextmanager
def serve_peer() -> Iterator[HttpPeer]:
    """Run an :class:`HttpPeer` on a free port of 127.0.0.1."""
    peer_ref: list[HttpPeer] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            peer = peer_ref[0]
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            peer.requests.append(
                Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status = peer.statuses.pop(0) if peer.statuses else (202 if self.path == "/api/events" else 200)
            if peer.expected_token is not None and self.headers.get("authorization") != f"Bearer {peer.expected_token}":
                status = 401
            payload = json.dumps(peer.reply if status < 400 else {"error": "peer says no"}).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer_ref.append(HttpPeer(f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer_ref[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def mint(secret: Any, *, alg: str = "HS256", headers: dict[str, Any] | None = None, **claims: Any) -> str:
    """Sign a token with defaults matching the test app (``sub`` u1, app ``test-app``, valid for 5 minutes)."""
    now = int(time.time())
    body: dict[str, Any] = {
        "sub": "u1",
        "iss": "mozaiks-core:test-app",
        "aud": "test-app",
        "iat": now,
        "exp": now + 300,
        "typ": "access",
        "roles": [],
    }
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, secret, algorithm=alg, headers=headers)
