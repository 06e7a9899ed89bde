"""The ``t=<unix time>,v1=<hex HMAC-SHA256("<t>.<body>")>`` webhook signature scheme.

This is Stripe's scheme; the sandbox provider signs its local webhooks with it and MozaiksPay uses it too, so one
verified implementation serves both. Comparison is constant-time and several ``v1`` values (secret rotation) are
accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

from mozaiks_core_runtime.payments.base import WebhookEvent
from mozaiks_core_runtime.payments.errors import WebhookVerificationError

__all__ = ["DEFAULT_TOLERANCE", "get_header", "parse_event", "sign", "signature_header", "verify"]

DEFAULT_TOLERANCE = 300
"""Seconds a signed timestamp stays acceptable (Stripe's default; SECURITY-TESTS 13)."""


def get_header(headers: Mapping[str, str], name: str) -> str | None:
    """Look up a header case-insensitively.

    Args:
        headers: The request headers.
        name: The header's name, any case.

    Returns:
        The header's value, or ``None``.
    """
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """Compute the hex ``v1`` signature of ``body`` at ``timestamp``.

    Args:
        secret: The shared webhook secret.
        body: The raw body.
        timestamp: Unix time of signing.

    Returns:
        The lowercase hex HMAC-SHA256.
    """
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    """Build a complete signature header value.

    Args:
        secret: The shared webhook secret.
        body: The raw body.
        timestamp: Unix time of signing.

    Returns:
        ``"t=<timestamp>,v1=<signature>"``.
    """
    return f"t={timestamp},v1={sign(secret, body, timestamp)}"


def verify(
    secret: str, header: str | None, body: bytes, *, now: float, tolerance: int = DEFAULT_TOLERANCE, provider: str
) -> int:
    """Verify a signature header against ``body``.

    Args:
        secret: The shared webhook secret.
        header: The signature header's value, or ``None`` if the request had none.
        body: The raw body, exactly as received.
        now: The current Unix time.
        tolerance: Maximum age of the signed timestamp, in seconds (also the allowed clock skew into the future).
        provider: The provider's name, for the error.

    Returns:
        The signed timestamp.

    Raises:
        WebhookVerificationError: The header is missing or malformed, no signature matches, or the timestamp is
            outside the tolerance.
    """
    if not header:
        raise WebhookVerificationError("missing webhook signature header", provider=provider)
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookVerificationError("malformed webhook signature header", provider=provider)
    expected = sign(secret, body, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookVerificationError("webhook signature does not match the body", provider=provider)
    if abs(now - timestamp) > tolerance:
        raise WebhookVerificationError("webhook timestamp is outside the tolerance window", provider=provider)
    return timestamp


def parse_event(body: bytes, *, provider: str) -> WebhookEvent:
    """Parse a verified ``{"id", "type", "created"?, "data"?}`` JSON body into a :class:`WebhookEvent`.

    Args:
        body: The verified raw body.
        provider: The provider's name.

    Returns:
        The event.

    Raises:
        WebhookVerificationError: The body is not a JSON object with string ``id`` and ``type``.
    """
    try:
        payload = json.loads(body)
    except ValueError:
        raise WebhookVerificationError("webhook body is not valid JSON", provider=provider) from None
    if not isinstance(payload, dict):
        raise WebhookVerificationError("webhook body is not a JSON object", provider=provider)
    event_id, event_type = payload.get("id"), payload.get("type")
    if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str) or not event_type:
        raise WebhookVerificationError("webhook event has no string 'id' and 'type'", provider=provider)
    data = payload.get("data")
    created = payload.get("created")
    return WebhookEvent(
        id=event_id,
        type=event_type,
        provider=provider,
        data=data if isinstance(data, dict) else {},
        created=created if isinstance(created, int) else None,
    )
