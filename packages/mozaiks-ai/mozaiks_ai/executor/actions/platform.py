"""``emit_event`` (start the workflows an event triggers) and ``use_mozaiks_tool`` (platform tools)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from mozaiks_ai.errors import ActionError
from mozaiks_ai.executor.call import StepCall

__all__ = ["emit_event", "use_mozaiks_tool"]

_MAX_EVENT_DEPTH = 8


async def emit_event(call: StepCall) -> Any:
    """Emit ``{type, data}``: every workflow whose trigger matches starts (idempotent per step)."""
    args = call.mapping("type")
    event_type = args.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise ActionError("emit_event needs a 'type' such as 'task.created'")
    depth = int(call.run.context.get("event_depth", 0)) + 1
    if depth > _MAX_EVENT_DEPTH:
        raise ActionError(f"emit_event: events nested more than {_MAX_EVENT_DEPTH} deep (a trigger loop?)")
    event_id = f"{call.run.id}:{call.path}"
    runs = await call.execution.engine.emit_event(
        event_type,
        call.execution.redact(args.get("data") or {}),  # the event lands in the started runs' records
        event_id=event_id,
        app_id=call.run.app_id,
        user_id=call.run.user_id,
        parent_run_id=call.run.id,
        depth=depth,
    )
    return {"type": event_type, "id": event_id, "runs": [r.id for r in runs]}


async def use_mozaiks_tool(call: StepCall) -> Any:
    """Call a Mozaiks platform tool (managed mode); skipped with a notice in self-hosted mode."""
    args = call.mapping("tool")
    tool_name, action = args.get("tool"), args.get("action")
    if not isinstance(tool_name, str) or not tool_name:
        raise ActionError("use_mozaiks_tool needs 'tool' (and usually 'action')")
    config = call.config
    if config.mode != "managed":
        reason = "Mozaiks platform tools are disabled in self-hosted mode (set MOZAIKS_MODE=managed to enable)"
        call.progress(f"skipped {tool_name}: {reason}")
        return {"skipped": True, "tool": tool_name, "action": action, "reason": reason}
    if not config.platform_url:
        raise ActionError("use_mozaiks_tool: MOZAIKS_PLATFORM_URL is not set")
    from mozaiks_ai.executor.actions._ssrf import check_url

    url = f"{config.platform_url.rstrip('/')}/api/tools/{tool_name}" + (f"/{action}" if action else "")
    await check_url(url, (*config.http_allowed_hosts, urlsplit(url).hostname or ""))
    client = call.execution.engine.http_client()
    headers = {"Idempotency-Key": f"{call.run.id}:{call.path}"}
    if config.platform_token:
        headers["Authorization"] = f"Bearer {config.platform_token}"
    payload = {k: v for k, v in args.items() if k not in ("tool", "action")}
    response = await client.post(url, json={"app_id": call.run.app_id, **payload}, headers=headers, timeout=60)
    if response.status_code >= 400:
        raise ActionError(f"platform tool {tool_name} returned HTTP {response.status_code}: {response.text[:300]}")
    return response.json() if response.content else None
