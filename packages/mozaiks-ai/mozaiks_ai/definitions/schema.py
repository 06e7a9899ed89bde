"""JSON Schema of ``workflow.yml`` for editors (``mozaiks-ai schema``).

Runtime validation is done by :mod:`mozaiks_ai.definitions.parse`; this schema mirrors it so that
editors can complete keys and flag mistakes while typing. The ``inputs`` and ``retry`` parts are
generated from the pydantic models.
"""

from __future__ import annotations

from typing import Any

from mozaiks_ai.definitions.models import InputField, RetryPolicy
from mozaiks_ai.definitions.parse import BUILTIN_ACTIONS, KIND_KEYS

__all__ = ["workflow_json_schema"]

_DURATION: dict[str, Any] = {
    "description": "Seconds, or a string such as '500ms', '30s', '5m', '1h'",
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\d+(\.\d+)?(ms|s|m|h|d)?$"}],
}


def workflow_json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a workflow file."""
    modifiers = {
        "if": {"description": "Jinja2 expression; a falsy result skips the step"},
        "retry": {"anyOf": [{"type": "integer", "minimum": 1}, {"$ref": "#/$defs/retry"}]},
        "timeout": _DURATION,
        "continue_on_error": {"type": "boolean"},
        "description": {"type": "string"},
    }
    kind_props: dict[str, Any] = {k: {} for k in KIND_KEYS}
    kind_props.update(
        {
            "with": {"type": "object"},
            "do": {"$ref": "#/$defs/steps"},
            "as": {"type": "string"},
            "max_concurrency": {"type": "integer", "minimum": 1},
            "parallel": {"$ref": "#/$defs/steps"},
            "into": {"type": "string"},
            "prompt": {"type": "string"},
            "system": {"type": "string"},
            "output_schema": {"type": "object"},
            "input": {},
        }
    )
    action_props = {name: {"description": f"built-in action {name}"} for name in sorted(BUILTIN_ACTIONS)}
    step = {
        "description": (
            "A step: action form (- echo: hi), named form (- name: {kind: …}) or explicit form (name/uses/with)"
        ),
        "type": "object",
        "minProperties": 1,
        "properties": {
            "name": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_\-]*$"},
            **modifiers,
            **kind_props,
            **action_props,
        },
        "additionalProperties": {
            "description": "named form (step name → {kind: …}) or a tool from tools/",
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://mozaiks.dev/schemas/workflow.json",
        "title": "Mozaiks workflow definition (workflow.yml)",
        "type": "object",
        "required": ["steps"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "version": {"type": ["string", "number"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "metadata": {"type": "object"},
            "agents": {"type": "array", "items": {"type": "string"}},
            "model": {"type": "string", "description": "provider:model, e.g. offline or openai:gpt-4o-mini"},
            "trigger": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "string"}},
                    {
                        "type": "object",
                        "properties": {
                            "event": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                            "schedule": {"type": "string"},
                            "webhook": {"type": "boolean"},
                        },
                        "additionalProperties": False,
                    },
                ]
            },
            "inputs": {
                "type": "object",
                "additionalProperties": {"anyOf": [{"type": "string"}, InputField.model_json_schema()]},
            },
            "steps": {"$ref": "#/$defs/steps"},
            "output": {"description": "Expression for the run's output; default: the last step's output"},
        },
        "$defs": {
            "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}},
            "step": step,
            "retry": RetryPolicy.model_json_schema(),
        },
    }
