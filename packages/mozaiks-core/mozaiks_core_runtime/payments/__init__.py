"""Payments: a provider interface, built-in providers and verified, de-duplicated webhooks.

Providers: ``sandbox`` (local checkout page and signed webhooks, for development), ``stripe`` (the official library;
needs the ``stripe`` extra), ``mozaiks`` (MozaiksPay over HTTP, managed mode only) and any :class:`PaymentPlugin`
from the ``mozaiks_core_runtime.plugins`` entry-point group. The App owns one :class:`Payments` and mounts its route
handlers (see :mod:`mozaiks_core_runtime.payments.service`).
"""

from __future__ import annotations

from mozaiks_core_runtime.payments.base import (
    Checkout,
    PaymentProvider,
    PaymentUser,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookEventApplier,
)
from mozaiks_core_runtime.payments.config import (
    DEFAULT_MOUNT_PATH,
    MozaiksPayConfig,
    PaymentsConfig,
    SandboxConfig,
    StripeConfig,
)
from mozaiks_core_runtime.payments.errors import (
    CheckoutNotFoundError,
    PaymentError,
    PaymentProviderError,
    PaymentsDisabledError,
    ProviderNotFoundError,
    WebhookVerificationError,
)
from mozaiks_core_runtime.payments.mozaikspay import MozaiksPayProvider
from mozaiks_core_runtime.payments.registry import PLUGIN_GROUP, PaymentPlugin, ProviderContext, ProviderRegistry
from mozaiks_core_runtime.payments.sandbox import SandboxProvider
from mozaiks_core_runtime.payments.service import Payments
from mozaiks_core_runtime.payments.store import (
    InMemoryPaymentStore,
    InMemoryProcessedEvents,
    PaymentStore,
    ProcessedEvents,
)
from mozaiks_core_runtime.payments.webhooks import WebhookHandler, WebhookResponse, handle_webhook

__all__ = [
    "DEFAULT_MOUNT_PATH",
    "PLUGIN_GROUP",
    "Checkout",
    "CheckoutNotFoundError",
    "InMemoryPaymentStore",
    "InMemoryProcessedEvents",
    "MozaiksPayConfig",
    "MozaiksPayProvider",
    "PaymentError",
    "PaymentPlugin",
    "PaymentProvider",
    "PaymentProviderError",
    "PaymentStore",
    "PaymentUser",
    "Payments",
    "PaymentsConfig",
    "PaymentsDisabledError",
    "ProcessedEvents",
    "ProviderContext",
    "ProviderNotFoundError",
    "ProviderRegistry",
    "SandboxConfig",
    "SandboxProvider",
    "StripeConfig",
    "Subscription",
    "SubscriptionStatus",
    "WebhookEvent",
    "WebhookEventApplier",
    "WebhookHandler",
    "WebhookResponse",
    "WebhookVerificationError",
    "handle_webhook",
]
