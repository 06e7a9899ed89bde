"""The public API: ``__all__`` is sorted and complete, and the runtime never imports mozaiks_ai."""

from __future__ import annotations

import subprocess
import sys

import mozaiks_core_runtime


def test_all_is_sorted_and_importable() -> None:
    names = mozaiks_core_runtime.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(mozaiks_core_runtime, name), name


def test_runtime_does_not_import_mozaiks_ai() -> None:
    code = "import sys, mozaiks_core_runtime, mozaiks_core_runtime.cli; print('mozaiks_ai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
