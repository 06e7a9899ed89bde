"""Run input is validated against ``inputs:`` before anything runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mozaiks_ai import InputValidationError, Workflow, WorkflowLoader
from mozaiks_ai.definitions import validate_input

YAML = """
name: Inputs
inputs:
  message: {type: string, required: true, min_length: 1}
  name: {type: string, default: World}
  count: {type: integer, minimum: 1, maximum: 10}
  ratio: number
  flag: {type: boolean}
  tags: {type: array, max_length: 2}
  meta: {type: object}
  color: {type: string, enum: [red, green]}
  code: {type: string, min_length: 3}
  anything: {}
steps:
  - echo: "{{ input.message }}"
"""


@pytest.fixture
def workflow(write_workflow: Callable[..., Path]) -> Workflow:
    source = write_workflow("inputs", YAML)
    return WorkflowLoader(source.parent.parent).load("inputs")


def test_defaults_are_applied_and_extra_keys_pass(workflow: Workflow) -> None:
    assert validate_input(workflow, {"message": "hi", "extra": 1}) == {"message": "hi", "name": "World", "extra": 1}
    assert validate_input(workflow, {"message": "hi", "name": None})["name"] == "World"


def test_valid_values_of_every_type(workflow: Workflow) -> None:
    data = {
        "message": "hi",
        "name": "Ada",
        "count": 3,
        "ratio": 0.5,
        "flag": False,
        "tags": ["a"],
        "meta": {"k": 1},
        "color": "red",
        "code": "abc",
        "anything": [None],
    }
    assert validate_input(workflow, data) == data
    assert validate_input(workflow, {"message": "x", "ratio": 2})["ratio"] == 2


def test_required_and_empty(workflow: Workflow) -> None:
    with pytest.raises(InputValidationError) as info:
        validate_input(workflow, {})
    assert info.value.errors == [{"field": "message", "error": "is required"}]
    assert "'inputs'" in str(info.value) and "message is required" in str(info.value)
    with pytest.raises(InputValidationError, match="message must not be empty") as info:
        validate_input(workflow, {"message": ""})
    assert info.value.errors == [{"field": "message", "error": "must not be empty"}]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("message", 5, "must be of type string, got int"),
        ("count", "3", "must be of type integer, got str"),
        ("count", True, "must be of type integer, got bool"),
        ("count", 1.5, "must be of type integer, got float"),
        ("count", 0, "must be >= 1"),
        ("count", 11, "must be <= 10"),
        ("ratio", "x", "must be of type number"),
        ("flag", "yes", "must be of type boolean"),
        ("tags", "a", "must be of type array"),
        ("tags", ["a", "b", "c"], "at most 2"),
        ("meta", [], "must be of type object"),
        ("color", "blue", "must be one of ['red', 'green']"),
        ("code", "ab", "at least 3"),
    ],
)
def test_bad_values_are_named(workflow: Workflow, field: str, value: Any, problem: str) -> None:
    with pytest.raises(InputValidationError) as info:
        validate_input(workflow, {"message": "ok", field: value})
    assert info.value.errors == [{"field": field, "error": info.value.errors[0]["error"]}]
    assert problem in info.value.errors[0]["error"]
    assert field in str(info.value)


def test_every_problem_is_reported(workflow: Workflow) -> None:
    with pytest.raises(InputValidationError) as info:
        validate_input(workflow, {"count": "x", "flag": 1})
    assert [e["field"] for e in info.value.errors] == ["message", "count", "flag"]


def test_input_must_be_an_object(workflow: Workflow) -> None:
    with pytest.raises(InputValidationError, match="JSON object, got list"):
        validate_input(workflow, ["message"])


def test_no_inputs_accepts_anything(write_workflow: Callable[..., Path]) -> None:
    source = write_workflow("free", "steps:\n  - echo: hi\n")
    free = WorkflowLoader(source.parent.parent).load("free")
    assert validate_input(free, None) == {}
    assert validate_input(free, {"a": [1]}) == {"a": [1]}


def test_input_schema(workflow: Workflow) -> None:
    schema = workflow.input_schema()
    assert schema["required"] == ["message"]
    assert schema["properties"]["message"] == {"type": "string", "minLength": 1}
    assert schema["properties"]["name"] == {"type": "string", "default": "World"}
    assert schema["properties"]["color"]["enum"] == ["red", "green"]
    assert schema["properties"]["anything"] == {}


def test_pattern_refuses_blank_text_and_bad_patterns_fail_at_load(write_workflow: Callable[..., Path]) -> None:
    source = write_workflow(
        "blank",
        "inputs:\n  message: {type: string, pattern: '\\S'}\n  code: {pattern: '^[A-Z]{3}$'}\nsteps:\n  - echo: x\n",
    )
    workflow = WorkflowLoader(source.parent.parent).load("blank")
    assert validate_input(workflow, {"message": " hi ", "code": "ABC"})["message"] == " hi "
    with pytest.raises(InputValidationError) as info:
        validate_input(workflow, {"message": "   \n", "code": "abcd"})
    assert info.value.errors == [
        {"field": "message", "error": "must not be blank"},
        {"field": "code", "error": "must match '^[A-Z]{3}$'"},
    ]
    bad = write_workflow(
        "badpattern", "inputs:\n  message: {type: string, pattern: '(unclosed'}\nsteps:\n  - echo: x\n"
    )
    with pytest.raises(Exception, match="pattern is not a valid regular expression"):
        WorkflowLoader(bad.parent.parent).load("badpattern")
