"""Guard outbound HTTP: host allowlist, no link-local/metadata addresses, checked on every redirect.

* A host must match ``MOZAIKS_HTTP_ALLOWED_HOSTS`` (exact names, ``*.example.com`` wildcards, IPs,
  or ``*`` for any public host).
* Link-local and cloud-metadata addresses (``169.254.0.0/16``, ``fe80::/10``, ``fd00:ec2::254`` …)
  are refused even when allowlisted.
* Loopback, private and other non-public addresses are allowed only when the host (name or IP) is
  listed explicitly: ``*`` never reaches them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from mozaiks_ai.errors import ActionError

__all__ = ["check_url"]

_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
_ALWAYS_BLOCKED = (
    ipaddress.ip_network("169.254.0.0/16"),
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("fd00:ec2::254/128"),
    ipaddress.ip_network("100.100.100.200/32"),
    ipaddress.ip_network("0.0.0.0/8"),
)


def _host_allowed(host: str, allowlist: tuple[str, ...]) -> tuple[bool, bool]:
    """Return (allowed, explicitly listed)."""
    for entry in allowlist:
        entry = entry.lower()
        if entry == host:
            return True, True
        if entry.startswith("*.") and host.endswith(entry[1:]):
            return True, False
    return "*" in allowlist, False


async def check_url(url: str, allowlist: tuple[str, ...], *, setting: str = "MOZAIKS_HTTP_ALLOWED_HOSTS") -> None:
    """Refuse a URL outside the allowlist or resolving to a forbidden address.

    Raises:
        ActionError: Naming the host and the setting to change.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ActionError(f"only http and https URLs are allowed, got {url!r}")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise ActionError(f"URL {url!r} has no host")
    if host in _METADATA_HOSTS:
        raise ActionError(f"host {host!r} is a cloud metadata endpoint and is always refused")
    allowed, explicit = _host_allowed(host, allowlist)
    if not allowed:
        raise ActionError(
            f"host {host!r} is not in the HTTP allowlist; add it to {setting} (comma-separated) to allow it"
        )
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise ActionError(f"cannot resolve host {host!r}: {exc}") from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        if any(address in net for net in _ALWAYS_BLOCKED) or (
            isinstance(address, ipaddress.IPv6Address)
            and address.ipv4_mapped is not None
            and any(address.ipv4_mapped in net for net in _ALWAYS_BLOCKED)
        ):
            raise ActionError(f"host {host!r} resolves to {address}, a link-local/metadata address; refused")
        if not address.is_global and not explicit:
            raise ActionError(
                f"host {host!r} resolves to non-public address {address}; list it explicitly in {setting} to allow it"
            )
