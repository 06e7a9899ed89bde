"""Turn the exceptions of the ``openai`` and ``anthropic`` SDKs into our errors.

Both SDKs share one exception layout (``APIStatusError`` with ``status_code``, ``response`` and
``body``; ``APITimeoutError`` under ``APIConnectionError``) and one HTTP client (``httpx2``, whose
transport errors may escape while a stream is read), so one translation serves both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mozaiks_ai.errors import ModelError
from mozaiks_ai.models._retry import Backoff, RetryableError, parse_retry_after, retry_call

if TYPE_CHECKING:
    from mozaiks_ai.models.base import ModelResponse, OnToken

__all__ = ["is_retryable_status", "redact", "stream_with_retries", "translate_sdk_error"]

_MAX_DETAIL = 500


def is_retryable_status(status: int) -> bool:
    """Whether an HTTP status is worth retrying: 408, 409 (lock timeouts), 429 and 5xx."""
    return status in (408, 409, 429) or status >= 500


def redact(text: str, secret: str | None) -> str:
    """Replace ``secret`` (an API key) in ``text`` with ``***``."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text


def _detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
    if isinstance(body, str) and body.strip():
        return body.strip()
    return str(getattr(exc, "message", "") or exc)


def translate_sdk_error(exc: Exception, sdk: ModuleType, *, where: str, secret: str | None) -> Exception:
    """Return the error to raise (or retry) for an exception of an SDK call.

    Args:
        exc: What the SDK raised.
        sdk: The SDK module (``openai`` or ``anthropic``), for its exception classes.
        where: Names the call in messages: ``openai model 'gpt-4o-mini'``.
        secret: The API key, never to appear in a message.

    Returns:
        A :class:`RetryableError` (429, 5xx, connection failures) or a :class:`ModelError`.
    """
    import httpx2  # the SDKs' HTTP client; its errors can escape a stream being read

    if isinstance(exc, sdk.APITimeoutError | httpx2.TimeoutException):
        return ModelError(f"{where}: timeout: the server did not answer in time")
    if isinstance(exc, httpx2.TransportError):
        return RetryableError(ModelError(redact(f"{where}: connection failed: {exc}", secret)))
    if isinstance(exc, sdk.APIStatusError):
        status = int(exc.status_code)
        error = ModelError(redact(f"{where}: HTTP {status}: {_detail(exc)[:_MAX_DETAIL]}", secret))
        if is_retryable_status(status):
            return RetryableError(error, parse_retry_after(exc.response.headers))
        return error
    if isinstance(exc, sdk.APIConnectionError):
        cause = exc.__cause__ or exc
        return RetryableError(ModelError(redact(f"{where}: connection failed: {cause}", secret)))
    if isinstance(exc, sdk.APIError):  # an error event inside a stream
        return ModelError(redact(f"{where}: {_detail(exc)[:_MAX_DETAIL]}", secret))
    return ModelError(redact(f"{where}: {type(exc).__name__}: {exc}", secret))


async def stream_with_retries(
    stream: Callable[[OnToken], Awaitable[ModelResponse]],
    on_token: OnToken | None,
    *,
    sdk: ModuleType,
    errors: tuple[type[BaseException], ...],
    where: str,
    timeout: float,
    secret: str | None,
    backoff: Backoff,
) -> ModelResponse:
    """Run one streamed SDK call with a whole-answer timeout, retrying what may be retried.

    Nothing is retried once text has reached ``on_token``: a consumer never sees the same text twice.
    """
    streamed = False

    def emit(piece: str) -> None:
        nonlocal streamed
        streamed = True
        if on_token is not None:
            on_token(piece)

    async def attempt() -> ModelResponse:
        try:
            async with asyncio.timeout(timeout):
                return await stream(emit)
        except TimeoutError:
            raise ModelError(f"{where}: no complete answer within {timeout:g}s (timeout)") from None
        except errors as exc:
            assert isinstance(exc, Exception)
            error = translate_sdk_error(exc, sdk, where=where, secret=secret)
            if isinstance(error, RetryableError) and streamed:
                raise error.error from exc
            raise error from exc

    return await retry_call(attempt, backoff)
