"""Finding the ``App`` in an app folder's ``main.py``."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from ..application import App
from ..errors import ConfigurationError

__all__ = ["load_app"]


def load_app(folder: str | Path, attribute: str = "app") -> App:
    """Import ``folder/main.py`` and return its ``App``.

    The working directory becomes ``folder`` (so ``.env`` and the default ``./.mozaiks`` database are the
    app's own) and ``folder`` goes first on ``sys.path`` (so ``from api import …`` works).

    Raises:
        ConfigurationError: No ``main.py``, or no ``App`` named ``attribute`` in it.
    """
    root = Path(folder).resolve()
    main = root / "main.py"
    if not main.is_file():
        raise ConfigurationError(f"no main.py in {root}: point serve at the backend folder")
    os.chdir(root)
    sys.path.insert(0, str(root))
    spec = importlib.util.spec_from_file_location("main", main)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["main"] = module
    spec.loader.exec_module(module)
    app = getattr(module, attribute, None)
    if not isinstance(app, App):
        raise ConfigurationError(f"{main} defines no App named {attribute!r}: add {attribute} = App('name')")
    return app
