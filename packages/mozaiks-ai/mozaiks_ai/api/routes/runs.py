"""``/api/runs``: inspect runs, follow their events (JSON or SSE), cancel, answer, retry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from mozaiks_ai.api.deps import CurrentEngine, CurrentPrincipal, load_run
from mozaiks_ai.api.schemas import InputRequest
from mozaiks_ai.api.sse import sse_stream
from mozaiks_ai.api.views import run_view, step_view

__all__ = ["router"]

router = APIRouter(prefix="/api/runs", tags=["runs"])
_STATUSES = "^(queued|pending|running|waiting|succeeded|failed|cancelled)$"
MAX_SEQ = 2**63 - 1  # event numbers are 64-bit in both stores: larger values would overflow the driver (500)


@router.get("")
async def list_runs(
    engine: CurrentEngine,
    principal: CurrentPrincipal,
    status: Annotated[str | None, Query(pattern=_STATUSES)] = None,
    workflow: Annotated[str | None, Query(max_length=200)] = None,
    session_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The caller's runs, newest first (user tokens see their own runs only)."""
    runs = await engine.store.list_runs(
        app_id=principal.app_id,
        user_id=None if principal.is_service else principal.user_id,
        status=status,
        workflow_id=workflow,
        session_id=session_id,
        limit=limit,
    )
    return {"runs": [run_view(r) for r in runs]}


@router.get("/{run_id}")
async def get_run(run_id: str, engine: CurrentEngine, principal: CurrentPrincipal) -> dict[str, Any]:
    """A run with its steps."""
    run = await load_run(engine, principal, run_id)
    view = run_view(run)
    view["steps"] = [step_view(s) for s in await engine.store.get_steps(run.id)]
    return view


@router.get("/{run_id}/events", response_model=None)
async def get_events(
    run_id: str,
    request: Request,
    engine: CurrentEngine,
    principal: CurrentPrincipal,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> JSONResponse | StreamingResponse:
    """The run's events after ``after``: JSON, or a live SSE stream with ``Accept: text/event-stream``.

    SSE honours ``Last-Event-ID`` and ends after the run's final event.
    """
    run = await load_run(engine, principal, run_id)
    if "text/event-stream" in request.headers.get("accept", ""):
        if last_event_id is not None and last_event_id.strip().isascii() and last_event_id.strip().isdigit():
            after = min(int(last_event_id.strip()), MAX_SEQ)
        return StreamingResponse(
            sse_stream(engine, run.id, after),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    events = await engine.store.list_events(run.id, after=after, limit=limit)
    return JSONResponse({"run_id": run.id, "events": [e.to_dict() for e in events]})


@router.post("/{run_id}/cancel")
async def cancel_run(run_id: str, engine: CurrentEngine, principal: CurrentPrincipal) -> dict[str, Any]:
    """Cancel a run (409 if it already finished)."""
    run = await load_run(engine, principal, run_id)
    return run_view(await engine.cancel(run.id))


@router.post("/{run_id}/input", status_code=202)
async def answer_run(
    run_id: str, body: InputRequest, engine: CurrentEngine, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Answer a ``wait_for_input`` step; the run continues in the background."""
    run = await load_run(engine, principal, run_id)
    return run_view(await engine.submit_input(run.id, body.answer(), step=body.step, wait=False))


@router.post("/{run_id}/retry", status_code=202)
async def retry_run(run_id: str, engine: CurrentEngine, principal: CurrentPrincipal) -> dict[str, Any]:
    """Run a failed or cancelled run again from its failed step."""
    run = await load_run(engine, principal, run_id)
    return run_view(await engine.retry(run.id, wait=False))
