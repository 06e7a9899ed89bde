"""``python -m mozaiks_core_runtime serve DIR``."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
