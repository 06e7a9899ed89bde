"""Hosting detection: the Mozaiks mode and the platform the app runs on.

``mode`` comes from ``MOZAIKS_MODE`` (``managed`` or ``self-hosted``, the default). In ``self-hosted`` mode nothing
may call a Mozaiks service: MozaiksPay, insights pushes and other platform plugins are disabled. ``platform`` is
detected in this order:

1. ``container-apps``: ``CONTAINER_APP_NAME`` is set (Azure Container Apps sets it in every replica);
2. ``kubernetes``: ``KUBERNETES_SERVICE_HOST`` is set (the kubelet injects it into every pod);
3. ``docker``: ``/.dockerenv`` exists, or ``/proc/1/cgroup`` names docker or containerd;
4. ``local`` otherwise.

Every function takes the environment as an explicit mapping (and the probed files as paths) so that tests never
patch ``os.environ``. ``hosting.mode`` and ``hosting.platform`` also work as module attributes, read from
``os.environ`` when accessed (after the App has loaded ``.env``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mozaiks_core_runtime.errors import ConfigurationError

__all__ = [
    "DEFAULT_CGROUP_PATH",
    "DEFAULT_DOCKERENV_PATH",
    "Hosting",
    "Mode",
    "Platform",
    "detect",
    "detect_mode",
    "detect_platform",
]

Mode = Literal["managed", "self-hosted"]
Platform = Literal["container-apps", "kubernetes", "docker", "local"]

DEFAULT_DOCKERENV_PATH = Path("/.dockerenv")
DEFAULT_CGROUP_PATH = Path("/proc/1/cgroup")

_MODE_ALIASES: dict[str, Mode] = {
    "managed": "managed",
    "self-hosted": "self-hosted",
    "selfhosted": "self-hosted",
    "self_hosted": "self-hosted",
}
_CONTAINER_CGROUP_MARKERS = ("docker", "containerd")


@dataclass(frozen=True, slots=True)
class Hosting:
    """Where and how the app runs.

    Attributes:
        mode: ``managed`` (Mozaiks platform services are used) or ``self-hosted`` (none are).
        platform: The detected platform.
    """

    mode: Mode
    platform: Platform

    @property
    def is_managed(self) -> bool:
        """Whether Mozaiks platform services may be called."""
        return self.mode == "managed"


def detect_mode(environ: Mapping[str, str]) -> Mode:
    """Read the Mozaiks mode from ``MOZAIKS_MODE``.

    Args:
        environ: The environment.

    Returns:
        ``"managed"`` or ``"self-hosted"`` (the default when unset or empty).

    Raises:
        ConfigurationError: ``MOZAIKS_MODE`` holds anything else; the message says what to set.
    """
    raw = environ.get("MOZAIKS_MODE", "").strip().lower()
    if not raw:
        return "self-hosted"
    try:
        return _MODE_ALIASES[raw]
    except KeyError:
        raise ConfigurationError(f"MOZAIKS_MODE={raw!r} is not valid: set it to 'managed' or 'self-hosted'") from None


def detect_platform(
    environ: Mapping[str, str],
    *,
    dockerenv: Path = DEFAULT_DOCKERENV_PATH,
    cgroup: Path = DEFAULT_CGROUP_PATH,
) -> Platform:
    """Detect the platform the process runs on.

    Args:
        environ: The environment.
        dockerenv: The marker file Docker creates in containers.
        cgroup: The cgroup file of PID 1, which names the container runtime on cgroup v1 hosts.

    Returns:
        The platform (see the module docstring for the order of checks).
    """
    if environ.get("CONTAINER_APP_NAME"):
        return "container-apps"
    if environ.get("KUBERNETES_SERVICE_HOST"):
        return "kubernetes"
    if dockerenv.exists() or _cgroup_names_container(cgroup):
        return "docker"
    return "local"


def detect(
    environ: Mapping[str, str] | None = None,
    *,
    dockerenv: Path = DEFAULT_DOCKERENV_PATH,
    cgroup: Path = DEFAULT_CGROUP_PATH,
) -> Hosting:
    """Detect both the mode and the platform.

    Args:
        environ: The environment; ``os.environ`` when omitted.
        dockerenv: See :func:`detect_platform`.
        cgroup: See :func:`detect_platform`.

    Returns:
        The hosting description.
    """
    env = os.environ if environ is None else environ
    return Hosting(mode=detect_mode(env), platform=detect_platform(env, dockerenv=dockerenv, cgroup=cgroup))


def _cgroup_names_container(cgroup: Path) -> bool:
    try:
        text = cgroup.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(marker in text for marker in _CONTAINER_CGROUP_MARKERS)


def __getattr__(name: str) -> str:
    # SPEC §4 reads ``hosting.mode`` / ``hosting.platform``; computed on access so that .env loading happens first.
    if name == "mode":
        return detect_mode(os.environ)
    if name == "platform":
        return detect_platform(os.environ)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
