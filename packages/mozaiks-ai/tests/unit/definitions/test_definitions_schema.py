"""The JSON Schema of workflow.yml published for editors."""

from __future__ import annotations

import json
from typing import Any

from mozaiks_ai.definitions import BUILTIN_ACTIONS
from mozaiks_ai.definitions.parse import KIND_KEYS
from mozaiks_ai.definitions.schema import workflow_json_schema

JSON_SCHEMA_TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}


def walk(node: Any) -> list[dict[str, Any]]:
    """Every sub-schema (mapping) of a schema."""
    found = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(walk(value))
    return found


def resolve(schema: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = schema
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_schema_is_json_and_draft_2020_12() -> None:
    schema = workflow_json_schema()
    assert json.loads(json.dumps(schema)) == schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["required"] == ["steps"]
    assert schema["additionalProperties"] is False


def test_top_level_keys_match_the_parser() -> None:
    assert set(workflow_json_schema()["properties"]) == {
        "name",
        "description",
        "trigger",
        "inputs",
        "steps",
        "output",
        "model",
        "version",
        "tags",
        "agents",
        "metadata",
    }


def test_step_schema_lists_every_kind_action_and_modifier() -> None:
    schema = workflow_json_schema()
    step = resolve(schema, schema["properties"]["steps"]["$ref"])["items"]
    properties = resolve(schema, step["$ref"])["properties"]
    assert set(KIND_KEYS) <= set(properties)
    assert set(BUILTIN_ACTIONS) <= set(properties)
    assert {"name", "with", "do", "as", "max_concurrency", "if", "retry", "timeout", "continue_on_error"} <= set(
        properties
    )
    assert {"uses", "tool", "model", "agent", "template", "workflow", "parallel", "foreach", "wait_for_input"} <= set(
        properties
    )


def test_every_ref_resolves_and_types_are_valid() -> None:
    schema = workflow_json_schema()
    for sub in walk(schema):
        if "$ref" in sub:
            assert isinstance(resolve(schema, sub["$ref"]), dict)
        if isinstance(sub.get("type"), str | list):  # (a property *named* "type" maps to a dict)
            types = sub["type"] if isinstance(sub["type"], list) else [sub["type"]]
            assert set(types) <= JSON_SCHEMA_TYPES, sub


def test_retry_and_inputs_come_from_the_models() -> None:
    schema = workflow_json_schema()
    retry = schema["$defs"]["retry"]
    assert {"max_attempts", "backoff", "initial_delay", "max_delay"} <= set(retry["properties"])
    inputs = schema["properties"]["inputs"]["additionalProperties"]["anyOf"][1]
    assert {"type", "required", "default", "min_length"} <= set(inputs["properties"])
