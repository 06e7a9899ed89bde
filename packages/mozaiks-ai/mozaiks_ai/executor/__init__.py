"""The engine: executes runs durably (actions, tools, templates, control flow, waits, events)."""

from __future__ import annotations

from mozaiks_ai.executor.bus import EventBus
from mozaiks_ai.executor.engine import Engine
from mozaiks_ai.executor.tools import Tool, ToolContext, tool

__all__ = ["Engine", "EventBus", "Tool", "ToolContext", "tool"]
