"""Helpers for end-to-end tests that run the real ``mozaiks-ai`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "mozaiks_ai"]
EXAMPLES = Path(__file__).resolve().parents[4] / "examples"

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """Run the CLI in ``tmp_path`` with a private database and outbox; returns the completed process."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("MOZAIKS_", "WORKFLOWS_"))}
        environ.update(
            {"MOZAIKS_DB_URL": f"sqlite:///{tmp_path}/cli.db", "MOZAIKS_OUTBOX_DIR": str(tmp_path / "outbox")}
        )
        environ.update(env or {})
        return subprocess.run(
            [*CLI, *args], cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=timeout, check=False
        )

    return run
