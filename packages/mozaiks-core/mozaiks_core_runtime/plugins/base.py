"""The interfaces plugins implement: auth providers and payment providers.

Users extend an app by implementing one of these and exposing it, never by editing mozaiks-core:

- :class:`AuthProvider`: turns request headers into a :class:`~mozaiks_core_runtime.User` (or ``None`` to let the
  next provider, and finally the built-in JWT/API-key check, decide). Expose an instance, or an :class:`AuthPlugin`
  whose factory receives the app's :class:`~mozaiks_core_runtime.Settings`.
- :class:`PaymentProvider` (the same protocol as :mod:`mozaiks_core_runtime.payments`): expose a
  :class:`PaymentPlugin` whose factory receives a :class:`~mozaiks_core_runtime.payments.ProviderContext`.

A plugin module (an entry point in the ``mozaiks_core_runtime.plugins`` group, or a file in the app's local
``plugins/`` folder) exposes such objects as ``plugin`` (one object) or ``plugins`` (a list).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .._identity import User
from ..config import Settings
from ..payments.base import PaymentProvider
from ..payments.registry import PaymentPlugin, ProviderContext

__all__ = ["AuthPlugin", "AuthProvider", "PaymentPlugin", "PaymentProvider", "ProviderContext"]


@runtime_checkable
class AuthProvider(Protocol):
    """An authentication provider consulted before the built-in token check.

    :meth:`authenticate` runs in a worker thread (it may do blocking I/O). It returns the user the credentials
    name, ``None`` when the request carries no credentials it recognises, and raises
    :class:`~mozaiks_core_runtime.AuthError` for credentials it recognises but refuses.
    """

    @property
    def name(self) -> str:
        """The provider's name (shown by ``doctor`` and in logs)."""
        ...

    def authenticate(self, headers: Mapping[str, str]) -> User | None:
        """Return the request's user, or ``None`` to let the next provider decide.

        Args:
            headers: The request headers (case-insensitive mapping).

        Returns:
            The user or ``None``.
        """
        ...


@dataclass(frozen=True, slots=True)
class AuthPlugin:
    """A named auth provider factory, built once per App with its settings.

    Attributes:
        name: The provider's name.
        factory: Builds the provider from the app's settings.
    """

    name: str
    factory: Callable[[Settings], AuthProvider]
