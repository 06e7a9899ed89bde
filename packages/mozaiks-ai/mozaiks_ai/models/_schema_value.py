"""Build a deterministic JSON value that validates against a JSON schema (Draft 2020-12).

The offline provider answers structured-output requests with such a value. Declared values win
(``const``, then the first valid ``enum`` member, ``default``, ``examples``); otherwise the value is
built by type: strings from the property name and a hint (an excerpt of the prompt), numbers from
the bounds, arrays with ``minItems`` items (at least one while nesting is shallow), objects with
every declared property (required ones always). ``$ref`` (local), ``allOf``, ``anyOf``, ``oneOf``,
``if``/``then``/``else``, ``prefixItems``, ``contains``, ``pattern`` and common ``format`` values are
understood. The result is validated; a schema this cannot satisfy raises :class:`SchemaValueError`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from mozaiks_ai.models._regex_sample import sample_matching

__all__ = ["OFFLINE_LABEL", "SchemaValueError", "example_value"]

#: Prefix of every offline text (also of generated strings, where the schema allows it).
OFFLINE_LABEL = "[offline]"

# Optional properties and extra array items stop at this depth, so recursive schemas end.
_MAX_DEPTH = 6
_HARD_DEPTH = 48
_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "offline@example.com",
    "idn-email": "offline@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/offline",
    "iri": "https://example.com/offline",
    "uri-reference": "https://example.com/offline",
    "iri-reference": "https://example.com/offline",
    "uri-template": "https://example.com/{id}",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "json-pointer": "/offline",
    "relative-json-pointer": "0",
    "regex": ".*",
}
_GROW_STEPS = (0, 1, 2, 4, 8, 16, 32, 64)


class SchemaValueError(ValueError):
    """No valid value could be built for a schema (or the schema itself is invalid)."""


def example_value(schema: dict[str, Any] | bool, hint: str = "example") -> Any:
    """Return a deterministic value that validates against ``schema``.

    Args:
        schema: A JSON schema (Draft 2020-12).
        hint: Text that generated strings are made of (an excerpt of the prompt).

    Raises:
        SchemaValueError: The schema is invalid, or no valid value was found; the message says why.
    """
    import jsonschema  # type: ignore[import-untyped, unused-ignore]

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        raise SchemaValueError(f"the output_schema is not a valid JSON schema: {exc.message}") from None
    builder = _Builder(schema, hint, jsonschema.Draft202012Validator(schema))
    value = builder.build(schema, "", 0, 0)
    error = jsonschema.exceptions.best_match(builder.validator.iter_errors(value))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise SchemaValueError(f"could not build a value for the output_schema ({where}: {error.message})")
    return value


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Combine two schemas that must both hold (an ``allOf``), well enough to build from."""
    merged = dict(base)
    for key, value in extra.items():
        if key == "properties" and isinstance(merged.get(key), dict):
            props = dict(merged[key])
            for name, sub in value.items():
                props[name] = {"allOf": [props[name], sub]} if name in props else sub
            merged[key] = props
        elif key == "required" and key in merged:
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        elif key == "type" and key in merged:
            mine = merged[key] if isinstance(merged[key], list) else [merged[key]]
            theirs = value if isinstance(value, list) else [value]
            both = [t for t in mine if t in theirs or (t == "integer" and "number" in theirs)]
            both += [t for t in theirs if t == "integer" and "number" in mine and t not in both]
            merged[key] = both or value
        else:
            merged[key] = value
    return merged


