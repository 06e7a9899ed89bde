"""Fixtures for definition tests: a temporary workflow root and a writer of workflow folders."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

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
        folder = (root or wf_root) / workflow_id
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / "workflow.yml"
        source.write_text(textwrap.dedent(yaml).lstrip("\n"), "utf-8")
        for name, code in (tools or {}).items():
            (folder / "tools").mkdir(exist_ok=True)
            (folder / "tools" / f"{name}.py").write_text(textwrap.dedent(code).lstrip("\n"), "utf-8")
        for rel, text in (files or {}).items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        return source

    return write
