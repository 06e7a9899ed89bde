"""The offline provider: deterministic, labelled, schema-valid answers without a network."""

from __future__ import annotations

import asyncio
import doctest
import json
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mozaiks_ai.errors import ModelError
from mozaiks_ai.models import Message, ModelRequest, ModelResponse, OfflineProvider, ToolCall, ToolSpec, Usage
from mozaiks_ai.models import offline as offline_module
from mozaiks_ai.models._schema_value import example_value

PROMPT = "Build me a task tracker with projects and due dates."


def complete(*messages: Message, **options: Any) -> ModelResponse:
    request = ModelRequest(options.pop("model", "offline"), messages, **options)
    return asyncio.run(OfflineProvider().complete(request))


def parse(response: ModelResponse) -> Any:
    assert response.text.startswith("[offline] ")
    return json.loads(response.text.removeprefix("[offline] "))


def test_answers_are_labelled_deterministic_and_streamed() -> None:
    tokens: list[str] = []
    request = ModelRequest("anything", (Message("system", "Be nice."), Message("user", PROMPT)))

    first = asyncio.run(OfflineProvider().complete(request, tokens.append))
    second = asyncio.run(OfflineProvider().complete(request))

    assert first == second
    assert first.text == f'[offline] You asked: "{PROMPT}"'
    assert "".join(tokens) == first.text and len(tokens) > 3
    assert (first.offline, first.provider, first.model, first.finish_reason) == (True, "offline", "anything", "stop")


def test_usage_counts_words_and_punctuation() -> None:
    response = complete(Message("system", "Be nice."), Message("user", "Hello, world"))

    # [ offline ] You asked : " Hello , world " → 11; "Be nice." and "Hello, world" → 6
    assert response.usage == Usage(input_tokens=6, output_tokens=11)


def test_long_messages_are_summarised() -> None:
    words = [f"word{i}" for i in range(100)]

    text = complete(Message("user", " ".join(words))).text

    assert text.startswith('[offline] You asked (100 words): "word0 word1')
    assert text.endswith('word39 …"')


def test_the_last_user_message_is_answered() -> None:
    text = complete(Message("user", "first"), Message("assistant", "reply"), Message("user", "second")).text

    assert text == '[offline] You asked: "second"'


def test_tools_are_never_called() -> None:
    tool = ToolSpec("search", "Search the docs", {"type": "object"})

    response = complete(Message("user", "Find the docs"), tools=(tool,))

    assert response.tool_calls == () and response.text == '[offline] You asked: "Find the docs"'


def test_tool_results_are_summarised() -> None:
    call = ToolCall("call_1", "weather", {"city": "Oslo"})
    response = complete(
        Message("user", "Weather in Oslo?"),
        Message("assistant", None, tool_calls=(call,)),
        Message("tool", '{"temp": 3}', tool_call_id="call_1", name="weather"),
    )

    assert response.text == '[offline] Tool results: weather → {"temp": 3}'


def test_no_message_at_all() -> None:
    assert complete().text == "[offline] (no message to answer)"


def test_structured_output_validates_and_uses_names_and_prompt() -> None:
    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "priority": {"enum": ["low", "high"]},
            "estimate_hours": {"type": "integer", "minimum": 2},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "owner": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}},
            "done": {"type": "boolean", "default": True},
        },
        "required": ["title", "tags"],
        "additionalProperties": False,
    }

    value = parse(complete(Message("user", PROMPT), output_schema=schema))

    jsonschema.validate(value, schema)
    assert value == {
        "title": "[offline] title: Build me a task tracker with projects and due dates",
        "priority": "low",
        "estimate_hours": 2,
        "tags": [
            "[offline] tags 1: Build me a task tracker with projects and due dates",
            "[offline] tags 2: Build me a task tracker with projects and due dates",
        ],
        "owner": {"email": "offline@example.com"},
        "done": True,
    }


SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"entities": {"type": "array"}}},
    {"type": "string", "pattern": "^[a-z][a-z0-9-]{2,30}$"},
    {"type": "string", "minLength": 80},
    {"type": "string", "maxLength": 4},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    {"type": "integer", "multipleOf": 7, "minimum": 10, "maximum": 20},
    {"type": ["null", "integer"], "maximum": -5},
    {"const": {"fixed": [1, 2]}},
    {"examples": ["bad", 42], "type": "integer"},
    {"oneOf": [{"type": "integer"}, {"type": "number", "multipleOf": 0.5}]},
    {"anyOf": [{"type": "string", "maxLength": 0}, {"type": "integer"}]},
    {"allOf": [{"properties": {"a": {"type": "string"}}, "required": ["a"]}, {"required": ["b"]}]},
    {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False, "minItems": 2},
    {"type": "array", "items": {"type": "integer"}, "contains": {"const": 42}},
    {"type": "array", "items": {"type": "boolean"}, "minItems": 2, "uniqueItems": True},
    {
        "type": "object",
        "patternProperties": {"^x-[a-z]+$": {"type": "integer"}},
        "additionalProperties": False,
        "minProperties": 2,
    },
    {"type": "object", "properties": {"a": {}, "b": {}, "c": {}}, "required": ["a"], "maxProperties": 2},
    {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
                "required": ["name"],
            }
        },
        "$ref": "#/$defs/node",
    },
    {
        "type": "object",
        "properties": {"kind": {"enum": ["a", "b"]}, "size": {"type": "integer"}},
        "required": ["kind", "size"],
        "if": {"properties": {"kind": {"const": "a"}}},
        "then": {"properties": {"size": {"minimum": 10}}},
    },
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_structured_output_is_valid_for_many_schemas(schema: dict[str, Any]) -> None:
    response = complete(Message("user", PROMPT), output_schema=schema)

    jsonschema.validate(parse(response), schema)
    assert response == complete(Message("user", PROMPT), output_schema=schema)


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "nonsense"}, "not a valid JSON schema"),
        ({"type": "string", "minLength": 5, "maxLength": 2}, "could not build a value"),
        ({"not": {}}, "could not build a value"),
        ({"$ref": "https://example.com/schema.json"}, "only local \\$ref"),
    ],
)
def test_impossible_schemas_fail_with_a_hint(schema: dict[str, Any], problem: str) -> None:
    with pytest.raises(ModelError, match=problem) as caught:
        complete(Message("user", PROMPT), output_schema=schema)
    assert "offline:" in str(caught.value)


# -- random schemas --------------------------------------------------------------------------------

_PATTERNS = [r"^[a-z]+$", r"^\d{2,4}$", r"^[A-Z][a-z]*-\d+$", r"^(yes|no)$", r"@"]
_FORMATS = ["date-time", "date", "email", "uri", "uuid", "ipv4", "hostname"]
_NAMES = ["title", "count", "items", "owner", "due_date", "tags", "x"]


def _integers() -> st.SearchStrategy[dict[str, Any]]:
    def build(low: int, span: int, step: int | None, exclusive: bool) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if exclusive:
            schema |= {"exclusiveMinimum": low, "exclusiveMaximum": low + span + (step or 1) + 1}
        else:
            schema |= {"minimum": low, "maximum": low + span + (step or 1)}
        return schema | ({"multipleOf": step} if step else {})

    return st.builds(build, st.integers(-50, 50), st.integers(0, 30), st.none() | st.integers(2, 7), st.booleans())


def _numbers() -> st.SearchStrategy[dict[str, Any]]:
    def build(low: float, span: float, step: float | None) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number", "minimum": low, "maximum": low + span + (step or 1)}
        return schema | ({"multipleOf": step} if step else {})

    floats = st.floats(-1000, 1000, allow_nan=False, allow_infinity=False)
    return st.builds(build, floats, st.floats(0, 100), st.none() | st.sampled_from([0.25, 0.5, 2.0]))


def _strings() -> st.SearchStrategy[dict[str, Any]]:
    lengths = st.builds(
        lambda low, extra: {"type": "string", "minLength": low, "maxLength": low + extra},
        st.integers(0, 40),
        st.integers(0, 40),
    )
    patterns = st.sampled_from(_PATTERNS).map(lambda p: {"type": "string", "pattern": p})
    formats = st.sampled_from(_FORMATS).map(lambda f: {"type": "string", "format": f})
    return lengths | patterns | formats | st.just({"type": "string"})


def _leaves() -> st.SearchStrategy[dict[str, Any]]:
    scalars = st.one_of(st.integers(-5, 5), st.text(max_size=4), st.booleans(), st.none())
    enums = st.lists(scalars, min_size=1, max_size=4, unique_by=json.dumps).map(lambda v: {"enum": v})
    fixed: st.SearchStrategy[dict[str, Any]] = st.sampled_from([{"type": "boolean"}, {"type": "null"}, {}])
    return _strings() | _integers() | _numbers() | enums | fixed


def _containers(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    arrays = st.builds(
        lambda items, low, extra: {"type": "array", "items": items, "minItems": low, "maxItems": low + extra},
        children,
        st.integers(0, 3),
        st.integers(0, 2),
    )

    def obj(props: dict[str, dict[str, Any]], required: list[str], closed: bool) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": props,
            "required": [r for r in required if r in props],
        }
        return schema | ({"additionalProperties": False} if closed else {})

    objects = st.builds(
        obj,
        st.dictionaries(st.sampled_from(_NAMES), children, max_size=4),
        st.lists(st.sampled_from(_NAMES), unique=True),
        st.booleans(),
    )
    choices = st.lists(children, min_size=1, max_size=3).map(lambda xs: {"anyOf": xs})
    return arrays | objects | choices


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(_leaves(), _containers, max_leaves=12), st.text(max_size=30))
def test_random_schemas_get_valid_deterministic_values(schema: dict[str, Any], prompt: str) -> None:
    value = example_value(schema, prompt or "example")

    jsonschema.Draft202012Validator(schema).validate(value)
    assert example_value(schema, prompt or "example") == value


def test_docstring_examples() -> None:
    results = doctest.testmod(offline_module)
    assert results.attempted > 0 and results.failed == 0
