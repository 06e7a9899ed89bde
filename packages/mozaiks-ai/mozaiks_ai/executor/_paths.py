"""Checks for paths of generated files: nothing absolute, nothing escaping its folder."""

from __future__ import annotations

from pathlib import PurePosixPath

from mozaiks_ai.errors import ActionError

__all__ = ["safe_relative_path"]

_MAX_PATH = 512


def safe_relative_path(path: str) -> str:
    """Normalise a relative POSIX path, refusing absolute paths, ``..``, drive letters and NULs.

    Raises:
        ActionError: Naming the offending path.
    """
    if not isinstance(path, str) or not path.strip():
        raise ActionError(f"artifact path must be a non-empty string, got {path!r}")
    if "\x00" in path or "\\" in path or len(path) > _MAX_PATH:
        raise ActionError(f"artifact path {path!r} contains a forbidden character or is too long")
    pure = PurePosixPath(path)
    if pure.is_absolute() or (len(path) > 1 and path[1] == ":"):
        raise ActionError(f"artifact path {path!r} must be relative")
    parts = [p for p in pure.parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        raise ActionError(f"artifact path {path!r} must not contain '..'")
    return "/".join(parts)
