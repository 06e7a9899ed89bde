"""ValueEngine's tools: the deterministic analysis (the offline answer) and the final check of either answer."""

from __future__ import annotations

from typing import Any

from mozaiks_ai import ToolContext, tool
from mozaiks_workflows.text_analysis import clean
from mozaiks_workflows.value_report import ValueReport, evaluate_idea, rank_ideas

#: Marks an offline answer; it is not part of the output schema the model sees.
OFFLINE_SOURCE = "offline"


@tool
def evaluate_idea_offline(idea: str, count: int, context: ToolContext) -> dict[str, Any]:
    """Rank ``count`` directions for an idea from its words alone (no model)."""
    context.progress("Analyzing the pitch's words (offline analysis)…")
    return {**evaluate_idea(idea, count).model_dump(), "source": OFFLINE_SOURCE}


@tool
def finalize_report(report: dict[str, Any], idea: str) -> dict[str, Any]:
    """Validate a report (offline or a model's), order it by score and keep the idea as given.

    Returns:
        ``{"report": <ValueReport JSON>, "offline": <whether the offline analysis wrote it>}``.
    """
    body = dict(report)
    offline = body.pop("source", None) == OFFLINE_SOURCE
    parsed = ValueReport.model_validate(body)
    final = parsed.model_copy(update={"idea": clean(idea), "ideas": rank_ideas(parsed.ideas)})
    return {"report": final.model_dump(), "offline": offline}
