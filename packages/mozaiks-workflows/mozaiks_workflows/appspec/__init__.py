"""App specs: the validated model (:mod:`.models`) and the deterministic offline extractor (:mod:`.extractor`)."""

from __future__ import annotations

from .extractor import extract
from .models import (
    FIELD_TYPES,
    GENERATOR_VERSION,
    RESERVED_FIELDS,
    RESERVED_WORDS,
    AgentSpec,
    AppSpec,
    EntitySpec,
    FieldSpec,
    PageSpec,
    RelationSpec,
    WorkflowSpec,
)

__all__ = [
    "FIELD_TYPES",
    "GENERATOR_VERSION",
    "RESERVED_FIELDS",
    "RESERVED_WORDS",
    "AgentSpec",
    "AppSpec",
    "EntitySpec",
    "FieldSpec",
    "PageSpec",
    "RelationSpec",
    "WorkflowSpec",
    "extract",
]
