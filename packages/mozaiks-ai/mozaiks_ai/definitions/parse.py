"""Turn the raw data of a ``workflow.yml`` into a validated :class:`Workflow`.

The three step forms of SPEC §3.2 are normalised here:

* action form   ``- echo: "hi"`` / ``- send_email: {to: …}`` (the key is an action or tool name)
* named form    ``- summary: {echo: "done"}`` (the key is the step name, the body names the kind)
* explicit form ``- name: notify`` + ``uses: http`` + ``with: {…}``
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mozaiks_ai.definitions._yaml import LineDict, line_of
from mozaiks_ai.definitions.models import InputField, RetryPolicy, Step, Trigger, Workflow
from mozaiks_ai.errors import DefinitionError

__all__ = ["BUILTIN_ACTIONS", "KIND_KEYS", "parse_workflow"]

#: Built-in actions every workflow may use (the executor implements each one).
BUILTIN_ACTIONS = frozenset(
    {
        "echo",
        "log",
        "set",
        "sleep",
        "http",
        "call_app_api",
        "send_email",
        "use_mozaiks_tool",
        "emit_event",
        "artifact",
    }
)
#: Keys that name a step's kind in the named and explicit forms.
KIND_KEYS = ("uses", "tool", "model", "agent", "template", "workflow", "parallel", "foreach", "wait_for_input")
_MODIFIERS = frozenset({"if", "retry", "timeout", "continue_on_error", "description"})
_SIBLINGS = {
    "uses": {"with"},
    "tool": {"with"},
    "foreach": {"do", "as", "max_concurrency"},
    "parallel": {"max_concurrency"},
}
_REST_AS_PARAMS = frozenset({"model", "agent", "template", "workflow", "wait_for_input"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_TOP_KEYS = frozenset(
    {"name", "description", "trigger", "inputs", "steps", "output", "model", "version", "tags", "agents", "metadata"}
)


class _Ctx:
    def __init__(self, file: Path, workflow_id: str, tools: frozenset[str]) -> None:
        self.file = file
        self.workflow_id = workflow_id
        self.tools = tools

    def error(self, message: str, node: Any = None, line: int | None = None) -> DefinitionError:
        return DefinitionError(
            message, file=self.file, line=line or getattr(node, "line", None) or None, workflow_id=self.workflow_id
        )

    def is_action(self, key: str) -> bool:
        return key in BUILTIN_ACTIONS or key in self.tools


def parse_workflow(
    data: Any, *, file: Path, workflow_id: str, root: Path | None, tools: frozenset[str], content_hash: str
) -> Workflow:
    """Validate raw YAML data into a :class:`Workflow`.

    Args:
        data: What :func:`~mozaiks_ai.definitions._yaml.load_yaml` returned for the file.
        file: The file, for error messages.
        workflow_id: The workflow's id (folder name or file stem).
        root: The workflow's folder, or ``None`` for a single-file workflow.
        tools: Names of the tools found in the folder's ``tools/``.
        content_hash: The definition's content hash.

    Returns:
        The validated workflow.

    Raises:
        DefinitionError: Naming the file, the line and what is wrong.
    """
    ctx = _Ctx(file, workflow_id, tools)
    if not isinstance(data, LineDict):
        raise ctx.error(f"a workflow file must be a mapping with 'steps:', got {type(data).__name__}", line=1)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        key = unknown[0]
        raise ctx.error(
            f"unknown top-level key {key!r}; allowed keys: {', '.join(sorted(_TOP_KEYS))}", line=data.key_lines[key]
        )
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ctx.error("'steps' must be a non-empty list of steps", line=data.key_lines.get("steps", data.line))
    steps = _parse_steps(ctx, raw_steps)
    name = data.get("name", workflow_id)
    if not isinstance(name, str) or not name.strip():
        raise ctx.error("'name' must be a non-empty string", line=data.key_lines.get("name"))
    try:
        return Workflow(
            id=workflow_id,
            name=name,
            description=str(data.get("description") or ""),
            trigger=_parse_trigger(ctx, data),
            inputs=_parse_inputs(ctx, data),
            steps=steps,
            output=data.get("output"),
            model=data.get("model"),
            source=file,
            root=root,
            tools=tuple(sorted(tools)),
            content_hash=content_hash,
        )
    except ValidationError as exc:
        raise _from_validation(ctx, exc, data, ()) from None


def _from_validation(ctx: _Ctx, exc: ValidationError, raw: Any, prefix: tuple[str | int, ...]) -> DefinitionError:
    first = exc.errors()[0]
    loc = prefix + tuple(first["loc"])
    where = ".".join(str(p) for p in loc)
    return ctx.error(f"{where}: {first['msg']}", line=line_of(raw, tuple(first["loc"])) or getattr(raw, "line", None))


def _parse_trigger(ctx: _Ctx, data: LineDict) -> Trigger:
    raw = data.get("trigger")
    line = data.key_lines.get("trigger")
    if raw is None:
        return Trigger()
    if isinstance(raw, str):
        return Trigger(events=(raw,))
    if isinstance(raw, list) and all(isinstance(e, str) for e in raw):
        return Trigger(events=tuple(raw))
    if isinstance(raw, Mapping):
        events = raw.get("event", raw.get("events", ()))
        if isinstance(events, str):
            events = [events]
        try:
            return Trigger(events=tuple(events), schedule=raw.get("schedule"), webhook=bool(raw.get("webhook", False)))
        except (ValidationError, TypeError) as exc:
            raise ctx.error(f"invalid trigger: {exc}", line=line) from None
    raise ctx.error("'trigger' must be an event type, a list of them, or {event, schedule, webhook}", line=line)


def _parse_inputs(ctx: _Ctx, data: LineDict) -> dict[str, InputField]:
    raw = data.get("inputs")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ctx.error(
            "'inputs' must be a mapping of input name to {type, required, …}",
            data.get("inputs"),
            line=data.key_lines.get("inputs"),
        )
    fields: dict[str, InputField] = {}
    for key, spec in raw.items():
        line = raw.key_lines.get(key) if isinstance(raw, LineDict) else None
        if isinstance(spec, str):
            spec = {"type": spec}
        if spec is None:
            spec = {}
        if not isinstance(spec, Mapping):
            raise ctx.error(f"input {key!r} must be a type name or a mapping", line=line)
        try:
            fields[key] = InputField.model_validate(dict(spec))
        except ValidationError as exc:
            raise _from_validation(ctx, exc, spec, ("inputs", key)) from None
    return fields


def _parse_steps(ctx: _Ctx, raw_steps: list[Any]) -> tuple[Step, ...]:
    steps: list[Step] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_steps):
        line = raw_steps.item_lines[index] if hasattr(raw_steps, "item_lines") else None
        step = _parse_step(ctx, raw, line, seen)
        steps.append(step)
    return tuple(steps)


def _unique_name(ctx: _Ctx, base: str, explicit: bool, seen: dict[str, int], line: int | None) -> str:
    if explicit:
        if base in seen:
            raise ctx.error(f"duplicate step name {base!r}; step names must be unique among siblings", line=line)
        seen[base] = 1
        return base
    count = seen.get(base, 0) + 1
    seen[base] = count
    name = base if count == 1 else f"{base}_{count}"
    while name in seen and name != base:
        count += 1
        name = f"{base}_{count}"
    seen[name] = seen.get(name, 1)
    return name


def _parse_step(ctx: _Ctx, raw: Any, line: int | None, seen: dict[str, int]) -> Step:
    if not isinstance(raw, LineDict) or not raw:
        raise ctx.error(f"a step must be a mapping such as '- echo: \"hi\"', got {raw!r}", line=line)
    line = raw.line or line
    modifiers = {k: raw[k] for k in raw if k in _MODIFIERS}
    if "name" in raw:  # explicit form
        name = raw["name"]
        if not isinstance(name, str) or not _NAME.match(name):
            raise ctx.error(f"step name {name!r} must be letters, digits, '_' or '-'", line=line)
        body = LineDict({k: v for k, v in raw.items() if k != "name"})
        body.line, body.key_lines = raw.line, raw.key_lines
        kind_key = _kind_key(ctx, body, line, form="explicit")
        explicit_name = True
    else:
        candidates = [k for k in raw if k not in _MODIFIERS]
        kinds = [k for k in candidates if k in KIND_KEYS or ctx.is_action(k)]
        if len(candidates) == 1 and kinds and _named_after_tool(ctx, candidates[0], raw[candidates[0]]):
            kinds = []  # - bump: {tool: bump, with: …} names a step after its tool
        if len(candidates) == 1 and not kinds:  # named form: - step_name: {kind: …}
            name = candidates[0]
            inner = raw[name]
            if not isinstance(inner, LineDict):
                raise ctx.error(
                    f"unknown step kind {name!r}: not a built-in action ({', '.join(sorted(BUILTIN_ACTIONS))}), "
                    f"not a tool in tools/, and not a named step (a named step's value is a mapping such as "
                    f"'{{echo: \"done\"}}')",
                    line=raw.key_lines.get(name, line),
                )
            if not _NAME.match(name):
                raise ctx.error(f"step name {name!r} must be letters, digits, '_' or '-'", line=line)
            body = inner
            modifiers = {**modifiers, **{k: inner[k] for k in inner if k in _MODIFIERS}}
            kind_key = _kind_key(ctx, body, body.line, form="named", step_name=name)
            explicit_name = True
        else:  # action form: - echo: "hi"
            if len(kinds) != 1:
                extra = [k for k in candidates if k not in kinds]
                if not kinds:
                    raise ctx.error(f"unknown step kind {candidates[0]!r}", line=line)
                if len(kinds) > 1:
                    raise ctx.error(f"a step has exactly one kind, found {', '.join(kinds)}", line=line)
                raise ctx.error(f"unknown key {extra[0]!r} in step {kinds[0]!r}", line=line)
            kind_key = kinds[0]
            body = raw
            name = kind_key
            explicit_name = False
    name = _unique_name(ctx, name, explicit_name, seen, line)
    return _build_step(ctx, name, kind_key, body, modifiers, line)


def _named_after_tool(ctx: _Ctx, key: str, value: Any) -> bool:
    """Whether ``- key: {…}`` is a named step called like a tool rather than a call of that tool."""
    return (
        key in ctx.tools
        and key not in BUILTIN_ACTIONS
        and isinstance(value, LineDict)
        and any(k in KIND_KEYS or k in BUILTIN_ACTIONS for k in value)
    )


def _kind_key(ctx: _Ctx, body: LineDict, line: int | None, *, form: str, step_name: str | None = None) -> str:
    kinds = [k for k in body if k in KIND_KEYS or ctx.is_action(k)]
    if not kinds:
        label = f"step {step_name!r}" if step_name else "the step"
        if step_name is not None:
            label = (
                f"unknown step kind {step_name!r}: it is not a built-in action or a tool, and read as a named "
                f"step its mapping ({', '.join(map(str, body)) or 'empty'}) names no kind"
            )
        raise ctx.error(
            f"{label}: add one of {', '.join(KIND_KEYS)} or a built-in action "
            f"({', '.join(sorted(BUILTIN_ACTIONS))}) or a tool from tools/",
            line=line,
        )
    if len(kinds) > 1:
        # A model step may legitimately carry e.g. `tool`-like params only under `with`; be strict.
        raise ctx.error(f"a step has exactly one kind, found {', '.join(kinds)} ({form} form)", line=line)
    return kinds[0]


def _build_step(
    ctx: _Ctx, name: str, kind_key: str, body: LineDict, modifiers: dict[str, Any], line: int | None
) -> Step:
    rest = {k: v for k, v in body.items() if k != kind_key and k not in _MODIFIERS}
    value = body[kind_key]
    fields: dict[str, Any] = {"name": name, "line": line or 0}
    if kind_key in KIND_KEYS and kind_key not in _REST_AS_PARAMS:
        allowed = _SIBLINGS.get(kind_key, set())
        unknown = sorted(set(rest) - allowed)
        if unknown:
            raise ctx.error(
                f"unknown key {unknown[0]!r} in {kind_key!r} step {name!r}; allowed: {', '.join(sorted(allowed))}",
                line=body.key_lines.get(unknown[0], line),
            )
    if kind_key in ("uses", "tool"):
        if not isinstance(value, str) or not value:
            raise ctx.error(f"'{kind_key}' must name an action or tool", line=body.key_lines.get(kind_key, line))
        if kind_key == "uses" and not ctx.is_action(value):
            raise ctx.error(
                f"step {name!r} uses unknown action or tool {value!r}; built-in actions: "
                f"{', '.join(sorted(BUILTIN_ACTIONS))}; "
                f"tools found in tools/: {', '.join(sorted(ctx.tools)) or 'none'}",
                line=body.key_lines.get(kind_key, line),
            )
        if kind_key == "tool" and value not in ctx.tools:
            raise ctx.error(
                f"step {name!r} calls tool {value!r}, which is not defined in tools/ "
                f"(found: {', '.join(sorted(ctx.tools)) or 'none'})",
                line=body.key_lines.get(kind_key, line),
            )
        fields.update(
            kind="tool" if value in ctx.tools and value not in _builtin_names() else "action",
            uses=value,
            params=rest.get("with"),
        )
    elif ctx.is_action(kind_key):
        if rest:
            key = sorted(rest)[0]
            raise ctx.error(
                f"unknown key {key!r} in {kind_key!r} step; pass arguments inside its mapping",
                line=body.key_lines.get(key, line),
            )
        kind = "action" if kind_key in _builtin_names() else "tool"
        fields.update(kind=kind, uses=kind_key, params=value)
    elif kind_key == "foreach":
        do = rest.get("do")
        if not isinstance(do, list) or not do:
            raise ctx.error(f"foreach step {name!r} needs 'do:' with a list of steps", line=line)
        item_name = rest.get("as", "item")
        if not isinstance(item_name, str) or not _NAME.match(item_name):
            raise ctx.error(f"'as' of foreach step {name!r} must be a variable name", line=line)
        fields.update(
            kind="foreach",
            foreach=value,
            steps=_parse_steps(ctx, do),
            item_name=item_name,
            max_concurrency=rest.get("max_concurrency"),
        )
    elif kind_key == "parallel":
        if not isinstance(value, list) or not value:
            raise ctx.error(f"parallel step {name!r} needs a list of steps", line=line)
        fields.update(kind="parallel", steps=_parse_steps(ctx, value), max_concurrency=rest.get("max_concurrency"))
    else:  # model, agent, template, workflow, wait_for_input
        params: Any
        if kind_key == "wait_for_input" and (isinstance(value, Mapping | str) or value is None):
            # `wait_for_input: "Approve?"` is the prompt; the step's other keys (schema, default…) join it
            params = {**(dict(value) if isinstance(value, Mapping) else {"prompt": value} if value else {}), **rest}
            uses = None
        else:
            if value is not None and not isinstance(value, str):
                raise ctx.error(f"'{kind_key}' of step {name!r} must be a string", line=body.key_lines.get(kind_key))
            uses = value
            params = rest
        if kind_key in ("template", "workflow") and not uses:
            raise ctx.error(f"{kind_key} step {name!r} must name a {kind_key}", line=line)
        fields.update(kind=kind_key, uses=uses, params=params)
    modifier: str | None = None  # the modifier being validated, named in errors (with its line)
    try:
        if "if" in modifiers:
            fields["condition"] = modifiers["if"]
        if "retry" in modifiers:
            modifier, retry = "retry", modifiers["retry"]
            fields["retry"] = RetryPolicy.model_validate({"max_attempts": retry} if isinstance(retry, int) else retry)
        if "timeout" in modifiers:
            from mozaiks_ai._durations import parse_duration

            modifier = "timeout"
            fields["timeout"] = parse_duration(modifiers["timeout"])
        if "continue_on_error" in modifiers:
            modifier, flag = "continue_on_error", modifiers["continue_on_error"]
            if not isinstance(flag, bool):
                raise ValueError(f"must be true or false, got {flag!r}")
            fields["continue_on_error"] = flag
        modifier = None
        return Step(**fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in (modifier, *err["loc"]) if p not in (None, ""))
        at = body.key_lines.get(modifier, line) if modifier else line
        raise ctx.error(f"step {name!r}: {where}: {err['msg']}", line=at) from None
    except ValueError as exc:
        at = body.key_lines.get(modifier, line) if modifier else line
        raise ctx.error(f"step {name!r}: {modifier + ': ' if modifier else ''}{exc}", line=at) from None


def _builtin_names() -> frozenset[str]:
    return BUILTIN_ACTIONS
