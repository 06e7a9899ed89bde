"""Fixtures for definition tests: a temporary workflow root and a writer of workflow folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from engine_harness import write_workflow_folder

WriteWorkflow = Callable[..., Path]


@pytest.fixture
def wf_root(tmp_path: Path) -> Path:
    """Return an empty folder to write workflows into."""
    root = tmp_path / "workflows"
    root.mkdir()
    return root


@pytest.fixture
def write_workflow(wf_root: Path) -> WriteWorkflow:
    """Return ``write(id, yaml, tools=None, files=None, root=None)`` → the written ``workflow.yml``.

    ``yaml`` is dedented; ``tools`` maps a module name to the source of ``tools/<name>.py``;
    ``files`` maps a relative path inside the workflow folder to its text.
    """

    def write(
        workflow_id: str,
        yaml: str,
        *,
        tools: dict[str, str] | None = None,
        files: dict[str, str] | None = None,
        root: Path | None = None,
    ) -> Path:
        folder = write_workflow_folder(root or wf_root, workflow_id, yaml, tools=tools, files=files)
        return folder / "workflow.yml"

    return write
