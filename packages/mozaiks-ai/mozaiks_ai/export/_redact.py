"""Scrub credentials from URLs and from text that may echo them (git's stderr, HTTP error bodies).

Error messages of exports go to API clients and logs, so anything that looks like a credential is
replaced with ``***``: the user-info part of URLs (``https://user:token@host``), ``Authorization``
header values, ``Bearer``/``token`` values, GitHub token shapes, plus any secret passed explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["REDACTED", "redact", "redact_url", "url_secrets"]

REDACTED = "***"

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s'\"<>@]+@")
_AUTHORIZATION = re.compile(r"(?i)(\bauthorization\b[\"']?\s*[:=]\s*[\"']?)[^\r\n\"',;]+")
_BEARER = re.compile(r"(?i)\b(bearer|token|basic)(\s+)[A-Za-z0-9._~+/=\-]{8,}")
_GITHUB_TOKEN = re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b")
_QUERY_SECRET = re.compile(r"(?i)([?&](?:access_token|token|password|key|secret)=)[^&#\s'\"]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with credentials replaced by ``***``.

    Args:
        text: Free text such as a subprocess's stderr or an error message.
        secrets: Exact strings to remove as well (a token, a URL password); short ones are ignored
            so that redaction cannot mangle ordinary words.

    Returns:
        The scrubbed text.
    """
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _USERINFO.sub(rf"\1{REDACTED}@", text)
    text = _AUTHORIZATION.sub(rf"\1{REDACTED}", text)
    text = _BEARER.sub(rf"\1\2{REDACTED}", text)
    text = _GITHUB_TOKEN.sub(REDACTED, text)
    return _QUERY_SECRET.sub(rf"\1{REDACTED}", text)


def url_secrets(url: str) -> tuple[str, ...]:
    """Return the credentials embedded in ``url`` (user, password, both raw and percent-decoded).

    Args:
        url: A remote URL, possibly with ``user:password@``.

    Returns:
        The strings to pass to :func:`redact` as ``secrets``.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    if "@" not in parts.netloc:
        return ()
    userinfo = parts.netloc.rsplit("@", 1)[0]
    found = {userinfo, unquote(userinfo)}
    for piece in userinfo.split(":", 1):
        found.update({piece, unquote(piece)})
    return tuple(s for s in found if s)


def redact_url(url: str) -> str:
    """Return ``url`` safe to show: user-info of http(s) URLs and any password removed.

    ``https://user:token@host/x.git`` becomes ``https://***@host/x.git``; ``ssh://git@host/x`` keeps
    its user name (not a secret) but ``ssh://git:pw@host/x`` becomes ``ssh://git:***@host/x``.

    Args:
        url: A remote URL or path.

    Returns:
        The displayable URL.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    if "@" in parts.netloc and parts.scheme not in ("", "file"):
        userinfo, host = parts.netloc.rsplit("@", 1)
        if parts.scheme in ("http", "https"):
            userinfo = REDACTED
        elif ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + REDACTED
        url = urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))
    return _QUERY_SECRET.sub(rf"\1{REDACTED}", url)
