from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from mozaiks_core_runtime.payments import (
    PLUGIN_GROUP,
    PaymentError,
    PaymentPlugin,
    PaymentProvider,
    PaymentsConfig,
    PaymentsDisabledError,
    ProviderContext,
    ProviderNotFoundError,
    ProviderRegistry,
    SandboxProvider,
    StripeConfig,
)
from mozaiks_core_runtime.payments.mozaikspay import MozaiksPayProvider
from mozaiks_core_runtime.payments.stripe_provider import StripeProvider


def _named_sandbox(_context: ProviderContext) -> PaymentProvider:
    provider = SandboxProvider()
    provider.name = "acme"
    return provider


ACME = PaymentPlugin("acme", _named_sandbox)
NOT_A_PAYMENT_PLUGIN = object()


def test_builtins_are_registered_and_built_lazily() -> None:
    registry = ProviderRegistry()
    assert registry.names() == ["mozaiks", "sandbox", "stripe"]
    sandbox = registry.get("sandbox")
    assert isinstance(sandbox, SandboxProvider)
    assert registry.get("sandbox") is sandbox
    assert isinstance(sandbox, PaymentProvider)
    with pytest.raises(ProviderNotFoundError):
        registry.get("bitcoin")
    with pytest.raises(PaymentError, match="MOZAIKS_STRIPE_SECRET_KEY"):
        registry.get("stripe")
    with pytest.raises(PaymentsDisabledError, match="self-hosted"):
        registry.get("mozaiks")
    with pytest.raises(PaymentsDisabledError, match="MOZAIKS_PAYMENT_API_URL"):
        ProviderRegistry(ProviderContext(config=PaymentsConfig(mode="managed"))).get("mozaiks")


@pytest.mark.anyio
async def test_configured_builtins_build_their_providers() -> None:
    environ = {"MOZAIKS_MODE": "managed", "MOZAIKS_PAYMENT_API_URL": "https://pay", "MOZAIKS_STRIPE_SECRET_KEY": "sk"}
    registry = ProviderRegistry(ProviderContext(config=PaymentsConfig.from_environ(environ)))
    assert isinstance(registry.get("stripe"), StripeProvider)
    assert isinstance(registry.get("mozaiks"), MozaiksPayProvider)
    await registry.aclose()


def test_explicit_registration() -> None:
    registry = ProviderRegistry(builtins=False)
    provider = SandboxProvider()
    registry.register(provider)
    assert registry.get("sandbox") is provider
    with pytest.raises(ValueError, match="already registered"):
        registry.register(SandboxProvider())
    registry.register(ACME)
    assert registry.get("acme").name == "acme"
    registry.register(PaymentPlugin("sandbox", lambda _c: SandboxProvider()), replace=True)
    assert registry.get("sandbox") is not provider
    assert StripeConfig(api_key="sk", webhook_secret="wh").api_base is None


def test_entry_points_register_payment_plugins_only() -> None:
    registry = ProviderRegistry(builtins=False)
    entry_points = [
        EntryPoint("acme", "test_payments_registry:ACME", PLUGIN_GROUP),
        EntryPoint("auth_thing", "test_payments_registry:NOT_A_PAYMENT_PLUGIN", PLUGIN_GROUP),
    ]
    assert registry.load_entry_points(entry_points) == ["acme"]
    assert registry.names() == ["acme"]
    with pytest.raises(PaymentError, match="'broken'"):
        registry.load_entry_points([EntryPoint("broken", "test_payments_registry:MISSING", PLUGIN_GROUP)])


def test_installed_entry_points_load_without_error() -> None:
    assert isinstance(ProviderRegistry().load_entry_points(), list)
