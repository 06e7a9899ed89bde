"""The ``stripe`` payment provider, on the official ``stripe`` library.

Checkout creates a subscription-mode Checkout Session (``client_reference_id`` and ``metadata`` carry the user and
plan); webhooks are verified with the library's :meth:`stripe.WebhookSignature.verify_header` (what
:meth:`stripe.Webhook.construct_event` runs) and a 300 s tolerance, and the events below
keep the local subscription record (a :class:`~mozaiks_core_runtime.payments.store.PaymentStore`) current:

- ``checkout.session.completed``: the user's subscription becomes ``active``;
- ``customer.subscription.created`` / ``updated`` / ``deleted``: its status follows Stripe's.

Each provider owns a :class:`stripe.StripeClient` (its own key, base URL and HTTP client) rather than setting
``stripe.api_key`` / ``stripe.api_base``: process-wide library globals would be shared by every app and test in the
process.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from mozaiks_core_runtime.payments import _signing
from mozaiks_core_runtime.payments._stripe_http import ContentHTTPXClient
from mozaiks_core_runtime.payments.base import Checkout, PaymentUser, Subscription, SubscriptionStatus, WebhookEvent
from mozaiks_core_runtime.payments.config import StripeConfig
from mozaiks_core_runtime.payments.errors import MissingExtraError, PaymentProviderError, WebhookVerificationError
from mozaiks_core_runtime.payments.store import InMemoryPaymentStore, PaymentStore

try:
    import stripe
    from stripe.params.checkout import SessionCreateParams
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("stripe", "stripe") from exc

__all__ = ["SIGNATURE_HEADER", "StripeProvider"]

SIGNATURE_HEADER = "Stripe-Signature"

_STATUS: dict[str, SubscriptionStatus] = {
    "active": "active",
    "trialing": "trialing",
    "past_due": "past_due",
    "unpaid": "past_due",
    "paused": "past_due",
    "incomplete": "pending",
    "incomplete_expired": "canceled",
    "canceled": "canceled",
}
_SUBSCRIPTION_EVENTS = frozenset(
    {"customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"}
)


class StripeProvider:
    """Payments through Stripe.

    Args:
        config: Stripe settings.
        store: Where the subscriptions learnt from webhooks are kept.
        http_client: The library's HTTP client (an async-capable httpx client by default).
    """

    name = "stripe"

    def __init__(
        self,
        config: StripeConfig,
        *,
        store: PaymentStore | None = None,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        self.config = config
        self.store: PaymentStore = store if store is not None else InMemoryPaymentStore()
        self._http_client = http_client or ContentHTTPXClient()
        self._client = stripe.StripeClient(
            config.api_key,
            base_addresses={"api": config.api_base} if config.api_base else None,
            http_client=self._http_client,
            max_network_retries=config.max_network_retries,
        )

    async def create_checkout(self, plan_id: str, user: PaymentUser) -> Checkout:
        """Create a subscription-mode Checkout Session.

        Args:
            plan_id: The plan; mapped to a price id through ``config.prices`` (else used as the price id).
            user: The buyer.

        Returns:
            The checkout, whose URL is Stripe's hosted page.

        Raises:
            PaymentProviderError: Stripe refused the request or could not be reached.
        """
        price = self.config.prices.get(plan_id, plan_id)
        metadata = {"user_id": user.id, "plan_id": plan_id}
        params: SessionCreateParams = {
            "mode": "subscription",
            "line_items": [{"price": price, "quantity": 1}],
            "client_reference_id": user.id,
            "success_url": self.config.success_url,
            "cancel_url": self.config.cancel_url,
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
        }
        if user.email:
            params["customer_email"] = user.email
        try:
            session = await self._client.v1.checkout.sessions.create_async(params=params)
        except stripe.StripeError as exc:
            raise PaymentProviderError(
                f"Stripe refused the checkout: {exc.user_message or exc}",
                provider=self.name,
                upstream_status=exc.http_status,
            ) from exc
        if not session.url:
            raise PaymentProviderError("Stripe returned a checkout session without a URL", provider=self.name)
        return Checkout(id=session.id, url=session.url, provider=self.name, plan_id=plan_id, user_id=user.id)

    async def subscription_status(self, user: PaymentUser) -> Subscription:
        """Return the subscription as last reported by Stripe's webhooks.

        Args:
            user: The subscriber.

        Returns:
            The subscription (status ``"none"`` if Stripe never reported one).
        """
        stored = await self.store.get_subscription(self.name, user.id)
        return stored or Subscription(user_id=user.id, provider=self.name)

    async def cancel(self, user: PaymentUser) -> Subscription:
        """Cancel the user's Stripe subscription immediately.

        Args:
            user: The subscriber.

        Returns:
            The subscription after cancellation (unchanged if the user has none).

        Raises:
            PaymentProviderError: Stripe refused the request or could not be reached.
        """
        current = await self.subscription_status(user)
        if current.external_id is None or current.status == "canceled":
            return current
        try:
            await self._client.v1.subscriptions.cancel_async(current.external_id)
        except stripe.StripeError as exc:
            raise PaymentProviderError(
                f"Stripe refused the cancellation: {exc.user_message or exc}",
                provider=self.name,
                upstream_status=exc.http_status,
            ) from exc
        cancelled = Subscription(
            user_id=user.id,
            provider=self.name,
            status="canceled",
            plan_id=current.plan_id,
            external_id=current.external_id,
            current_period_end=current.current_period_end,
        )
        await self.store.save_subscription(cancelled)
        return cancelled

    async def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Verify ``Stripe-Signature`` with the library (300 s tolerance) and parse the event.

        Args:
            headers: The request headers.
            body: The raw body.

        Returns:
            The event; ``data`` is the event's ``data.object``.

        Raises:
            WebhookVerificationError: No webhook secret is configured, the signature is missing or invalid, the
                timestamp is too old, or the body is not a Stripe event.
        """
        if not self.config.webhook_secret:
            raise WebhookVerificationError("MOZAIKS_STRIPE_WEBHOOK_SECRET is not set", provider=self.name)
        header = _signing.get_header(headers, SIGNATURE_HEADER)
        try:
            # The verification half of ``stripe.Webhook.construct_event``: the other half builds StripeObjects
            # through a process-wide requestor and raises AttributeError on a signed body that is not an object.
            stripe.WebhookSignature.verify_header(body, header, self.config.webhook_secret, self.config.tolerance)
        except stripe.SignatureVerificationError as exc:
            raise WebhookVerificationError(
                f"invalid Stripe signature: {exc.user_message or exc}", provider=self.name
            ) from exc
        except UnicodeDecodeError as exc:
            raise WebhookVerificationError("Stripe webhook body is not UTF-8", provider=self.name) from exc
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise WebhookVerificationError("Stripe webhook body is not a JSON event", provider=self.name)
        event_id, event_type = payload.get("id"), payload.get("type")
        if not isinstance(event_id, str) or not isinstance(event_type, str):
            raise WebhookVerificationError("Stripe event has no 'id' and 'type'", provider=self.name)
        data = payload.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        created = payload.get("created")
        return WebhookEvent(
            id=event_id,
            type=event_type,
            provider=self.name,
            data=obj if isinstance(obj, dict) else {},
            created=created if isinstance(created, int) else None,
        )

    async def apply_event(self, event: WebhookEvent) -> None:
        """Update the local subscription record from a verified Stripe event.

        Args:
            event: The event.
        """
        obj = event.data
        metadata = obj.get("metadata")
        meta: Mapping[str, Any] = metadata if isinstance(metadata, dict) else {}
        if event.type == "checkout.session.completed":
            user_id = obj.get("client_reference_id") or meta.get("user_id")
            if isinstance(user_id, str):
                await self._save(user_id, "active", meta.get("plan_id"), obj.get("subscription"), None)
        elif event.type in _SUBSCRIPTION_EVENTS:
            user_id = meta.get("user_id")
            if isinstance(user_id, str):
                status = (
                    "canceled" if event.type.endswith(".deleted") else _STATUS.get(str(obj.get("status")), "pending")
                )
                period_end = obj.get("current_period_end")
                await self._save(user_id, status, meta.get("plan_id"), obj.get("id"), period_end)

    async def aclose(self) -> None:
        """Close the HTTP client's connections."""
        # The library leaves ``close_async`` unannotated; bind it to a typed name.
        close: Callable[[], Awaitable[None]] = self._http_client.close_async
        await close()

    async def _save(
        self, user_id: str, status: SubscriptionStatus, plan_id: object, external_id: object, period_end: object
    ) -> None:
        current = await self.store.get_subscription(self.name, user_id)
        await self.store.save_subscription(
            Subscription(
                user_id=user_id,
                provider=self.name,
                status=status,
                plan_id=plan_id if isinstance(plan_id, str) else (current.plan_id if current else None),
                external_id=external_id if isinstance(external_id, str) else (current.external_id if current else None),
                current_period_end=period_end if isinstance(period_end, int) else None,
            )
        )
