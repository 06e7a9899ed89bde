"""mozaiks-ai: a durable runtime for AI workflows defined in YAML.

Quick start::

    from mozaiks_ai import Engine, RuntimeConfig, WorkflowLoader

    WorkflowLoader("examples").discover()          # ['basic-automation', 'email-automation', 'hello-world']
    engine = await Engine.open(RuntimeConfig.from_env())
    run = await engine.run("hello-world", {"name": "Ada"})
"""

from __future__ import annotations

from mozaiks_ai.config import RuntimeConfig
from mozaiks_ai.definitions import Step, Workflow, WorkflowLoader, WorkflowRegistry
from mozaiks_ai.errors import (
    ConfigurationError,
    DefinitionError,
    InputValidationError,
    MozaiksError,
    RunNotFoundError,
    RunStateError,
    StepError,
    StoreError,
    WorkflowNotFoundError,
)
from mozaiks_ai.executor import Engine, ToolContext, tool
from mozaiks_ai.state import RunRecord, Store, open_store

__version__ = "0.1.0"

__all__ = [
    "ConfigurationError",
    "DefinitionError",
    "Engine",
    "InputValidationError",
    "MozaiksError",
    "RunNotFoundError",
    "RunRecord",
    "RunStateError",
    "RuntimeConfig",
    "Step",
    "StepError",
    "Store",
    "StoreError",
    "ToolContext",
    "Workflow",
    "WorkflowLoader",
    "WorkflowNotFoundError",
    "WorkflowRegistry",
    "__version__",
    "open_store",
    "tool",
]
