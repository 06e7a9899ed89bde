"""The payments service an App owns: providers, stores and the route handlers to mount.

Every route handler is framework-independent: it takes path parameters, the raw headers and body, and returns
``(status, json)`` (or ``(status, html)`` for the sandbox checkout page). The App mounts them under
:data:`~mozaiks_core_runtime.payments.config.DEFAULT_MOUNT_PATH`:

=============================================  ===========================================
route                                          handler
=============================================  ===========================================
``POST {mount}/webhook/{provider}``            :meth:`Payments.webhook`
``GET  {mount}/sandbox/checkout/{id}``         :meth:`Payments.sandbox_checkout_page`
``POST {mount}/sandbox/checkout/{id}/complete`` :meth:`Payments.sandbox_complete`
=============================================  ===========================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from mozaiks_core_runtime.payments.base import Checkout, PaymentProvider, PaymentUser, Subscription
from mozaiks_core_runtime.payments.config import PaymentsConfig
from mozaiks_core_runtime.payments.errors import CheckoutNotFoundError, PaymentError, ProviderNotFoundError
from mozaiks_core_runtime.payments.registry import ProviderContext, ProviderRegistry
from mozaiks_core_runtime.payments.sandbox import SandboxProvider
from mozaiks_core_runtime.payments.store import (
    InMemoryPaymentStore,
    InMemoryProcessedEvents,
    PaymentStore,
    ProcessedEvents,
)
from mozaiks_core_runtime.payments.webhooks import WebhookHandler, WebhookResponse, handle_webhook

__all__ = ["Payments"]


class Payments:
    """Payments for one App: ``create_checkout``, ``subscription_status``, ``cancel`` and the webhook routes.

    Args:
        config: The configuration (``PaymentsConfig.from_environ`` in an App).
        store: Checkouts and subscriptions (in memory by default; the App passes a database-backed one).
        processed: The webhook de-duplication ledger (in memory by default).
        environ: The environment, handed to plugin factories.
        load_plugins: Whether to load payment plugins from installed entry points.
    """

    def __init__(
        self,
        config: PaymentsConfig | None = None,
        *,
        store: PaymentStore | None = None,
        processed: ProcessedEvents | None = None,
        environ: Mapping[str, str] | None = None,
        load_plugins: bool = False,
    ) -> None:
        self.config = config or PaymentsConfig()
        self.store: PaymentStore = store if store is not None else InMemoryPaymentStore()
        self.processed: ProcessedEvents = processed if processed is not None else InMemoryProcessedEvents()
        self.registry = ProviderRegistry(ProviderContext(config=self.config, store=self.store, environ=environ or {}))
        if load_plugins:
            self.registry.load_entry_points()
        self._handlers: list[WebhookHandler] = []

    def provider(self, name: str | None = None) -> PaymentProvider:
        """Return a provider.

        Args:
            name: The provider's name; the configured default when omitted.

        Returns:
            The provider.
        """
        return self.registry.get(name or self.config.default_provider)

    async def create_checkout(self, plan_id: str, user: PaymentUser, *, provider: str | None = None) -> Checkout:
        """Start a checkout (see :meth:`PaymentProvider.create_checkout`).

        Args:
            plan_id: The plan to buy.
            user: The buyer.
            provider: The provider; the default when omitted.

        Returns:
            The checkout; send the browser to its ``url``.
        """
        return await self.provider(provider).create_checkout(plan_id, user)

    async def subscription_status(self, user: PaymentUser, *, provider: str | None = None) -> Subscription:
        """Return the user's subscription (see :meth:`PaymentProvider.subscription_status`).

        Args:
            user: The subscriber.
            provider: The provider; the default when omitted.

        Returns:
            The subscription.
        """
        return await self.provider(provider).subscription_status(user)

    async def cancel(self, user: PaymentUser, *, provider: str | None = None) -> Subscription:
        """Cancel the user's subscription (see :meth:`PaymentProvider.cancel`).

        Args:
            user: The subscriber.
            provider: The provider; the default when omitted.

        Returns:
            The subscription after cancellation.
        """
        return await self.provider(provider).cancel(user)

    def on_event(self, handler: WebhookHandler) -> WebhookHandler:
        """Register an application callback for verified, first-seen webhook events (usable as a decorator).

        Args:
            handler: The callback.

        Returns:
            ``handler``, unchanged.
        """
        self._handlers.append(handler)
        return handler

    async def webhook(self, provider_name: str, headers: Mapping[str, str], body: bytes) -> WebhookResponse:
        """Handle ``POST {mount}/webhook/{provider}``.

        Args:
            provider_name: The route's ``{provider}``.
            headers: The request headers.
            body: The raw request body.

        Returns:
            ``(status, json)``: 404 for an unknown or unavailable provider, else :func:`handle_webhook`'s answer.
        """
        try:
            provider = self.registry.get(provider_name)
        except PaymentError as exc:
            return 404, {"error": str(exc), "details": {"provider": provider_name}}
        return await handle_webhook(provider, headers, body, processed=self.processed, handlers=self._handlers)

    async def sandbox_checkout_page(self, checkout_id: str) -> tuple[int, str]:
        """Handle ``GET {mount}/sandbox/checkout/{id}``: the local checkout page.

        Args:
            checkout_id: The route's ``{id}``.

        Returns:
            ``(status, html)``.
        """
        try:
            return 200, await self._sandbox().checkout_page(checkout_id)
        except CheckoutNotFoundError as exc:
            return 404, f"<!doctype html><title>Not found</title><p>{_html_text(str(exc))}</p>"

    async def sandbox_complete(self, checkout_id: str, headers: Mapping[str, str], body: bytes) -> WebhookResponse:
        """Handle ``POST {mount}/sandbox/checkout/{id}/complete``: pay or cancel, then deliver the signed webhook.

        The webhook goes through :meth:`webhook` like any provider's, so verification and de-duplication are
        exercised on every local payment.

        Args:
            checkout_id: The route's ``{id}``.
            headers: The request headers (unused; part of the handler signature).
            body: ``{"action": "pay" | "cancel"}``.

        Returns:
            ``(status, json)`` with ``redirect``: where the browser goes next.
        """
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = None
        action = payload.get("action") if isinstance(payload, dict) else None
        if action not in ("pay", "cancel"):
            return 400, {"error": 'body must be {"action": "pay" | "cancel"}', "details": None}
        sandbox = self._sandbox()
        try:
            hook_headers, hook_body = await sandbox.complete_checkout(checkout_id, paid=action == "pay")
        except CheckoutNotFoundError as exc:
            return 404, {"error": str(exc), "details": {"checkout_id": checkout_id}}
        status, answer = await self.webhook(sandbox.name, hook_headers, hook_body)
        if status != 200:
            return status, answer
        redirect = sandbox.config.success_url if action == "pay" else sandbox.config.cancel_url
        return 200, {"status": "paid" if action == "pay" else "canceled", "redirect": redirect, "event": answer["id"]}

    async def aclose(self) -> None:
        """Close the providers' HTTP connections."""
        await self.registry.aclose()

    def _sandbox(self) -> SandboxProvider:
        provider = self.registry.get("sandbox")
        if not isinstance(provider, SandboxProvider):
            raise ProviderNotFoundError("the 'sandbox' provider is not the built-in sandbox", provider="sandbox")
        return provider


def _html_text(text: str) -> str:
    from html import escape

    return escape(text)
