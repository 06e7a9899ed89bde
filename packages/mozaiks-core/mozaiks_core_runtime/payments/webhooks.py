"""Framework-independent webhook handling: verify, de-duplicate, apply.

:func:`handle_webhook` takes the raw headers and body and returns ``(status, json)``, so the App mounts it on any
framework (``POST /api/payments/webhook/{provider}``):

- a missing or invalid signature, a body changed after signing or a timestamp older than 300 s → ``400``;
- a provider disabled in this hosting mode → ``404``;
- an event id already processed → ``200`` with ``"duplicate": true`` and no second side effect;
- a handler that fails → ``500`` and the id is released, so the provider's retry is processed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from mozaiks_core_runtime.payments.base import PaymentProvider, WebhookEvent, WebhookEventApplier
from mozaiks_core_runtime.payments.errors import PaymentsDisabledError, WebhookVerificationError
from mozaiks_core_runtime.payments.store import ProcessedEvents

__all__ = ["WebhookHandler", "WebhookResponse", "handle_webhook"]

logger = logging.getLogger(__name__)

WebhookHandler = Callable[[WebhookEvent], Awaitable[None]]
"""An application callback run once per verified, first-seen event (after the provider's own state update)."""

WebhookResponse = tuple[int, dict[str, Any]]
"""``(HTTP status, JSON body)``."""


async def handle_webhook(
    provider: PaymentProvider,
    headers: Mapping[str, str],
    body: bytes,
    *,
    processed: ProcessedEvents,
    handlers: Sequence[WebhookHandler] = (),
) -> WebhookResponse:
    """Verify one webhook delivery and process it at most once.

    Args:
        provider: The provider the route names.
        headers: The request headers (any case).
        body: The raw request body, exactly as received.
        processed: The de-duplication ledger.
        handlers: Application callbacks, run in order after the provider applied the event.

    Returns:
        The response to send.
    """
    try:
        event = await provider.verify_webhook(headers, body)
    except WebhookVerificationError as exc:
        return 400, {"error": str(exc), "details": {"provider": provider.name}}
    except PaymentsDisabledError as exc:
        return 404, {"error": str(exc), "details": {"provider": provider.name}}
    key = f"{provider.name}:{event.id}"
    if not await processed.claim(key):
        return 200, {"received": True, "duplicate": True, "id": event.id}
    try:
        if isinstance(provider, WebhookEventApplier):
            await provider.apply_event(event)
        for handler in handlers:
            await handler(event)
    except Exception:
        await processed.release(key)
        logger.exception("processing webhook event %s from %s failed", event.id, provider.name)
        return 500, {"error": "webhook processing failed", "details": {"provider": provider.name, "id": event.id}}
    except BaseException:
        await processed.release(key)
        raise
    return 200, {"received": True, "duplicate": False, "id": event.id}
