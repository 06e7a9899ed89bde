"""Optional extras: importing a package that an extra installs, with an error naming the extra."""

from __future__ import annotations

import importlib
from types import ModuleType

from mozaiks_ai.errors import ProviderNotConfiguredError

__all__ = ["MissingExtraError", "import_extra"]


class MissingExtraError(ProviderNotConfiguredError, ImportError):
    """A provider needs a package installed by an optional extra (``pip install 'mozaiks-ai[anthropic]'``).

    It is an :class:`ImportError` and a :class:`~mozaiks_ai.errors.ProviderNotConfiguredError`.

    Args:
        package: The missing import package (``anthropic``).
        extra: The extra that installs it (``anthropic``).
    """

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"the {package!r} package is not installed: pip install 'mozaiks-ai[{extra}]'",
        )
        self.name = package


def import_extra(package: str, *, extra: str) -> ModuleType:
    """Import ``package``, which the optional extra ``extra`` installs.

    Raises:
        MissingExtraError: The package is not installed.
    """
    try:
        return importlib.import_module(package)
    except ImportError as exc:
        raise MissingExtraError(package, extra) from exc
