"""Build a deterministic zip of a run's files: same files in, same bytes out."""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Mapping

from mozaiks_ai.export._paths import check_files, safe_path

__all__ = ["build_zip"]

# The earliest time a zip can store: fixed so that the archive does not depend on the clock.
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
_UNIX = 3
_FILE_MODE = stat.S_IFREG | 0o644


def build_zip(files: Mapping[str, bytes], *, root: str | None = None) -> bytes:
    """Zip ``files`` deterministically.

    Entries are sorted by path, carry a fixed timestamp and ``0o644`` regular-file permissions, and are
    never symlinks. Every path is checked with :func:`~mozaiks_ai.export.safe_path` first.

    Args:
        files: Relative POSIX path → content.
        root: Optional top folder (``my-app`` puts ``src/a.py`` at ``my-app/src/a.py``); empty means none.

    Returns:
        The zip archive.

    Raises:
        ExportError: A path (or ``root``) is unsafe or two paths collide.
    """
    checked = check_files(files)
    prefix = f"{safe_path(root)}/" if root else ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(checked):
            info = zipfile.ZipInfo(prefix + path, date_time=_TIMESTAMP)
            info.create_system = _UNIX  # so that unzip reads the permissions below
            info.external_attr = _FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, checked[path], compresslevel=6)
    return buffer.getvalue()
