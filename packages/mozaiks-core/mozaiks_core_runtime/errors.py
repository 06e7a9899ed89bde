"""Exceptions raised by mozaiks-core.

Every error the runtime raises on purpose derives from :class:`MozaiksCoreError`. Errors that reach an HTTP
client carry ``status_code`` and become ``{"error": message, "details": …}``::

    MozaiksCoreError                 500
    ├── ConfigurationError           settings are missing, invalid or too weak for production
    ├── RequestError                 400  the request cannot be processed as sent
    │   ├── MalformedBodyError       400  body is not a JSON object, or nested too deeply
    │   └── PayloadTooLargeError     413  body is larger than ``MOZAIKS_MAX_BODY_BYTES``
    ├── AuthError                    401  no, malformed, expired or forged credentials
    │   ├── ForbiddenError           403  authenticated, but not allowed (missing role)
    │   └── RateLimitedError         429  too many attempts; carries ``retry_after`` seconds
    ├── DatabaseError                500  the document store failed or is misconfigured
    │   ├── InvalidFilterError       400  a filter uses an unknown operator, a ``$`` key or a bad field name
    │   ├── ImmutableFieldError      400  an update tried to change ``id``, the owner field or ``created_at``
    │   ├── ConflictError            409  a document with that id already exists / a concurrent update won
    │   └── NotFoundError            404  no such document *for this caller* (other users' documents included)
    └── WorkflowClientError          502  mozaiks-ai could not be reached or refused a call

A missing optional extra raises :class:`MissingExtraError`, an ``ImportError`` naming the extra.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AuthError",
    "ConfigurationError",
    "ConflictError",
    "DatabaseError",
    "ForbiddenError",
    "ImmutableFieldError",
    "InvalidFilterError",
    "MalformedBodyError",
    "MissingExtraError",
    "MozaiksCoreError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RateLimitedError",
    "RequestError",
    "WorkflowClientError",
]


class MozaiksCoreError(Exception):
    """Root of every error mozaiks-core raises on purpose.

    Args:
        message: A human-readable explanation, safe to show to an API client.
        details: Optional structured context (field names, limits…), also shown to the client.
    """

    status_code: ClassVar[int] = 500

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_json(self) -> dict[str, Any]:
        """Return the JSON body an HTTP client receives for this error."""
        body: dict[str, Any] = {"error": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class ConfigurationError(MozaiksCoreError):
    """The runtime's configuration is invalid, incomplete or too weak for production."""


class RequestError(MozaiksCoreError):
    """The request cannot be processed as sent."""

    status_code = 400


class MalformedBodyError(RequestError):
    """The body is not valid JSON, not a JSON object, or nested too deeply."""


class PayloadTooLargeError(RequestError):
    """The body exceeds the configured size limit."""

    status_code = 413


class AuthError(MozaiksCoreError):
    """Credentials are missing, malformed, expired or forged."""

    status_code = 401


class ForbiddenError(AuthError):
    """The caller is authenticated but lacks a required role or scope."""

    status_code = 403


class RateLimitedError(AuthError):
    """Too many attempts; retry after ``retry_after`` seconds.

    Args:
        message: Explanation for the client.
        retry_after: Seconds until the next attempt may succeed.
    """

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class DatabaseError(MozaiksCoreError):
    """The document store failed or is misconfigured."""


class InvalidFilterError(DatabaseError):
    """A filter, sort or field name is not allowed (unknown operator, ``$`` key, SQL fragment…)."""

    status_code = 400


class ImmutableFieldError(DatabaseError):
    """An update tried to change a field that never changes (``id``, owner, ``created_at``)."""

    status_code = 400


class ConflictError(DatabaseError):
    """The write conflicts with existing data (duplicate id, lost optimistic-concurrency race)."""

    status_code = 409


class NotFoundError(DatabaseError):
    """No such document for this caller; other users' documents are reported the same way."""

    status_code = 404


class WorkflowClientError(MozaiksCoreError):
    """mozaiks-ai could not be reached, or refused the call.

    Args:
        message: What failed.
        status: The HTTP status mozaiks-ai answered with, if any.
        details: The body mozaiks-ai answered with, if any.
    """

    status_code = 502

    def __init__(self, message: str, *, status: int | None = None, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.status = status


class MissingExtraError(MozaiksCoreError, ImportError):
    """An optional dependency is not installed; the message names the extra to install.

    Args:
        extra: Name of the extra, e.g. ``postgres``.
        package: The missing import.
    """

    def __init__(self, extra: str, package: str) -> None:
        super().__init__(f"{package} is not installed: pip install 'mozaiks-core-runtime[{extra}]'")
        self.extra = extra
