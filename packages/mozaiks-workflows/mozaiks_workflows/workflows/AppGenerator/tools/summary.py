"""AppGenerator's last tool: count what the run generated and describe it in Markdown for the chat."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mozaiks_ai import tool

__all__ = ["summarize_app"]


@tool
def summarize_app(spec: dict[str, Any], outputs: list[Any]) -> dict[str, Any]:
    """Summarise a generated app: its files (from the outputs of the steps that wrote them) and how to run it.

    Args:
        spec: The validated app spec.
        outputs: Outputs of the generating steps: ``template`` outputs (``{files, count}``), ``artifact`` outputs
            (``{path, size}``) and ``foreach`` lists of them.

    Returns:
        ``{"count": n, "files": [path, …], "markdown": "…"}``.
    """
    files = sorted(set(_paths(outputs)))
    return {"count": len(files), "files": files, "markdown": _markdown(spec, files)}


def _paths(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _paths(item)
    elif isinstance(value, dict):
        if isinstance(value.get("files"), list):
            yield from (p for p in value["files"] if isinstance(p, str))
        elif isinstance(value.get("path"), str) and "size" in value:
            yield value["path"]


def _markdown(spec: dict[str, Any], files: list[str]) -> str:
    def count(folder: str) -> int:
        return sum(1 for f in files if f.startswith(folder + "/"))

    entities = ", ".join(f"{e['plural_label']} (`/api/{e['collection']}`)" for e in spec["entities"])
    lines = [
        f"## {spec['name']}",
        "",
        spec["description"],
        "",
        f"Generated **{len(files)} files**"
        + (" from a spec written by the offline extractor (no model was called)." if _offline(spec) else "."),
        "",
        f"- `backend/` ({count('backend')} files): Python on mozaiks-core with auth, validation and tests for "
        f"{entities}.",
        f"- `frontend/` ({count('frontend')} files): React + TypeScript on @mozaiks/core-runtime, "
        f"{len(spec['pages'])} pages.",
    ]
    if spec["workflows"]:
        described = ", ".join(f"`{w['id']}` (on `{w['trigger']}`)" for w in spec["workflows"])
        lines.append(f"- `workflows/`: {described}, run on mozaiks-ai.")
    if spec["agents"]:
        lines.append("- `agents/`: " + ", ".join(f"`{a['id']}`" for a in spec["agents"]) + ".")
    if spec.get("assumptions"):
        lines += ["", "Assumptions:", *(f"- {a}" for a in spec["assumptions"])]
    lines += [
        "",
        "Run it: `mozaiks-core serve backend` and `cd frontend && npm install && npm run dev` "
        "(the README has the details, and `docker compose up` starts everything).",
    ]
    return "\n".join(lines)


def _offline(spec: dict[str, Any]) -> bool:
    return spec.get("source") == "offline-extractor"
