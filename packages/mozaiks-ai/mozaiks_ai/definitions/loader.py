"""Find and load workflow definitions from folders and installed packs.

A root folder holds ``<id>/workflow.yml`` (or ``.yaml``) folders and single ``<id>.yml`` files.
:class:`WorkflowLoader` reads one root; :class:`WorkflowRegistry` combines several roots and the
packs of the entry-point group ``mozaiks_ai.workflows``, keeps every valid workflow, and reports
each invalid one without letting it stop the others.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mozaiks_ai.definitions._yaml import load_yaml
from mozaiks_ai.definitions.agents import DEFAULT_AGENT, AgentDefinition, load_agent_file, load_agents
from mozaiks_ai.definitions.models import Step, Workflow
from mozaiks_ai.definitions.parse import parse_workflow
from mozaiks_ai.errors import DefinitionError, WorkflowNotFoundError

__all__ = ["ENTRY_POINT_GROUP", "WorkflowLoader", "WorkflowRegistry", "entry_point_roots"]

#: Entry-point group through which installed packs publish their workflow folders.
ENTRY_POINT_GROUP = "mozaiks_ai.workflows"
_FILE_NAMES = ("workflow.yml", "workflow.yaml")
_SKIP_DIRS = frozenset({"__pycache__", "node_modules", ".git"})
_MAX_FILE_BYTES = 1_000_000


class WorkflowLoader:
    """Discover and load the workflows of one root folder.

    Args:
        path: A folder of workflow folders / single-file workflows, or one workflow folder.

    Example:
        >>> WorkflowLoader("examples").discover()  # doctest: +SKIP
        ['basic-automation', 'email-automation', 'hello-world']
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _sources(self) -> dict[str, tuple[Path, Path | None]]:
        found: dict[str, tuple[Path, Path | None]] = {}
        if not self.path.is_dir():
            return found
        own = _definition_file(self.path)
        if own is not None:  # the path is itself a workflow folder
            return {self.path.name: (own, self.path)}
        for child in sorted(self.path.iterdir()):
            if child.name.startswith(".") or child.name in _SKIP_DIRS:
                continue
            if child.is_dir():
                file = _definition_file(child)
                if file is not None:
                    found[child.name] = (file, child)
            elif child.suffix in (".yml", ".yaml") and child.is_file():
                found.setdefault(child.stem, (child, None))
        return found

    def discover(self) -> list[str]:
        """Return the ids of the workflows in this root, sorted (valid or not)."""
        return sorted(self._sources())

    def load(self, workflow_id: str) -> Workflow:
        """Load and validate one workflow.

        Args:
            workflow_id: The folder name or file stem.

        Returns:
            The validated workflow.

        Raises:
            WorkflowNotFoundError: No such workflow in this root.
            DefinitionError: The definition is invalid (file, line and problem in the message).
        """
        sources = self._sources()
        if workflow_id not in sources:
            raise WorkflowNotFoundError(
                f"no workflow {workflow_id!r} in {self.path} (found: {', '.join(sorted(sources)) or 'none'})",
                workflow_id=workflow_id,
            )
        file, root = sources[workflow_id]
        return load_workflow_file(file, workflow_id=workflow_id, root=root)

    def load_all(self) -> tuple[dict[str, Workflow], dict[str, DefinitionError]]:
        """Load every workflow of the root; return ``(valid, invalid)`` keyed by id."""
        valid: dict[str, Workflow] = {}
        invalid: dict[str, DefinitionError] = {}
        for workflow_id, (file, root) in self._sources().items():
            try:
                valid[workflow_id] = load_workflow_file(file, workflow_id=workflow_id, root=root)
            except DefinitionError as exc:
                invalid[workflow_id] = exc
        return valid, invalid


def _definition_file(folder: Path) -> Path | None:
    for name in _FILE_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_workflow_file(file: Path, *, workflow_id: str, root: Path | None) -> Workflow:
    """Read, parse and validate one definition file.

    Args:
        file: ``workflow.yml`` or a single-file workflow.
        workflow_id: The id it is registered under.
        root: The workflow's folder, if it has one.

    Returns:
        The validated workflow.

    Raises:
        DefinitionError: Naming the file, the line and the problem.
    """
    try:
        raw_bytes = file.read_bytes()
    except OSError as exc:
        raise DefinitionError(f"cannot read file: {exc.strerror}", file=file, workflow_id=workflow_id) from None
    if len(raw_bytes) > _MAX_FILE_BYTES:
        raise DefinitionError(f"file is larger than {_MAX_FILE_BYTES} bytes", file=file, workflow_id=workflow_id)
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError("file is not valid UTF-8", file=file, line=1, workflow_id=workflow_id) from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise DefinitionError(f"malformed YAML: {problem}", file=file, line=line, workflow_id=workflow_id) from None
    tools = _tool_names(root) if root is not None else frozenset()
    return parse_workflow(
        data, file=file, workflow_id=workflow_id, root=root, tools=tools, content_hash=_content_hash(file, root)
    )


