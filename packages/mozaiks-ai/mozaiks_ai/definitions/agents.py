"""Agent definitions: ``agents/<id>.json`` (or ``.yml``) beside workflows.

An agent is a model with a system prompt, tools it may call, a turn limit and optional handoffs
to other agents. Agents live in a workflow folder's ``agents/`` (usable by that workflow's
``agent`` steps, with its Python tools) or in a root's ``agents/`` folder (usable everywhere, with
built-in actions as tools). Each agent can also be chatted with directly over the WebSocket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mozaiks_ai.definitions._yaml import line_of, load_yaml
from mozaiks_ai.errors import DefinitionError

__all__ = ["DEFAULT_AGENT", "AgentDefinition", "load_agent_file", "load_agents"]

_SUFFIXES = (".json", ".yml", ".yaml")


class AgentDefinition(BaseModel):
    """A validated agent.

    Attributes:
        id: File stem (``support-bot``).
        name: Display name.
        description: What it is for (shown in ChatUI, and to other agents for handoffs).
        model: ``provider:model`` or ``default``.
        system: The system prompt (``system_prompt`` is accepted too).
        tools: Names of tools it may call: the workflow's Python tools and built-in actions.
        max_turns: Model calls at most before the agent must answer.
        handoffs: Ids of agents it may hand the conversation to.
        output_schema: JSON schema of its final answer, if structured.
        temperature: Sampling temperature.
        source: The file it came from.
        root: The workflow folder whose tools it may use (``None`` for shared agents).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str
    name: str
    description: str = ""
    model: str | None = None
    system: str = Field(default="You are a helpful assistant.", alias="system_prompt")
    tools: tuple[str, ...] = ()
    max_turns: int = Field(default=8, ge=1, le=100)
    handoffs: tuple[str, ...] = ()
    output_schema: dict[str, Any] | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    source: Path | None = None
    root: Path | None = None

    @field_validator("tools", "handoffs", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return tuple(v["name"] if isinstance(v, dict) and "name" in v else v for v in value)
        return value


#: The agent that answers chat messages naming no workflow or agent.
DEFAULT_AGENT = AgentDefinition(
    id="ask",
    name="Ask",
    description="Answers questions; the default for messages that name no workflow or agent.",
    system="You are the assistant of a Mozaiks runtime. Answer briefly and helpfully.",
)


def load_agent_file(file: Path, *, root: Path | None = None) -> AgentDefinition:
    """Read and validate one agent file.

    Raises:
        DefinitionError: Naming the file, line and problem.
    """
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"cannot read agent file: {exc}", file=file) from None
    try:
        data: Any = json.loads(text) if file.suffix == ".json" else load_yaml(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"malformed JSON: {exc.msg}", file=file, line=exc.lineno) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DefinitionError(
            f"malformed YAML: {getattr(exc, 'problem', exc)}", file=file, line=mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict):
        raise DefinitionError("an agent file must hold an object with 'name', 'system', 'tools' …", file=file, line=1)
    values = {**data, "id": file.stem, "source": file, "root": root}
    values.setdefault("name", file.stem)
    try:
        return AgentDefinition.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        line = line_of(data, tuple(err["loc"])) if not isinstance(data, dict) or hasattr(data, "line") else None
        raise DefinitionError(f"{where}: {err['msg']}", file=file, line=line) from None


def load_agents(
    folder: Path, *, root: Path | None = None
) -> tuple[dict[str, AgentDefinition], dict[str, DefinitionError]]:
    """Load every agent file of ``folder``; return ``(valid, invalid)`` by id."""
    valid: dict[str, AgentDefinition] = {}
    invalid: dict[str, DefinitionError] = {}
    if not folder.is_dir():
        return valid, invalid
    for file in sorted(folder.iterdir()):
        if file.suffix in _SUFFIXES and file.is_file() and not file.name.startswith("."):
            try:
                valid[file.stem] = load_agent_file(file, root=root)
            except DefinitionError as exc:
                invalid[file.stem] = exc
    return valid, invalid
