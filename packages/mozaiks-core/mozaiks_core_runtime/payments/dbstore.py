"""Payment state in the app's database: checkouts, subscriptions and the webhook de-duplication ledger.

The App uses these instead of the in-memory stores, so a restart (or a second worker on the same database) neither
forgets a subscription nor processes a webhook event twice. Documents live in three app-scoped (not owner-scoped)
collections: ``mozaiks_payment_checkouts``, ``mozaiks_payment_subscriptions`` and ``mozaiks_payment_events``; ids
are SHA-256 digests of the natural keys, so any provider id is accepted.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mozaiks_core_runtime._identity import system_context
from mozaiks_core_runtime.docdb import Collection, Database
from mozaiks_core_runtime.errors import ConflictError, NotFoundError
from mozaiks_core_runtime.payments.base import Checkout, Subscription

__all__ = ["DatabasePaymentStore", "DatabaseProcessedEvents"]

CHECKOUTS = "mozaiks_payment_checkouts"
SUBSCRIPTIONS = "mozaiks_payment_subscriptions"
EVENTS = "mozaiks_payment_events"


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class _Collections:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._declared: dict[str, Collection] = {}

    def _collection(self, name: str) -> Collection:
        if name not in self._declared:
            self._declared[name] = self._database.declare(name, owner_scoped=False)
        return self._declared[name]

    async def _get(self, name: str, doc_id: str) -> dict[str, Any] | None:
        with system_context():
            try:
                return dict(await self._collection(name).get_async(doc_id))
            except NotFoundError:
                return None


class DatabasePaymentStore(_Collections):
    """A :class:`~mozaiks_core_runtime.payments.PaymentStore` on the app's database.

    Args:
        database: The app's database.
    """

    async def save_checkout(self, checkout: Checkout) -> None:
        """See :meth:`PaymentStore.save_checkout`."""
        fields = {"checkout_id": checkout.id, "url": checkout.url, "provider": checkout.provider}
        fields |= {"plan_id": checkout.plan_id, "user_id": checkout.user_id}
        with system_context():
            await self._collection(CHECKOUTS).create_async(fields, id=_key(checkout.id))

    async def get_checkout(self, checkout_id: str) -> Checkout | None:
        """See :meth:`PaymentStore.get_checkout`."""
        doc = await self._get(CHECKOUTS, _key(checkout_id))
        return _checkout(doc) if doc is not None else None

    async def pop_checkout(self, checkout_id: str) -> Checkout | None:
        """See :meth:`PaymentStore.pop_checkout`; of two concurrent pops, exactly one gets the checkout."""
        checkout = await self.get_checkout(checkout_id)
        if checkout is None:
            return None
        with system_context():
            try:
                await self._collection(CHECKOUTS).delete_async(_key(checkout_id))
            except NotFoundError:
                return None
        return checkout

    async def get_subscription(self, provider: str, user_id: str) -> Subscription | None:
        """See :meth:`PaymentStore.get_subscription`."""
        doc = await self._get(SUBSCRIPTIONS, _key(provider, user_id))
        if doc is None:
            return None
        return Subscription(
            user_id=doc["user_id"],
            provider=doc["provider"],
            status=doc["status"],
            plan_id=doc.get("plan_id"),
            external_id=doc.get("external_id"),
            current_period_end=doc.get("current_period_end"),
        )

    async def save_subscription(self, subscription: Subscription) -> None:
        """See :meth:`PaymentStore.save_subscription`."""
        fields = {
            "user_id": subscription.user_id,
            "provider": subscription.provider,
            "status": subscription.status,
            "plan_id": subscription.plan_id,
            "external_id": subscription.external_id,
            "current_period_end": subscription.current_period_end,
        }
        doc_id = _key(subscription.provider, subscription.user_id)
        collection = self._collection(SUBSCRIPTIONS)
        with system_context():
            try:
                await collection.update_async(doc_id, fields)
            except NotFoundError:
                try:
                    await collection.create_async(fields, id=doc_id)
                except ConflictError:  # created concurrently: last write wins
                    await collection.update_async(doc_id, fields)


class DatabaseProcessedEvents(_Collections):
    """A :class:`~mozaiks_core_runtime.payments.ProcessedEvents` ledger on the app's database.

    ``claim`` inserts a document whose id is the event key: the database's uniqueness makes it atomic across
    workers and restarts.

    Args:
        database: The app's database.
    """

    async def claim(self, key: str) -> bool:
        """See :meth:`ProcessedEvents.claim`."""
        with system_context():
            try:
                await self._collection(EVENTS).create_async({"key": key}, id=_key(key))
            except ConflictError:
                return False
        return True

    async def release(self, key: str) -> None:
        """See :meth:`ProcessedEvents.release`."""
        with system_context():
            try:
                await self._collection(EVENTS).delete_async(_key(key))
            except NotFoundError:
                pass


def _checkout(doc: dict[str, Any]) -> Checkout:
    return Checkout(
        id=doc["checkout_id"], url=doc["url"], provider=doc["provider"], plan_id=doc["plan_id"], user_id=doc["user_id"]
    )
