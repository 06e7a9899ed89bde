"""Storage interfaces for payments, with in-memory implementations for development and tests.

The App wires database-backed implementations (``db``) in production; both interfaces are small on purpose so that a
SQL table or a document collection can implement them in a few lines.
"""

from __future__ import annotations

from typing import Protocol

from mozaiks_core_runtime.payments.base import Checkout, Subscription

__all__ = ["InMemoryPaymentStore", "InMemoryProcessedEvents", "PaymentStore", "ProcessedEvents"]


class PaymentStore(Protocol):
    """Checkouts and subscriptions kept by providers that track state locally (sandbox, stripe)."""

    async def save_checkout(self, checkout: Checkout) -> None:
        """Remember a pending checkout.

        Args:
            checkout: The checkout to store (replaces one with the same id).
        """
        ...

    async def pop_checkout(self, checkout_id: str) -> Checkout | None:
        """Remove and return a pending checkout, so that it can be completed only once.

        Args:
            checkout_id: The checkout's id.

        Returns:
            The checkout, or ``None`` if unknown or already taken.
        """
        ...

    async def get_checkout(self, checkout_id: str) -> Checkout | None:
        """Return a pending checkout without removing it.

        Args:
            checkout_id: The checkout's id.

        Returns:
            The checkout, or ``None`` if unknown.
        """
        ...

    async def get_subscription(self, provider: str, user_id: str) -> Subscription | None:
        """Return the stored subscription of ``user_id`` with ``provider``.

        Args:
            provider: The provider's name.
            user_id: The subscriber.

        Returns:
            The subscription, or ``None`` if the user never subscribed.
        """
        ...

    async def save_subscription(self, subscription: Subscription) -> None:
        """Store a subscription (replacing the user's previous one with the same provider).

        Args:
            subscription: The subscription.
        """
        ...


class ProcessedEvents(Protocol):
    """Webhook event ids already handled: the de-duplication ledger.

    ``claim`` must be atomic (a SQL implementation inserts into a table with a unique key), so that two concurrent
    deliveries of the same event cannot both win.
    """

    async def claim(self, key: str) -> bool:
        """Record ``key`` as being processed.

        Args:
            key: ``"<provider>:<event id>"``.

        Returns:
            ``True`` if this call recorded it, ``False`` if it was already recorded.
        """
        ...

    async def release(self, key: str) -> None:
        """Forget ``key`` after its processing failed, so that the provider's retry is processed.

        Args:
            key: The key passed to :meth:`claim`.
        """
        ...


class InMemoryPaymentStore:
    """A :class:`PaymentStore` in a dict: for development and tests (lost on restart)."""

    def __init__(self) -> None:
        self._checkouts: dict[str, Checkout] = {}
        self._subscriptions: dict[tuple[str, str], Subscription] = {}

    async def save_checkout(self, checkout: Checkout) -> None:
        """See :meth:`PaymentStore.save_checkout`."""
        self._checkouts[checkout.id] = checkout

    async def pop_checkout(self, checkout_id: str) -> Checkout | None:
        """See :meth:`PaymentStore.pop_checkout`."""
        return self._checkouts.pop(checkout_id, None)

    async def get_checkout(self, checkout_id: str) -> Checkout | None:
        """See :meth:`PaymentStore.get_checkout`."""
        return self._checkouts.get(checkout_id)

    async def get_subscription(self, provider: str, user_id: str) -> Subscription | None:
        """See :meth:`PaymentStore.get_subscription`."""
        return self._subscriptions.get((provider, user_id))

    async def save_subscription(self, subscription: Subscription) -> None:
        """See :meth:`PaymentStore.save_subscription`."""
        self._subscriptions[(subscription.provider, subscription.user_id)] = subscription


class InMemoryProcessedEvents:
    """A :class:`ProcessedEvents` ledger in a set: for development and tests (lost on restart).

    ``claim`` has no ``await`` between its check and its write, so it is atomic on one event loop.
    """

    def __init__(self) -> None:
        self._keys: set[str] = set()

    async def claim(self, key: str) -> bool:
        """See :meth:`ProcessedEvents.claim`."""
        if key in self._keys:
            return False
        self._keys.add(key)
        return True

    async def release(self, key: str) -> None:
        """See :meth:`ProcessedEvents.release`."""
        self._keys.discard(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys
