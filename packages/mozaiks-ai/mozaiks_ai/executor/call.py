"""The object every built-in action receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mozaiks_ai.config import RuntimeConfig
    from mozaiks_ai.definitions.models import Step, Workflow
    from mozaiks_ai.executor.run import RunExecution
    from mozaiks_ai.state.records import RunRecord

__all__ = ["StepCall"]


@dataclass
class StepCall:
    """One invocation of an action or tool.

    Attributes:
        execution: The run being executed (events, artifacts, engine).
        step: The step definition.
        path: The step's unique path (``greet_each[2].echo``).
        params: The step's parameters, rendered.
        scope: Names visible to expressions (``input``, ``vars``, ``steps`` …).
        workflow: The workflow owning the step (differs from the run's inside sub-workflows).
        attempt: 1 for the first attempt.
    """

    execution: RunExecution
    step: Step
    path: str
    params: Any
    scope: dict[str, Any]
    workflow: Workflow
    attempt: int = 1

    @property
    def run(self) -> RunRecord:
        """The run record."""
        return self.execution.run

    @property
    def config(self) -> RuntimeConfig:
        """The runtime configuration."""
        return self.execution.engine.config

    def mapping(self, primary: str) -> dict[str, Any]:
        """Return params as keyword arguments; a scalar becomes ``{primary: scalar}``."""
        if self.params is None:
            return {}
        if isinstance(self.params, dict):
            return dict(self.params)
        return {primary: self.params}

    def progress(self, text: str) -> None:
        """Emit a progress chunk for this step."""
        self.execution.emit("chunk", self.path, {"kind": "progress", "chunk": text})
