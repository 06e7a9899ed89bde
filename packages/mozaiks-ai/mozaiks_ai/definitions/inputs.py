"""Validate a run's input against a workflow's declared ``inputs:``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mozaiks_ai.definitions.models import InputField, Workflow
from mozaiks_ai.errors import InputValidationError

__all__ = ["check_json_value", "validate_input"]

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def _is_type(type_name: str, value: Any) -> bool:
    """Whether ``value`` has the JSON type ``type_name`` (booleans are not numbers)."""
    if isinstance(value, bool) and type_name in ("integer", "number"):
        return False
    return isinstance(value, _TYPES[type_name])


def check_json_value(schema: Any, value: Any, where: str = "input") -> None:
    """Validate a value against the subset of JSON Schema used by ``wait_for_input`` answers.

    Checks ``type``, ``enum``, ``required`` and ``properties`` (recursively).

    Raises:
        InputValidationError: Naming the offending field (``input.name``).
    """
    if not isinstance(schema, Mapping):
        return
    expected = schema.get("type")
    if isinstance(expected, str) and expected in _TYPES and not _is_type(expected, value):
        raise InputValidationError(f"{where} must be of type {expected}", [{"field": where, "error": expected}])
    if "enum" in schema and value not in schema["enum"]:
        raise InputValidationError(f"{where} must be one of {schema['enum']}", [{"field": where, "error": "enum"}])
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                field = f"{where}.{key}"
                raise InputValidationError(f"{field} is required", [{"field": field, "error": "is required"}])
        for key, sub in (schema.get("properties") or {}).items():
            if key in value:
                check_json_value(sub, value[key], f"{where}.{key}")


def validate_input(workflow: Workflow, data: Any) -> dict[str, Any]:
    """Check ``data`` against ``workflow.inputs`` and fill in defaults.

    Undeclared keys pass through unchanged (workflows without ``inputs:`` accept anything).

    Args:
        workflow: The workflow about to run.
        data: The caller's input (must be a mapping or ``None``).

    Returns:
        The input with defaults applied.

    Raises:
        InputValidationError: Naming every offending field.
    """
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise InputValidationError(
            f"input must be a JSON object, got {type(data).__name__}", [{"field": "", "error": "not an object"}]
        )
    result = dict(data)
    errors: list[dict[str, str]] = []
    for key, spec in workflow.inputs.items():
        if key not in result or result[key] is None:
            if spec.default is not None:
                result[key] = spec.default
                continue
            if spec.required:
                errors.append({"field": key, "error": "is required"})
            continue
        problem = _check(spec, result[key])
        if problem:
            errors.append({"field": key, "error": problem})
    if errors:
        summary = "; ".join(f"{e['field']} {e['error']}" for e in errors)
        raise InputValidationError(f"invalid input for workflow {workflow.id!r}: {summary}", errors)
    return result


def _check(spec: InputField, value: Any) -> str | None:
    if spec.type != "any" and not _is_type(spec.type, value):
        return f"must be of type {spec.type}, got {type(value).__name__}"
    if spec.enum is not None and value not in spec.enum:
        return f"must be one of {list(spec.enum)}"
    if isinstance(value, str) and spec.pattern is not None and re.search(spec.pattern, value) is None:
        return "must not be blank" if spec.pattern == r"\S" else f"must match {spec.pattern!r}"
    if isinstance(value, str | list | dict):
        if spec.min_length is not None and len(value) < spec.min_length:
            return "must not be empty" if spec.min_length == 1 else f"must have at least {spec.min_length} items/chars"
        if spec.max_length is not None and len(value) > spec.max_length:
            return f"must have at most {spec.max_length} items/chars"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            return f"must be >= {spec.minimum}"
        if spec.maximum is not None and value > spec.maximum:
            return f"must be <= {spec.maximum}"
    return None
