"""mozaiks-core: the application runtime and SDK that Mozaiks-generated backends run on.

::

    from mozaiks_core_runtime import App, auth, db, events, payments, insights, hosting, plugins

    app = App("task-tracker")
"""

from __future__ import annotations

from . import auth, events, hosting, plugins, workflows
from ._facades import db, insights, payments
from ._identity import User, system_context
from ._request import Request
from .application import App
from .config import Settings
from .docdb import Document, Page
from .errors import (
    AuthError,
    ConfigurationError,
    ConflictError,
    DatabaseError,
    ForbiddenError,
    ImmutableFieldError,
    InvalidFilterError,
    MozaiksCoreError,
    NotFoundError,
    RateLimitedError,
    RequestError,
    WorkflowClientError,
)

__version__ = "0.1.0"

__all__ = [
    "App",
    "AuthError",
    "ConfigurationError",
    "ConflictError",
    "DatabaseError",
    "Document",
    "ForbiddenError",
    "ImmutableFieldError",
    "InvalidFilterError",
    "MozaiksCoreError",
    "NotFoundError",
    "Page",
    "RateLimitedError",
    "Request",
    "RequestError",
    "Settings",
    "User",
    "WorkflowClientError",
    "__version__",
    "auth",
    "db",
    "events",
    "hosting",
    "insights",
    "payments",
    "plugins",
    "system_context",
    "workflows",
]
