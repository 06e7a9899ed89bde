"""HTTP, WebSocket and SSE API of mozaiks-ai (``mozaiks-ai serve``)."""

from __future__ import annotations

from mozaiks_ai.api.app import create_app

__all__ = ["create_app"]
