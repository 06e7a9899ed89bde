"""Plugin discovery: the ``mozaiks_core_runtime.plugins`` entry-point group and the app's local ``plugins/`` folder.

A plugin module exposes ``plugin`` (one object) or ``plugins`` (several); an entry point may also point straight at
the object (``paypal = "mozaiks_paypal:plugin"``). Accepted objects: :class:`PaymentPlugin`, :class:`AuthPlugin`,
an :class:`AuthProvider` instance, or a list/tuple of these. Local plugins are loaded after entry points, so a local
plugin with the same name replaces an installed one.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from ..errors import ConfigurationError
from ..payments.registry import PLUGIN_GROUP, PaymentPlugin
from .base import AuthPlugin, AuthProvider

__all__ = ["PLUGIN_GROUP", "LoadedPlugin", "PluginRegistry"]

log = logging.getLogger("mozaiks_core_runtime.plugins")


@dataclass(frozen=True, slots=True)
class LoadedPlugin:
    """One registered plugin object.

    Attributes:
        name: The plugin's name.
        kind: ``payment`` or ``auth``.
        origin: ``entry-point:<name>`` or the local file it came from.
    """

    name: str
    kind: str
    origin: str


@dataclass
class PluginRegistry:
    """The plugins of one App.

    Attributes:
        payment_plugins: Payment provider factories by name.
        auth_plugins: Auth providers (or their factories) by name, in registration order.
        loaded: What was registered, from where.
    """

    payment_plugins: dict[str, PaymentPlugin] = field(default_factory=dict)
    auth_plugins: dict[str, AuthPlugin | AuthProvider] = field(default_factory=dict)
    loaded: list[LoadedPlugin] = field(default_factory=list)

    def add(self, obj: object, *, origin: str = "code") -> None:
        """Register a plugin object (or a list/tuple of them).

        Args:
            obj: A :class:`PaymentPlugin`, :class:`AuthPlugin` or :class:`AuthProvider` (or a sequence).
            origin: Where it came from, for messages.

        Raises:
            ConfigurationError: ``obj`` is none of the accepted kinds.
        """
        if isinstance(obj, list | tuple):
            for item in obj:
                self.add(item, origin=origin)
            return
        if isinstance(obj, PaymentPlugin):
            self.payment_plugins[obj.name] = obj
            kind = "payment"
        elif isinstance(obj, (AuthPlugin, AuthProvider)):
            self.auth_plugins[obj.name] = obj
            kind = "auth"
        else:
            raise ConfigurationError(
                f"plugin from {origin} is a {type(obj).__name__}: expected a PaymentPlugin, an AuthPlugin or an "
                "AuthProvider (see mozaiks_core_runtime.plugins.base)"
            )
        self.loaded.append(LoadedPlugin(obj.name, kind, origin))

    def names(self, kind: str | None = None) -> list[str]:
        """Return the registered plugin names (of one ``kind`` when given), sorted."""
        return sorted({p.name for p in self.loaded if kind is None or p.kind == kind})

    def load_entry_points(self, entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> list[str]:
        """Register the objects of every entry point in :data:`PLUGIN_GROUP`.

        Args:
            entry_points: The entry points to load; the installed ones in the group when omitted.

        Returns:
            The entry-point names loaded.

        Raises:
            ConfigurationError: An entry point cannot be imported or exposes an unsupported object.
        """
        candidates = importlib.metadata.entry_points(group=PLUGIN_GROUP) if entry_points is None else entry_points
        names: list[str] = []
        for entry_point in candidates:
            origin = f"entry-point:{entry_point.name}"
            try:
                obj = entry_point.load()
            except Exception as exc:
                raise ConfigurationError(f"cannot load plugin entry point {entry_point.name!r}: {exc}") from exc
            self.add(_exposed(obj, origin) if isinstance(obj, ModuleType) else obj, origin=origin)
            names.append(entry_point.name)
        return names

    def load_folder(self, folder: str | Path) -> list[str]:
        """Import every plugin module in ``folder`` (``*.py`` files and packages; names starting with ``_`` skipped).

        Args:
            folder: The app's ``plugins/`` folder; a missing folder loads nothing.

        Returns:
            The module names loaded.

        Raises:
            ConfigurationError: A module fails to import or exposes nothing usable.
        """
        root = Path(folder)
        if not root.is_dir():
            return []
        prefix = "mozaiks_app_plugins_" + hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
        loaded: list[str] = []
        for path in sorted(root.iterdir()):
            if path.name.startswith(("_", ".")):
                continue
            if path.is_dir() and (path / "__init__.py").is_file():
                file, locations = path / "__init__.py", [str(path)]
            elif path.suffix == ".py" and path.is_file():
                file, locations = path, None
            else:
                continue
            module_name = f"{prefix}.{path.stem}"
            spec = importlib.util.spec_from_file_location(module_name, file, submodule_search_locations=locations)
            if spec is None or spec.loader is None:
                raise ConfigurationError(f"cannot import plugin {file}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                sys.modules.pop(module_name, None)
                raise ConfigurationError(f"plugin {file} failed to import: {exc}") from exc
            self.add(_exposed(module, str(file)), origin=str(file))
            loaded.append(path.stem)
        return loaded


def _exposed(module: ModuleType, origin: str) -> object:
    for attribute in ("plugins", "plugin"):
        if hasattr(module, attribute):
            return getattr(module, attribute)
    raise ConfigurationError(f"plugin module {origin} exposes neither 'plugin' nor 'plugins'")
