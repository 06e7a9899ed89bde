"""Typed models of a loaded workflow definition.

These are the validated, normalised form of ``workflow.yml``: whichever of the three step forms a
file uses (action, named, explicit), every step becomes one :class:`Step` with a ``kind``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mozaiks_ai._durations import parse_duration

__all__ = ["InputField", "RetryPolicy", "Step", "StepKind", "Trigger", "Workflow"]

StepKind = Literal["action", "tool", "model", "agent", "template", "workflow", "parallel", "foreach", "wait_for_input"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class RetryPolicy(_Model):
    """How a failing step is retried.

    Attributes:
        max_attempts: Total attempts, the first included.
        backoff: ``fixed`` waits ``initial_delay`` each time; ``exponential`` doubles it.
        initial_delay: Seconds before the second attempt.
        max_delay: Upper bound of any one delay, in seconds.
    """

    max_attempts: int = Field(default=3, ge=1, le=100)
    backoff: Literal["fixed", "exponential"] = "exponential"
    initial_delay: float = 1.0
    max_delay: float = 300.0

    @field_validator("initial_delay", "max_delay", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        return parse_duration(value)

    def delay(self, attempt: int) -> float:
        """Return the delay before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        if self.backoff == "fixed":
            return min(self.initial_delay, self.max_delay)
        return float(min(self.initial_delay * 2.0 ** (attempt - 1), self.max_delay))


class Step(_Model):
    """One normalised step.

    Attributes:
        name: Unique among its siblings; later steps read ``steps.<name>.output``.
        kind: What the step does.
        uses: The action or tool name (``action``/``tool``), model alias (``model``), agent id
            (``agent``), template folder (``template``) or workflow id (``workflow``).
        params: Arguments: a mapping of keyword arguments, or a scalar primary argument.
        steps: Child steps of ``parallel`` branches or of a ``foreach`` body.
        foreach: The list expression a ``foreach`` iterates over.
        item_name: The loop variable of a ``foreach`` (``as:``).
        max_concurrency: At most this many ``foreach`` iterations / ``parallel`` branches at once.
        condition: The ``if:`` expression; a falsy result skips the step.
        retry: Retry policy, if any.
        timeout: Seconds before the step is stopped with a timeout error.
        continue_on_error: A failure is recorded but the run goes on.
        line: Line of the step in its file (for error messages).
    """

    name: str
    kind: StepKind
    uses: str | None = None
    params: Any = None
    steps: tuple[Step, ...] = ()
    foreach: Any = None
    item_name: str = "item"
    max_concurrency: int | None = Field(default=None, ge=1)
    condition: Any = None
    retry: RetryPolicy | None = None
    timeout: float | None = None
    continue_on_error: bool = False
    line: int = 0


class InputField(_Model):
    """One declared input of a workflow (``inputs:`` in workflow.yml)."""

    type: Literal["string", "integer", "number", "boolean", "object", "array", "any"] = "any"
    required: bool = False
    default: Any = None
    description: str | None = None
    enum: tuple[Any, ...] | None = None
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = Field(default=None, max_length=500)
    """A regular expression a string value must contain a match of (JSON Schema's ``pattern``): ``"\\S"`` refuses
    blank text."""

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
        return value


class Trigger(_Model):
    """What starts a workflow besides an explicit call.

    Attributes:
        events: Event types such as ``task.created``.
        schedule: A cron expression (recorded; scheduling is done by the server).
        webhook: Whether the workflow may be started by an inbound webhook.
    """

    events: tuple[str, ...] = ()
    schedule: str | None = None
    webhook: bool = False

    def matches(self, event_type: str) -> bool:
        """Return whether an event of ``event_type`` starts this workflow (``*`` suffixes allowed)."""
        for pattern in self.events:
            if pattern == event_type or pattern == "*":
                return True
            if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
                return True
        return False


class Workflow(_Model):
    """A validated workflow definition.

    Attributes:
        id: The folder name or file stem.
        name: Display name (``name:``), defaulting to the id.
        description: Free text.
        trigger: Events, schedule and webhook that start it.
        inputs: Declared inputs, validated before a run starts.
        steps: The top-level steps, in order.
        output: Expression for the run's output (default: the last step's output).
        model: Default model alias for its ``model``/``agent`` steps.
        source: The ``workflow.yml`` (or single ``<id>.yml``) it was loaded from.
        root: The workflow folder (``None`` for a single-file workflow).
        tools: Names of the Python tools found in ``tools/``.
        content_hash: SHA-256 of every file of the definition; recorded on each run.
        uploaded: Definitions uploaded by users may use built-in actions only.
    """

    id: str
    name: str
    description: str = ""
    trigger: Trigger = Trigger()
    inputs: dict[str, InputField] = {}
    steps: tuple[Step, ...]
    output: Any = None
    model: str | None = None
    source: Path
    root: Path | None = None
    tools: tuple[str, ...] = ()
    content_hash: str = ""
    uploaded: bool = False

    def input_schema(self) -> dict[str, Any]:
        """Return a JSON Schema of the declared inputs (for forms and API docs)."""
        properties: dict[str, Any] = {}
        required = []
        for key, field in self.inputs.items():
            prop: dict[str, Any] = {} if field.type == "any" else {"type": field.type}
            for attr, schema_key in (
                ("description", "description"),
                ("min_length", "minLength"),
                ("max_length", "maxLength"),
                ("minimum", "minimum"),
                ("maximum", "maximum"),
                ("default", "default"),
            ):
                value = getattr(field, attr)
                if value is not None:
                    prop[schema_key] = value
            if field.enum is not None:
                prop["enum"] = list(field.enum)
            properties[key] = prop
            if field.required:
                required.append(key)
        return {"type": "object", "properties": properties, "required": required}
