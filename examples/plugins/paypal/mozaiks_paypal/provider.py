"""PayPal subscriptions behind mozaiks-core's ``PaymentProvider`` interface.

Checkout uses PayPal's REST API (OAuth client-credentials token, then ``POST /v1/billing/subscriptions``; the user
approves on PayPal's ``approve`` link). Subscription state is learnt from webhooks and kept in the App's payment
store; ``cancel`` calls ``POST /v1/billing/subscriptions/{id}/cancel``.

Webhook verification is a **sandbox of PayPal's scheme**. PayPal signs the string
``"<PAYPAL-TRANSMISSION-ID>|<PAYPAL-TRANSMISSION-TIME>|<webhook id>|<CRC32 of the body>"`` with its RSA key
(``PAYPAL-TRANSMISSION-SIG``, certificate at ``PAYPAL-CERT-URL``). This example signs the same string with
HMAC-SHA256 under a shared secret (base64), so it runs offline and shows every check a real implementation makes:
header presence, the signature over the exact body, and the 300 s timestamp window. For live PayPal traffic, replace
:meth:`PayPalProvider._check_signature` with certificate verification or a call to PayPal's
``/v1/notifications/verify-webhook-signature``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from mozaiks_core_runtime.payments import (
    Checkout,
    PaymentPlugin,
    PaymentProvider,
    PaymentProviderError,
    PaymentStore,
    PaymentUser,
    ProviderContext,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookVerificationError,
)

__all__ = ["PayPalConfig", "PayPalProvider", "plugin", "sign_sandbox_webhook"]

TOLERANCE = 300
_STATUS: dict[str, SubscriptionStatus] = {
    "BILLING.SUBSCRIPTION.ACTIVATED": "active",
    "BILLING.SUBSCRIPTION.RE-ACTIVATED": "active",
    "BILLING.SUBSCRIPTION.SUSPENDED": "past_due",
    "BILLING.SUBSCRIPTION.PAYMENT.FAILED": "past_due",
    "BILLING.SUBSCRIPTION.CANCELLED": "canceled",
    "BILLING.SUBSCRIPTION.EXPIRED": "canceled",
}


@dataclass(frozen=True, slots=True)
class PayPalConfig:
    """PayPal settings (``MOZAIKS_PAYPAL_*`` variables).

    Attributes:
        client_id: REST app client id.
        client_secret: REST app secret.
        webhook_id: The webhook's id in the PayPal dashboard (part of the signed string).
        webhook_secret: Shared secret of the HMAC sandbox signature.
        plans: Plan id to PayPal plan id (``P-…``); unmapped plan ids are sent as they are.
        api_base: ``https://api-m.sandbox.paypal.com`` or ``https://api-m.paypal.com``.
        return_url: Where PayPal sends the browser after approval.
        cancel_url: Where PayPal sends the browser after giving up.
    """

    client_id: str
    client_secret: str = field(repr=False)
    webhook_id: str
    webhook_secret: str = field(repr=False)
    plans: Mapping[str, str] = field(default_factory=dict)
    api_base: str = "https://api-m.sandbox.paypal.com"
    return_url: str = "http://localhost:5173/?checkout=success"
    cancel_url: str = "http://localhost:5173/?checkout=cancel"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> PayPalConfig:
        """Read the ``MOZAIKS_PAYPAL_*`` variables listed in the README.

        Args:
            environ: The environment.

        Returns:
            The configuration.

        Raises:
            PaymentProviderError: A required variable is missing.
        """
        required = ("CLIENT_ID", "CLIENT_SECRET", "WEBHOOK_ID", "WEBHOOK_SECRET")
        missing = [f"MOZAIKS_PAYPAL_{name}" for name in required if not environ.get(f"MOZAIKS_PAYPAL_{name}")]
        if missing:
            raise PaymentProviderError(
                f"the paypal provider is not configured: set {', '.join(missing)}", provider="paypal"
            )
        return cls(
            client_id=environ["MOZAIKS_PAYPAL_CLIENT_ID"],
            client_secret=environ["MOZAIKS_PAYPAL_CLIENT_SECRET"],
            webhook_id=environ["MOZAIKS_PAYPAL_WEBHOOK_ID"],
            webhook_secret=environ["MOZAIKS_PAYPAL_WEBHOOK_SECRET"],
            api_base=environ.get("MOZAIKS_PAYPAL_API_BASE") or "https://api-m.sandbox.paypal.com",
        )


def sign_sandbox_webhook(
    config: PayPalConfig, body: bytes, *, transmission_id: str, transmission_time: datetime
) -> dict[str, str]:
    """Build the headers of a webhook delivery signed with the HMAC sandbox scheme.

    Args:
        config: The provider's settings.
        body: The raw body.
        transmission_id: PayPal's unique delivery id.
        transmission_time: When the delivery was sent.

    Returns:
        ``PAYPAL-TRANSMISSION-ID``, ``PAYPAL-TRANSMISSION-TIME`` and ``PAYPAL-TRANSMISSION-SIG``.
    """
    stamp = transmission_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "PAYPAL-TRANSMISSION-ID": transmission_id,
        "PAYPAL-TRANSMISSION-TIME": stamp,
        "PAYPAL-TRANSMISSION-SIG": _signature(config, transmission_id, stamp, body),
        "PAYPAL-AUTH-ALGO": "HMACSHA256-SANDBOX",
    }


def _signature(config: PayPalConfig, transmission_id: str, stamp: str, body: bytes) -> str:
    message = f"{transmission_id}|{stamp}|{config.webhook_id}|{zlib.crc32(body)}".encode()
    return base64.b64encode(hmac.new(config.webhook_secret.encode(), message, hashlib.sha256).digest()).decode()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


class PayPalProvider:
    """PayPal subscriptions.

    Args:
        config: PayPal settings.
        store: The App's payment store (subscriptions learnt from webhooks).
        transport: The httpx transport (tests inject one).
        clock: Returns the current Unix time.
    """

    name = "paypal"

    def __init__(
        self,
        config: PayPalConfig,
        *,
        store: PaymentStore,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store
        self._client = httpx.AsyncClient(base_url=config.api_base, transport=transport, timeout=15.0)
        self._clock = clock

    async def create_checkout(self, plan_id: str, user: PaymentUser) -> Checkout:
        """Create a PayPal subscription awaiting the user's approval.

        Args:
            plan_id: The plan.
            user: The buyer.

        Returns:
            The checkout; its URL is PayPal's approval page.

        Raises:
            PaymentProviderError: PayPal refused or could not be reached.
        """
        body: dict[str, Any] = {
            "plan_id": self.config.plans.get(plan_id, plan_id),
            "custom_id": user.id,
            "application_context": {"return_url": self.config.return_url, "cancel_url": self.config.cancel_url},
        }
        if user.email:
            body["subscriber"] = {"email_address": user.email}
        answer = await self._call("POST", "/v1/billing/subscriptions", json_body=body)
        approve = next((link.get("href") for link in answer.get("links", []) if link.get("rel") == "approve"), None)
        if not isinstance(approve, str) or not isinstance(answer.get("id"), str):
            raise PaymentProviderError("PayPal answered without a subscription id and approve link", provider=self.name)
        return Checkout(id=answer["id"], url=approve, provider=self.name, plan_id=plan_id, user_id=user.id)

    async def subscription_status(self, user: PaymentUser) -> Subscription:
        """Return the subscription as last reported by PayPal's webhooks.

        Args:
            user: The subscriber.

        Returns:
            The subscription.
        """
        stored = await self.store.get_subscription(self.name, user.id)
        return stored or Subscription(user_id=user.id, provider=self.name)

    async def cancel(self, user: PaymentUser) -> Subscription:
        """Cancel the user's PayPal subscription.

        Args:
            user: The subscriber.

        Returns:
            The subscription after cancellation.

        Raises:
            PaymentProviderError: PayPal refused or could not be reached.
        """
        current = await self.subscription_status(user)
        if current.external_id is None or current.status == "canceled":
            return current
        await self._call(
            "POST", f"/v1/billing/subscriptions/{current.external_id}/cancel", json_body={"reason": "user"}
        )
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
        """Verify the (sandboxed) PayPal transmission signature and parse the event.

        Args:
            headers: The request headers.
            body: The raw body.

        Returns:
            The event; ``data`` is its ``resource``.

        Raises:
            WebhookVerificationError: A header is missing, the signature does not match, the transmission is older
                than 300 s, or the body is not a PayPal event.
        """
        transmission_id = _header(headers, "PAYPAL-TRANSMISSION-ID")
        stamp = _header(headers, "PAYPAL-TRANSMISSION-TIME")
        signature = _header(headers, "PAYPAL-TRANSMISSION-SIG")
        if not transmission_id or not stamp or not signature:
            raise WebhookVerificationError("missing PayPal transmission headers", provider=self.name)
        self._check_signature(transmission_id, stamp, signature, body)
        try:
            sent = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise WebhookVerificationError("malformed PAYPAL-TRANSMISSION-TIME", provider=self.name) from None
        if abs(self._clock() - sent) > TOLERANCE:
            raise WebhookVerificationError("PayPal transmission is outside the tolerance window", provider=self.name)
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
            raise WebhookVerificationError("PayPal webhook body is not an event", provider=self.name)
        resource = payload.get("resource")
        return WebhookEvent(
            id=payload["id"],
            type=str(payload.get("event_type", "")),
            provider=self.name,
            data=resource if isinstance(resource, dict) else {},
        )

    async def apply_event(self, event: WebhookEvent) -> None:
        """Update the stored subscription from a ``BILLING.SUBSCRIPTION.*`` event.

        Args:
            event: The verified event.
        """
        status = _STATUS.get(event.type)
        user_id = event.data.get("custom_id")
        if status is None or not isinstance(user_id, str):
            return
        sub_id = event.data.get("id")
        plan = event.data.get("plan_id")
        await self.store.save_subscription(
            Subscription(
                user_id=user_id,
                provider=self.name,
                status=status,
                plan_id=plan if isinstance(plan, str) else None,
                external_id=sub_id if isinstance(sub_id, str) else None,
            )
        )

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    def _check_signature(self, transmission_id: str, stamp: str, signature: str, body: bytes) -> None:
        expected = _signature(self.config, transmission_id, stamp, body)
        if not hmac.compare_digest(expected, signature):
            raise WebhookVerificationError("PayPal transmission signature does not match", provider=self.name)

    async def _token(self) -> str:
        response = await self._client.post(
            "/v1/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(self.config.client_id, self.config.client_secret),
        )
        token = response.json().get("access_token") if response.is_success else None
        if not isinstance(token, str):
            raise PaymentProviderError(f"PayPal refused the credentials ({response.status_code})", provider=self.name)
        return token

    async def _call(self, method: str, path: str, *, json_body: Mapping[str, Any]) -> dict[str, Any]:
        try:
            token = await self._token()
            response = await self._client.request(
                method, path, json=json_body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.TransportError as exc:
            raise PaymentProviderError(f"cannot reach PayPal: {exc!r}", provider=self.name) from exc
        if response.is_error:
            raise PaymentProviderError(
                f"PayPal answered {response.status_code} to {method} {path}",
                provider=self.name,
                upstream_status=response.status_code,
            )
        answer = response.json() if response.content else {}
        return answer if isinstance(answer, dict) else {}


def _factory(context: ProviderContext) -> PaymentProvider:
    return PayPalProvider(PayPalConfig.from_environ(context.environ), store=context.store)


plugin = PaymentPlugin("paypal", _factory)
"""The entry point's object: ``paypal = "mozaiks_paypal:plugin"``."""
