"""``/api/runs/{id}/artifacts`` and ``/deploy``: generated files, as files, a zip, a git repo or a GitHub repo."""

from __future__ import annotations

import mimetypes
import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from mozaiks_ai.api.deps import CurrentEngine, CurrentPrincipal, CurrentServerConfig, load_run
from mozaiks_ai.api.errors import error_response
from mozaiks_ai.api.schemas import DeployRequest
from mozaiks_ai.errors import ExportError, MozaiksError

__all__ = ["router"]

router = APIRouter(prefix="/api/runs", tags=["artifacts"])

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


async def _files(engine: CurrentEngine, run_id: str) -> dict[str, bytes]:
    return {a.path: a.content for a in await engine.store.list_artifacts(run_id)}


def _attachment(name: str) -> str:
    """The ``Content-Disposition`` of a download named ``name.zip``.

    A plain ASCII ``filename`` (characters outside ``A-Za-z0-9._-`` become ``_``), plus RFC 6266
    ``filename*`` when the name needed changing: quotes, slashes or non-Latin-1 characters of a caller's
    ``root`` can neither break the header nor make the server fail.
    """
    fallback = _UNSAFE_FILENAME.sub("_", name).strip("_") or "artifacts"
    header = f'attachment; filename="{fallback}.zip"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name + '.zip', safe='')}"
    return header


def _zip(files: dict[str, bytes], root: str | None, name: str) -> Response:
    from mozaiks_ai.export import build_zip

    if root and _CONTROL.search(root):
        raise ExportError("zip 'root' must not contain control characters (line breaks, tabs); use a folder name")
    return Response(
        build_zip(files, root=root),
        media_type="application/zip",
        headers={"Content-Disposition": _attachment(name)},
    )


@router.get("/{run_id}/artifacts")
async def list_artifacts(run_id: str, engine: CurrentEngine, principal: CurrentPrincipal) -> dict[str, Any]:
    """The run's files (path, size, content type)."""
    run = await load_run(engine, principal, run_id)
    artifacts = await engine.store.list_artifacts(run.id)
    return {
        "run_id": run.id,
        "artifacts": [{"path": a.path, "size": a.size, "content_type": a.content_type} for a in artifacts],
    }


@router.get("/{run_id}/artifacts.zip")
async def artifacts_zip(run_id: str, engine: CurrentEngine, principal: CurrentPrincipal) -> Response:
    """Every artifact in one zip."""
    run = await load_run(engine, principal, run_id)
    return _zip(await _files(engine, run.id), None, f"{run.workflow_id}-{run.id[:8]}")


@router.get("/{run_id}/artifacts/{path:path}")
async def get_artifact(run_id: str, path: str, engine: CurrentEngine, principal: CurrentPrincipal) -> Response:
    """One file, with a content type guessed from its name."""
    run = await load_run(engine, principal, run_id)
    artifact = await engine.store.get_artifact(run.id, path)
    if artifact is None:
        return error_response(404, f"artifact {path!r} not found in run {run.id}")
    media = mimetypes.guess_type(artifact.path)[0] or artifact.content_type or "application/octet-stream"
    if media.startswith("text/html") or media == "image/svg+xml":
        media = "text/plain"  # never render generated markup from the API origin
    return Response(artifact.content, media_type=media, headers={"X-Content-Type-Options": "nosniff"})


@router.post("/{run_id}/deploy", response_model=None)
async def deploy(
    run_id: str, body: DeployRequest, engine: CurrentEngine, principal: CurrentPrincipal, config: CurrentServerConfig
) -> Response | JSONResponse:
    """Export the run's files: ``zip`` (download), ``git`` (push a new repository), ``github`` (create one)."""
    run = await load_run(engine, principal, run_id)
    files = await _files(engine, run.id)
    if not files:
        raise ExportError(f"run {run.id} has no artifacts to deploy")
    if body.mode == "zip":
        return _zip(files, body.root, body.root or f"{run.workflow_id}-{run.id[:8]}")
    if body.mode == "git":
        from mozaiks_ai.export import push_git

        if not body.remote_url:
            raise ExportError("git deploy needs 'remote_url' (the new repository to push to)")
        result = await push_git(
            files,
            remote_url=body.remote_url,
            branch=body.branch,
            message=body.message,
            allow_local=config.deploy_allow_local,
            allowed_hosts=engine.config.http_allowed_hosts,
        )
        return JSONResponse({"mode": "git", **result})
    if body.mode == "github":
        from mozaiks_ai.export import create_github_repo

        if not body.token or not body.name:
            raise ExportError("github deploy needs 'token' (a GitHub token with repo scope) and 'name'")
        result = await create_github_repo(
            files,
            token=body.token,
            name=body.name,
            private=body.private,
            description=body.description,
            api_url=config.github_api_url,
            client=engine.http_client(),
            branch=body.branch,
            message=body.message,
        )
        return JSONResponse({"mode": "github", **result})
    raise _local_unavailable()


def _local_unavailable() -> MozaiksError:
    return ExportError(
        "deploy mode 'local' starts the backend on mozaiks-core, which this runtime does not ship yet; "
        "use 'zip', 'git' or 'github'"
    )
