"""Insights configuration, read from an injectable environment mapping.

===============================  ==========================================================================
variable                         meaning
===============================  ==========================================================================
``MOZAIKS_MODE``                 pushes happen only when ``managed``
``MOZAIKS_INSIGHTS_URL``         where batches are POSTed (full URL)
``MOZAIKS_PLATFORM_URL``         otherwise batches go to ``{MOZAIKS_PLATFORM_URL}/api/insights/batches``
``MOZAIKS_INSIGHTS_API_KEY``     bearer token for the insights endpoint
``MOZAIKS_APP_ID``               this app's id on the platform (default ``default``)
===============================  ==========================================================================

Managed mode with neither URL set pushes nothing (``InsightsConfig.push_url`` is ``None``; ``doctor`` reports it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mozaiks_core_runtime.hosting import Mode, detect_mode

__all__ = ["DEFAULT_INSIGHTS_PATH", "InsightsConfig"]

DEFAULT_INSIGHTS_PATH = "/api/insights/batches"
"""Path under ``MOZAIKS_PLATFORM_URL`` that receives insights batches when ``MOZAIKS_INSIGHTS_URL`` is unset."""


@dataclass(frozen=True, slots=True)
class InsightsConfig:
    """Insights settings.

    Attributes:
        mode: The hosting mode; only ``managed`` pushes.
        url: Where batches are POSTed, or ``None``.
        app_id: This app's id on the platform.
        api_key: Bearer token for the endpoint.
        batch_size: Records per pushed batch.
        max_buffer: Records kept while waiting to be pushed; the oldest are dropped beyond it.
        flush_interval: Seconds between background pushes.
        max_attempts: Attempts per batch and flush on connection errors, 408, 429 and 5xx.
        timeout: Per-request timeout in seconds.
    """

    mode: Mode = "self-hosted"
    url: str | None = None
    app_id: str = "default"
    api_key: str | None = field(default=None, repr=False)
    batch_size: int = 100
    max_buffer: int = 10_000
    flush_interval: float = 5.0
    max_attempts: int = 4
    timeout: float = 10.0

    @property
    def push_url(self) -> str | None:
        """The URL batches are pushed to, or ``None`` when nothing may be pushed (self-hosted, or no URL)."""
        return self.url if self.mode == "managed" else None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> InsightsConfig:
        """Build the configuration from environment variables (see the module docstring).

        Args:
            environ: The environment.

        Returns:
            The configuration.
        """
        url = environ.get("MOZAIKS_INSIGHTS_URL") or None
        if url is None and (platform := environ.get("MOZAIKS_PLATFORM_URL")):
            url = platform.rstrip("/") + DEFAULT_INSIGHTS_PATH
        return cls(
            mode=detect_mode(environ),
            url=url,
            app_id=environ.get("MOZAIKS_APP_ID") or "default",
            api_key=environ.get("MOZAIKS_INSIGHTS_API_KEY") or None,
        )
