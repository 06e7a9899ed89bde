"""Read an uploaded zip safely: no zip-slip, no symlinks, no duplicates, no bombs, no encryption.

Everything is checked against the central directory before a byte is decompressed, then the actual
decompressed sizes are counted again while reading, so a lying header cannot get past the limits.
"""

from __future__ import annotations

import io
import itertools
import stat
import zipfile

from mozaiks_ai.errors import ExportError
from mozaiks_ai.export._paths import check_tree, safe_path

__all__ = ["MAX_TOTAL_BYTES", "MAX_ZIP_FILES", "read_zip"]

MAX_ZIP_FILES = 5000
MAX_TOTAL_BYTES = 100 * 1024 * 1024
_CHUNK = 1024 * 1024
_ENCRYPTED = 0x1 | 0x40  # traditional PKWARE and strong encryption flags
_LOCAL_HEADER_SIZE = 30


def _entry_path(info: zipfile.ZipInfo) -> str:
    """Return the normalised path of an entry, refusing unsafe names and non-regular files."""
    name = info.orig_filename
    if "\x00" in name:
        raise ExportError(f"zip entry {name!r} has a NUL in its name; refused")
    try:
        path = safe_path(name[:-1] if info.is_dir() else name)
    except ExportError as exc:
        raise ExportError(f"zip entry {name!r} would be written outside the project: {exc}") from None
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise ExportError(f"zip entry {name!r} is a symbolic link; links are refused, store the file itself")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise ExportError(f"zip entry {name!r} is a special file (device, fifo or socket); refused")
    if info.flag_bits & _ENCRYPTED:
        raise ExportError(f"zip entry {name!r} is encrypted; upload an archive without a password")
    return path


def _check_layout(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse entries whose data overlap: the trick behind non-recursive zip bombs."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for before, after in itertools.pairwise(ordered):
        if after.header_offset < before.header_offset + _LOCAL_HEADER_SIZE + before.compress_size:
            raise ExportError(
                f"zip entries {before.orig_filename!r} and {after.orig_filename!r} overlap (a zip bomb); refused"
            )


def _plan(infos: list[zipfile.ZipInfo], max_files: int, max_total_bytes: int) -> dict[str, zipfile.ZipInfo]:
    """Check every entry's name, kind and declared size; return file path → entry."""
    if len(infos) > max_files:
        raise ExportError(f"zip has {len(infos)} entries, more than the limit of {max_files}; split the archive")
    planned: dict[str, zipfile.ZipInfo] = {}
    folders: set[str] = set()
    declared = 0
    for info in infos:
        path = _entry_path(info)
        if path in planned or (path in folders and not info.is_dir()):
            raise ExportError(f"zip entry {info.orig_filename!r} appears twice; keep one copy")
        if info.is_dir():
            folders.add(path)
            continue
        declared += info.file_size
        if declared > max_total_bytes:
            raise ExportError(
                f"zip entry {info.orig_filename!r} takes the archive past {max_total_bytes} bytes uncompressed; "
                "upload a smaller archive"
            )
        planned[path] = info
    check_tree(planned, folders)
    _check_layout(infos)
    return planned


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Decompress one entry, refusing more than ``budget`` bytes or more than it declared."""
    data = bytearray()
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                data.extend(chunk)
                if len(data) > min(budget, info.file_size):
                    raise ExportError(
                        f"zip entry {info.orig_filename!r} inflates past its declared size or the size limit; refused"
                    )
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ExportError(f"zip entry {info.orig_filename!r} is corrupt ({exc}); re-create the archive") from None
    except NotImplementedError:
        raise ExportError(
            f"zip entry {info.orig_filename!r} uses an unsupported compression method; use deflate or store"
        ) from None
    return bytes(data)


def read_zip(
    data: bytes, *, max_files: int = MAX_ZIP_FILES, max_total_bytes: int = MAX_TOTAL_BYTES
) -> dict[str, bytes]:
    r"""Unpack an uploaded zip into relative path → content, refusing anything unsafe.

    Refused: paths escaping the project (``../x``, ``/abs``, ``C:\x``, backslashes), symbolic links and
    special files, duplicate names, encrypted entries, overlapping entries, more than ``max_files``
    entries and more than ``max_total_bytes`` uncompressed (declared or actually inflated).
    Folder entries are skipped.

    Args:
        data: The archive.
        max_files: Most entries accepted (folders included).
        max_total_bytes: Most uncompressed bytes accepted, all files together.

    Returns:
        Normalised relative POSIX path → content.

    Raises:
        ExportError: Naming the offending entry and what to do.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ExportError(f"not a valid zip archive ({exc}); upload a .zip file") from None
    with archive:
        planned = _plan(archive.infolist(), max_files, max_total_bytes)
        files: dict[str, bytes] = {}
        remaining = max_total_bytes
        for path, info in planned.items():
            files[path] = _read_entry(archive, info, remaining)
            remaining -= len(files[path])
    return files
