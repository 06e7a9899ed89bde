"""The Mozaiks platform workflows, packaged as a mozaiks-ai workflow pack.

Installed, the pack publishes its folder through the entry-point group ``mozaiks_ai.workflows``; uninstalled, point
``MOZAIKS_WORKFLOWS_PATH`` at :func:`workflows_root`'s folder (``mozaiks_workflows/workflows``). The pack uses only
what any user's workflows can: YAML, prompts, templates and Python tools with the public ``mozaiks_ai`` API.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["WORKFLOW_IDS", "__version__", "workflows_root"]

__version__ = "0.1.0"

WORKFLOW_IDS = ("AppGenerator", "AgentGenerator", "DesignDocument", "ValidationEngine", "ValueEngine")


def workflows_root() -> Path:
    """The folder holding one sub-folder per workflow (the pack's entry point)."""
    return Path(__file__).resolve().parent / "workflows"
