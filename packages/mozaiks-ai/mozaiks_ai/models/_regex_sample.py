"""Build a short string that a regular expression matches (for JSON-schema ``pattern`` in offline mode).

Walks the pattern as parsed by the standard library's regex parser and emits the first choice at
each point (a literal, the first character of a class, the first alternative, the minimum number of
repetitions plus ``grow``). The result is checked with :func:`re.search`; ``None`` means "no luck".
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["sample_matching"]

# ``re._parser`` has no type stubs, and importing ``sre_parse`` warns (deprecated since 3.11).
_parser: Any = importlib.import_module("re._parser")
_CANDIDATES = "a0A_ -.x1"
_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_LINEBREAK": "\n",
    "CATEGORY_NOT_LINEBREAK": "a",
}
_CATEGORY_TESTS = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


class _UnsupportedError(Exception):
    pass


def sample_matching(pattern: str, *, grow: int = 0) -> str | None:
    """Return a string that ``re.search(pattern, ...)`` matches, or ``None``.

    Args:
        pattern: A Python regular expression (JSON-schema patterns mostly are).
        grow: Extra repetitions of every open-ended repeat, to reach a ``minLength``.
    """
    try:
        parsed = _parser.parse(pattern)
        text = _emit(parsed, grow, {})
        return text if re.search(pattern, text) else None
    except (re.error, _UnsupportedError, RecursionError, ValueError):
        return None


def _name(op: Any) -> str:
    return str(op)


def _in_set(items: list[tuple[Any, Any]], char: str) -> bool:
    for op, av in items:
        kind = _name(op)
        if kind == "LITERAL" and ord(char) == av:
            return True
        if kind == "RANGE" and av[0] <= ord(char) <= av[1]:
            return True
        if kind == "CATEGORY" and _name(av) in _CATEGORY_TESTS and re.fullmatch(_CATEGORY_TESTS[_name(av)], char):
            return True
    return False


def _class_char(items: list[tuple[Any, Any]]) -> str:
    if items and _name(items[0][0]) == "NEGATE":
        for char in _CANDIDATES:
            if not _in_set(items[1:], char):
                return char
        raise _UnsupportedError
    for op, av in items:
        kind = _name(op)
        if kind == "LITERAL":
            return chr(av)
        if kind == "RANGE":
            return chr(av[0])
        if kind == "CATEGORY" and _name(av) in _CATEGORY_SAMPLES:
            return _CATEGORY_SAMPLES[_name(av)]
    raise _UnsupportedError


def _repeat(av: Any, grow: int, groups: dict[int, str]) -> str:
    low, high, item = av
    count = low + grow if high == _parser.MAXREPEAT else min(high, low + grow)
    return "".join(_emit(item, grow, groups) for _ in range(count))


def _emit(parsed: Any, grow: int, groups: dict[int, str]) -> str:  # noqa: C901 - one branch per regex node
    out: list[str] = []
    for op, av in parsed:
        kind = _name(op)
        if kind == "LITERAL":
            out.append(chr(av))
        elif kind == "NOT_LITERAL":
            out.append("b" if chr(av) == "a" else "a")
        elif kind == "ANY":
            out.append("a")
        elif kind == "IN":
            out.append(_class_char(av))
        elif kind == "CATEGORY":
            out.append(_CATEGORY_SAMPLES.get(_name(av), "a"))
        elif kind == "BRANCH":
            out.append(_emit(av[1][0], grow, groups))
        elif kind == "SUBPATTERN":
            text = _emit(av[-1], grow, groups)
            if av[0] is not None:
                groups[av[0]] = text
            out.append(text)
        elif kind == "ATOMIC_GROUP":
            out.append(_emit(av, grow, groups))
        elif kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            out.append(_repeat(av, grow, groups))
        elif kind == "GROUPREF":
            out.append(groups.get(av, ""))
        elif kind == "GROUPREF_EXISTS":
            group, yes, no = av
            chosen = yes if group in groups else no
            out.append(_emit(chosen, grow, groups) if chosen is not None else "")
        elif kind in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # anchors and lookarounds consume nothing; the final check catches conflicts
        else:
            raise _UnsupportedError(kind)
    return "".join(out)
