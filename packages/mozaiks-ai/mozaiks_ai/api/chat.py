"""``WS /api/chat``: chat with workflows. Runs outlive the socket.

Client → server (JSON):

* ``{"type": "message", "message": "…", "sessionId": "s1", "workflow"?: "AppGenerator", "agent"?: "support-bot",
  "input"?: {…}}`` starts a run of the workflow, or a chat with the agent (or continues the session's last
  workflow/agent, else the built-in ``ask`` agent) with ``{"message": …, **input}``.
  While another run of the session is active, the message is **queued** (a ``queued`` run that
  starts when the active one ends) — or refused when ``MOZAIKS_AI_CHAT_QUEUE=reject``.
* ``{"type": "resume", "sessionId": "s1", "after": N, "runId"?: "…"}`` re-attaches: every event
  of that run (default: the session's latest) after ``N`` is sent once, in order, then live events.
* ``{"type": "input", "runId"?: "…", "step"?: "…", "value": …}`` answers a ``wait_for_input``.
* ``{"type": "cancel", "runId"?: "…"}`` cancels (default: the session's active run).

Server → client: every run event as ``{"type", "seq", "run_id", "session_id", "ts", "step"?, …}``
(progress text as ``{"type": "chunk", "chunk": "…", "kind": "progress"}``), plus
``{"type": "session", …}`` on attach, ``{"type": "run.queued", …}`` and ``{"type": "error", "error": …}``.

Authentication: ``Authorization: Bearer …`` or ``?token=…`` (browsers cannot set headers on a
WebSocket). No token → close code 4001; a token whose user differs from the session's → 4003.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from mozaiks_ai.api.auth import AuthError, Principal
from mozaiks_ai.api.deps import check_principal
from mozaiks_ai.api.guard import json_depth_exceeds
from mozaiks_ai.definitions.agents import DEFAULT_AGENT
from mozaiks_ai.errors import MozaiksError
from mozaiks_ai.executor.engine import Engine
from mozaiks_ai.state.records import EventRecord, RunRecord

__all__ = ["router"]

router = APIRouter()
logger = logging.getLogger("mozaiks_ai.api.chat")
_MAX_MESSAGE_BYTES = 256_000
_MAX_QUEUE = 10_000
_ACTIVE = frozenset({"pending", "running", "waiting"})


class ChatError(Exception):
    """A client mistake: answered with an ``error`` message, the socket stays open."""


class ChatSession:
    """One socket's view of one chat session."""

    def __init__(self, websocket: WebSocket, engine: Engine, principal: Principal, policy: str) -> None:
        self.ws = websocket
        self.engine = engine
        self.principal = principal
        self.policy = policy
        self.session_id: str | None = None
        self.user_id: str | None = principal.user_id
        self.outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.last_sent: dict[str, int] = {}
        self.followed: set[str] = set()
        self.replaying: dict[str, list[EventRecord]] = {}
        self._subscriptions: list[Callable[[], None]] = []

    def close(self) -> None:
        """Stop listening to the engine."""
        for unsubscribe in self._subscriptions:
            unsubscribe()

    # -- outgoing ----------------------------------------------------------------------
    def _on_event(self, event: EventRecord) -> None:
        if event.run_id in self.replaying:
            self.replaying[event.run_id].append(event)
        elif event.run_id in self.followed:
            self._deliver(event)

    def _deliver(self, event: EventRecord) -> None:
        last = self.last_sent.get(event.run_id, 0)
        if event.seq <= last:
            return
        self.last_sent[event.run_id] = event.seq
        payload = event.to_dict()
        payload["session_id"] = self.session_id
        if self.outbox.qsize() > _MAX_QUEUE:  # a client that does not read: drop it; it can resume
            self.outbox.put_nowait(None)
            return
        self.outbox.put_nowait(payload)

    def send(self, payload: dict[str, Any]) -> None:
        """Queue a control message."""
        self.outbox.put_nowait(payload)

    async def pump(self) -> None:
        """Send queued messages in order until the socket closes."""
        while True:
            payload = await self.outbox.get()
            if payload is None:
                await self.ws.close(code=1013, reason="client too slow; reconnect and resume")
                return
            await self.ws.send_text(json.dumps(payload, default=str, separators=(",", ":")))

    async def follow(self, run_id: str, after: int) -> None:
        """Send a run's events after ``after`` (replay, then live), each once and in order.

        Live events that arrive during the replay are held back and sent after it.
        """
        self.replaying[run_id] = []
        if run_id not in self.followed:
            self._subscriptions.append(self.engine.bus.subscribe(self._on_event, run_id))
        self.followed.add(run_id)
        self.last_sent[run_id] = max(after, 0)
        try:
            await self.engine.store.flush()  # events published before now are committed: the replay has them
            for event in await self.engine.store.list_events(run_id, after=self.last_sent[run_id]):
                self._deliver(event)
        finally:
            for event in self.replaying.pop(run_id, []):
                self._deliver(event)

    # -- incoming ----------------------------------------------------------------------
    async def bind(self, session_id: Any, user_id: Any) -> None:
        """Attach the socket to a session, checking that it belongs to the caller."""
        if not isinstance(session_id, str) or not 0 < len(session_id) <= 200:
            raise ChatError("'sessionId' must be a non-empty string")
        if self.session_id == session_id:
            return
        runs = await self.engine.store.list_runs(app_id=self.principal.app_id, session_id=session_id, limit=500)
        owner = next((r.user_id for r in reversed(runs) if r.user_id is not None), None)
        caller = self.principal.user_id if not self.principal.is_service else (user_id or owner)
        if owner is not None and caller != owner:
            raise AuthError("this session belongs to another user", status=403)
        self.session_id, self.user_id = session_id, caller if isinstance(caller, str) else None
        self.send(
            {
                "type": "session",
                "session_id": session_id,
                "runs": [
                    {"run_id": r.id, "workflow": r.workflow_id, "status": r.status, "message": r.input.get("message")}
                    for r in runs
                ],
            }
        )

    async def session_runs(self) -> list[RunRecord]:
        """The session's runs, newest first."""
        assert self.session_id is not None
        return await self.engine.store.list_runs(app_id=self.principal.app_id, session_id=self.session_id, limit=500)

    async def on_message(self, data: dict[str, Any]) -> None:
        """Start (or queue) a run for a chat message."""
        await self.bind(data.get("sessionId"), data.get("userId"))
        text = data.get("message")
        if not isinstance(text, str):
            raise ChatError("'message' must be a string")
        extra = data.get("input")
        if extra is None:
            extra = {}
        elif not isinstance(extra, dict):  # `[]`, `0`, `""` are wrong types too, not "no input"
            raise ChatError("'input' must be an object")
        runs = await self.session_runs()
        agent = data.get("agent")
        if agent is not None and (not isinstance(agent, str) or not agent):
            raise ChatError("'agent' must be an agent id")
        workflow = data.get("workflow") or (f"agent:{agent}" if agent else None)
        workflow = workflow or next((r.workflow_id for r in runs), None) or f"agent:{DEFAULT_AGENT.id}"
        if not isinstance(workflow, str):
            raise ChatError("'workflow' must be a workflow id")
        active = [r for r in runs if r.status in _ACTIVE or r.status == "queued"]
        if active and self.policy == "reject":
            raise ChatError("a run of this session is still active; wait for it or cancel it")
        if workflow.startswith("agent:"):
            extra = {**extra, "history": _history(runs, workflow)}
        run, _ = await self.engine.start(
            workflow,
            {**extra, "message": text},
            app_id=self.principal.app_id,
            user_id=self.user_id,
            session_id=self.session_id,
            queued=bool(active),
        )
        await self.follow(run.id, 0)
        if active:
            self.send(
                {
                    "type": "run.queued",
                    "run_id": run.id,
                    "session_id": self.session_id,
                    "workflow": workflow,
                    "message": text,
                }
            )
            await self.engine.start_next_in_session(self.principal.app_id, run.session_id or "")
        else:
            self.engine.launch(run.id)

    async def target_run(self, data: dict[str, Any], *, active_only: bool) -> RunRecord:
        """The run a ``resume``/``input``/``cancel`` message is about (default: the session's latest)."""
        run_id = data.get("runId") or data.get("run_id")
        if run_id is not None:
            run = await self.engine.store.get_run(str(run_id), app_id=self.principal.app_id)
            if (
                run is None
                or (self.session_id is not None and run.session_id != self.session_id)
                or (not self.principal.is_service and run.user_id != self.principal.user_id)
            ):
                raise ChatError(f"run {run_id} not found in this session")
            return run
        if self.session_id is None:
            raise ChatError("no session: send 'sessionId'")
        runs = await self.session_runs()
        if active_only:
            runs = [r for r in runs if r.status in _ACTIVE or r.status == "queued"]
        if not runs:
            raise ChatError("this session has no " + ("active run" if active_only else "runs"))
        return runs[-1] if active_only else runs[0]

    async def handle(self, data: dict[str, Any]) -> None:
        """Dispatch one client message."""
        kind = data.get("type")
        if kind == "message":
            await self.on_message(data)
        elif kind == "resume":
            await self.bind(data.get("sessionId"), data.get("userId"))
            after = data.get("after", 0)
            if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**63:
                raise ChatError("'after' must be a non-negative integer")
            if data.get("runId") is None and not await self.session_runs():
                return  # a new session: attaching (the "session" message) is all there is to do
            target = await self.target_run(data, active_only=False)
            await self.follow(target.id, after)
            for run in await self.session_runs():  # runs queued or started since: from their start
                if run.id not in self.followed and (run.status in _ACTIVE or run.status == "queued"):
                    await self.follow(run.id, 0)
        elif kind == "input":
            if "sessionId" in data:
                await self.bind(data.get("sessionId"), data.get("userId"))
            run = await self.target_run(data, active_only=True)
            value = data.get("value", data.get("data"))
            await self.engine.submit_input(run.id, value, step=data.get("step"), wait=False)
            await self.follow(run.id, self.last_sent.get(run.id, 0))
        elif kind == "cancel":
            run = await self.target_run(data, active_only=True)
            await self.engine.cancel(run.id)
        elif kind == "ping":
            self.send({"type": "pong"})
        else:
            raise ChatError(f"unknown message type {kind!r}; use message, resume, input or cancel")


