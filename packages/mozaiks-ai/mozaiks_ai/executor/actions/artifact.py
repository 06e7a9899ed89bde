"""``artifact``: store a file in the run's artifacts."""

from __future__ import annotations

import json
from typing import Any

from mozaiks_ai.errors import ActionError
from mozaiks_ai.executor.call import StepCall

__all__ = ["artifact"]


async def artifact(call: StepCall) -> Any:
    """Store ``{path, content, content_type}``; non-string content is saved as JSON."""
    args = call.mapping("path")
    path = args.get("path")
    if not isinstance(path, str):
        raise ActionError("artifact needs a 'path' such as 'reports/summary.md'")
    content = args.get("content", "")
    content_type = args.get("content_type")
    if not isinstance(content, str):
        content = json.dumps(content, indent=2, default=str)
        content_type = content_type or "application/json"
    stored = await call.execution.put_artifacts(
        {path: content.encode()}, step=call.path, content_type=content_type or "text/plain"
    )
    return {"path": stored[0], "size": len(content.encode())}
