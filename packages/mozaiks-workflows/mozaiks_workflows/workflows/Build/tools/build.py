"""Build's tools: the message AppGenerator receives, and the journey's summary."""

from __future__ import annotations

from typing import Any

from mozaiks_ai import tool
from mozaiks_workflows.text_analysis import clean, pluralize, snake_case


@tool
def app_request(idea: str, design: dict[str, Any]) -> str:
    """The idea, plus one sentence naming the design's entities (so the app stores what the design describes).

    The added sentence uses plain words only: AppGenerator's offline extractor reads nouns after words such as
    "manages", and a model reads the sentence as a requirement.
    """
    text = clean(idea)
    names = [e.get("name", "") for e in design.get("data_model", []) if isinstance(e, dict)]
    plurals = [pluralize(snake_case(n).replace("_", " ")) for n in names if n]
    if not plurals:
        return text
    listed = plurals[0] if len(plurals) == 1 else ", ".join(plurals[:-1]) + " and " + plurals[-1]
    end = "" if text.endswith((".", "!", "?")) else "."
    return f"{text}{end} It manages {listed}."


@tool
def build_summary(value: dict[str, Any], design: dict[str, Any], app: Any) -> dict[str, Any]:
    """A markdown summary of the journey (AppGenerator's own summary included) and whether any stage ran offline."""
    top = (value.get("ideas") or [{}])[0]
    doc = design.get("document", {})
    app_info = app if isinstance(app, dict) else {}
    offline = any(bool(part.get("offline")) for part in (value, design, app_info))
    lines = [
        f"## Build: {app_info.get('app') or doc.get('title', 'your app')}",
        "",
        f"1. **Value** — strongest direction “{top.get('title', '?')}” ({top.get('score', '?')}/100): "
        f"`{value.get('report', 'docs/value/report.md')}`",
        f"2. **Design** — {design.get('summary', '')} `{design.get('artifact', 'docs/design/design-document.md')}`",
        f"3. **App** — `{app_info.get('slug', '?')}`, below.",
    ]
    if offline:
        lines += ["", "*Some stages ran offline (no language model configured): their output is deterministic.*"]
    app_summary = str(app_info.get("summary", "")).strip()
    if app_summary:
        lines += ["", app_summary]
    return {"markdown": "\n".join(lines), "offline": offline}
