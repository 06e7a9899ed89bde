"""Exceptions raised by mozaiks-core payments, under the distribution's root error.

Each carries the provider's name and an HTTP ``status_code`` (see :mod:`mozaiks_core_runtime.errors`)::

    MozaiksCoreError                      (mozaiks_core_runtime.errors)
    ├── PaymentError                 500  anything that went wrong in payments (carries ``provider``)
    │   ├── ProviderNotFoundError    404  no provider registered under that name
    │   ├── PaymentsDisabledError    404  the provider cannot run in this hosting mode (MozaiksPay when self-hosted)
    │   ├── WebhookVerificationError 400  missing/invalid signature, changed body, stale timestamp, malformed event
    │   ├── CheckoutNotFoundError    404  a sandbox checkout id that is unknown or already finished
    │   └── PaymentProviderError     502  the provider's API refused or failed (carries ``upstream_status``)
    └── MissingExtraError                 (also an ``ImportError``) the ``stripe`` extra is not installed
"""

from __future__ import annotations

from typing import Any

from mozaiks_core_runtime.errors import MissingExtraError, MozaiksCoreError

__all__ = [
    "CheckoutNotFoundError",
    "MissingExtraError",
    "MozaiksCoreError",
    "PaymentError",
    "PaymentProviderError",
    "PaymentsDisabledError",
    "ProviderNotFoundError",
    "WebhookVerificationError",
]


class PaymentError(MozaiksCoreError):
    """A payments operation failed.

    Args:
        message: What went wrong, safe to show to an API client.
        provider: The payment provider's registered name, when known.
        details: Optional structured context; defaults to ``{"provider": provider}``.
    """

    def __init__(self, message: str, *, provider: str | None = None, details: Any = None) -> None:
        if details is None and provider is not None:
            details = {"provider": provider}
        super().__init__(message, details=details)
        self.provider = provider


class ProviderNotFoundError(PaymentError):
    """No payment provider is registered under the requested name."""

    status_code = 404


class PaymentsDisabledError(PaymentError):
    """The provider is disabled in the current hosting mode (MozaiksPay is managed-mode only)."""

    status_code = 404


class WebhookVerificationError(PaymentError):
    """A webhook could not be authenticated or parsed; the request is answered with 400."""

    status_code = 400


class CheckoutNotFoundError(PaymentError):
    """A checkout id is unknown or its checkout has already been completed or cancelled."""

    status_code = 404


class PaymentProviderError(PaymentError):
    """The provider's API refused the request or could not be reached.

    Args:
        message: What went wrong.
        provider: The payment provider's registered name.
        upstream_status: The HTTP status the provider answered with, if it answered.
    """

    status_code = 502

    def __init__(self, message: str, *, provider: str | None = None, upstream_status: int | None = None) -> None:
        super().__init__(message, provider=provider, details={"provider": provider, "upstream_status": upstream_status})
        self.upstream_status = upstream_status
