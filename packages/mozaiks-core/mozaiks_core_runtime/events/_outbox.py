"""The durable event outbox: ``emit`` stores the event in the app's database; a sender delivers it later.

Outbox rows live in the runtime collection ``_mz_outbox`` with ``status`` ``pending`` → ``sending`` (leased) →
``sent``, or back to ``pending`` with exponential backoff after a failure, or ``dead`` after a permanent refusal
or too many attempts. mozaiks-ai receives the outbox id as the event id, so redeliveries are recognisable.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

import anyio.to_thread
import httpx

from .._identity import current_state, system_context
from ..config import Settings
from ..docdb import Database, Document, current_transaction
from ..errors import RequestError
from ..workflows._credentials import ai_headers

__all__ = ["Outbox"]

log = logging.getLogger("mozaiks_core_runtime.events")

_TYPE = re.compile(r"^[A-Za-z0-9_.:\-]{1,200}$")
_RETRYABLE_4XX = {408, 409, 425, 429}
STATUSES = ("pending", "sending", "sent", "dead")


class Outbox:
    """Stores events durably and delivers them to ``POST {MOZAIKS_AI_URL}/api/events``.

    Args:
        db: The app's database.
        settings: ``ai_url`` and the credentials (see :mod:`mozaiks_core_runtime.workflows._credentials`).
        backoff_base: Seconds before the first retry; doubles per attempt (capped at ``backoff_cap``).
        backoff_cap: Longest wait between attempts.
        max_attempts: Attempts before an event is marked ``dead``.
        poll_interval: Seconds between scans when nothing wakes the sender.
        transport: An httpx transport (tests).
    """

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        max_attempts: int = 25,
        poll_interval: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.rows = db.system("outbox")
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_attempts = max_attempts
        self.poll_interval = poll_interval
        self._transport = transport
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._lock = threading.Lock()

    # -- emitting ------------------------------------------------------------------------------------------
    def emit(self, type: str, data: Mapping[str, Any] | None = None) -> str:
        """Store an event and return its id at once; delivery happens in the background.

        Args:
            type: Event type such as ``task.created``.
            data: JSON-serialisable object (a :class:`Document` works).

        Returns:
            The outbox id, which mozaiks-ai receives as the event id.

        Raises:
            RequestError: The type is invalid or the data is not a JSON object.
        """
        if not isinstance(type, str) or not _TYPE.fullmatch(type):
            raise RequestError(f"invalid event type {type!r}")
        if data is not None and not isinstance(data, Mapping):
            raise RequestError("event data must be an object")
        state = current_state()
        user = state.user() if state is not None and not state.system else None
        with system_context():
            # Serialised (and checked) by the insert; inside a request it commits with the request's other writes.
            row = self.rows.create(
                type=type,
                user_id=user.id if user is not None and not user.app_wide else None,
                data=dict(data or {}),
                status="pending",
                attempts=0,
                next_attempt_at=time.time(),
                last_error=None,
            )
        tx = current_transaction()
        if tx is not None:
            tx.after_commit(self._notify)  # the sender cannot see the row before it is committed
        else:
            self._notify()
        return row.id

    async def emit_async(self, type: str, data: Mapping[str, Any] | None = None) -> str:
        """Async twin of :meth:`emit`."""
        return await anyio.to_thread.run_sync(self.emit, type, data)

    def _notify(self) -> None:
        with self._lock:
            loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def stats(self) -> dict[str, int]:
        """Return how many events are in each status."""
        with system_context():
            return {status: self.rows.count(status=status) for status in STATUSES}

    def peek(self, status: str | None = None, limit: int = 100) -> list[Document]:
        """Return outbox rows, oldest first (optionally of one status)."""
        with system_context():
            return list(self.rows.find({"status": status} if status else None, limit=limit))

    # -- delivering ----------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the background sender is running."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start the background sender (no-op without ``MOZAIKS_AI_URL``)."""
        if self.settings.ai_url is None or self.running:
            return
        with self._lock:
            self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="mozaiks-core-outbox")

    async def stop(self) -> None:
        """Stop the background sender; undelivered events stay in the outbox."""
        task, self._task = self._task, None
        with self._lock:
            self._loop = self._wake = None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        async with self._client() as client:
            while True:
                try:
                    await self.deliver_due(client)
                except Exception:  # keep the sender alive whatever a scan hits
                    log.exception("outbox scan failed")
                wake = self._wake
                if wake is None:
                    return
                try:
                    await asyncio.wait_for(wake.wait(), timeout=self.poll_interval)
                except TimeoutError:
                    pass
                wake.clear()

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=10.0, transport=self._transport)

    def _due(self) -> list[Document]:
        now = time.time()
        with system_context():
            due = list(self.rows.find({"status": "pending", "next_attempt_at": {"lte": now}}, limit=50))
            due += list(self.rows.find({"status": "sending", "lease_until": {"lt": now}}, limit=50))
        return due

    def _claim(self, doc: Document) -> bool:
        with system_context():
            row = self.rows.get_row(doc.id)
            if row is None:
                return False
            claimed = Document({"id": row.id, **row.data})
            return self.rows.compare_and_set(
                claimed, row.version, {"status": "sending", "lease_until": time.time() + 60}
            )

    def _finish(self, doc: Document, fields: dict[str, Any]) -> None:
        with system_context():
            self.rows.update(doc.id, fields)

    def _backoff(self, attempts: int) -> float:
        delay: float = min(self.backoff_cap, self.backoff_base * (2 ** (attempts - 1)))
        return delay * random.uniform(0.8, 1.2)

    async def deliver_due(self, client: httpx.AsyncClient | None = None) -> int:
        """Try to deliver every due event once; return how many were delivered.

        Args:
            client: HTTP client to use; a new one by default.
        """
        if self.settings.ai_url is None:
            return 0
        if client is None:
            async with self._client() as own:
                return await self.deliver_due(own)
        delivered = 0
        for doc in await anyio.to_thread.run_sync(self._due):
            if not await anyio.to_thread.run_sync(self._claim, doc):
                continue
            delivered += await self._deliver(client, doc)
        return delivered

    async def _deliver(self, client: httpx.AsyncClient, doc: Document) -> int:
        attempts = int(doc.get("attempts", 0)) + 1
        body = {"id": doc.id, "type": doc["type"], "data": doc.get("data") or {}}
        error: str
        try:
            # Minted per attempt (scoped tokens are short-lived), for the user whose request emitted the event.
            headers = ai_headers(self.settings, "events:publish", user_id=doc.get("user_id"))
            response = await client.post(f"{self.settings.ai_url}/api/events", json=body, headers=headers)
        except httpx.HTTPError as exc:
            error, permanent = f"{type(exc).__name__}: {exc}", False
        else:
            if response.is_success:
                fields = {"status": "sent", "attempts": attempts, "delivered_at": time.time(), "last_error": None}
                await anyio.to_thread.run_sync(self._finish, doc, fields)
                return 1
            error = f"HTTP {response.status_code}: {response.text[:300]}"
            permanent = 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX
        if permanent or attempts >= self.max_attempts:
            fields = {"status": "dead", "attempts": attempts, "last_error": error}
        else:
            retry_at = time.time() + self._backoff(attempts)
            fields = {"status": "pending", "attempts": attempts, "next_attempt_at": retry_at, "last_error": error}
        log.warning("event %s (%s) not delivered: %s", doc.id, doc["type"], error)
        await anyio.to_thread.run_sync(self._finish, doc, fields)
        return 0
