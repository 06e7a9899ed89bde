"""Payment providers by name: built-ins, explicit registrations and entry-point plugins.

Third-party providers ship a :class:`PaymentPlugin` and expose it in the entry-point group
``mozaiks_core_runtime.plugins`` (shared with other plugin kinds; objects that are not a :class:`PaymentPlugin` are
left to their own loaders)::

    [project.entry-points."mozaiks_core_runtime.plugins"]
    paypal = "mozaiks_paypal:plugin"

Providers are built lazily, on first use, so an unconfigured provider (Stripe without a key) costs nothing until
someone asks for it, and then fails with a message saying what to set.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from mozaiks_core_runtime.payments.base import PaymentProvider
from mozaiks_core_runtime.payments.config import PaymentsConfig
from mozaiks_core_runtime.payments.errors import PaymentError, PaymentsDisabledError, ProviderNotFoundError
from mozaiks_core_runtime.payments.store import InMemoryPaymentStore, PaymentStore

__all__ = ["PLUGIN_GROUP", "PaymentPlugin", "ProviderContext", "ProviderRegistry", "builtin_plugins"]

PLUGIN_GROUP = "mozaiks_core_runtime.plugins"
"""The entry-point group mozaiks-core loads plugins from."""


@dataclass(frozen=True, slots=True)
class ProviderContext:
    """What a provider factory receives.

    Attributes:
        config: The payments configuration.
        store: The shared checkout/subscription store.
        environ: The environment, for plugins' own settings.
    """

    config: PaymentsConfig = field(default_factory=PaymentsConfig)
    store: PaymentStore = field(default_factory=InMemoryPaymentStore)
    environ: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PaymentPlugin:
    """A named payment provider factory: what an entry point in :data:`PLUGIN_GROUP` exposes.

    Attributes:
        name: The provider's name (the webhook route's ``{provider}``).
        factory: Builds the provider; may raise :class:`~mozaiks_core_runtime.payments.errors.PaymentError` when
            the provider is not configured.
    """

    name: str
    factory: Callable[[ProviderContext], PaymentProvider]


def _sandbox(context: ProviderContext) -> PaymentProvider:
    from mozaiks_core_runtime.payments.sandbox import SandboxProvider

    return SandboxProvider(context.config.sandbox, store=context.store)


def _stripe(context: ProviderContext) -> PaymentProvider:
    if context.config.stripe is None:
        raise PaymentError("the stripe provider is not configured: set MOZAIKS_STRIPE_SECRET_KEY", provider="stripe")
    # Imported here so that the optional ``stripe`` dependency is needed only when Stripe is used.
    from mozaiks_core_runtime.payments.stripe_provider import StripeProvider

    return StripeProvider(context.config.stripe, store=context.store)


def _mozaiks(context: ProviderContext) -> PaymentProvider:
    if context.config.mode != "managed":
        raise PaymentsDisabledError("MozaiksPay is disabled in self-hosted mode", provider="mozaiks")
    if context.config.mozaiks is None:
        raise PaymentsDisabledError(
            "MozaiksPay is not configured: set MOZAIKS_PAYMENT_API_URL (and MOZAIKS_PAYMENT_ENABLED is not false)",
            provider="mozaiks",
        )
    from mozaiks_core_runtime.payments.mozaikspay import MozaiksPayProvider

    return MozaiksPayProvider(context.config.mozaiks)


def builtin_plugins() -> tuple[PaymentPlugin, ...]:
    """Return the built-in providers: ``sandbox``, ``stripe`` and ``mozaiks``.

    Returns:
        Their plugins.
    """
    return (PaymentPlugin("sandbox", _sandbox), PaymentPlugin("stripe", _stripe), PaymentPlugin("mozaiks", _mozaiks))


class ProviderRegistry:
    """Payment providers by name, built lazily.

    Args:
        context: Passed to every factory.
        builtins: Whether to register :func:`builtin_plugins`.
    """

    def __init__(self, context: ProviderContext | None = None, *, builtins: bool = True) -> None:
        self.context = context or ProviderContext()
        self._plugins: dict[str, PaymentPlugin] = {}
        self._providers: dict[str, PaymentProvider] = {}
        for plugin in builtin_plugins() if builtins else ():
            self.register(plugin)

    def register(self, item: PaymentProvider | PaymentPlugin, *, replace: bool = False) -> None:
        """Register a ready provider or a plugin (factory).

        Args:
            item: The provider or plugin; it is registered under its ``name``.
            replace: Allow replacing a registration with the same name.

        Raises:
            ValueError: The name is taken and ``replace`` is false.
        """
        name = item.name
        if not replace and name in self._plugins:
            raise ValueError(f"a payment provider named {name!r} is already registered")
        if isinstance(item, PaymentPlugin):
            self._plugins[name] = item
            self._providers.pop(name, None)
        else:
            provider = item
            self._plugins[name] = PaymentPlugin(name, lambda _context: provider)
            self._providers[name] = provider

    def load_entry_points(self, entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> list[str]:
        """Register every :class:`PaymentPlugin` exposed in :data:`PLUGIN_GROUP`.

        Args:
            entry_points: The entry points to consider; the installed ones in the group when omitted.

        Returns:
            The names registered, sorted.

        Raises:
            PaymentError: An entry point could not be loaded (its name is in the message).
        """
        candidates = importlib.metadata.entry_points(group=PLUGIN_GROUP) if entry_points is None else entry_points
        loaded: list[str] = []
        for entry_point in candidates:
            try:
                obj = entry_point.load()
            except Exception as exc:
                raise PaymentError(f"cannot load plugin entry point {entry_point.name!r}: {exc}") from exc
            if isinstance(obj, PaymentPlugin):
                self.register(obj, replace=True)
                loaded.append(obj.name)
        return sorted(loaded)

    def names(self) -> list[str]:
        """Return the registered provider names, sorted.

        Returns:
            The names.
        """
        return sorted(self._plugins)

    def get(self, name: str) -> PaymentProvider:
        """Return the provider named ``name``, building it on first use.

        Args:
            name: The provider's name.

        Returns:
            The provider.

        Raises:
            ProviderNotFoundError: No provider has that name.
            PaymentError: The provider's factory refused (not configured, disabled in this mode).
        """
        if (provider := self._providers.get(name)) is not None:
            return provider
        plugin = self._plugins.get(name)
        if plugin is None:
            raise ProviderNotFoundError(f"no payment provider named {name!r}", provider=name)
        provider = plugin.factory(self.context)
        self._providers[name] = provider
        return provider

    async def aclose(self) -> None:
        """Close the providers that were built and hold connections."""
        providers, self._providers = list(self._providers.values()), {}
        for provider in providers:
            closer = getattr(provider, "aclose", None)
            if closer is not None:
                await closer()
