"""``build_zip`` and ``read_zip``: round trip, determinism, and the refusals of SECURITY-TESTS item 18."""

from __future__ import annotations

import io
import re
import stat
import struct
import warnings
import zipfile

import pytest
from mozaiks_ai.errors import ExportError
from mozaiks_ai.export import build_zip, read_zip

FILES = {
    "README.md": b"# App\n",
    "frontend/src/App.tsx": b"export const App = () => null;\n",
    "backend/main.py": b"print('hi')\n",
    "assets/logo.png": bytes(range(256)) * 4,
    "empty.txt": b"",
    "docs/caf\u00e9.md": "caf\u00e9\n".encode(),
}


def make_zip(*entries: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    """Write entries as given, bypassing every check of ours."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on duplicate names, which some tests want
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in entries:
                archive.writestr(name, content)
    return buffer.getvalue()


def with_mode(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


# -- export ------------------------------------------------------------------------------


def test_build_zip_round_trips_through_read_zip() -> None:
    assert read_zip(build_zip(FILES)) == FILES


def test_build_zip_is_deterministic_and_sorted() -> None:
    first = build_zip(FILES)
    assert build_zip(dict(reversed(list(FILES.items())))) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(FILES)
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == stat.S_IFREG | 0o644
        assert not info.is_dir()


def test_build_zip_puts_files_under_root_and_normalises_paths() -> None:
    data = build_zip({"src/./a.py": b"a", "b.txt": b"b"}, root="my-app")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["my-app/b.txt", "my-app/src/a.py"]
    assert read_zip(data) == {"my-app/b.txt": b"b", "my-app/src/a.py": b"a"}
    assert build_zip({"a": b"1"}, root="") == build_zip({"a": b"1"})


def test_build_zip_of_nothing_is_an_empty_archive() -> None:
    assert read_zip(build_zip({})) == {}


@pytest.mark.parametrize("path", ["../evil.sh", "a/../../evil", "/etc/passwd", "C:\\evil", "a\\b", "C:evil", ""])
def test_18_build_zip_refuses_unsafe_paths(path: str) -> None:
    with pytest.raises(ExportError, match="path"):
        build_zip({path: b"x"})


def test_18_build_zip_refuses_unsafe_root_and_collisions() -> None:
    with pytest.raises(ExportError, match=r"\.\."):
        build_zip({"a": b"x"}, root="../up")
    with pytest.raises(ExportError, match="keep only one"):
        build_zip({"a/b": b"1", "a/./b": b"2"})
    with pytest.raises(ExportError, match="needs it to be a folder"):
        build_zip({"a": b"1", "a/b": b"2"})


# -- import ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../evil.sh", "safe/../../evil.sh", "/etc/cron.d/evil", "C:\\Windows\\evil", "C:evil", "a\\..\\..\\b"]
)
def test_18_read_zip_refuses_zip_slip(name: str) -> None:
    with pytest.raises(ExportError, match="outside the project") as caught:
        read_zip(make_zip(("ok.txt", b"ok"), (name, b"evil")))
    assert repr(name) in str(caught.value)


def test_18_read_zip_refuses_symlinks_and_special_files() -> None:
    link = with_mode("link", stat.S_IFLNK | 0o777)
    with pytest.raises(ExportError, match="'link' is a symbolic link"):
        read_zip(make_zip((link, b"/etc/passwd")))
    fifo = with_mode("pipe", stat.S_IFIFO | 0o644)
    with pytest.raises(ExportError, match="'pipe' is a special file"):
        read_zip(make_zip((fifo, b"")))
    assert read_zip(make_zip((with_mode("plain", stat.S_IFREG | 0o755), b"x"))) == {"plain": b"x"}


def test_18_read_zip_refuses_duplicates() -> None:
    with pytest.raises(ExportError, match=re.escape("'a.txt' appears twice")):
        read_zip(make_zip(("a.txt", b"1"), ("a.txt", b"2")))
    with pytest.raises(ExportError, match=re.escape("'x/./a.txt' appears twice")):
        read_zip(make_zip(("x/a.txt", b"1"), ("x/./a.txt", b"2")))
    with pytest.raises(ExportError, match="needs it to be a folder"):
        read_zip(make_zip(("a", b"1"), ("a/b", b"2")))
    with pytest.raises(ExportError, match="'a/' appears twice"):
        read_zip(make_zip(("a", b"1"), ("a/", b"")))
    with pytest.raises(ExportError, match="'a' is a file but 'a/b' needs it to be a folder"):
        read_zip(make_zip(("a/b/", b""), ("a", b"1")))


def test_read_zip_skips_folder_entries() -> None:
    assert read_zip(make_zip(("src/", b""), ("src/a.py", b"a"))) == {"src/a.py": b"a"}


def test_18_read_zip_refuses_bombs_by_declared_size() -> None:
    data = make_zip(("zeros.bin", bytes(2 * 1024 * 1024)))
    assert len(data) < 10_000
    with pytest.raises(ExportError, match=re.escape("'zeros.bin' takes the archive past 1048576 bytes")):
        read_zip(data, max_total_bytes=1024 * 1024)
    assert read_zip(data, max_total_bytes=2 * 1024 * 1024) == {"zeros.bin": bytes(2 * 1024 * 1024)}


def test_18_read_zip_refuses_bombs_with_lying_sizes() -> None:
    data = bytearray(make_zip(("zeros.bin", bytes(1024 * 1024))))
    # Declare 10 bytes in the local header (offset 22) and the central directory (offset 24).
    struct.pack_into("<I", data, 22, 10)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)
    with pytest.raises(ExportError, match=re.escape("'zeros.bin'")):
        read_zip(bytes(data))


def test_18_read_zip_refuses_overlapping_entries() -> None:
    data = bytearray(make_zip(("a", bytes(100_000))))
    central = data.index(b"PK\x01\x02")
    end = data.index(b"PK\x05\x06")
    record = bytes(data[central:end])
    twin = record[:46] + b"b" + record[47:]  # same local header and data, another name
    eocd = bytearray(data[end:])
    struct.pack_into("<HHI", eocd, 8, 2, 2, len(record) * 2)
    bomb = bytes(data[:end]) + twin + bytes(eocd)
    with pytest.raises(ExportError, match="overlap"):
        read_zip(bomb)


def test_18_read_zip_refuses_too_many_files() -> None:
    data = make_zip(*((f"f{i}.txt", b"x") for i in range(4)))
    with pytest.raises(ExportError, match="4 entries, more than the limit of 3"):
        read_zip(data, max_files=3)
    assert len(read_zip(data, max_files=4)) == 4


def test_18_read_zip_refuses_encrypted_entries() -> None:
    data = bytearray(make_zip(("secret.txt", b"x")))
    struct.pack_into("<H", data, 6, 0x1)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 0x1)
    with pytest.raises(ExportError, match=re.escape("'secret.txt' is encrypted")):
        read_zip(bytes(data))


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x05\x06" + bytes(10)])
def test_read_zip_refuses_garbage(data: bytes) -> None:
    with pytest.raises(ExportError, match="zip"):
        read_zip(data)


def test_read_zip_refuses_corrupt_data() -> None:
    data = bytearray(make_zip(("a.txt", b"hello world" * 100)))
    central = data.index(b"PK\x01\x02")
    data[central - 5] ^= 0xFF  # flip a byte of the compressed data
    with pytest.raises(ExportError, match=re.escape("'a.txt'")):
        read_zip(bytes(data))
