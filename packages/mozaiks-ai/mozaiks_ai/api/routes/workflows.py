"""``/api/workflows``: list, show and execute workflows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from mozaiks_ai.api.auth import AuthError
from mozaiks_ai.api.deps import CurrentEngine, CurrentPrincipal, CurrentServerConfig, scoped_key
from mozaiks_ai.api.schemas import ExecuteRequest
from mozaiks_ai.api.views import generated_files, workflow_view

__all__ = ["router"]

router = APIRouter(prefix="/api/workflows", tags=["workflows"])


@router.get("")
async def list_workflows(engine: CurrentEngine, principal: CurrentPrincipal) -> dict[str, Any]:
    """The workflows this runtime serves (and the invalid ones, with their error)."""
    registry = engine.registry
    return {
        "workflows": [workflow_view(w) for _, w in sorted(registry.workflows.items())],
        "invalid": [
            {"id": k, "error": str(e), "file": e.file, "line": e.line} for k, e in sorted(registry.invalid.items())
        ],
    }


@router.get("/{workflow_id}")
async def get_workflow(workflow_id: str, engine: CurrentEngine, principal: CurrentPrincipal) -> dict[str, Any]:
    """One workflow with its steps and input schema."""
    return workflow_view(engine.registry.get(workflow_id), full=True)


@router.post("/execute", responses={202: {"description": "started (wait: false)"}})
async def execute(
    body: ExecuteRequest,
    engine: CurrentEngine,
    principal: CurrentPrincipal,
    config: CurrentServerConfig,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key", max_length=200),
) -> JSONResponse:
    """Start a workflow; by default wait for its result.

    Invalid input answers 400 and creates no run; an unknown workflow answers 404.
    """
    if not principal.may_execute(body.workflow):
        raise AuthError(f"this token may not execute workflow {body.workflow!r}", status=403)
    context: dict[str, Any] = {}
    if body.trigger or body.data is not None:
        context = {"trigger": body.trigger, "event": body.data or {}}
    user_id = body.user_id if principal.is_service else principal.user_id
    run, created = await engine.start(
        body.workflow,
        body.input or {},
        app_id=principal.app_id,
        user_id=user_id,
        session_id=body.session_id,
        idempotency_key=scoped_key(principal, idempotency_key or body.idempotency_key),
        context=context,
    )
    if created:
        engine.launch(run.id)
    if not body.wait:
        return JSONResponse({"run_id": run.id, "status": run.status}, status_code=202)
    run = await engine.wait(run.id, config.execute_timeout)
    result: dict[str, Any] = {"run_id": run.id, "status": run.status, "output": run.output}
    if run.error is not None:
        result["error"] = run.error
    artifacts = await engine.store.list_artifacts(run.id)
    if artifacts:
        result["generated_files"] = generated_files(artifacts)
    still_running = run.status in ("queued", "pending", "running")  # MOZAIKS_AI_EXECUTE_TIMEOUT passed
    return JSONResponse(result, status_code=202 if still_running else 200)
