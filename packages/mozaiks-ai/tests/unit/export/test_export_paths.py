"""``safe_path``, credential redaction and the package's public names."""

from __future__ import annotations

import mozaiks_ai.export as export
import pytest
from mozaiks_ai.errors import ExportError
from mozaiks_ai.export import redact, redact_url, safe_path


def test_all_is_sorted_and_resolves() -> None:
    exported = list(export.__all__)
    assert exported == sorted(exported, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    for name in exported:
        assert hasattr(export, name), name


@pytest.mark.parametrize(
    ("path", "expected"), [("a.txt", "a.txt"), ("src/./app.py", "src/app.py"), ("a//b/", "a/b"), ("./x", "x")]
)
def test_safe_path_normalises(path: str, expected: str) -> None:
    assert safe_path(path) == expected


@pytest.mark.parametrize("path", ["../x", "a/../../b", "/etc/passwd", "C:\\x", "C:x", "a\\b", "", "  ", "a\x00b", "."])
def test_18_safe_path_refuses_escapes(path: str) -> None:
    with pytest.raises(ExportError, match="path"):
        safe_path(path)


def test_redact_scrubs_urls_headers_and_tokens() -> None:
    text = (
        "fatal: unable to access 'https://user:SECRETTOKEN@example.com/x.git/': denied\n"
        "> Authorization: Bearer SECRETBEARER\n"
        "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 and ?access_token=SECRETQUERY"
    )
    cleaned = redact(text)
    for secret in ("SECRETTOKEN", "SECRETBEARER", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "SECRETQUERY"):
        assert secret not in cleaned
    assert "https://***@example.com/x.git/" in cleaned
    assert redact("password is hunter22 here", ["hunter22"]) == "password is *** here"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:SECRET@github.com/o/r.git", "https://***@github.com/o/r.git"),
        ("https://SECRET@github.com/o/r.git", "https://***@github.com/o/r.git"),
        ("ssh://git@host/o/r.git", "ssh://git@host/o/r.git"),
        ("ssh://git:SECRET@host/o/r.git", "ssh://git:***@host/o/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("/srv/r.git", "/srv/r.git"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
