"""Payments configuration, read from an injectable environment mapping.

=================================  =====================================================================
variable                           meaning
=================================  =====================================================================
``MOZAIKS_MODE``                   ``managed`` | ``self-hosted`` (default); see :mod:`mozaiks_core_runtime.hosting`
``MOZAIKS_PAYMENT_PROVIDER``       default provider name; otherwise ``mozaiks`` (managed, enabled, URL set),
                                   ``stripe`` (a Stripe key is set) or ``sandbox``
``MOZAIKS_PAYMENT_ENABLED``        ``false`` disables MozaiksPay even in managed mode (default ``true``)
``MOZAIKS_PAYMENT_API_URL``        MozaiksPay base URL (managed mode)
``MOZAIKS_PAYMENT_API_KEY``        bearer token for MozaiksPay
``MOZAIKS_PAYMENT_WEBHOOK_SECRET`` secret MozaiksPay signs its webhooks with
``MOZAIKS_APP_ID``                 this app's id on the platform (default ``default``)
``MOZAIKS_PAYMENT_SANDBOX_SECRET`` secret of the local sandbox webhooks (default: random per process)
``MOZAIKS_PUBLIC_URL``             the app's public base URL, prefixed to sandbox checkout links (default: relative)
``MOZAIKS_PAYMENT_SUCCESS_URL``    where providers send the browser after paying
``MOZAIKS_PAYMENT_CANCEL_URL``     where providers send the browser after giving up
``MOZAIKS_STRIPE_SECRET_KEY``      Stripe API key (``sk_…``)
``MOZAIKS_STRIPE_WEBHOOK_SECRET``  Stripe endpoint secret (``whsec_…``)
``MOZAIKS_STRIPE_PRICES``          plan id to Stripe price id, ``basic=price_1,pro=price_2`` (unmapped plan ids are
                                   used as price ids)
``MOZAIKS_STRIPE_API_BASE``        override of ``https://api.stripe.com`` (stripe-mock, tests)
=================================  =====================================================================
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from mozaiks_core_runtime.errors import ConfigurationError
from mozaiks_core_runtime.hosting import Mode, detect_mode
from mozaiks_core_runtime.payments._signing import DEFAULT_TOLERANCE

__all__ = ["DEFAULT_MOUNT_PATH", "MozaiksPayConfig", "PaymentsConfig", "SandboxConfig", "StripeConfig"]

DEFAULT_MOUNT_PATH = "/api/payments"
"""Where the App mounts the payment routes (``{mount}/webhook/{provider}``, ``{mount}/sandbox/…``)."""

_DEFAULT_SUCCESS_URL = "http://localhost:5173/?checkout=success"
_DEFAULT_CANCEL_URL = "http://localhost:5173/?checkout=cancel"
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Settings of the local ``sandbox`` provider.

    Attributes:
        secret: HMAC secret of sandbox webhooks.
        base_url: Prefix of checkout links (empty: links are relative to the app).
        mount_path: Where the payment routes are mounted.
        success_url: Where the checkout page sends the browser after paying.
        cancel_url: Where the checkout page sends the browser after cancelling.
        tolerance: Webhook timestamp tolerance in seconds.
    """

    secret: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    base_url: str = ""
    mount_path: str = DEFAULT_MOUNT_PATH
    success_url: str = _DEFAULT_SUCCESS_URL
    cancel_url: str = _DEFAULT_CANCEL_URL
    tolerance: int = DEFAULT_TOLERANCE


@dataclass(frozen=True, slots=True)
class StripeConfig:
    """Settings of the ``stripe`` provider.

    Attributes:
        api_key: Stripe secret key.
        webhook_secret: The webhook endpoint's signing secret.
        success_url: Checkout ``success_url``.
        cancel_url: Checkout ``cancel_url``.
        prices: Plan id to Stripe price id; unmapped plan ids are sent as price ids.
        api_base: Override of Stripe's API base URL.
        tolerance: Webhook timestamp tolerance in seconds.
        max_network_retries: Retries of idempotent API calls (the library adds idempotency keys).
    """

    api_key: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    success_url: str = _DEFAULT_SUCCESS_URL
    cancel_url: str = _DEFAULT_CANCEL_URL
    prices: Mapping[str, str] = field(default_factory=dict)
    api_base: str | None = None
    tolerance: int = DEFAULT_TOLERANCE
    max_network_retries: int = 2


