"""``model`` steps: one LLM call (re-asked until its answer matches ``output_schema``).

```yaml
- analyze:
    model: default                      # or openai:gpt-4o-mini, offline, …
    system: prompts/system.md           # inline text or a file under the workflow folder
    prompt: prompts/analyze.md          # rendered with the run's variables (sandboxed)
    output_schema: {type: object, properties: {entities: {type: array}}, required: [entities]}
    offline: {entities: []}             # used instead of the offline provider's generic answer
```

Tokens stream as ``chunk`` events of kind ``token``; a re-ask emits ``step.retrying`` so clients drop
the partial text. Offline answers are labelled (``offline: true`` on ``step.completed``).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from mozaiks_ai.definitions.models import Step, Workflow
from mozaiks_ai.errors import ModelError, StepError
from mozaiks_ai.executor.expressions import render_string, render_value
from mozaiks_ai.models import Message, ModelRequest, resolve_model

if TYPE_CHECKING:
    from mozaiks_ai.executor.run import RunExecution

__all__ = ["extract_json", "prompt_text", "run_model_step", "validate_output"]

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_TEXT_SUFFIXES = (".md", ".txt", ".j2", ".jinja", ".prompt")


def prompt_text(workflow: Workflow, value: Any, scope: dict[str, Any]) -> str | None:
    """Inline text, or the file under the workflow folder it names (rendered with ``scope``)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value)
    if workflow.root is not None and text.endswith(_TEXT_SUFFIXES) and "\n" not in text:
        file = (workflow.root / text).resolve()
        if not file.is_relative_to(workflow.root.resolve()):
            raise StepError(f"prompt file {text!r} is outside the workflow folder")
        if not file.is_file():
            raise StepError(f"prompt file {text!r} not found in {workflow.root}")
        rendered = render_string(file.read_text("utf-8"), scope)
        return str(rendered)
    return text


def extract_json(text: str) -> Any:
    """Parse JSON from an answer (also inside a ```json fence or after prose)."""
    text = text.strip()
    if text.startswith("[offline]"):
        text = text.removeprefix("[offline]").strip()
    fenced = _FENCE.search(text)
    candidates = [fenced.group(1)] if fenced else []
    candidates.append(text)
    for start in ("{", "["):
        if start in text:
            candidates.append(text[text.index(start) :])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    raise ValueError("the answer is not JSON")


def validate_output(value: Any, schema: dict[str, Any]) -> str | None:
    """Return why ``value`` fails ``schema`` (JSON Schema 2020-12), or ``None`` when it is valid."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{where}: {error.message}"


async def _offline_result(
    execution: RunExecution, workflow: Workflow, step: Step, spec: Any, scope: dict[str, Any], path: str
) -> Any:
    from mozaiks_ai.executor.kinds import call_tool

    if isinstance(spec, dict) and "tool" in spec:
        arguments = render_value(spec.get("with"), scope)  # like a tool step's `with:`, rendered first
        return await call_tool(execution, workflow, str(spec["tool"]), arguments, path, 1)
    return render_value(spec, scope)


async def run_model_step(
    execution: RunExecution, workflow: Workflow, step: Step, params: Any, scope: dict[str, Any], path: str
) -> Any:
    """Execute a ``model`` step and return its output (text, or the validated JSON value)."""
    from mozaiks_ai.executor.llm import call_model

    options = params if isinstance(params, dict) else {"prompt": params}
    spec = step.uses if step.uses not in (None, "default") else (options.get("model") or workflow.model)
    engine = execution.engine
    provider, _ = resolve_model(spec, default=None, settings=engine.model_settings())
    schema = options.get("output_schema")
    if provider.name == "offline" and "offline" in step.params:
        execution.step_notes[path] = {"offline": True}
        value = await _offline_result(execution, workflow, step, step.params["offline"], scope, path)
        if isinstance(schema, dict) and (problem := validate_output(value, schema)):
            raise StepError(f"the step's offline result does not match its output_schema: {problem}")
        return value
    system = prompt_text(workflow, options.get("system"), scope)
    prompt = prompt_text(workflow, options.get("prompt", options.get("message")), scope)
    if not prompt:
        raise StepError(f"model step {step.name!r} needs a 'prompt' (inline text or a file under prompts/)")
    if isinstance(schema, dict):
        prompt += "\n\nAnswer with JSON only, matching this JSON schema:\n" + json.dumps(schema)
    messages = [Message("system", system)] if system else []
    messages.append(Message("user", prompt))
    reasks = int(options.get("reasks", engine.config.model_reasks))
    for attempt in range(reasks + 1):
        request = ModelRequest(
            model="",
            messages=tuple(messages),
            output_schema=schema if isinstance(schema, dict) else None,
            temperature=options.get("temperature"),
            max_tokens=options.get("max_tokens"),
            timeout=float(options.get("timeout", engine.config.model_timeout)),
        )
        response = await call_model(execution, path, spec, request)
        if response.offline:
            execution.step_notes[path] = {"offline": True}
        if not isinstance(schema, dict):
            return response.text
        try:
            value = extract_json(response.text)
            problem = validate_output(value, schema)
        except ValueError as exc:
            problem = str(exc)
        if problem is None:
            return value
        if attempt == reasks:
            raise ModelError(f"the answer did not match output_schema after {reasks + 1} attempts: {problem}")
        execution.emit(
            "step.retrying",
            path,
            {
                "attempt": attempt + 2,
                "delay": 0,
                "reason": "output_schema",
                "error": {"message": problem, "type": "OutputSchemaError"},
            },
        )
        messages += [
            Message("assistant", response.text),
            Message("user", f"That answer does not match the JSON schema ({problem}). Answer again with JSON only."),
        ]
    raise AssertionError("unreachable")
