"""Validated filters, sort orders and cursors: what the backends turn into SQL.

Filters are mappings from field names to a value (equality) or to an operator mapping::

    {"status": "open", "priority": {"gte": 2}, "tags": {"contains": "urgent"}}

Only the operators in :data:`OPERATORS` exist. Field names are dotted identifiers; anything else (``$where``,
``$regex``, keys hiding operators, SQL fragments) raises :class:`InvalidFilterError` before any SQL is built.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidFilterError

__all__ = ["OPERATORS", "Condition", "Cursor", "Sort", "cursor_after", "parse_filter", "parse_sort", "validate_field"]

OPERATORS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "exists"})
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$")
_MAX_IN = 100
Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class Condition:
    """One ``field op value`` test.

    Attributes:
        path: The field name split on dots.
        op: One of :data:`OPERATORS`.
        value: A scalar, a list of scalars (``in``/``nin``) or a bool (``exists``).
    """

    path: tuple[str, ...]
    op: str
    value: Any


@dataclass(frozen=True)
class Sort:
    """Sort order: one field (``id`` is the tie-breaker) and a direction."""

    path: tuple[str, ...]
    descending: bool = False

    @property
    def by_id(self) -> bool:
        """``True`` when sorting on the document id alone."""
        return self.path == ("id",)


@dataclass(frozen=True)
class Cursor:
    """Position after the last document of a page (keyset pagination)."""

    sort: str
    last_id: str
    has_value: bool
    last_value: Scalar

    def encode(self) -> str:
        """Return the opaque string handed to clients."""
        raw = json.dumps([self.sort, self.last_id, self.has_value, self.last_value], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: Sort) -> Cursor:
        """Parse a cursor produced by :meth:`encode` for the same sort order.

        Raises:
            InvalidFilterError: The cursor is malformed or belongs to another sort order.
        """
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            key, last_id, has_value, last_value = json.loads(raw)
        except (ValueError, TypeError, binascii.Error):
            raise InvalidFilterError("invalid cursor") from None
        if key != _sort_key(sort) or not isinstance(last_id, str) or not _is_scalar(last_value):
            raise InvalidFilterError("cursor does not belong to this query")
        return cls(key, last_id, bool(has_value), last_value)


def _sort_key(sort: Sort) -> str:
    return ("-" if sort.descending else "") + ".".join(sort.path)


def cursor_after(sort: Sort, doc_id: str, data: Mapping[str, Any]) -> Cursor:
    """Return the cursor that continues after the document ``doc_id`` with ``data``."""
    if sort.by_id:
        return Cursor(_sort_key(sort), doc_id, False, None)
    value: Any = data
    for part in sort.path:
        value = value.get(part) if isinstance(value, Mapping) else None
    has = value is not None and _is_scalar(value)
    return Cursor(_sort_key(sort), doc_id, has, value if has else None)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def validate_field(name: object) -> tuple[str, ...]:
    """Check a field name and split it into a path.

    Raises:
        InvalidFilterError: The name is not a dotted identifier (``$`` keys, SQL fragments…).
    """
    if not isinstance(name, str) or not _FIELD.fullmatch(name):
        raise InvalidFilterError(f"invalid field name {name!r}", details={"field": str(name)[:100]})
    return tuple(name.split("."))


def _scalar(field: str, op: str, value: object) -> Scalar:
    if not _is_scalar(value):
        raise InvalidFilterError(f"{field}: {op} needs a string, number, boolean or null", details={"field": field})
    return value  # type: ignore[return-value]


def _condition(field: str, path: tuple[str, ...], op: str, value: object) -> Condition:
    if op not in OPERATORS:
        raise InvalidFilterError(
            f"{field}: unknown operator {op!r} (allowed: {', '.join(sorted(OPERATORS))})", details={"field": field}
        )
    if op in ("in", "nin"):
        if not isinstance(value, list | tuple) or not value or len(value) > _MAX_IN:
            raise InvalidFilterError(f"{field}: {op} needs a list of 1–{_MAX_IN} values", details={"field": field})
        return Condition(path, op, tuple(_scalar(field, op, v) for v in value))
    if op == "exists":
        if not isinstance(value, bool):
            raise InvalidFilterError(f"{field}: exists needs true or false", details={"field": field})
        return Condition(path, op, value)
    scalar = _scalar(field, op, value)
    if op in ("gt", "gte", "lt", "lte") and (scalar is None or isinstance(scalar, bool)):
        raise InvalidFilterError(f"{field}: {op} needs a number or a string", details={"field": field})
    if op == "contains" and (scalar is None or isinstance(scalar, bool)):
        raise InvalidFilterError(f"{field}: contains needs a string or a number", details={"field": field})
    return Condition(path, op, scalar)


def parse_filter(where: Mapping[str, Any] | None) -> list[Condition]:
    """Validate a filter mapping into conditions (all must hold).

    Args:
        where: ``{field: value}`` for equality or ``{field: {operator: value, …}}``.

    Returns:
        The conditions, in the mapping's order.

    Raises:
        InvalidFilterError: Unknown operator, ``$`` key, bad field name or a value of the wrong shape.
    """
    if where is None:
        return []
    if not isinstance(where, Mapping):
        raise InvalidFilterError("a filter must be an object of field → value")
    conditions: list[Condition] = []
    for field, spec in where.items():
        path = validate_field(field)
        if isinstance(spec, Mapping):
            if not spec:
                raise InvalidFilterError(f"{field}: empty operator object", details={"field": field})
            for op, value in spec.items():
                conditions.append(_condition(field, path, str(op), value))
        else:
            conditions.append(_condition(field, path, "eq", spec))
    return conditions


def parse_sort(sort: str | None) -> Sort:
    """Parse ``"field"`` or ``"-field"`` (descending); ``None`` means creation order.

    Raises:
        InvalidFilterError: The field name is invalid.
    """
    if sort is None or sort in ("", "id"):
        return Sort(("id",))
    descending = sort.startswith("-")
    return Sort(validate_field(sort[1:] if descending else sort), descending)
