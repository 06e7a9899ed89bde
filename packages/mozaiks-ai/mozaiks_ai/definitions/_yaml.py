"""YAML loading that remembers where each mapping, list and value came from.

``yaml.safe_load`` loses line numbers; validation errors must name them. This loader builds the
same plain data (it is a ``SafeLoader``: no arbitrary objects) but returns ``dict``/``list``
subclasses that carry the 1-based line of the node and of each key.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["LineDict", "LineList", "line_of", "load_yaml"]


class LineDict(dict[str, Any]):
    """A mapping from YAML, with ``line`` (its own) and ``key_lines`` (each key's)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A sequence from YAML, with ``line`` and ``item_lines``."""

    line: int = 0
    item_lines: list[int]


# libyaml's parser when PyYAML was built with it (several times faster: it matters for a cold `mozaiks-ai run` that
# loads every workflow); the constructors below, which keep the lines, are the same for both.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"found an unhashable or complex key {key!r}", key_node.start_mark
            )
        skey = str(key) if not isinstance(key, str) else key
        if skey in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {skey!r}", key_node.start_mark)
        result[skey] = loader.construct_object(value_node, deep=True)
        result.key_lines[skey] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str) -> Any:
    """Parse YAML safely, keeping line numbers.

    Args:
        text: The YAML document.

    Returns:
        Plain data whose mappings are :class:`LineDict` and sequences :class:`LineList`.

    Raises:
        yaml.YAMLError: On malformed YAML; ``problem_mark`` holds the position.
    """
    return yaml.load(text, Loader=_LineLoader)


def line_of(data: Any, loc: tuple[str | int, ...]) -> int | None:
    """Return the line of the deepest node on ``loc`` that has one.

    Args:
        data: Data returned by :func:`load_yaml`.
        loc: A path of keys and indexes, as in pydantic's error ``loc``.

    Returns:
        The 1-based line, or ``None`` when nothing on the path carries one.
    """
    line = getattr(data, "line", None) or None
    node = data
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
        inner = getattr(node, "line", None)
        if inner:
            line = inner
    return line
