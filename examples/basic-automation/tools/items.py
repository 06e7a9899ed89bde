"""Tools of the basic-automation example: plain typed Python functions."""

from __future__ import annotations

from mozaiks_ai import ToolContext, tool


@tool
def describe_item(name: str, position: int, context: ToolContext) -> str:
    """Describe one item of the list."""
    context.progress(f"describing {name}")
    return f"{position}. {name} ({len(name)} letters)"


@tool
async def count_items(items: list[str]) -> int:
    """Count the items."""
    return len(items)
