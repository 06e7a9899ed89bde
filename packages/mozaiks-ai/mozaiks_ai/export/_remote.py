"""Which git remotes a deploy may push to, and which branch names it may create.

Remote URLs come from API callers, and git reads many strings as commands or options
(``ext::sh -c …``, ``fd::3``, ``--upload-pack=…``, ``ssh://-oProxyCommand=…``). Only these shapes pass:

* ``https://host/path``: the host goes through the HTTP guard (link-local and metadata addresses are
  always refused; private and loopback ones only when listed in the allowlist);
* ``ssh://[user@]host[:port]/path`` and ``user@host:path``: the host must not be link-local/metadata;
* ``file:///abs/path`` and ``/abs/path``: only when local remotes are enabled (development and tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from mozaiks_ai.errors import ActionError, ExportError
from mozaiks_ai.executor.actions._ssrf import check_url
from mozaiks_ai.export._redact import redact, redact_url, url_secrets

__all__ = ["Remote", "check_branch", "check_remote"]

_BRANCH_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_MAX_BRANCH = 200
_MAX_URL = 2000
_TRANSPORT_HELPER = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*::")
_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/:\[\]]+)@)?(?P<host>[^@/:\[\]]+|\[[0-9A-Fa-f:.]+\]):(?P<path>.+)$")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$")
_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._~+%\-]*(?::[^@/\s]*)?$")
_SSH_SCHEMES = frozenset({"ssh", "git+ssh", "ssh+git"})
_FORMS = "use https://host/owner/repo.git, ssh://host/owner/repo.git or git@host:owner/repo.git"
_LOCAL_DISABLED = (
    "pushing to a local path or file:// URL is disabled; {forms} "
    "(a server enables local remotes with MOZAIKS_AI_DEPLOY_ALLOW_LOCAL=true, for development only)"
)


@dataclass(frozen=True)
class Remote:
    """A validated remote.

    Attributes:
        url: The URL to hand to git, unchanged.
        display: The URL without credentials, for results and messages.
        protocol: The only git protocol allowed for the push (``GIT_ALLOW_PROTOCOL``).
        secrets: Credentials embedded in the URL, to scrub from git's output.
    """

    url: str
    display: str
    protocol: Literal["https", "ssh", "file"]
    secrets: tuple[str, ...] = ()


def check_branch(branch: str) -> str:
    """Return ``branch`` if it is a plain branch name (``main``, ``release/v1``), else refuse it.

    Raises:
        ExportError: Saying which characters are allowed.
    """
    parts = branch.split("/") if isinstance(branch, str) else [""]
    valid = (
        isinstance(branch, str)
        and 0 < len(branch) <= _MAX_BRANCH
        and branch != "HEAD"
        and ".." not in branch
        and all(_BRANCH_PART.fullmatch(p) and not p.endswith((".", ".lock")) for p in parts)
    )
    if not valid:
        shown = repr(branch[:60]) if isinstance(branch, str) else type(branch).__name__
        raise ExportError(
            f"branch name {shown} is not allowed; use letters, digits, '.', '_', '-' and '/' "
            "(like 'main' or 'release/v1'), without '..', a leading '-' or '.', or a '.lock' suffix"
        )
    return branch


async def _check_https(url: str, allowed_hosts: tuple[str, ...]) -> Remote:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ExportError(f"git remote {redact_url(url)!r} is not a valid URL; {_FORMS}") from None
    if not parts.hostname or not parts.path.strip("/"):
        raise ExportError(f"git remote {redact_url(url)!r} needs a host and a repository path; {_FORMS}")
    try:
        await check_url(url, allowed_hosts or ("*",))
    except ActionError as exc:
        raise ExportError(f"git remote refused: {redact(str(exc), url_secrets(url))}") from None
    return Remote(url, redact_url(url), "https", url_secrets(url))


async def _check_ssh(url: str, user: str | None, host: str, path: str) -> Remote:
    if (user is not None and not _USER.match(user)) or not _HOST.match(host) or not path or path.startswith("-"):
        raise ExportError(f"git remote {redact_url(url)!r} is not a valid ssh address; {_FORMS}")
    bare = host.strip("[]").lower()
    try:
        # Listing the host explicitly allows private addresses (self-hosted servers) but never link-local ones.
        await check_url(f"https://{host}/", (bare,))
    except ActionError as exc:
        raise ExportError(f"git remote refused: {redact(str(exc), url_secrets(url))}") from None
    return Remote(url, redact_url(url), "ssh", url_secrets(url))


def _check_local(url: str, allow_local: bool) -> Remote:
    if not allow_local:
        raise ExportError(_LOCAL_DISABLED.format(forms=_FORMS))
    path = url
    if url.lower().startswith("file://"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ExportError(f"file:// remote {redact(url)!r} must name a local path, like file:///srv/repo.git")
        path = parts.path
    if not path.startswith("/"):
        raise ExportError(f"local remote {redact(url)!r} must be an absolute path, like /srv/repo.git")
    return Remote(url, url, "file")


async def _check_with_scheme(url: str, allow_local: bool, allowed_hosts: tuple[str, ...]) -> Remote:
    scheme = url.split("://", 1)[0].lower()
    if scheme == "file":
        return _check_local(url, allow_local)
    if any(c.isspace() for c in url):
        raise ExportError(f"remote_url must not contain spaces; {_FORMS}")
    if scheme == "https":
        return await _check_https(url, allowed_hosts)
    if scheme not in _SSH_SCHEMES:
        raise ExportError(f"remote scheme {scheme[:20]!r} is not allowed; {_FORMS}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ExportError(f"git remote {redact_url(url)!r} is not a valid URL; {_FORMS}") from None
    *user, hostport = parts.netloc.rsplit("@", 1)
    host = hostport if hostport.endswith("]") else hostport.rsplit(":", 1)[0]
    return await _check_ssh(url, user[0] if user else None, host, parts.path.lstrip("/"))


async def check_remote(url: str, *, allow_local: bool = False, allowed_hosts: tuple[str, ...] = ()) -> Remote:
    """Validate a push destination given by an API caller.

    Args:
        url: The remote URL or path.
        allow_local: Accept ``file://`` URLs and absolute local paths.
        allowed_hosts: The HTTP allowlist for ``https://`` hosts (empty means any public host).

    Returns:
        The remote, with its displayable form and embedded credentials.

    Raises:
        ExportError: The URL is of a refused shape or points at a refused host; never contains credentials.
    """
    if not isinstance(url, str) or not url:
        raise ExportError(f"remote_url is empty; {_FORMS}")
    if len(url) > _MAX_URL or any(ord(c) < 32 or ord(c) == 127 for c in url) or "\\" in url:
        raise ExportError(f"remote_url contains control characters or backslashes, or is too long; {_FORMS}")
    if url.startswith("-"):
        raise ExportError(f"remote_url must not start with '-' (it would be read as a git option); {_FORMS}")
    if _TRANSPORT_HELPER.match(url):
        raise ExportError(f"git remote helpers such as 'ext::' and 'fd::' are refused; {_FORMS}")
    if "://" in url:
        return await _check_with_scheme(url, allow_local, allowed_hosts)
    scp = _SCP_LIKE.match(url)
    if scp and not url.startswith("/"):
        if any(c.isspace() for c in url):
            raise ExportError(f"remote_url must not contain spaces; {_FORMS}")
        return await _check_ssh(url, scp["user"], scp["host"], scp["path"])
    return _check_local(url, allow_local)