@dataclass(frozen=True, slots=True)
class MozaiksPayConfig:
    """Settings of the ``mozaiks`` provider (MozaiksPay, managed mode only).

    Attributes:
        mode: The hosting mode; every call is refused unless ``managed``.
        api_url: MozaiksPay base URL.
        app_id: This app's id on the platform.
        api_key: Bearer token for MozaiksPay.
        webhook_secret: Secret MozaiksPay signs webhooks with.
        success_url: Where MozaiksPay sends the browser after paying.
        cancel_url: Where MozaiksPay sends the browser after giving up.
        timeout: Per-request timeout in seconds.
        max_attempts: Attempts per call on connection errors and 5xx/429 answers.
        tolerance: Webhook timestamp tolerance in seconds.
    """

    mode: Mode
    api_url: str
    app_id: str = "default"
    api_key: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    success_url: str = _DEFAULT_SUCCESS_URL
    cancel_url: str = _DEFAULT_CANCEL_URL
    timeout: float = 10.0
    max_attempts: int = 3
    tolerance: int = DEFAULT_TOLERANCE


@dataclass(frozen=True, slots=True)
class PaymentsConfig:
    """All payments settings.

    Attributes:
        mode: The hosting mode.
        default_provider: The provider used when a call names none.
        sandbox: Sandbox settings (always available).
        stripe: Stripe settings, or ``None`` when no key is configured.
        mozaiks: MozaiksPay settings, or ``None`` when disabled or without a URL.
    """

    mode: Mode = "self-hosted"
    default_provider: str = "sandbox"
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    stripe: StripeConfig | None = None
    mozaiks: MozaiksPayConfig | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> PaymentsConfig:
        """Build the configuration from environment variables (see the module docstring).

        Args:
            environ: The environment.

        Returns:
            The configuration.

        Raises:
            ConfigurationError: ``MOZAIKS_MODE`` or ``MOZAIKS_STRIPE_PRICES`` is malformed.
        """
        mode = detect_mode(environ)
        success = environ.get("MOZAIKS_PAYMENT_SUCCESS_URL") or _DEFAULT_SUCCESS_URL
        cancel = environ.get("MOZAIKS_PAYMENT_CANCEL_URL") or _DEFAULT_CANCEL_URL
        sandbox_secret = environ.get("MOZAIKS_PAYMENT_SANDBOX_SECRET") or secrets.token_hex(32)
        sandbox = SandboxConfig(
            secret=sandbox_secret,
            base_url=environ.get("MOZAIKS_PUBLIC_URL", "").rstrip("/"),
            success_url=success,
            cancel_url=cancel,
        )
        stripe_config = None
        if stripe_key := environ.get("MOZAIKS_STRIPE_SECRET_KEY"):
            stripe_config = StripeConfig(
                api_key=stripe_key,
                webhook_secret=environ.get("MOZAIKS_STRIPE_WEBHOOK_SECRET", ""),
                success_url=success,
                cancel_url=cancel,
                prices=_parse_prices(environ.get("MOZAIKS_STRIPE_PRICES", "")),
                api_base=environ.get("MOZAIKS_STRIPE_API_BASE") or None,
            )
        mozaiks_config = None
        enabled = environ.get("MOZAIKS_PAYMENT_ENABLED", "true").strip().lower() not in _FALSE
        if enabled and (api_url := environ.get("MOZAIKS_PAYMENT_API_URL")):
            mozaiks_config = MozaiksPayConfig(
                mode=mode,
                api_url=api_url.rstrip("/"),
                app_id=environ.get("MOZAIKS_APP_ID") or "default",
                api_key=environ.get("MOZAIKS_PAYMENT_API_KEY") or None,
                webhook_secret=environ.get("MOZAIKS_PAYMENT_WEBHOOK_SECRET") or None,
                success_url=success,
                cancel_url=cancel,
            )
        default = environ.get("MOZAIKS_PAYMENT_PROVIDER", "").strip().lower()
        if not default:
            if mode == "managed" and mozaiks_config is not None:
                default = "mozaiks"
            elif stripe_config is not None:
                default = "stripe"
            else:
                default = "sandbox"
        return cls(mode=mode, default_provider=default, sandbox=sandbox, stripe=stripe_config, mozaiks=mozaiks_config)


def _parse_prices(raw: str) -> dict[str, str]:
    prices: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        plan, sep, price = item.partition("=")
        if not sep or not plan.strip() or not price.strip():
            raise ConfigurationError(f"MOZAIKS_STRIPE_PRICES item {item!r} is not 'plan=price_id'")
        prices[plan.strip()] = price.strip()
    return prices
