from __future__ import annotations

import pytest
from mozaiks_core_runtime.errors import ConfigurationError
from mozaiks_core_runtime.payments import PaymentsConfig


def test_defaults_are_self_hosted_sandbox() -> None:
    config = PaymentsConfig.from_environ({})
    assert (config.mode, config.default_provider, config.stripe, config.mozaiks) == (
        "self-hosted",
        "sandbox",
        None,
        None,
    )
    assert len(config.sandbox.secret) == 64
    assert "secret" not in repr(config.sandbox).lower().replace("secret=", "")


def test_managed_with_url_defaults_to_mozaiks() -> None:
    environ = {
        "MOZAIKS_MODE": "managed",
        "MOZAIKS_PAYMENT_API_URL": "https://pay.example/",
        "MOZAIKS_PAYMENT_API_KEY": "k",
        "MOZAIKS_APP_ID": "app_1",
    }
    config = PaymentsConfig.from_environ(environ)
    assert config.default_provider == "mozaiks"
    assert config.mozaiks is not None
    assert (config.mozaiks.api_url, config.mozaiks.app_id, config.mozaiks.api_key) == (
        "https://pay.example",
        "app_1",
        "k",
    )
    assert "'k'" not in repr(config.mozaiks)
    disabled = PaymentsConfig.from_environ({**environ, "MOZAIKS_PAYMENT_ENABLED": "false"})
    assert (disabled.mozaiks, disabled.default_provider) == (None, "sandbox")


def test_stripe_settings() -> None:
    environ = {
        "MOZAIKS_STRIPE_SECRET_KEY": "sk_test",
        "MOZAIKS_STRIPE_WEBHOOK_SECRET": "whsec",
        "MOZAIKS_STRIPE_PRICES": "basic=price_1, pro = price_2,",
        "MOZAIKS_PAYMENT_SUCCESS_URL": "https://app/ok",
        "MOZAIKS_PUBLIC_URL": "https://app/",
    }
    config = PaymentsConfig.from_environ(environ)
    assert config.default_provider == "stripe"
    assert config.stripe is not None
    assert dict(config.stripe.prices) == {"basic": "price_1", "pro": "price_2"}
    assert config.stripe.success_url == "https://app/ok"
    assert config.sandbox.base_url == "https://app"
    assert PaymentsConfig.from_environ({**environ, "MOZAIKS_PAYMENT_PROVIDER": "PayPal"}).default_provider == "paypal"
    with pytest.raises(ConfigurationError, match="MOZAIKS_STRIPE_PRICES"):
        PaymentsConfig.from_environ({**environ, "MOZAIKS_STRIPE_PRICES": "pro"})
    with pytest.raises(ConfigurationError, match="MOZAIKS_MODE"):
        PaymentsConfig.from_environ({"MOZAIKS_MODE": "cloud"})
