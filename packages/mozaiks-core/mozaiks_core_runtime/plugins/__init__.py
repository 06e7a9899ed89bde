"""Plugins: auth and payment providers from installed packages and from the app's local ``plugins/`` folder.

An installed package declares::

    [project.entry-points."mozaiks_core_runtime.plugins"]
    paypal = "mozaiks_paypal:plugin"

and a local ``plugins/<name>.py`` next to the app's ``main.py`` sets ``plugin = ...`` (or ``plugins = [...]``). The
App loads both at creation (``App(..., load_plugins=False)`` turns this off); see :mod:`.base` for the interfaces.
"""

from __future__ import annotations

from .base import AuthPlugin, AuthProvider, PaymentPlugin, PaymentProvider, ProviderContext
from .registry import PLUGIN_GROUP, LoadedPlugin, PluginRegistry

__all__ = [
    "PLUGIN_GROUP",
    "AuthPlugin",
    "AuthProvider",
    "LoadedPlugin",
    "PaymentPlugin",
    "PaymentProvider",
    "PluginRegistry",
    "ProviderContext",
]
