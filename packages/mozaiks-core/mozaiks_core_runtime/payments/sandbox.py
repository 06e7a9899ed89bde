"""The ``sandbox`` payment provider: real local checkout pages and signed webhooks, no payment network.

A checkout sends the browser to ``{mount}/sandbox/checkout/{id}``; the page's *Pay* button posts to
``{mount}/sandbox/checkout/{id}/complete``, which signs a ``checkout.completed`` event with the local secret
(``Mozaiks-Signature: t=…,v1=…``, Stripe's scheme) and delivers it through the same verified, de-duplicated webhook
path as real providers (:meth:`mozaiks_core_runtime.payments.Payments.sandbox_complete`). Developers can craft
webhooks with :meth:`SandboxProvider.signed_webhook` too.

Event types: ``checkout.completed`` / ``checkout.canceled`` (``data``: ``checkout_id``, ``plan_id``, ``user_id``) and
``subscription.canceled`` (``data``: ``user_id``).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from mozaiks_core_runtime.payments import _signing
from mozaiks_core_runtime.payments._sandbox_page import render_checkout_page
from mozaiks_core_runtime.payments.base import Checkout, PaymentUser, Subscription, WebhookEvent
from mozaiks_core_runtime.payments.config import SandboxConfig
from mozaiks_core_runtime.payments.errors import CheckoutNotFoundError
from mozaiks_core_runtime.payments.store import InMemoryPaymentStore, PaymentStore

__all__ = ["SIGNATURE_HEADER", "SandboxProvider"]

SIGNATURE_HEADER = "Mozaiks-Signature"


class SandboxProvider:
    """Local development payments.

    Args:
        config: Sandbox settings (a random secret by default).
        store: Where checkouts and subscriptions are kept.
        clock: Returns the current Unix time (injected by tests).
    """

    name = "sandbox"

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        store: PaymentStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config or SandboxConfig()
        self.store: PaymentStore = store if store is not None else InMemoryPaymentStore()
        self._clock = clock
        # Display only (the page shows who is paying); losing it on restart just shows the user id.
        self._accounts: dict[str, str] = {}

    async def create_checkout(self, plan_id: str, user: PaymentUser) -> Checkout:
        """Create a pending checkout whose URL is the local checkout page.

        Args:
            plan_id: The plan to buy.
            user: The buyer.

        Returns:
            The checkout.
        """
        checkout_id = f"cs_sandbox_{secrets.token_urlsafe(18)}"
        url = f"{self.config.base_url}{self.config.mount_path}/sandbox/checkout/{checkout_id}"
        checkout = Checkout(id=checkout_id, url=url, provider=self.name, plan_id=plan_id, user_id=user.id)
        await self.store.save_checkout(checkout)
        self._accounts[user.id] = user.email or user.id
        return checkout

    async def subscription_status(self, user: PaymentUser) -> Subscription:
        """Return the stored subscription (status ``"none"`` if the user never subscribed).

        Args:
            user: The subscriber.

        Returns:
            The subscription.
        """
        stored = await self.store.get_subscription(self.name, user.id)
        return stored or Subscription(user_id=user.id, provider=self.name)

    async def cancel(self, user: PaymentUser) -> Subscription:
        """Cancel the user's subscription at once.

        Args:
            user: The subscriber.

        Returns:
            The cancelled subscription.
        """
        current = await self.subscription_status(user)
        cancelled = Subscription(
            user_id=user.id,
            provider=self.name,
            status="canceled",
            plan_id=current.plan_id,
            external_id=current.external_id,
        )
        await self.store.save_subscription(cancelled)
        return cancelled

    async def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Verify a sandbox webhook's ``Mozaiks-Signature`` and parse it.

        Args:
            headers: The request headers.
            body: The raw body.

        Returns:
            The event.
        """
        header = _signing.get_header(headers, SIGNATURE_HEADER)
        _signing.verify(
            self.config.secret, header, body, now=self._clock(), tolerance=self.config.tolerance, provider=self.name
        )
        return _signing.parse_event(body, provider=self.name)

    async def apply_event(self, event: WebhookEvent) -> None:
        """Update the stored subscription from a verified sandbox event.

        Args:
            event: The event.
        """
        user_id = event.data.get("user_id")
        if not isinstance(user_id, str):
            return
        plan_id = event.data.get("plan_id")
        plan = plan_id if isinstance(plan_id, str) else None
        if event.type == "checkout.completed":
            subscription = Subscription(
                user_id=user_id,
                provider=self.name,
                status="active",
                plan_id=plan,
                external_id=f"sub_sandbox_{event.id}",
                current_period_end=int(self._clock()) + 30 * 24 * 3600,
            )
            await self.store.save_subscription(subscription)
        elif event.type == "subscription.canceled":
            current = await self.store.get_subscription(self.name, user_id)
            await self.store.save_subscription(
                Subscription(
                    user_id=user_id,
                    provider=self.name,
                    status="canceled",
                    plan_id=current.plan_id if current else plan,
                    external_id=current.external_id if current else None,
                )
            )

    def signed_webhook(
        self, event_type: str, data: Mapping[str, Any], *, event_id: str | None = None, timestamp: int | None = None
    ) -> tuple[dict[str, str], bytes]:
        """Build a webhook delivery signed with the sandbox secret.

        Args:
            event_type: The event type.
            data: The event payload.
            event_id: The event id (random when omitted).
            timestamp: The signing time (now when omitted).

        Returns:
            ``(headers, body)`` ready to pass to :func:`~mozaiks_core_runtime.payments.handle_webhook`.
        """
        created = int(self._clock()) if timestamp is None else timestamp
        event = {
            "id": event_id or f"evt_sandbox_{secrets.token_hex(12)}",
            "type": event_type,
            "created": created,
            "data": dict(data),
        }
        body = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            SIGNATURE_HEADER: _signing.signature_header(self.config.secret, body, created),
            "Content-Type": "application/json",
        }
        return headers, body

    async def complete_checkout(self, checkout_id: str, *, paid: bool = True) -> tuple[dict[str, str], bytes]:
        """Finish a pending checkout and return the signed webhook that reports it.

        The checkout is removed first, so it can finish only once.

        Args:
            checkout_id: The checkout.
            paid: ``True`` for *Pay*, ``False`` for *Cancel*.

        Returns:
            The signed ``checkout.completed`` or ``checkout.canceled`` delivery.

        Raises:
            CheckoutNotFoundError: The checkout is unknown or already finished.
        """
        checkout = await self.store.pop_checkout(checkout_id)
        if checkout is None:
            raise CheckoutNotFoundError(f"no pending sandbox checkout {checkout_id!r}", provider=self.name)
        data = {"checkout_id": checkout.id, "plan_id": checkout.plan_id, "user_id": checkout.user_id}
        return self.signed_webhook("checkout.completed" if paid else "checkout.canceled", data)

    async def checkout_page(self, checkout_id: str) -> str:
        """Render the local checkout page of a pending checkout.

        Args:
            checkout_id: The checkout.

        Returns:
            The HTML page.

        Raises:
            CheckoutNotFoundError: The checkout is unknown or already finished.
        """
        checkout = await self.store.get_checkout(checkout_id)
        if checkout is None:
            raise CheckoutNotFoundError(f"no pending sandbox checkout {checkout_id!r}", provider=self.name)
        complete_url = f"{self.config.base_url}{self.config.mount_path}/sandbox/checkout/{checkout.id}/complete"
        account = self._accounts.get(checkout.user_id, checkout.user_id)
        return render_checkout_page(checkout, complete_url=complete_url, account=account)
