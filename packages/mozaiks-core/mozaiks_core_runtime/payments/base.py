"""The payment provider extension point and the values that cross it.

A provider is anything that structurally satisfies :class:`PaymentProvider`; built-in ones (``sandbox``, ``stripe``,
``mozaiks``) and third-party plugins (``examples/plugins/paypal``) implement the same four coroutines. Providers that
keep subscription state locally also implement :class:`WebhookEventApplier`, which :func:`handle_webhook` calls once
per verified, first-seen event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = [
    "Checkout",
    "PaymentProvider",
    "PaymentUser",
    "Subscription",
    "SubscriptionStatus",
    "WebhookEvent",
    "WebhookEventApplier",
]

SubscriptionStatus = Literal["none", "pending", "active", "trialing", "past_due", "canceled"]
"""Normalised subscription states; providers map their own vocabularies onto these."""


class PaymentUser(Protocol):
    """The part of an authenticated user that payments needs (auth's user object satisfies it)."""

    @property
    def id(self) -> str:
        """The user's stable id."""
        ...

    @property
    def email(self) -> str | None:
        """The user's e-mail address, prefilled on checkout pages when known."""
        ...


@dataclass(frozen=True, slots=True)
class Checkout:
    """A started checkout: send the user's browser to :attr:`url`.

    Attributes:
        id: The provider's checkout (session) id.
        url: Where the user completes payment (absolute, or relative to the app for the sandbox).
        provider: The provider's registered name.
        plan_id: The plan being bought.
        user_id: The buyer.
    """

    id: str
    url: str
    provider: str
    plan_id: str
    user_id: str


@dataclass(frozen=True, slots=True)
class Subscription:
    """A user's subscription as last known to the provider.

    Attributes:
        user_id: The subscriber.
        provider: The provider's registered name.
        status: The normalised state; ``"none"`` when the user never subscribed.
        plan_id: The subscribed plan, if any.
        external_id: The provider's own subscription id (Stripe ``sub_…``), used to cancel.
        current_period_end: Unix time at which the paid period ends, when the provider says.
    """

    user_id: str
    provider: str
    status: SubscriptionStatus = "none"
    plan_id: str | None = None
    external_id: str | None = None
    current_period_end: int | None = None

    @property
    def is_active(self) -> bool:
        """Whether the user currently has access (active or trialing)."""
        return self.status in ("active", "trialing")


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified webhook event.

    Attributes:
        id: The provider's event id; the de-duplication key.
        type: The provider's event type (``checkout.session.completed``, ``checkout.completed``…).
        provider: The provider's registered name.
        data: The event's payload object, as plain JSON data.
        created: Unix time the provider created the event, when it says.
    """

    id: str
    type: str
    provider: str
    data: Mapping[str, Any] = field(default_factory=dict)
    created: int | None = None


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment provider: checkout, subscription lookup, cancellation and webhook verification.

    Implementations must never trust a webhook they did not verify: :meth:`verify_webhook` raises
    :class:`~mozaiks_core_runtime.payments.errors.WebhookVerificationError` for a missing or invalid signature, a body
    changed after signing, or a timestamp older than the tolerance (300 s).
    """

    @property
    def name(self) -> str:
        """The provider's registered name (``"stripe"``); also the webhook route's ``{provider}``."""
        ...

    async def create_checkout(self, plan_id: str, user: PaymentUser) -> Checkout:
        """Start a checkout for ``user`` buying ``plan_id``.

        Args:
            plan_id: The plan to buy.
            user: The buyer.

        Returns:
            The started checkout.
        """
        ...

    async def subscription_status(self, user: PaymentUser) -> Subscription:
        """Return ``user``'s current subscription (status ``"none"`` if there is none).

        Args:
            user: The subscriber.

        Returns:
            The subscription.
        """
        ...

    async def cancel(self, user: PaymentUser) -> Subscription:
        """Cancel ``user``'s subscription.

        Args:
            user: The subscriber.

        Returns:
            The subscription after cancellation.
        """
        ...

    async def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Authenticate and parse one webhook delivery.

        Args:
            headers: The request headers; keys are matched case-insensitively.
            body: The raw request body, exactly as received.

        Returns:
            The verified event.
        """
        ...


@runtime_checkable
class WebhookEventApplier(Protocol):
    """Optional provider capability: apply a verified event to locally kept subscription state."""

    async def apply_event(self, event: WebhookEvent) -> None:
        """Apply ``event``; called at most once per event id by :func:`handle_webhook`.

        Args:
            event: The verified event.
        """
        ...
