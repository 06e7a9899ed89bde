"""Module-level ``db``, ``payments`` and ``insights`` that resolve to the current app's runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import anyio
import anyio.from_thread

from .docdb import Collection, Database, Transaction, commit_current
from .errors import ConfigurationError
from .payments.base import Checkout, PaymentProvider, PaymentUser, Subscription
from .payments.service import Payments
from .payments.webhooks import WebhookHandler
from .telemetry.insights import JSONValue

__all__ = ["DatabaseFacade", "InsightsFacade", "PaymentsFacade", "db", "insights", "payments"]

T = TypeVar("T")


class DatabaseFacade:
    """``db.tasks`` → the ``tasks`` collection of the app handling the request (or the latest app)."""

    def _database(self) -> Database:
        from ._runtime import get_runtime

        return get_runtime().db

    def __getattr__(self, name: str) -> Collection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._database().collection(name)

    def __getitem__(self, name: str) -> Collection:
        return self._database().collection(name)

    def declare(
        self,
        name: str,
        *,
        owner_scoped: bool = True,
        owner_field: str = "owner",
        indexes: Sequence[str | Sequence[str]] = (),
    ) -> Collection:
        """Declare a collection's scoping and indexes (see :meth:`Database.declare`)."""
        return self._database().declare(name, owner_scoped=owner_scoped, owner_field=owner_field, indexes=indexes)

    def transaction(self) -> AbstractContextManager[Transaction]:
        """A block whose writes commit together (see :meth:`Database.transaction`)."""
        return self._database().transaction()

    def commit(self) -> None:
        """Commit the request's writes so far (see :meth:`Database.commit`)."""
        self._database().commit()

    def __repr__(self) -> str:
        return "<mozaiks_core_runtime.db>"

    def __dir__(self) -> list[str]:
        return ["commit", "declare", "transaction"]


db = DatabaseFacade()


def _run_sync(make: Callable[[], Awaitable[T]], name: str) -> T:
    """Run a coroutine from sync code: a handler's worker thread (on the app's loop) or a plain script."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise ConfigurationError(f"payments.{name}() blocks: in an async handler use 'await payments.{name}_async()'")
    commit_current()  # the request's writes first: no write lock is held across the provider's HTTP call
    started = False

    async def call() -> T:
        nonlocal started
        started = True
        return await make()

    try:
        return anyio.from_thread.run(call)
    except RuntimeError:
        if started:
            raise
        return anyio.run(call)  # not in an AnyIO worker thread: a script


class PaymentsFacade:
    """``payments.create_checkout(plan_id)`` → the current app's :class:`~mozaiks_core_runtime.payments.Payments`.

    ``user`` defaults to :func:`auth.current_user`. Sync methods are for sync handlers and scripts; async handlers
    use the ``_async`` twins.
    """

    def _service(self) -> Payments:
        from ._runtime import get_runtime

        return get_runtime().payments

    @staticmethod
    def _user(user: PaymentUser | None) -> PaymentUser:
        if user is not None:
            return user
        from .auth._guards import current_user

        return current_user()

    async def create_checkout_async(
        self, plan_id: str, user: PaymentUser | None = None, *, provider: str | None = None
    ) -> Checkout:
        """Start a checkout; send the browser to the returned ``url``."""
        return await self._service().create_checkout(plan_id, self._user(user), provider=provider)

    async def subscription_status_async(
        self, user: PaymentUser | None = None, *, provider: str | None = None
    ) -> Subscription:
        """Return the user's subscription (status ``"none"`` when there is none)."""
        return await self._service().subscription_status(self._user(user), provider=provider)

    async def cancel_async(self, user: PaymentUser | None = None, *, provider: str | None = None) -> Subscription:
        """Cancel the user's subscription."""
        return await self._service().cancel(self._user(user), provider=provider)

    def create_checkout(
        self, plan_id: str, user: PaymentUser | None = None, *, provider: str | None = None
    ) -> Checkout:
        """Sync twin of :meth:`create_checkout_async`."""
        # Resolve the app and the user here: the coroutine runs on the event loop, outside this request's context.
        service, buyer = self._service(), self._user(user)
        return _run_sync(lambda: service.create_checkout(plan_id, buyer, provider=provider), "create_checkout")

    def subscription_status(self, user: PaymentUser | None = None, *, provider: str | None = None) -> Subscription:
        """Sync twin of :meth:`subscription_status_async`."""
        service, who = self._service(), self._user(user)
        return _run_sync(lambda: service.subscription_status(who, provider=provider), "subscription_status")

    def cancel(self, user: PaymentUser | None = None, *, provider: str | None = None) -> Subscription:
        """Sync twin of :meth:`cancel_async`."""
        service, who = self._service(), self._user(user)
        return _run_sync(lambda: service.cancel(who, provider=provider), "cancel")

    def on_event(self, handler: WebhookHandler) -> WebhookHandler:
        """Register an async callback for verified, first-seen webhook events (usable as a decorator)."""
        self._service().on_event(handler)
        return handler

    def provider(self, name: str | None = None) -> PaymentProvider:
        """Return a provider (the configured default when ``name`` is omitted)."""
        return self._service().provider(name)

    def __getattr__(self, name: str) -> Any:
        # ``from mozaiks_core_runtime import payments`` yields this facade, which shadows the subpackage of the same
        # name: its public names (Checkout, PaymentPlugin, __all__…) stay reachable through the facade.
        import importlib

        return getattr(importlib.import_module("mozaiks_core_runtime.payments"), name)

    def __dir__(self) -> list[str]:
        import importlib

        module = importlib.import_module("mozaiks_core_runtime.payments")
        twins = ["cancel", "create_checkout", "subscription_status"]
        return sorted({*twins, *(f"{m}_async" for m in twins), "on_event", "provider", *module.__all__})

    def __repr__(self) -> str:
        return "<mozaiks_core_runtime.payments>"


class InsightsFacade:
    """``insights.track(event, **props)`` / ``insights.kpi(name, value)`` on the current app's insights.

    Counted in ``/metrics`` always; pushed to the platform (batched, idempotent) only in managed mode.
    """

    def track(self, event: str, **props: JSONValue) -> None:
        """Record that ``event`` happened (see :meth:`Insights.track`)."""
        from ._runtime import get_runtime

        get_runtime().insights.track(event, **props)

    def kpi(self, name: str, value: float) -> None:
        """Record a KPI's current value (see :meth:`Insights.kpi`)."""
        from ._runtime import get_runtime

        get_runtime().insights.kpi(name, value)

    def __repr__(self) -> str:
        return "<mozaiks_core_runtime.insights>"


payments = PaymentsFacade()
insights = InsightsFacade()
