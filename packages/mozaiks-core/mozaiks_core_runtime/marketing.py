"""MozaiksMarketing: campaigns sent to the platform's marketing API (managed mode only).

=================================  =====================================================================
variable                           meaning
=================================  =====================================================================
``MOZAIKS_MARKETING_ENABLED``      ``false`` disables MozaiksMarketing even in managed mode (default ``true``)
``MOZAIKS_MARKETING_API_URL``      the marketing API's base URL; campaigns go to ``{url}/campaigns``
``MOZAIKS_MARKETING_API_KEY``      bearer token for it
=================================  =====================================================================

Self-hosted apps never call out: :meth:`Marketing.create_campaign` raises :class:`MarketingDisabledError`
(HTTP 503) saying what to configure. The frontend reaches it through ``POST /api/marketing/campaigns``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from .errors import MozaiksCoreError
from .hosting import Mode, detect_mode

__all__ = ["Marketing", "MarketingConfig", "MarketingDisabledError", "MarketingError"]

_FALSE = frozenset({"0", "false", "no", "off"})


class MarketingError(MozaiksCoreError):
    """The marketing API could not be reached or refused the campaign (HTTP 502)."""

    status_code = 502


class MarketingDisabledError(MarketingError):
    """MozaiksMarketing is not available here: self-hosted, disabled, or no URL configured (HTTP 503)."""

    status_code = 503


@dataclass(frozen=True, slots=True)
class MarketingConfig:
    """MozaiksMarketing settings.

    Attributes:
        mode: The hosting mode; only ``managed`` calls out.
        enabled: ``MOZAIKS_MARKETING_ENABLED``.
        url: The marketing API's base URL, or ``None``.
        api_key: Bearer token for it.
        app_id: This app's id on the platform.
        timeout: Seconds per request.
    """

    mode: Mode = "self-hosted"
    enabled: bool = True
    url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    app_id: str = "default"
    timeout: float = 15.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> MarketingConfig:
        """Build the configuration from environment variables (see the module docstring)."""
        url = environ.get("MOZAIKS_MARKETING_API_URL") or None
        return cls(
            mode=detect_mode(environ),
            enabled=(environ.get("MOZAIKS_MARKETING_ENABLED") or "true").strip().lower() not in _FALSE,
            url=url.rstrip("/") if url else None,
            api_key=environ.get("MOZAIKS_MARKETING_API_KEY") or None,
            app_id=environ.get("MOZAIKS_APP_ID") or "default",
        )

    def problem(self) -> str | None:
        """Why campaigns cannot be sent, or ``None`` when they can."""
        if self.mode != "managed":
            return "MozaiksMarketing is available in managed mode only (MOZAIKS_MODE=managed)"
        if not self.enabled:
            return "MozaiksMarketing is disabled (MOZAIKS_MARKETING_ENABLED=false)"
        if not self.url:
            return "MozaiksMarketing needs MOZAIKS_MARKETING_API_URL"
        return None


class Marketing:
    """Sends campaigns to MozaiksMarketing.

    Args:
        config: Where and whether to send.
        transport: An httpx transport (tests).
    """

    def __init__(self, config: MarketingConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._transport = transport

    async def create_campaign(
        self, campaign: Mapping[str, Any], *, user_id: str, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """POST ``{url}/campaigns`` with ``{"app_id", "user_id", "campaign"}``; return the API's JSON answer.

        Args:
            campaign: The campaign (audiences, copy, budget…), as the marketing API expects it.
            user_id: Who asked (from the request's token).
            idempotency_key: Sent as ``Idempotency-Key`` (generated when omitted).

        Raises:
            MarketingDisabledError: Not available in this deployment (the message says what to set).
            MarketingError: Unreachable, or the API refused the campaign (its message is included).
        """
        problem = self.config.problem()
        if problem is not None:
            raise MarketingDisabledError(problem)
        headers = {"Idempotency-Key": idempotency_key or secrets.token_hex(16)}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        body = {"app_id": self.config.app_id, "user_id": user_id, "campaign": dict(campaign)}
        try:
            async with httpx.AsyncClient(timeout=self.config.timeout, transport=self._transport) as client:
                response = await client.post(f"{self.config.url}/campaigns", json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise MarketingError(f"MozaiksMarketing unreachable at {self.config.url}: {exc}") from None
        try:
            answer = response.json()
        except ValueError:
            answer = {"error": response.text[:300]}
        if not response.is_success or not isinstance(answer, dict):
            message = answer.get("error") if isinstance(answer, dict) else None
            raise MarketingError(
                f"MozaiksMarketing refused the campaign ({response.status_code}): {message or 'no details'}",
                details={"status": response.status_code},
            )
        return answer
