"""Client for mozaiks-ai: ``POST {MOZAIKS_AI_URL}/api/workflows/execute`` with retries and an idempotency key."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Mapping
from typing import Any

import anyio.to_thread
import httpx

from .._identity import current_state
from ..config import Settings
from ..docdb._transaction import commit_current, current_transaction
from ..errors import WorkflowClientError
from ._credentials import ai_headers

__all__ = ["WorkflowClient"]

_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class WorkflowClient:
    """Runs workflows on mozaiks-ai.

    Every call carries an idempotency key (generated unless given) that stays the same across retries, so a
    retried request never starts a second run.

    Args:
        settings: ``ai_url`` and the credentials (see :mod:`._credentials`).
        attempts: Tries per call (transport errors, 408/425/429 and 5xx are retried).
        backoff: Seconds before the first retry; doubles each time.
        timeout: Seconds per HTTP attempt (runs that wait for their result can take a while).
        transport: Sync httpx transport (tests).
        async_transport: Async httpx transport (tests).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout
        self._transport = transport
        self._async_transport = async_transport

    def _request(
        self, workflow: str, data: Mapping[str, Any] | None, wait: bool, key: str | None
    ) -> tuple[str, dict[str, Any], dict[str, str]]:
        if not self.settings.ai_url:
            raise WorkflowClientError("MOZAIKS_AI_URL is not set: configure the mozaiks-ai URL to run workflows")
        key = key or secrets.token_hex(16)
        body: dict[str, Any] = {"workflow": workflow, "input": dict(data or {}), "wait": wait, "idempotency_key": key}
        state = current_state()
        user = state.user() if state is not None and not state.system else None
        if user is not None:
            body["user_id"] = user.id
        user_id = body.get("user_id")
        headers = {
            "Idempotency-Key": key,
            **ai_headers(self.settings, "workflows:execute", workflows=[workflow], user_id=user_id),
        }
        return f"{self.settings.ai_url}/api/workflows/execute", body, headers

    def _attempt_headers(self, headers: dict[str, str], body: dict[str, Any]) -> dict[str, str]:
        """The headers of one attempt: a fresh scoped token each time (a retry may come after the last expired)."""
        credentials = ai_headers(
            self.settings, "workflows:execute", workflows=[body["workflow"]], user_id=body.get("user_id")
        )
        return {**headers, **credentials}

    @staticmethod
    def _result(response: httpx.Response) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            payload = {"error": response.text[:500]}
        if response.is_success and isinstance(payload, dict):
            return payload
        message = payload.get("error") if isinstance(payload, dict) else None
        raise WorkflowClientError(
            f"mozaiks-ai refused the workflow call ({response.status_code}): {message or 'no details'}",
            status=response.status_code,
            details=payload,
        )

    def execute(
        self,
        workflow: str,
        data: Mapping[str, Any] | None = None,
        *,
        wait: bool = True,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Run ``workflow`` with ``data`` as its input and return mozaiks-ai's answer.

        Args:
            workflow: Workflow id.
            data: The run's input.
            wait: Wait for the result (``200 {run_id, status, output}``) or only start it (``202``).
            idempotency_key: Reuse to make a repeated call return the same run.

        Returns:
            The JSON answer of mozaiks-ai.

        Raises:
            WorkflowClientError: Not configured, unreachable after retries, or refused (``status`` says how).
        """
        url, body, headers = self._request(workflow, data, wait, idempotency_key)
        commit_current()  # the request's writes first: the run may read them, and no lock is held while waiting
        error: Exception | None = None
        with httpx.Client(timeout=self.timeout, transport=self._transport) as client:
            for attempt in range(self.attempts):
                if attempt:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                try:
                    response = client.post(url, json=body, headers=self._attempt_headers(headers, body))
                except httpx.HTTPError as exc:
                    error = exc
                    continue
                if response.status_code in _RETRY_STATUS and attempt + 1 < self.attempts:
                    continue
                return self._result(response)
        raise WorkflowClientError(f"mozaiks-ai unreachable at {self.settings.ai_url}: {error}")

    async def execute_async(
        self,
        workflow: str,
        data: Mapping[str, Any] | None = None,
        *,
        wait: bool = True,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Async twin of :meth:`execute`."""
        url, body, headers = self._request(workflow, data, wait, idempotency_key)
        tx = current_transaction()
        if tx is not None and tx.pending:  # commit the request's writes first: the run may read them
            await anyio.to_thread.run_sync(tx.commit)
        error: Exception | None = None
        async with httpx.AsyncClient(timeout=self.timeout, transport=self._async_transport) as client:
            for attempt in range(self.attempts):
                if attempt:
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
                try:
                    response = await client.post(url, json=body, headers=self._attempt_headers(headers, body))
                except httpx.HTTPError as exc:
                    error = exc
                    continue
                if response.status_code in _RETRY_STATUS and attempt + 1 < self.attempts:
                    continue
                return self._result(response)
        raise WorkflowClientError(f"mozaiks-ai unreachable at {self.settings.ai_url}: {error}")
