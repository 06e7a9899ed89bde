"""Map errors to JSON answers ``{"error": "…", "details": …}``; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from mozaiks_ai.api.auth import AuthError
from mozaiks_ai.errors import (
    ConfigurationError,
    DefinitionError,
    ExportError,
    InputValidationError,
    MozaiksError,
    RunNotFoundError,
    RunStateError,
    WorkflowNotFoundError,
)

__all__ = ["error_response", "install_error_handlers"]

logger = logging.getLogger("mozaiks_ai.api")


def error_response(status: int, error: str, details: Any = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """Build the JSON error answer."""
    body: dict[str, Any] = {"error": error}
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def _status_of(exc: MozaiksError) -> int:
    if isinstance(exc, AuthError):
        return exc.status
    if isinstance(exc, WorkflowNotFoundError | RunNotFoundError):
        return 404
    if isinstance(exc, InputValidationError | DefinitionError | ExportError):
        return 400
    if isinstance(exc, RunStateError):
        return 409
    if isinstance(exc, ConfigurationError):
        return 503
    return 500


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    async def mozaiks_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, MozaiksError)
        status = _status_of(exc)
        details = exc.errors if isinstance(exc, InputValidationError) else None
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if status >= 500:
            logger.error("%s %s failed: %s", request.method, request.url.path, exc)
        return error_response(status, str(exc), details, headers)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        decode = [e for e in exc.errors() if e.get("type") == "json_invalid"]
        if decode:
            reason = (decode[0].get("ctx") or {}).get("error", "invalid JSON")
            return error_response(400, f"malformed JSON body: {reason}")
        details = [
            {"field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"), "error": err.get("msg", "")}
            for err in exc.errors()
        ]
        summary = "; ".join(f"{d['field'] or 'body'}: {d['error']}" for d in details[:5])
        return error_response(400, f"invalid request: {summary}", details)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return error_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; the server log has the details")

    app.add_exception_handler(MozaiksError, mozaiks_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