def _history(runs: list[RunRecord], workflow: str) -> list[dict[str, str]]:
    """The session's earlier exchanges with the same agent, oldest first (the agent's memory)."""
    turns: list[dict[str, str]] = []
    for run in reversed(runs[:10]):
        if run.workflow_id == workflow and run.status == "succeeded" and isinstance(run.input.get("message"), str):
            turns.append({"role": "user", "content": run.input["message"]})
            answer = run.output if isinstance(run.output, str) else json.dumps(run.output, default=str)
            turns.append({"role": "assistant", "content": answer})
    return turns


def _origin_allowed(websocket: WebSocket, allowed: tuple[str, ...]) -> bool:
    """Non-browser clients send no Origin; browsers may connect from this server's origin or an allowed one."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    if origin in allowed:
        return True
    host = websocket.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


def _token(websocket: WebSocket) -> str | None:
    header = websocket.headers.get("authorization")
    if header:
        return header
    token = websocket.query_params.get("token")
    return f"Bearer {token}" if token else None


@router.websocket("/api/chat")
async def chat(websocket: WebSocket) -> None:
    """The chat protocol (see the module docstring)."""
    app = websocket.app
    engine: Engine = app.state.engine
    await websocket.accept()
    if not _origin_allowed(websocket, app.state.server_config.cors_origins):
        # Browsers apply no CORS to WebSockets: without this any page could drive a local runtime.
        await websocket.close(code=4003, reason="origin not allowed; add it to MOZAIKS_AI_CORS_ORIGINS")
        return
    try:
        # in a thread, like HTTP dependencies: a JWKS fetch (e.g. for an unknown kid) must not block the event loop
        principal = await run_in_threadpool(
            check_principal, app.state.authenticator, app.state.server_config, _token(websocket)
        )
    except AuthError as exc:
        await websocket.close(code=4001 if exc.status == 401 else 4003, reason=str(exc)[:120])
        return
    session = ChatSession(websocket, engine, principal, app.state.server_config.chat_queue_policy)
    pump = asyncio.ensure_future(session.pump())
    try:
        while True:
            raw = await websocket.receive_text()
            if len(raw) > _MAX_MESSAGE_BYTES:
                session.send({"type": "error", "error": f"message larger than {_MAX_MESSAGE_BYTES} bytes"})
                continue
            try:
                if json_depth_exceeds(raw.encode()):
                    raise ChatError("message JSON is nested too deeply")
                data = json.loads(raw)
                if not isinstance(data, dict):
                    raise ChatError("each message must be a JSON object with a 'type'")
                await session.handle(data)
            except AuthError as exc:
                await websocket.close(code=4003 if exc.status == 403 else 4001, reason=str(exc)[:120])
                return
            except json.JSONDecodeError as exc:
                session.send({"type": "error", "error": f"malformed JSON: {exc.msg}"})
            except (ChatError, MozaiksError) as exc:
                session.send({"type": "error", "error": str(exc)})
    except WebSocketDisconnect:
        pass
    finally:
        session.close()
        pump.cancel()
        with contextlib.suppress(BaseException):
            await pump
