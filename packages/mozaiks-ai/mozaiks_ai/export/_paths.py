"""Paths of exported files: relative, normalised, inside their folder, one file per path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mozaiks_ai.errors import ActionError, ExportError
from mozaiks_ai.executor._paths import safe_relative_path

__all__ = ["check_files", "check_tree", "safe_path"]


def safe_path(path: str) -> str:
    """Normalise a relative POSIX path, refusing anything that could escape its folder.

    Same rules as generated artifacts: no absolute paths, drive letters, ``..``, backslashes or NULs.

    Args:
        path: A path such as ``src/./app.py``.

    Returns:
        The normalised path (``src/app.py``).

    Raises:
        ExportError: Naming the path and how to fix it.
    """
    try:
        return safe_relative_path(path)
    except ActionError as exc:
        raise ExportError(f"{exc}; use a relative POSIX path inside the project, like 'src/app.py'") from None


def check_tree(files: Iterable[str], folders: Iterable[str] = ()) -> None:
    """Refuse paths where one is both a file and a folder (``a`` and ``a/b``).

    Args:
        files: File paths already normalised by :func:`safe_path`.
        folders: Folder paths (from explicit folder entries of an archive), normalised likewise.

    Raises:
        ExportError: Naming both paths.
    """
    known = set(files)
    for path in sorted(known):
        _refuse_file_ancestor(path, known, depth=path.count("/"))
    for folder in sorted(set(folders)):
        _refuse_file_ancestor(folder, known, depth=folder.count("/") + 1)


def _refuse_file_ancestor(path: str, files: set[str], *, depth: int) -> None:
    parts = path.split("/")
    for end in range(1, depth + 1):
        ancestor = "/".join(parts[:end])
        if ancestor in files:
            raise ExportError(f"{ancestor!r} is a file but {path!r} needs it to be a folder; rename one of them")


def check_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Validate a run's files and return them keyed by normalised path.

    Args:
        files: Relative POSIX path → content.

    Returns:
        A new mapping with normalised paths.

    Raises:
        ExportError: A path is unsafe, two paths name the same file, a path is both file and folder,
            or a content is not bytes.
    """
    checked: dict[str, bytes] = {}
    for raw, content in files.items():
        path = safe_path(raw)
        if not isinstance(content, bytes | bytearray | memoryview):
            raise ExportError(f"content of {path!r} must be bytes, got {type(content).__name__}")
        if path in checked:
            raise ExportError(f"paths {raw!r} and another entry both name {path!r}; keep only one")
        checked[path] = bytes(content)
    check_tree(checked)
    return checked
