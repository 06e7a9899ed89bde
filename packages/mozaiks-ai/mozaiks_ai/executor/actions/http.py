"""``http`` (any allowlisted host) and ``call_app_api`` (the app that owns the run)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin, urlsplit

from mozaiks_ai.errors import ActionError
from mozaiks_ai.executor.actions._ssrf import check_url
from mozaiks_ai.executor.call import StepCall

__all__ = ["call_app_api", "http"]

_MAX_REDIRECTS = 5
_MAX_BODY = 10_000_000
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


async def _request(
    call: StepCall,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json_body: Any,
    content: Any,
    params: Any,
    timeout: float,
    check: Any,
) -> Any:
    import httpx

    method = method.upper()
    if method not in _METHODS:
        raise ActionError(f"unsupported HTTP method {method!r}; use one of {', '.join(sorted(_METHODS))}")
    client = call.execution.engine.http_client()
    for _ in range(_MAX_REDIRECTS + 1):
        await check(url)
        try:
            request = client.build_request(
                method, url, headers=headers, json=json_body, content=content, params=params, timeout=timeout
            )
            response = await client.send(request, stream=True)
        except httpx.TimeoutException:
            raise ActionError(f"{method} {url} timed out after {timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise ActionError(f"{method} {url} failed: {type(exc).__name__}: {exc}") from None
        try:
            if response.is_redirect and "location" in response.headers:
                url = urljoin(url, response.headers["location"])
                if response.status_code in (301, 302, 303):
                    method, json_body, content = ("GET" if method != "HEAD" else "HEAD"), None, None
                continue
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > _MAX_BODY:
                    raise ActionError(f"response from {url} is larger than {_MAX_BODY} bytes")
        finally:
            await response.aclose()
        return _result(response, bytes(body), url)
    raise ActionError(f"too many redirects (more than {_MAX_REDIRECTS}) starting at {url}")


def _result(response: Any, body: bytes, url: str) -> dict[str, Any]:
    text = body.decode(response.encoding or "utf-8", errors="replace")
    parsed: Any = text
    if "json" in response.headers.get("content-type", ""):
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
    return {"status": response.status_code, "url": url, "headers": dict(response.headers), "body": parsed}


def _common(args: dict[str, Any]) -> tuple[dict[str, str], Any, Any, Any, float, bool]:
    headers = {str(k): str(v) for k, v in (args.get("headers") or {}).items()}
    json_body = args.get("json", args.get("body") if not isinstance(args.get("body"), str) else None)
    content = args.get("body") if isinstance(args.get("body"), str) else None
    try:
        timeout = float(args.get("timeout", 30))
    except (TypeError, ValueError):
        raise ActionError("http timeout must be a number of seconds") from None
    return headers, json_body, content, args.get("params"), timeout, bool(args.get("raise_for_status", True))


def _raise_for_status(result: dict[str, Any], method: str) -> None:
    if result["status"] >= 400:
        body = result["body"]
        snippet = (json.dumps(body) if not isinstance(body, str) else body)[:300]
        raise ActionError(f"{method} {result['url']} returned HTTP {result['status']}: {snippet}")


async def _send(call: StepCall, args: dict[str, Any], url: str, check: Any, extra: dict[str, str]) -> Any:
    headers, json_body, content, params, timeout, check_status = _common(args)
    for key, value in extra.items():
        headers.setdefault(key, value)
    method = str(args.get("method", "GET"))
    result = await _request(
        call,
        method,
        url,
        headers=headers,
        json_body=json_body,
        content=content,
        params=params,
        timeout=timeout,
        check=check,
    )
    if check_status:
        _raise_for_status(result, method.upper())
    return result


async def http(call: StepCall) -> Any:
    """Call an allowlisted URL: ``{url, method, headers, json|body, params, timeout, raise_for_status}``."""
    args = call.mapping("url")
    url = args.get("url")
    if not isinstance(url, str) or not url:
        raise ActionError("http needs a 'url'")
    allow = call.config.http_allowed_hosts

    async def check(target: str) -> None:
        await check_url(target, allow)

    return await _send(call, args, url, check, {})


async def call_app_api(call: StepCall) -> Any:
    """Call the app's own API: ``{endpoint, method, body|json, headers, params}``.

    The base URL is ``MOZAIKS_APP_API_URL``, or the URL of the app that triggered the run; the
    endpoint must be a path on it, and redirects must stay on the same origin. With ``MOZAIKS_APP_API_TOKEN`` the
    call carries that app-scoped token and, when the run has a user, ``X-Mozaiks-User`` naming them.
    """
    args = call.mapping("endpoint")
    endpoint = args.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith("/") or endpoint.startswith("//") or "\\" in endpoint:
        raise ActionError(f"call_app_api needs an 'endpoint' path starting with '/', got {endpoint!r}")
    base = call.config.app_api_url or call.run.context.get("app_base_url")
    if not base:
        raise ActionError("call_app_api has no app URL: set MOZAIKS_APP_API_URL or start the run from an app")
    trusted = call.config.app_api_url is not None
    origin = urlsplit(base)
    extra = {"X-Mozaiks-Run-Id": call.run.id, "Idempotency-Key": f"{call.run.id}:{call.path}"}
    if call.config.app_api_token:
        extra["Authorization"] = f"Bearer {call.config.app_api_token}"
        if call.run.user_id:  # mozaiks-core then acts for the user who started the run (owner-scoped data)
            extra["X-Mozaiks-User"] = call.run.user_id
    allow = call.config.http_allowed_hosts

    async def check(target: str) -> None:
        parts = urlsplit(target)
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            raise ActionError(f"call_app_api refused a redirect away from the app ({origin.netloc}) to {target!r}")
        host = (parts.hostname or "").lower()
        await check_url(target, allow if not trusted else (*allow, host), setting="MOZAIKS_APP_API_URL")

    return await _send(call, args, base.rstrip("/") + endpoint, check, extra)
