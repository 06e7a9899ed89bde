"""Workflow definitions: discovery, parsing and validation (no I/O beyond reading files)."""

from __future__ import annotations

from mozaiks_ai.definitions.agents import DEFAULT_AGENT, AgentDefinition
from mozaiks_ai.definitions.inputs import validate_input
from mozaiks_ai.definitions.loader import ENTRY_POINT_GROUP, WorkflowLoader, WorkflowRegistry, entry_point_roots
from mozaiks_ai.definitions.models import InputField, RetryPolicy, Step, Trigger, Workflow
from mozaiks_ai.definitions.parse import BUILTIN_ACTIONS

__all__ = [
    "BUILTIN_ACTIONS",
    "DEFAULT_AGENT",
    "ENTRY_POINT_GROUP",
    "AgentDefinition",
    "InputField",
    "RetryPolicy",
    "Step",
    "Trigger",
    "Workflow",
    "WorkflowLoader",
    "WorkflowRegistry",
    "entry_point_roots",
    "validate_input",
]
