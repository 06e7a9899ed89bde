"""Send a campaign to the marketing API (MozaiksMarketing) without ever failing the caller.

The wire format is mozaiks-core's (``mozaiks_core_runtime.marketing``): ``POST {url}/campaigns`` with
``{"app_id", "user_id", "campaign"}``, an ``Idempotency-Key`` header and, when a key is configured, a bearer token.
:func:`send_campaign` reports the outcome as data (``sent``, ``failed`` or ``skipped``) so a workflow can record
that the API was down instead of losing the campaign it just produced.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["send_campaign"]

_MAX_BODY = 2000


def _answer(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:_MAX_BODY]


async def send_campaign(
    url: str | None,
    campaign: dict[str, Any],
    *,
    api_key: str | None = None,
    app_id: str = "default",
    user_id: str | None = None,
    idempotency_key: str,
    timeout: float = 15.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """POST the campaign to ``{url}/campaigns`` and describe what happened.

    Args:
        url: The marketing API's base URL (``MOZAIKS_MARKETING_API_URL``); ``None`` or empty skips sending.
        campaign: The campaign JSON.
        api_key: Bearer token (``MOZAIKS_MARKETING_API_KEY``), if any.
        app_id: The app the campaign belongs to.
        user_id: Who asked for it.
        idempotency_key: Sent as ``Idempotency-Key``: the same key never creates two campaigns.
        timeout: Seconds for the request.
        transport: An httpx transport (tests).

    Returns:
        ``{"status": "skipped", "reason"}`` without a URL; ``{"status": "sent", "http_status", "response"}`` on a
        2xx answer; ``{"status": "failed", "error", "http_status"?, "response"?}`` otherwise. Never raises for
        network or HTTP errors.
    """
    if not url or not url.strip():
        return {"status": "skipped", "reason": "MOZAIKS_MARKETING_API_URL is not set: the campaign was not sent"}
    endpoint = url.strip().rstrip("/") + "/campaigns"
    headers = {"Idempotency-Key": idempotency_key}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    body = {"app_id": app_id, "user_id": user_id, "campaign": campaign}
    try:
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:
            response = await client.post(endpoint, json=body, headers=headers)
    except httpx.HTTPError as exc:
        return {"status": "failed", "error": f"the marketing API is unreachable: {type(exc).__name__}: {exc}"}
    if response.is_success:
        return {"status": "sent", "http_status": response.status_code, "response": _answer(response)}
    return {
        "status": "failed",
        "http_status": response.status_code,
        "error": f"the marketing API refused the campaign (HTTP {response.status_code})",
        "response": _answer(response),
    }
