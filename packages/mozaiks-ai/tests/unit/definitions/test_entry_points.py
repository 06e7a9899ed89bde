"""Installed packs publish workflow folders through the ``mozaiks_ai.workflows`` entry-point group."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mozaiks_ai.definitions import ENTRY_POINT_GROUP, WorkflowRegistry, entry_point_roots


@pytest.fixture
def installed_pack(tmp_path: Path) -> Iterator[Path]:
    """A fake installed distribution whose entry point returns its workflows folder."""
    site = tmp_path / "site"
    package = site / "demo_pack"
    (package / "workflows" / "pack-hello").mkdir(parents=True)
    (package / "workflows" / "pack-hello" / "workflow.yml").write_text("name: Pack Hello\nsteps:\n  - echo: hi\n")
    (package / "__init__.py").write_text(
        "from pathlib import Path\n\n\ndef workflows() -> Path:\n    return Path(__file__).parent / 'workflows'\n"
    )
    dist = site / "demo_pack-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-pack\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\ndemo = demo_pack:workflows\n")
    sys.path.insert(0, str(site))
    try:
        yield package / "workflows"
    finally:
        sys.path.remove(str(site))
        sys.modules.pop("demo_pack", None)


def test_entry_point_roots_find_an_installed_pack(installed_pack: Path) -> None:
    roots = entry_point_roots()
    assert installed_pack in roots
    registry = WorkflowRegistry.from_roots(roots)
    assert registry.get("pack-hello").name == "Pack Hello"