def _kind(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list) and declared:
        return next((t for t in declared if t != "null"), "null")
    if any(k in schema for k in ("properties", "required", "additionalProperties", "minProperties")):
        return "object"
    if any(k in schema for k in ("items", "prefixItems", "minItems", "contains")):
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
        return "number"
    return "string"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _number_candidates(schema: dict[str, Any], integer: bool) -> list[float]:
    low, xlow = _number(schema.get("minimum")), _number(schema.get("exclusiveMinimum"))
    high, xhigh = _number(schema.get("maximum")), _number(schema.get("exclusiveMaximum"))
    upper = high if high is not None else xhigh
    lower = low if low is not None else xlow
    out: list[float] = []
    if low is not None:
        out.append(low)
    if xlow is not None:
        out += [xlow + 1, xlow + ((upper - xlow) / 2 if upper is not None else 0.5)]
    out += [0.0, 1.0]
    if high is not None:
        out.append(high)
    if xhigh is not None:
        out += [xhigh - 1, ((lower if lower is not None else xhigh - 1) + xhigh) / 2]
    step = _number(schema.get("multipleOf"))
    if step:
        out = [math.ceil(c / step) * step for c in out] + [math.floor(c / step) * step for c in out]
    if integer:
        return [float(math.ceil(c)) for c in out] + [float(math.floor(c)) for c in out]
    return out + [c + (step or 0.5) for c in out]  # non-integers too, for oneOf against an integer branch


def _fit(text: str, low: int, high: int | None) -> str:
    if high is not None and len(text) > high:
        text = text[:high].rstrip()
    return text + "." * max(0, low - len(text))


