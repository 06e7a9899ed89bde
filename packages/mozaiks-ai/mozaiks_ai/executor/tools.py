"""Python tools: typed functions in a workflow's ``tools/*.py``.

A tool is a plain (sync or async) function. Its type hints validate the arguments a step passes
(pydantic), and its signature and docstring give the JSON schema an LLM sees. A parameter
annotated :class:`ToolContext` (or named ``context``) receives the run's context::

    from mozaiks_ai import ToolContext, tool

    @tool
    async def count_words(text: str, context: ToolContext) -> int:
        \"\"\"Count the words of a text.\"\"\"
        context.progress("counting…")
        return len(text.split())

Sync tools run in a worker thread so they never block other runs.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, overload

from mozaiks_ai.errors import DefinitionError, ToolError

__all__ = ["Tool", "ToolContext", "load_tools", "tool"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ToolContext:
    """What a tool may know about the run calling it.

    Attributes:
        run_id: The run.
        app_id: The tenant the run belongs to.
        user_id: The user who started it, if any.
        workflow_id: The workflow being run.
        step: The calling step's unique path.
        idempotency_key: Stable across retries and restarts of this step: pass it to external APIs.
        secrets: Secret values by name (reads are redacted from everything stored).
        attempt: 1 for the first attempt, 2 for the first retry, …
    """

    run_id: str
    app_id: str
    user_id: str | None
    workflow_id: str
    step: str
    idempotency_key: str
    secrets: Mapping[str, str]
    attempt: int = 1
    _progress: Callable[[str], None] = field(default=lambda text: None, repr=False)

    def progress(self, text: str) -> None:
        """Stream progress text to the run's clients (a ``chunk`` event of kind ``progress``)."""
        self._progress(str(text))


@overload
def tool(fn: F) -> F: ...
@overload
def tool(*, name: str | None = None) -> Callable[[F], F]: ...
def tool(fn: F | None = None, *, name: str | None = None) -> F | Callable[[F], F]:
    """Mark a function in ``tools/*.py`` as a tool (with or without parentheses).

    When a module marks any function, only marked functions are tools; otherwise every public
    function defined in the module is.

    Args:
        fn: The function.
        name: Reserved for renaming; the function name is the tool name.
    """

    def mark(func: F) -> F:
        func.__mozaiks_tool__ = True  # type: ignore[attr-defined]
        return func

    return mark(fn) if fn is not None else mark


class Tool:
    """A loaded tool: the function plus argument validation."""

    def __init__(self, name: str, fn: Callable[..., Any]) -> None:
        from pydantic import ConfigDict, validate_call

        self.name = name
        self.fn = fn
        self.is_async = inspect.iscoroutinefunction(fn)
        signature = inspect.signature(fn)
        self.context_param: str | None = None
        self.params: list[str] = []
        for param in signature.parameters.values():
            annotation = param.annotation
            if annotation is ToolContext or annotation == "ToolContext" or param.name in ("context", "ctx"):
                self.context_param = param.name
            elif param.kind not in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                self.params.append(param.name)
        self._validated = validate_call(config=ConfigDict(arbitrary_types_allowed=True))(fn)
        self.description = inspect.getdoc(fn) or ""

    def json_schema(self) -> dict[str, Any]:
        """Return the JSON schema of the tool's arguments (without the context)."""
        from pydantic import ConfigDict, create_model

        fields: dict[str, Any] = {}
        for param in inspect.signature(self.fn).parameters.values():
            if param.name == self.context_param or param.name not in self.params:
                continue
            annotation = Any if param.annotation is inspect.Parameter.empty else param.annotation
            default = ... if param.default is inspect.Parameter.empty else param.default
            fields[param.name] = (annotation, default)
        model = create_model(f"{self.name}_args", __config__=ConfigDict(arbitrary_types_allowed=True), **fields)
        return {"name": self.name, "description": self.description, "parameters": model.model_json_schema()}

    def _arguments(self, params: Any) -> dict[str, Any]:
        if params is None:
            return {}
        if isinstance(params, Mapping):
            return dict(params)
        if not self.params:
            raise ToolError(f"tool {self.name!r} takes no arguments, got {params!r}")
        return {self.params[0]: params}

    async def call(self, params: Any, context: ToolContext) -> Any:
        """Validate ``params`` and call the tool (sync tools in a thread).

        Raises:
            ToolError: Bad arguments (naming them) or an exception raised by the tool.
        """
        from pydantic import ValidationError

        kwargs = self._arguments(params)
        if self.context_param:
            kwargs[self.context_param] = context
        try:
            if self.is_async:
                return await self._validated(**kwargs)
            return await asyncio.to_thread(self._validated, **kwargs)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors()
            )
            raise ToolError(f"tool {self.name!r} got invalid arguments: {problems}") from None
        except TypeError as exc:
            if "argument" in str(exc):
                raise ToolError(f"tool {self.name!r}: {exc}") from None
            raise ToolError(f"tool {self.name!r} raised TypeError: {exc}") from exc
        except Exception as exc:
            raise ToolError(f"tool {self.name!r} raised {type(exc).__name__}: {exc}") from exc


_cache: dict[tuple[str, float], dict[str, Tool]] = {}


def load_tools(root: Path) -> dict[str, Tool]:
    """Import ``root/tools/*.py`` and return its tools by name (cached until the files change).

    Raises:
        DefinitionError: A tool module fails to import.
    """
    from mozaiks_ai.definitions.loader import public_tool_functions

    tools_dir = root / "tools"
    files = sorted(p for p in tools_dir.glob("*.py") if not p.name.startswith("_")) if tools_dir.is_dir() else []
    key = (str(tools_dir.resolve()), max((p.stat().st_mtime for p in files), default=0.0))
    if key in _cache:
        return _cache[key]
    import ast

    tools: dict[str, Tool] = {}
    for file in files:
        module_name = f"mozaiks_ai_tools_{abs(hash(str(file.resolve())))}_{file.stem}"
        spec = importlib.util.spec_from_file_location(module_name, file)
        if spec is None or spec.loader is None:
            raise DefinitionError("cannot import tool module", file=file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(module_name, None)
            raise DefinitionError(f"tool module failed to import: {type(exc).__name__}: {exc}", file=file) from None
        for name in public_tool_functions(ast.parse(file.read_text("utf-8"))):
            fn = getattr(module, name, None)
            if callable(fn):
                tools[name] = Tool(name, fn)
    _cache[key] = tools
    return tools
