"""``POST /api/events``: an app event starts every workflow whose trigger matches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from mozaiks_ai.api.deps import CurrentEngine, CurrentPrincipal, scoped_key
from mozaiks_ai.api.schemas import EventRequest

__all__ = ["router"]

router = APIRouter(prefix="/api/events", tags=["events"])


@router.post("", status_code=202)
async def post_event(body: EventRequest, engine: CurrentEngine, principal: CurrentPrincipal) -> JSONResponse:
    """Start the matching workflows; the event ``id`` is the idempotency key (one run per workflow)."""
    runs = await engine.emit_event(
        body.type,
        body.data,
        event_id=scoped_key(principal, body.id),
        app_id=principal.app_id,
        user_id=principal.user_id,
    )
    payload: dict[str, Any] = {"runs": [{"run_id": r.id, "workflow": r.workflow_id, "status": r.status} for r in runs]}
    return JSONResponse(payload, status_code=202)
