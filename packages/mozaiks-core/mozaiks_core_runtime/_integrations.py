"""The routes and middleware that wire payments, telemetry and the frontend workflow trigger into an App.

=============================================================  ======================================================
route                                                          what
=============================================================  ======================================================
``GET  /metrics``                                              Prometheus exposition (always)
``POST /api/payments/webhook/{provider}``                      raw body, no auth; verified and de-duplicated
``GET  /api/payments/sandbox/checkout/{checkout_id}``          sandbox checkout page (not in production)
``POST /api/payments/sandbox/checkout/{checkout_id}/complete`` sandbox pay/cancel (not in production)
``POST /api/payments/checkout``                                ``{"plan_id", "provider"?}`` → a checkout (user needed)
``GET  /api/payments/subscription``                            the user's subscription (user needed)
``POST /api/payments/cancel``                                  cancel the user's subscription (user needed)
``POST /api/marketing/campaigns``                              a campaign → MozaiksMarketing (managed mode; user needed)
``POST /api/workflows/{name}/run``                             frontend → allowed workflow on mozaiks-ai (user needed)
=============================================================  ======================================================

The frontend (``@mozaiks/core-runtime``) calls these with the user's token; provider keys, the marketing API key
and the runtime token stay on the server.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from starlette.requests import Request as StarletteRequest
from starlette.responses import HTMLResponse, JSONResponse, Response

from ._request import Request, read_body
from ._runtime import use_runtime
from .auth._guards import current_user, require_user
from .errors import ForbiddenError, RequestError
from .payments.config import DEFAULT_MOUNT_PATH
from .telemetry.metrics import metrics_response

if TYPE_CHECKING:
    from .application import App

__all__ = ["WORKFLOW_RUN_PATH", "register_integration_routes"]

WORKFLOW_RUN_PATH = "/api/workflows/{name}/run"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)


def _sandbox_csp(html: str) -> str:
    """A CSP allowing exactly the page's own inline script and style (by hash) and fetches to this origin."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for kind, content in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()
        hashes[kind].append(f"'sha256-{digest}'")
    return (
        f"default-src 'none'; script-src {' '.join(hashes['script'])}; style-src {' '.join(hashes['style'])}; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def register_integration_routes(app: App) -> None:
    """Add ``/metrics``, the payment routes and the workflow trigger to ``app``."""
    runtime = app.runtime
    settings = app.settings

    async def metrics(raw: StarletteRequest) -> Response:
        status, body, content_type = metrics_response(runtime.metrics, raw.headers)
        return Response(body, status_code=status, headers={"content-type": content_type})

    async def webhook(raw: StarletteRequest) -> Response:
        from ._responses import error_response

        try:
            body = await read_body(raw, settings.max_body_bytes)
        except Exception as exc:
            return error_response(exc)
        with use_runtime(runtime):
            status, answer = await runtime.payments.webhook(raw.path_params["provider"], raw.headers, body)
        return JSONResponse(answer, status_code=status)

    async def sandbox_page(raw: StarletteRequest) -> Response:
        status, html = await runtime.payments.sandbox_checkout_page(raw.path_params["checkout_id"])
        return HTMLResponse(
            html,
            status_code=status,
            headers={"content-security-policy": _sandbox_csp(html), "cache-control": "no-store"},
        )

    async def sandbox_complete(raw: StarletteRequest) -> Response:
        from ._responses import error_response

        try:
            body = await read_body(raw, 4096)
        except Exception as exc:
            return error_response(exc)
        with use_runtime(runtime):
            status, answer = await runtime.payments.sandbox_complete(raw.path_params["checkout_id"], raw.headers, body)
        return JSONResponse(answer, status_code=status)

    app.add_raw_route("/metrics", metrics, methods=["GET"])
    app.add_raw_route(f"{DEFAULT_MOUNT_PATH}/webhook/{{provider}}", webhook, methods=["POST"])
    if settings.env != "production":
        app.add_raw_route(f"{DEFAULT_MOUNT_PATH}/sandbox/checkout/{{checkout_id}}", sandbox_page, methods=["GET"])
        app.add_raw_route(
            f"{DEFAULT_MOUNT_PATH}/sandbox/checkout/{{checkout_id}}/complete", sandbox_complete, methods=["POST"]
        )

    @require_user
    async def run_workflow(request: Request, name: str) -> Any:
        if name not in settings.allowed_workflows:
            raise ForbiddenError(
                f"workflow {name!r} may not be run from the frontend (add it to MOZAIKS_ALLOWED_WORKFLOWS)",
                details={"workflow": name},
            )
        data = request.data.get("input", {})
        if not isinstance(data, dict):
            raise RequestError('"input" must be a JSON object')
        wait = request.data.get("wait", True)
        if not isinstance(wait, bool):
            raise RequestError('"wait" must be true or false')
        key = request.headers.get("idempotency-key") or None
        # The runtime token is added by the workflow client, server side; the user id goes along in the body.
        return await runtime.workflows.execute_async(name, data, wait=wait, idempotency_key=key)

    app.add_route(WORKFLOW_RUN_PATH, run_workflow, methods=["POST"])
    _register_frontend_routes(app)


def _register_frontend_routes(app: App) -> None:
    """Payments and marketing for the app's frontend: the user's token in, provider keys never out."""
    runtime = app.runtime

    def provider_name(request: Request) -> str | None:
        name = request.data.get("provider") if request.method == "POST" else request.query.get("provider")
        if name is not None and (not isinstance(name, str) or not name):
            raise RequestError('"provider" must be a provider name')
        return name

    @require_user
    async def checkout(request: Request) -> Any:
        plan_id = request.data.get("plan_id")
        if not isinstance(plan_id, str) or not plan_id.strip():
            raise RequestError('"plan_id" is required: the plan to buy', details={"field": "plan_id"})
        made = await runtime.payments.create_checkout(plan_id, current_user(), provider=provider_name(request))
        return asdict(made), 201

    @require_user
    async def subscription(request: Request) -> Any:
        return asdict(await runtime.payments.subscription_status(current_user(), provider=provider_name(request)))

    @require_user
    async def cancel(request: Request) -> Any:
        return asdict(await runtime.payments.cancel(current_user(), provider=provider_name(request)))

    @require_user
    async def campaign(request: Request) -> Any:
        key = request.headers.get("idempotency-key") or None
        return await runtime.marketing.create_campaign(request.data, user_id=current_user().id, idempotency_key=key)

    app.add_route(f"{DEFAULT_MOUNT_PATH}/checkout", checkout, methods=["POST"])
    app.add_route(f"{DEFAULT_MOUNT_PATH}/subscription", subscription, methods=["GET"])
    app.add_route(f"{DEFAULT_MOUNT_PATH}/cancel", cancel, methods=["POST"])
    app.add_route("/api/marketing/campaigns", campaign, methods=["POST"])
