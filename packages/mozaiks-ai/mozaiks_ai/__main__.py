"""``python -m mozaiks_ai`` runs the CLI."""

from __future__ import annotations

from mozaiks_ai.cli import main

main()
