"""A local HTTP peer that records raw requests and answers with a callable, for the payments and telemetry tests.

(``core_harness.serve_peer`` is the mozaiks-ai stand-in: it parses JSON bodies and queues status codes.)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

__all__ = ["HttpPeer", "NoNetworkTransport", "Recorded", "serve_recording_peer"]


@dataclass
class Recorded:
    """One request the peer received (body as raw bytes)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Responder = Callable[[Recorded], tuple[int, Any]]


@dataclass
class HttpPeer:
    """A real HTTP server on 127.0.0.1 that records requests and answers with ``respond``."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    respond: Responder = lambda _request: (200, {})


class NoNetworkTransport(httpx.AsyncBaseTransport):
    """Fails the test on any request: proves that nothing leaves the machine."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise AssertionError(f"unexpected outbound request: {request.method} {request.url}")


@contextmanager
def serve_recording_peer() -> Iterator[HttpPeer]:
    """Run an :class:`HttpPeer` on a free port of 127.0.0.1 until the block ends."""
    peer = HttpPeer(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            recorded = Recorded(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
            )
            peer.requests.append(recorded)
            status, answer = peer.respond(recorded)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