class _Builder:
    def __init__(self, root: dict[str, Any] | bool, hint: str, validator: Any) -> None:
        self.root = root
        self.hint = hint
        self.validator = validator

    def valid(self, schema: Any, value: Any) -> bool:
        return bool(self.validator.evolve(schema=schema).is_valid(value))

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Replace a local ``$ref`` by its target (sibling keywords kept on top)."""
        for _ in range(_HARD_DEPTH):
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return schema
            target: Any = self.root
            if not ref.startswith("#"):
                raise SchemaValueError(f"only local $ref values ('#/$defs/…') are supported, got {ref!r}")
            for part in filter(None, ref[1:].split("/")):
                part = part.replace("~1", "/").replace("~0", "~")
                try:
                    target = target[int(part)] if isinstance(target, list) else target[part]
                except (KeyError, IndexError, ValueError, TypeError):
                    raise SchemaValueError(f"$ref {ref!r} points nowhere") from None
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = _merge(target, rest) if isinstance(target, dict) else rest
        raise SchemaValueError("$ref chain too long")

    def declared(self, schema: dict[str, Any]) -> tuple[bool, Any]:
        """Return a value the schema itself offers (``const``, ``enum``, ``default``, ``examples``)."""
        if "const" in schema:
            return True, schema["const"]
        candidates = list(schema.get("enum", ()))
        if "default" in schema:
            candidates.append(schema["default"])
        candidates += list(schema.get("examples", ()))
        for candidate in candidates:
            if self.valid(schema, candidate):
                return True, candidate
        return False, None

    def build(self, schema: Any, name: str, depth: int, index: int) -> Any:
        if depth > _HARD_DEPTH:
            raise SchemaValueError("the output_schema nests too deeply (a required property recurses?)")
        if schema is True:
            schema = {}
        if schema is False:
            raise SchemaValueError("a `false` schema accepts no value")
        schema = self.resolve(schema)
        found, value = self.declared(schema)
        if found:
            return value
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged = _merge(merged, self.resolve(part) if isinstance(part, dict) else {})
            return self.build(merged, name, depth, index)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self.choose(schema, key, name, depth, index)
        if "if" in schema:
            return self.conditional(schema, name, depth, index)
        return self.by_type(schema, name, depth, index)

    def choose(self, schema: dict[str, Any], key: str, name: str, depth: int, index: int) -> Any:
        base = {k: v for k, v in schema.items() if k != key}
        branches = list(schema[key])
        first: Any = None
        for number, branch in enumerate(branches):
            if branch is False:
                continue
            candidate = _merge(base, self.resolve(branch) if isinstance(branch, dict) else {})
            others = branches[:number] + branches[number + 1 :]
            if key == "oneOf" and others:
                candidate["not"] = {"anyOf": others}  # numbers are searched until exactly one branch holds
            try:
                value = self.build(candidate, name, depth, index)
            except SchemaValueError:
                continue
            if self.valid(schema, value):
                return value
            first = value if number == 0 else first
        return first

    def conditional(self, schema: dict[str, Any], name: str, depth: int, index: int) -> Any:
        base = {k: v for k, v in schema.items() if k not in ("if", "then", "else")}
        value = self.build(base, name, depth, index)
        branch = schema.get("then") if self.valid(schema["if"], value) else schema.get("else")
        if isinstance(branch, dict):
            value = self.build(_merge(base, self.resolve(branch)), name, depth, index)
        return value

    def by_type(self, schema: dict[str, Any], name: str, depth: int, index: int) -> Any:
        kind = _kind(schema)
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            return self.array(schema, name, depth)
        if kind in ("integer", "number"):
            return self.number(schema, kind == "integer", index)
        if kind == "boolean":
            return bool(index % 2)
        if kind == "null":
            return None
        return self.string(schema, name)

    def string(self, schema: dict[str, Any], name: str) -> str:
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        label = name.replace("_", " ").strip()
        text = _FORMATS.get(str(schema.get("format")), f"{OFFLINE_LABEL} {label + ': ' if label else ''}{self.hint}")
        pattern = schema.get("pattern")
        if not isinstance(pattern, str) or re.search(pattern, _fit(text, low, high)):
            return _fit(text, low, high)
        for grow in (*_GROW_STEPS, low):
            sample = sample_matching(pattern, grow=grow)
            if sample is not None and len(sample) >= low and (high is None or len(sample) <= high):
                return sample
        return _fit(text, low, high)

    def number(self, schema: dict[str, Any], integer: bool, index: int) -> int | float:
        step = _number(schema.get("multipleOf")) or 1.0
        candidates = _number_candidates(schema, integer)
        tries = [c + index * step for c in candidates] + candidates if index else candidates
        for candidate in tries:
            value: int | float = int(candidate) if candidate.is_integer() else candidate
            if self.valid(schema, value):
                return value
        return int(candidates[0]) if integer else candidates[0]

    def array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        prefix = list(schema.get("prefixItems", ()))
        items = schema.get("items", True)
        shallow = depth < _MAX_DEPTH
        count = max(int(schema.get("minItems", 0)), (len(prefix) or 1) if shallow else 0)
        if "contains" in schema and schema.get("minContains", 1) > 0:
            count = max(count, 1)
        if "maxItems" in schema:
            count = min(count, int(schema["maxItems"]))
        if items is False:
            count = min(count, len(prefix))
        label = name or "item"
        values = [
            self.build(prefix[i] if i < len(prefix) else items, f"{label} {i + 1}", depth + 1, i) for i in range(count)
        ]
        contains = schema.get("contains")
        if contains is not None and values and not any(self.valid(contains, v) for v in values):
            both = {"allOf": [items if isinstance(items, dict) else {}, contains]}
            values[0] = self.build(both, f"{label} 1", depth + 1, 0)
        return values

    def object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        props: dict[str, Any] = dict(schema.get("properties", {}))
        required = [str(k) for k in schema.get("required", ())]
        keys = [k for k in props if k in required or depth < _MAX_DEPTH]
        keys += [k for k in required if k not in props]
        if "maxProperties" in schema and len(keys) > int(schema["maxProperties"]):
            optional = [k for k in keys if k not in required]
            keep = set(required) | set(optional[: max(0, int(schema["maxProperties"]) - len(required))])
            keys = [k for k in keys if k in keep]
        result = {key: self.build(self.property_schema(schema, key), key, depth + 1, 0) for key in keys}
        extra = 0
        while len(result) < int(schema.get("minProperties", 0)) and extra < 64:
            extra += 1
            key = self.extra_key(schema, extra)
            if key is not None and key not in result:
                result[key] = self.build(self.property_schema(schema, key), key, depth + 1, 0)
        return result

    def property_schema(self, schema: dict[str, Any], key: str) -> Any:
        props = schema.get("properties", {})
        if key in props:
            return props[key]
        for pattern, sub in schema.get("patternProperties", {}).items():
            if re.search(pattern, key):
                return sub
        additional = schema.get("additionalProperties", True)
        return additional if isinstance(additional, dict) else {}

    def extra_key(self, schema: dict[str, Any], number: int) -> str | None:
        patterns = list(schema.get("patternProperties", {}))
        if patterns and schema.get("additionalProperties", True) is False:
            return sample_matching(patterns[0], grow=number)
        return f"field_{number}"
