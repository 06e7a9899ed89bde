"""Test helpers for payments (a module with a unique name: both test folders are rootdir-less)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class User:
    """A user as auth would hand it to payments."""

    id: str = "user_1"
    email: str | None = "ada@example.com"


@dataclass
class Recorded:
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
