"""The ``mozaiks`` payment provider: MozaiksPay over HTTP, in managed mode only.

In ``self-hosted`` mode every method raises :class:`~mozaiks_core_runtime.payments.errors.PaymentsDisabledError`
before any I/O, so no request ever leaves the machine. In ``managed`` mode it calls ``MOZAIKS_PAYMENT_API_URL``:

==========================================  =====================================================================
request                                     answer
==========================================  =====================================================================
``POST /checkout``                          ``{"id", "url"}``; body ``{"app_id", "plan_id", "user_id", "email",
                                            "success_url", "cancel_url"}``, ``Idempotency-Key`` header
``GET /subscriptions/{user_id}``            ``{"status", "plan_id"?, "id"?, "current_period_end"?}``; 404 = none
``POST /subscriptions/{user_id}/cancel``    the subscription after cancellation
==========================================  =====================================================================

Every request carries ``Authorization: Bearer <MOZAIKS_PAYMENT_API_KEY>`` and ``X-Mozaiks-App-Id``. Connection errors,
429 and 5xx are retried with exponential backoff (POSTs keep their idempotency key across attempts). Webhooks from
MozaiksPay are signed like Stripe's (``Mozaiks-Signature: t=…,v1=…`` with ``MOZAIKS_PAYMENT_WEBHOOK_SECRET``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

import anyio
import httpx

from mozaiks_core_runtime.payments import _signing
from mozaiks_core_runtime.payments.base import Checkout, PaymentUser, Subscription, SubscriptionStatus, WebhookEvent
from mozaiks_core_runtime.payments.config import MozaiksPayConfig
from mozaiks_core_runtime.payments.errors import PaymentProviderError, PaymentsDisabledError, WebhookVerificationError

__all__ = ["SIGNATURE_HEADER", "MozaiksPayProvider"]

SIGNATURE_HEADER = "Mozaiks-Signature"

_STATUSES: dict[str, SubscriptionStatus] = {
    "none": "none",
    "inactive": "none",
    "pending": "pending",
    "active": "active",
    "trialing": "trialing",
    "past_due": "past_due",
    "unpaid": "past_due",
    "canceled": "canceled",
    "cancelled": "canceled",
}
_RETRYABLE = frozenset({429, 500, 502, 503, 504})


class MozaiksPayProvider:
    """Payments through the Mozaiks platform.

    Args:
        config: MozaiksPay settings, including the hosting mode.
        transport: The httpx transport (injected by tests); httpx's default otherwise.
        clock: Returns the current Unix time.
        sleep: Awaited between retries (injected by tests).
    """

    name = "mozaiks"

    def __init__(
        self,
        config: MozaiksPayConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.config = config
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._clock = clock
        self._sleep = sleep

    async def create_checkout(self, plan_id: str, user: PaymentUser) -> Checkout:
        """Ask MozaiksPay for a hosted checkout.

        Args:
            plan_id: The plan to buy.
            user: The buyer.

        Returns:
            The checkout.

        Raises:
            PaymentsDisabledError: Not in managed mode.
            PaymentProviderError: MozaiksPay refused or could not be reached.
        """
        body = {
            "app_id": self.config.app_id,
            "plan_id": plan_id,
            "user_id": user.id,
            "email": user.email,
            "success_url": self.config.success_url,
            "cancel_url": self.config.cancel_url,
        }
        answer = await self._request("POST", "/checkout", json_body=body)
        checkout_id, url = answer.get("id"), answer.get("url")
        if not isinstance(checkout_id, str) or not isinstance(url, str):
            raise PaymentProviderError("MozaiksPay answered a checkout without 'id' and 'url'", provider=self.name)
        return Checkout(id=checkout_id, url=url, provider=self.name, plan_id=plan_id, user_id=user.id)

    async def subscription_status(self, user: PaymentUser) -> Subscription:
        """Ask MozaiksPay for the user's subscription.

        Args:
            user: The subscriber.

        Returns:
            The subscription (status ``"none"`` when MozaiksPay answers 404).

        Raises:
            PaymentsDisabledError: Not in managed mode.
            PaymentProviderError: MozaiksPay refused or could not be reached.
        """
        answer = await self._request("GET", f"/subscriptions/{quote(user.id, safe='')}", not_found_ok=True)
        return self._subscription(user.id, answer)

    async def cancel(self, user: PaymentUser) -> Subscription:
        """Ask MozaiksPay to cancel the user's subscription.

        Args:
            user: The subscriber.

        Returns:
            The subscription after cancellation.

        Raises:
            PaymentsDisabledError: Not in managed mode.
            PaymentProviderError: MozaiksPay refused or could not be reached.
        """
        path = f"/subscriptions/{quote(user.id, safe='')}/cancel"
        answer = await self._request("POST", path, json_body={"app_id": self.config.app_id})
        return self._subscription(user.id, answer)

    async def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Verify a MozaiksPay webhook's ``Mozaiks-Signature`` and parse it.

        Args:
            headers: The request headers.
            body: The raw body.

        Returns:
            The event.

        Raises:
            PaymentsDisabledError: Not in managed mode.
            WebhookVerificationError: No secret is configured, or the signature, body or timestamp is wrong.
        """
        self._require_managed()
        if not self.config.webhook_secret:
            raise WebhookVerificationError("MOZAIKS_PAYMENT_WEBHOOK_SECRET is not set", provider=self.name)
        header = _signing.get_header(headers, SIGNATURE_HEADER)
        _signing.verify(
            self.config.webhook_secret,
            header,
            body,
            now=self._clock(),
            tolerance=self.config.tolerance,
            provider=self.name,
        )
        return _signing.parse_event(body, provider=self.name)

    async def aclose(self) -> None:
        """Close the HTTP client's connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _require_managed(self) -> None:
        if self.config.mode != "managed":
            raise PaymentsDisabledError(
                "MozaiksPay is disabled in self-hosted mode: set MOZAIKS_MODE=managed, or use the 'sandbox' or "
                "'stripe' provider",
                provider=self.name,
            )

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            headers = {"X-Mozaiks-App-Id": self.config.app_id, "Accept": "application/json"}
            if self.config.api_key:
                headers["Authorization"] = f"Bearer {self.config.api_key}"
            self._client = httpx.AsyncClient(
                base_url=self.config.api_url, headers=headers, timeout=self.config.timeout, transport=self._transport
            )
        return self._client

    async def _request(
        self, method: str, path: str, *, json_body: Mapping[str, Any] | None = None, not_found_ok: bool = False
    ) -> dict[str, Any]:
        self._require_managed()
        client = self._http()
        headers = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
        last_error = "no attempt made"
        for attempt in range(max(1, self.config.max_attempts)):
            if attempt:
                await self._sleep(min(0.25 * 2 ** (attempt - 1), 5.0))
            try:
                response = await client.request(method, path, json=json_body, headers=headers)
            except httpx.TransportError as exc:
                last_error = f"cannot reach MozaiksPay: {exc!r}"
                continue
            if response.status_code in _RETRYABLE:
                last_error = f"MozaiksPay answered {response.status_code}"
                continue
            if response.status_code == 404 and not_found_ok:
                return {}
            if response.is_error:
                raise PaymentProviderError(
                    f"MozaiksPay answered {response.status_code} to {method} {path}",
                    provider=self.name,
                    upstream_status=response.status_code,
                )
            try:
                answer = response.json()
            except ValueError:
                answer = None
            if not isinstance(answer, dict):
                raise PaymentProviderError(f"MozaiksPay answered {method} {path} with non-JSON", provider=self.name)
            return answer
        raise PaymentProviderError(last_error, provider=self.name)

    def _subscription(self, user_id: str, answer: Mapping[str, Any]) -> Subscription:
        raw = str(answer.get("status") or "none").lower()
        status = _STATUSES.get(raw, "pending")
        plan_id, external_id, period_end = answer.get("plan_id"), answer.get("id"), answer.get("current_period_end")
        return Subscription(
            user_id=user_id,
            provider=self.name,
            status=status,
            plan_id=plan_id if isinstance(plan_id, str) else None,
            external_id=external_id if isinstance(external_id, str) else None,
            current_period_end=period_end if isinstance(period_end, int) else None,
        )
