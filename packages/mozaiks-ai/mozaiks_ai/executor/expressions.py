"""Render ``{{ }}`` expressions and templates in Jinja2's sandbox.

Every string of a step's parameters may hold Jinja2. A value that is exactly one ``{{ expr }}``
keeps the expression's type (a list stays a list); any other string renders to a string.
Undefined names are errors (``StrictUndefined``) and the sandbox blocks access to Python internals
(``{{ ''.__class__.__mro__ }}`` fails cleanly).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mozaiks_ai.errors import ExpressionError

__all__ = ["environment", "has_expression", "render_string", "render_value", "truthy"]

_SINGLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\}\}).)*)\}\}\s*$", re.DOTALL)
_MAX_OUTPUT = 5_000_000


def _tojson(value: Any) -> str:
    import json

    return json.dumps(value, default=str)


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    """The shared sandboxed environment (immutable: templates cannot mutate lists or dicts)."""
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters["tojson"] = _tojson
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "default": str}
    return env


def has_expression(value: str) -> bool:
    """Return whether a string holds Jinja2 syntax."""
    return "{{" in value or "{%" in value


@lru_cache(maxsize=4096)
def _compiled_expression(expr: str) -> Callable[..., Any]:
    return environment().compile_expression(expr, undefined_to_none=False)


@lru_cache(maxsize=4096)
def _compiled_template(text: str) -> Any:
    return environment().from_string(text)


def _fail(exc: BaseException, source: str) -> ExpressionError:
    shown = source if len(source) <= 120 else source[:117] + "..."
    if isinstance(exc, SecurityError):
        return ExpressionError(f"expression {shown!r} was blocked by the template sandbox: {exc}")
    if isinstance(exc, UndefinedError):
        return ExpressionError(f"expression {shown!r}: {exc.message}")
    if isinstance(exc, TemplateError):
        return ExpressionError(f"expression {shown!r} is invalid: {exc}")
    return ExpressionError(f"expression {shown!r} failed: {type(exc).__name__}: {exc}")


def render_string(text: str, scope: Mapping[str, Any]) -> Any:
    """Render one string; a lone ``{{ expr }}`` returns the expression's value with its type.

    Raises:
        ExpressionError: Undefined names, syntax errors and sandbox violations.
    """
    if not has_expression(text):
        return text
    try:
        match = _SINGLE.match(text)
        if match and "{%" not in text:
            value = _compiled_expression(match.group("expr").strip())(**scope)
            if isinstance(value, StrictUndefined):
                str(value)  # raises UndefinedError with Jinja's message
            return value
        rendered = _compiled_template(text).render(**scope)
    except ExpressionError:
        raise
    except Exception as exc:
        raise _fail(exc, text) from None
    if len(rendered) > _MAX_OUTPUT:
        raise ExpressionError(f"rendered text is larger than {_MAX_OUTPUT} characters")
    return rendered


def render_value(value: Any, scope: Mapping[str, Any]) -> Any:
    """Render every string inside ``value`` (mappings and lists recursively)."""
    if isinstance(value, str):
        return render_string(value, scope)
    if isinstance(value, Mapping):
        return {k: render_value(v, scope) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render_value(v, scope) for v in value]
    return value


def truthy(value: Any) -> bool:
    """Interpret a rendered ``if:`` value (``"false"``, ``"0"``, ``""``, ``"none"`` are false)."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0", "no", "none", "null", "off")
    return bool(value)
