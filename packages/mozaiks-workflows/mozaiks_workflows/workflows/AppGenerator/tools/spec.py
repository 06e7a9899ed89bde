"""AppGenerator's spec tools: the offline extraction and the validation every spec passes before rendering.

``validate_spec`` goes beyond :class:`~mozaiks_workflows.appspec.AppSpec`: it also refuses what would break the
generated app although the model accepts it (required relations that can never be satisfied, workflow messages that
are not templates or read fields the entity does not have).
"""

from __future__ import annotations

from typing import Any

from mozaiks_ai import tool
from mozaiks_workflows.appspec import AppSpec, EntitySpec
from pydantic import ValidationError

__all__ = ["extract_spec", "validate_spec"]

#: What every stored document carries besides its fields (set by the runtime).
_DOCUMENT_KEYS = frozenset({"id", "owner", "created_at", "updated_at"})


@tool
def extract_spec(message: str) -> dict[str, Any]:
    """Extract an app spec from a chat message without a model (deterministic; the offline path).

    Args:
        message: What the user asked for ("Build a task tracker with React and Python").

    Returns:
        The spec as plain JSON (``AppSpec.to_json()``).
    """
    from mozaiks_workflows.appspec.extractor import extract

    return extract(message).to_json()


@tool
def validate_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Validate an app spec and return it normalised (defaults filled in), ready for the templates.

    A spec without ``source`` came from a model (the offline extractor always names itself).

    Args:
        spec: The AppSpec JSON, from the model, the offline extractor or the caller.

    Returns:
        ``AppSpec.to_json()`` of the validated spec.

    Raises:
        ValueError: The spec is invalid; the message names every problem and where it is.
    """
    data = {"source": "model", **spec}
    try:
        app = AppSpec.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(f"{_where(data, err['loc'])}: {err['msg']}" for err in exc.errors()[:10])
        raise ValueError(f"the app spec is invalid: {where}") from None
    problems = [*_relation_cycles(app), *_workflow_messages(app)]
    if problems:
        raise ValueError("the app spec cannot be generated: " + "; ".join(problems))
    return app.to_json()


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """``entities[1](Task).fields[0](class).name``: a location with the names of the items it passes."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list | tuple):
            item = node[key] if key < len(node) else None
            label = item.get("name") or item.get("id") if isinstance(item, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{key}]" + (f"({label})" if label else "")]
            node = item
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts) or "spec"


def _relation_cycles(app: AppSpec) -> list[str]:
    """Required relations must not loop (a record could then never be created first)."""
    required = {e.name: [r.target for r in e.relations if r.required] for e in app.entities}
    problems = []
    for start in required:
        stack, seen = list(required[start]), set()
        while stack:
            current = stack.pop()
            if current == start:
                problems.append(f"entity {start}: its required relations loop back to it; make one optional")
                break
            if current not in seen:
                seen.add(current)
                stack.extend(required.get(current, []))
    return problems


def _workflow_messages(app: AppSpec) -> list[str]:
    """Each workflow message must be a template reading only fields its event carries."""
    from jinja2 import TemplateSyntaxError, nodes
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment()
    problems = []
    for workflow in app.workflows:
        entity = app.entity(workflow.entity)
        names = {"event", entity.event_noun}
        try:
            tree = env.parse(workflow.message)
        except TemplateSyntaxError as exc:
            problems.append(f"workflow {workflow.id}: message is not a valid template ({exc.message})")
            continue
        unknown = sorted({n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"} - names)
        if unknown:
            problems.append(
                f"workflow {workflow.id}: message uses {', '.join(unknown)}; only 'event' (the {entity.name}) is known"
            )
        for attr in tree.find_all(nodes.Getattr):
            if isinstance(attr.node, nodes.Name) and attr.node.name in names and attr.attr not in _event_keys(entity):
                problems.append(
                    f"workflow {workflow.id}: message reads event.{attr.attr}, which {entity.name} does not have "
                    f"(fields: {', '.join(sorted(_event_keys(entity) - _DOCUMENT_KEYS))})"
                )
    return problems


def _event_keys(entity: EntitySpec) -> frozenset[str]:
    return frozenset({*(f.name for f in entity.fields), *(r.name for r in entity.relations), *_DOCUMENT_KEYS})
