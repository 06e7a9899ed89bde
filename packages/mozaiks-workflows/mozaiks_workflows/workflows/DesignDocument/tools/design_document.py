"""DesignDocument's tools: the input check, the deterministic draft/alignment (the offline answer), the final check."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mozaiks_ai import ToolContext, tool
from mozaiks_workflows.design_alignment import check_request, design_for, load_document
from mozaiks_workflows.design_document import DesignResult

#: Marks an offline answer; it is not part of the output schema the model sees.
OFFLINE_SOURCE = "offline"


@tool
def check_design_request(
    idea: str | None = None, value: dict[str, Any] | None = None, document: Any = None, feedback: str | None = None
) -> str:
    """Refuse unusable input before a model is called; return the mode (``draft`` or ``align``)."""
    return check_request(idea, value, document, feedback)


@tool
def design_offline(
    context: ToolContext,
    idea: str | None = None,
    value: dict[str, Any] | None = None,
    document: Any = None,
    feedback: str | None = None,
) -> dict[str, Any]:
    """Draft a design document, or align an existing one with feedback, from the words alone (no model)."""
    context.progress("Deriving the design from the text (offline analysis)…")
    return {**design_for(idea, value, document, feedback).model_dump(), "source": OFFLINE_SOURCE}


@tool
def finalize_design(result: dict[str, Any], document: Any = None) -> dict[str, Any]:
    """Validate a result (offline or a model's), number its version and add a one-line summary.

    Returns:
        ``{"document", "updates", "summary", "offline"}``.
    """
    body = dict(result)
    offline = body.pop("source", None) == OFFLINE_SOURCE
    parsed = DesignResult.model_validate(body)
    previous, _ = load_document(document) if document not in (None, "", {}) else (None, None)
    doc = parsed.document
    if previous is not None and doc.version <= previous.version:
        doc = doc.model_copy(update={"version": previous.version + 1})
    counts = Counter(u.change for u in parsed.updates)
    changes = ", ".join(f"{n} {change}" for change, n in sorted(counts.items()))
    summary = (
        f"Design document “{doc.title}” v{doc.version}: {len(doc.features)} features, {len(doc.data_model)} "
        f"entities, {len(doc.api)} endpoints, {len(doc.workflows)} workflows"
        + (f"; {len(parsed.updates)} update(s) from the feedback ({changes})." if parsed.updates else ".")
    )
    return {
        "document": doc.model_dump(),
        "updates": [u.model_dump() for u in parsed.updates],
        "summary": summary,
        "offline": offline,
    }
