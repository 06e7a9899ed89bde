"""Turning handler results and errors into responses."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse, Response

from .errors import MozaiksCoreError, RateLimitedError

__all__ = ["error_response", "to_response"]

log = logging.getLogger("mozaiks_core_runtime")


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
