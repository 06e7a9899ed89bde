"""Parse durations written as ``"500ms"``, ``"30s"``, ``"5m"``, ``"1h"`` or a number of seconds."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: object) -> float:
    """Return ``value`` in seconds.

    Args:
        value: ``"500ms"``, ``"30s"``, ``"5m"``, ``"1h"``, ``"2d"`` or an int/float of seconds.

    Returns:
        The duration in seconds (a float, never negative).

    Raises:
        ValueError: When the value is not a duration.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as '30s', got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration cannot be negative, got {value!r}")
        return float(value)
    if isinstance(value, str):
        match = _PATTERN.match(value)
        if match:
            return float(match.group(1)) * _UNITS[match.group(2)]
    raise ValueError(f"expected a duration such as '500ms', '30s', '5m' or '1h', got {value!r}")
