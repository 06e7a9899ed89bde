"""A PayPal payment provider for mozaiks-core, shipped as a third-party plugin.

It implements :class:`mozaiks_core_runtime.payments.PaymentProvider` and is exposed as a
:class:`~mozaiks_core_runtime.payments.PaymentPlugin` in the ``mozaiks_core_runtime.plugins`` entry-point group, so an
App that has this distribution installed serves ``POST /api/payments/webhook/paypal`` and accepts
``payments.create_checkout(plan_id, user, provider="paypal")`` without any change to mozaiks-core.
"""

from __future__ import annotations

from mozaiks_paypal.provider import PayPalConfig, PayPalProvider, plugin, sign_sandbox_webhook

__all__ = ["PayPalConfig", "PayPalProvider", "plugin", "sign_sandbox_webhook"]
