"""The request object handlers receive, with the JSON body already parsed and checked as ``request.data``."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request as StarletteRequest

from .errors import MalformedBodyError, PayloadTooLargeError

__all__ = ["Request", "read_body", "read_json_body"]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _depth_ok(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return True


async def read_body(request: StarletteRequest, max_bytes: int) -> bytes:
    """Read the raw body, refusing more than ``max_bytes`` by ``Content-Length`` or while streaming (chunked).

    Raises:
        PayloadTooLargeError: The body is larger than ``max_bytes``.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLargeError(f"request body larger than {max_bytes} bytes", details={"limit": max_bytes})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLargeError(f"request body larger than {max_bytes} bytes", details={"limit": max_bytes})
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json_body(request: StarletteRequest, max_bytes: int, max_depth: int) -> dict[str, Any]:
    """Read and parse the body as a JSON object, enforcing size (declared and streamed) and depth.

    Args:
        request: The incoming request.
        max_bytes: Largest body accepted.
        max_depth: Deepest nesting accepted.

    Returns:
        The object; ``{}`` for methods without a body or an empty body.

    Raises:
        PayloadTooLargeError: Larger than ``max_bytes`` by ``Content-Length`` or while streaming (chunked).
        MalformedBodyError: Not JSON, not an object, or nested deeper than ``max_depth``.
    """
    if request.method not in _BODY_METHODS:
        return {}
    raw = await read_body(request, max_bytes)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except RecursionError:
        raise MalformedBodyError(f"JSON nested deeper than {max_depth} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedBodyError(f"malformed JSON body: {exc}") from None
    if not isinstance(data, dict):
        raise MalformedBodyError("the JSON body must be an object")
    if not _depth_ok(data, max_depth):
        raise MalformedBodyError(f"JSON nested deeper than {max_depth} levels")
    return data


class Request:
    """What a handler receives.

    Attributes:
        data: The JSON body as a ``dict`` (``{}`` when there is none).
        raw: The underlying Starlette request.
    """

    def __init__(self, raw: StarletteRequest, data: dict[str, Any]) -> None:
        self.raw = raw
        self.data = data

    @property
    def method(self) -> str:
        """HTTP method."""
        return self.raw.method

    @property
    def path(self) -> str:
        """URL path."""
        return self.raw.url.path

    @property
    def path_params(self) -> dict[str, Any]:
        """Values of the path's ``{placeholders}``."""
        return dict(self.raw.path_params)

    @property
    def query(self) -> QueryParams:
        """Query-string parameters."""
        return self.raw.query_params

    @property
    def headers(self) -> Headers:
        """Request headers."""
        return self.raw.headers

    @property
    def client_ip(self) -> str:
        """The client's address (as seen by the server)."""
        return self.raw.client.host if self.raw.client else ""

    def json(self) -> dict[str, Any]:
        """Return :attr:`data` (for code written against other frameworks)."""
        return self.data
