"""Exceptions raised by mozaiks-ai.

Every error the runtime raises on purpose derives from :class:`MozaiksError`::

    MozaiksError
    ├── DefinitionError          a workflow or agent definition is invalid (file, line, problem)
    │   └── WorkflowNotFoundError
    ├── InputValidationError     run input does not match the workflow's ``inputs``
    ├── StoreError               the durable store failed or is misconfigured
    │   └── RunNotFoundError
    ├── RunStateError            the operation does not fit the run's status (resume a finished run…)
    ├── ConfigurationError       the runtime's configuration is invalid or incomplete
    ├── ExportError              exporting or deploying artifacts failed (zip, git, GitHub)
    └── StepError                a step failed; carries the step path
        ├── ExpressionError      a ``{{ }}`` expression failed (sandbox violations included)
        ├── ActionError          a built-in action refused or failed (SSRF guard, SMTP, …)
        ├── ToolError            a Python tool raised
        ├── StepTimeoutError     a step ran past its ``timeout``
        ├── ProviderNotConfiguredError   a ``model``/``agent`` step has no model provider
        ├── ModelError           a model call failed (HTTP error, rate limit after retries, bad answer)
        └── BudgetExceededError  a token or cost budget would be exceeded

Cancellation is signalled with :class:`RunCancelled`, a ``BaseException`` so that user code
(``except Exception``) cannot swallow it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ActionError",
    "BudgetExceededError",
    "ConfigurationError",
    "DefinitionError",
    "ExportError",
    "ExpressionError",
    "InputValidationError",
    "ModelError",
    "MozaiksError",
    "ProviderNotConfiguredError",
    "RunCancelled",
    "RunNotFoundError",
    "RunStateError",
    "StepError",
    "StepTimeoutError",
    "StoreError",
    "ToolError",
    "WorkflowNotFoundError",
]


class MozaiksError(Exception):
    """Root of every error raised on purpose by mozaiks-ai."""


class DefinitionError(MozaiksError):
    """A workflow definition is invalid.

    Args:
        message: What is wrong and, where possible, how to fix it.
        file: The file holding the problem.
        line: The 1-based line of the problem, when known.
        workflow_id: The id of the workflow being loaded.
    """

    def __init__(
        self, message: str, *, file: Path | str | None = None, line: int | None = None, workflow_id: str | None = None
    ) -> None:
        self.problem = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.workflow_id = workflow_id
        super().__init__(self.location_prefix() + message)

    def location_prefix(self) -> str:
        """Return ``file:line: `` (or the parts known) for messages."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}: " if self.line else f"{self.file}: "


class WorkflowNotFoundError(DefinitionError):
    """No workflow with the requested id is registered."""


class InputValidationError(MozaiksError):
    """Run input does not match the workflow's declared ``inputs``.

    Args:
        message: A summary naming the offending fields.
        errors: One entry per problem: ``{"field": …, "error": …}``.
    """

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None) -> None:
        self.errors = errors or []
        super().__init__(message)


class StoreError(MozaiksError):
    """The durable store failed or is misconfigured."""


class RunNotFoundError(StoreError):
    """No run with the requested id exists (for this tenant)."""


class RunStateError(MozaiksError):
    """The requested operation does not fit the run's current status."""


class ConfigurationError(MozaiksError):
    """The runtime configuration is invalid; the message names the setting to change."""


class ExportError(MozaiksError):
    """Exporting or deploying a run's artifacts failed; the message says what to fix."""


class StepError(MozaiksError):
    """A step failed.

    Args:
        message: What went wrong.
        step: The step's unique path (``greet_each[2].echo``), when known.
    """

    def __init__(self, message: str, *, step: str | None = None) -> None:
        self.step = step
        super().__init__(message)


class ExpressionError(StepError):
    """A ``{{ }}`` expression failed to render (undefined name, sandbox violation, syntax)."""


class ActionError(StepError):
    """A built-in action refused its arguments or failed."""


class ToolError(StepError):
    """A Python tool raised an exception."""


class StepTimeoutError(StepError):
    """A step ran longer than its ``timeout``."""


class ProviderNotConfiguredError(StepError):
    """A ``model`` or ``agent`` step ran but no model provider is available."""


class ModelError(StepError):
    """A model call failed; the message names the provider, the model and the reason."""


class BudgetExceededError(StepError):
    """A run's or an app's token/cost budget would be exceeded by the next model call."""


class RunCancelled(BaseException):
    """Raised inside a run's task when the run is cancelled; not catchable as ``Exception``."""