def _tool_names(root: Path) -> frozenset[str]:
    """Names of the tools in ``root/tools/*.py``, found without running the code."""
    names: set[str] = set()
    tools_dir = root / "tools"
    if not tools_dir.is_dir():
        return frozenset()
    for file in sorted(tools_dir.glob("*.py")):
        if file.name.startswith("_"):
            continue
        try:
            tree = ast.parse(file.read_text("utf-8"), filename=str(file))
        except SyntaxError as exc:
            raise DefinitionError(f"tool module does not parse: {exc.msg}", file=file, line=exc.lineno) from None
        names.update(public_tool_functions(tree))
    return frozenset(names)


def public_tool_functions(tree: ast.Module) -> list[str]:
    """Return the tool function names of a module: ``@tool``-marked ones, or else all public ones."""
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]

    def marked(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name == "tool":
                return True
        return False

    chosen = [f for f in functions if marked(f)] or [f for f in functions if not f.name.startswith("_")]
    return [f.name for f in chosen]


def _content_hash(file: Path, root: Path | None) -> str:
    digest = hashlib.sha256()
    files = [file]
    if root is not None:
        files = sorted(
            p
            for p in root.rglob("*")
            if p.is_file() and not (set(p.relative_to(root).parts) & _SKIP_DIRS) and p.suffix != ".pyc"
        )
    for path in files:
        rel = path.relative_to(root).as_posix() if root is not None else path.name
        digest.update(rel.encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def entry_point_roots() -> list[Path]:
    """Return the workflow folders published by installed packs (group ``mozaiks_ai.workflows``).

    Each entry point resolves to a path, a string, or a callable returning either.
    """
    from importlib.metadata import entry_points

    roots: list[Path] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        target: Any = ep.load()
        if callable(target):
            target = target()
        roots.append(Path(target))
    return roots


@dataclass
class WorkflowRegistry:
    """The workflows a runtime serves, from several roots.

    Attributes:
        workflows: Valid workflows by id.
        invalid: The error of each workflow that failed to load, by id.
    """

    workflows: dict[str, Workflow] = field(default_factory=dict)
    invalid: dict[str, DefinitionError] = field(default_factory=dict)
    agents: dict[str, AgentDefinition] = field(default_factory=dict)
    invalid_agents: dict[str, DefinitionError] = field(default_factory=dict)

    @classmethod
    def from_roots(cls, roots: Iterable[str | Path], *, enabled: Sequence[str] | None = None) -> WorkflowRegistry:
        """Load every root; the first root that defines an id wins.

        Shared agents come from ``<root>/agents`` and, for a root named ``workflows``, from the ``agents/`` folder
        beside it (a generated app's layout); a workflow folder's own ``agents/`` adds to them.

        Args:
            roots: Folders to load, in priority order.
            enabled: When given, only these ids are registered (``WORKFLOWS_ENABLED``).
        """
        registry = cls()
        for root in map(Path, roots):
            registry._add_agents(root / "agents", None)
            if root.name == "workflows":  # an app's layout (SPEC §5): <app>/workflows beside <app>/agents
                registry._add_agents(root.parent / "agents", None)
            valid, invalid = WorkflowLoader(root).load_all()
            for workflow_id, error in invalid.items():
                if workflow_id not in registry.workflows and workflow_id not in registry.invalid:
                    registry.invalid[workflow_id] = error
            for workflow_id, workflow in valid.items():
                if workflow_id not in registry.workflows and workflow_id not in registry.invalid:
                    registry.workflows[workflow_id] = workflow
        if enabled is not None:
            allowed = set(enabled)
            registry.workflows = {k: v for k, v in registry.workflows.items() if k in allowed}
            registry.invalid = {k: v for k, v in registry.invalid.items() if k in allowed}
        registry._check_references()
        for workflow in registry.workflows.values():
            if workflow.root is not None:
                registry._add_agents(workflow.root / "agents", workflow.root)
        return registry

    def _add_agents(self, folder: Path, root: Path | None) -> None:
        valid, invalid = load_agents(folder, root=root)
        for agent_id, error in invalid.items():
            self.invalid_agents.setdefault(agent_id, error)
        for agent_id, agent in valid.items():
            if agent_id not in self.agents and agent_id not in self.invalid_agents:
                self.agents[agent_id] = agent

    def get_agent(self, agent_id: str, workflow: Workflow | None = None) -> AgentDefinition:
        """Return an agent: the workflow's own ``agents/`` first, then shared ones, then the built-in ``ask``.

        Raises:
            DefinitionError: Unknown or invalid agent.
        """
        if workflow is not None and workflow.root is not None:
            for suffix in (".json", ".yml", ".yaml"):
                file = workflow.root / "agents" / f"{agent_id}{suffix}"
                if file.is_file():
                    return load_agent_file(file, root=workflow.root)
        if agent_id in self.agents:
            return self.agents[agent_id]
        if agent_id in self.invalid_agents:
            raise self.invalid_agents[agent_id]
        if agent_id == DEFAULT_AGENT.id:
            return DEFAULT_AGENT
        raise WorkflowNotFoundError(
            f"unknown agent {agent_id!r}; available: {', '.join(sorted(self.agents)) or 'none'} (and 'ask')"
        )

    def agent_workflow(self, agent_id: str) -> Workflow:
        """A one-step workflow that chats with an agent (what ``{"agent": id}`` chat messages run)."""
        agent = self.get_agent(agent_id)
        step = Step(
            name="reply",
            kind="agent",
            uses=agent.id,
            params={"message": "{{ input.message }}", "history": "{{ input.history | default([]) }}"},
        )
        return Workflow(
            id=f"agent:{agent.id}",
            name=agent.name,
            description=agent.description,
            steps=(step,),
            source=agent.source or Path(f"<agent {agent.id}>"),
            root=agent.root,
            content_hash=hashlib.sha256(agent.model_dump_json().encode()).hexdigest(),
            output="{{ steps.reply.output }}",
        )

    def get(self, workflow_id: str) -> Workflow:
        """Return a valid workflow.

        Raises:
            WorkflowNotFoundError: The id is unknown, or its definition is invalid (the error says which).
        """
        if workflow_id in self.workflows:
            return self.workflows[workflow_id]
        if workflow_id.startswith("agent:"):
            return self.agent_workflow(workflow_id.removeprefix("agent:"))
        if workflow_id in self.invalid:
            error = self.invalid[workflow_id]
            raise WorkflowNotFoundError(
                f"workflow {workflow_id!r} is invalid: {error}",
                file=error.file,
                line=error.line,
                workflow_id=workflow_id,
            )
        raise WorkflowNotFoundError(
            f"unknown workflow {workflow_id!r}; available: {', '.join(sorted(self.workflows)) or 'none'}",
            workflow_id=workflow_id,
        )

    def matching(self, event_type: str) -> list[Workflow]:
        """Return the workflows whose trigger matches ``event_type``, sorted by id."""
        return [w for _, w in sorted(self.workflows.items()) if w.trigger.matches(event_type)]

    def _check_references(self) -> None:
        """Mark workflows invalid whose sub-workflow references are unknown or form a cycle."""
        changed = True
        while changed:
            changed = False
            for workflow_id, workflow in list(self.workflows.items()):
                problem = self._reference_problem(workflow)
                if problem is not None:
                    message, line = problem
                    self.invalid[workflow_id] = DefinitionError(
                        message, file=workflow.source, line=line, workflow_id=workflow_id
                    )
                    del self.workflows[workflow_id]
                    changed = True

    def _reference_problem(self, workflow: Workflow) -> tuple[str, int | None] | None:
        for step in _walk(workflow.steps):
            if step.kind != "workflow" or step.uses is None or "{{" in step.uses:
                continue
            if step.uses not in self.workflows:
                why = "is invalid" if step.uses in self.invalid else "is not defined"
                return f"step {step.name!r} runs sub-workflow {step.uses!r}, which {why}", step.line
            cycle = self._cycle_from(workflow.id, step.uses, [workflow.id])
            if cycle:
                return f"sub-workflow cycle: {' -> '.join(cycle)} (step {step.name!r})", step.line
        return None

    def _cycle_from(self, start: str, current: str, trail: list[str]) -> list[str] | None:
        if current == start:
            return [*trail, current]
        if current in trail or current not in self.workflows:
            return None
        for step in _walk(self.workflows[current].steps):
            if step.kind == "workflow" and step.uses and "{{" not in step.uses:
                found = self._cycle_from(start, step.uses, [*trail, current])
                if found:
                    return found
        return None


def _walk(steps: Iterable[Step]) -> Iterable[Step]:
    for step in steps:
        yield step
        yield from _walk(step.steps)
