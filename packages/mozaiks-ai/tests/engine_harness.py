"""Helpers of the engine tests: a harness writing workflows and opening engines, local servers, log checks.

Nothing of mozaiks-ai is mocked: each test writes its workflows, opens a real :class:`Engine` on a
SQLite or PostgreSQL database and, where a step talks to the network, a real HTTP or SMTP server on
127.0.0.1. Fixtures wrapping these (``mz``, ``http_server``, ``smtp_server``) live in ``tests/conftest.py``;
this folder is on ``sys.path`` there, so any test module can ``from engine_harness import ...``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import textwrap
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mozaiks_ai import Engine, RunRecord, RuntimeConfig
from mozaiks_ai.state import FINISHED, EventRecord

STEP_EVENTS = frozenset(
    {
        "step.started",
        "step.completed",
        "step.failed",
        "step.skipped",
        "step.retrying",
        "chunk",
        "input.requested",
        "input.received",
        "artifact.created",
    }
)
FINAL_EVENTS = frozenset({"run.completed", "run.failed", "run.cancelled"})
_PATH = re.compile(r"^[A-Za-z_][\w\-]*(\[\d+\])?(\.[A-Za-z_][\w\-]*(\[\d+\])?)*$")


def write_workflow_folder(
    root: Path,
    workflow_id: str,
    yaml: str,
    *,
    tools: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
) -> Path:
    """Write ``<root>/<id>/workflow.yml`` and its files; return the folder.

    ``yaml`` is dedented; ``tools`` maps a module name to the (dedented) source of ``tools/<name>.py``;
    ``files`` maps a path relative to the workflow folder to its text, written as is.
    """
    folder = root / workflow_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "workflow.yml").write_text(textwrap.dedent(yaml).lstrip("\n"), "utf-8")
    for name, code in (tools or {}).items():
        (folder / "tools").mkdir(exist_ok=True)
        (folder / "tools" / f"{name}.py").write_text(textwrap.dedent(code).lstrip("\n"), "utf-8")
    for rel, text in (files or {}).items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    return folder


class Harness:
    """Writes workflows into a root folder and opens engines on one database (SQLite or PostgreSQL)."""

    def __init__(self, tmp_path: Path, db_url: str | None = None) -> None:
        self.tmp_path = tmp_path
        self.root = tmp_path / "workflows"
        self.root.mkdir()
        self.db_url = db_url or f"sqlite:///{tmp_path}/db.sqlite"
        self.outbox = tmp_path / "outbox"
        self.engines: list[Engine] = []

    def workflow(
        self,
        workflow_id: str,
        yaml: str,
        *,
        tools: dict[str, str] | None = None,
        files: dict[str, str] | None = None,
    ) -> Path:
        """Write ``<root>/<id>/workflow.yml`` (dedented), ``tools/<name>.py`` and other files; return the folder."""
        return write_workflow_folder(self.root, workflow_id, yaml, tools=tools, files=files)

    def config(self, environ: dict[str, str] | None = None, **overrides: Any) -> RuntimeConfig:
        """The test configuration: this root, this database, a private outbox, 127.0.0.1 allowlisted."""
        overrides.setdefault("http_allowed_hosts", ("127.0.0.1",))
        return RuntimeConfig.from_env(
            environ or {},
            workflow_paths=(self.root,),
            db_url=self.db_url,
            load_entry_points=False,
            outbox_dir=self.outbox,
            **overrides,
        )

    async def engine(self, environ: dict[str, str] | None = None, **overrides: Any) -> Engine:
        """Open an engine (closed at teardown) on the workflows written so far."""
        engine = await Engine.open(self.config(environ, **overrides))
        self.engines.append(engine)
        return engine

    async def run(self, workflow_id: str, input: dict[str, Any] | None = None, **options: Any) -> RunRecord:
        """Open an engine and run ``workflow_id`` to its end (or first wait)."""
        engine = await self.engine()
        return await engine.run(workflow_id, input, **options)

    async def close(self) -> None:
        """Close every engine this harness opened (unless the test closed it)."""
        for engine in reversed(self.engines):
            if not engine.closing:
                await engine.close()


async def wait_done(engine: Engine, run_id: str, timeout: float = 5.0) -> RunRecord:
    """Poll until a run is finished (succeeded, failed or cancelled)."""
    deadline = time.monotonic() + timeout
    while True:
        run = await engine.get_run(run_id)
        if run.status in FINISHED:
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {run.status} after {timeout}s")
        await asyncio.sleep(0.02)


def check_event_log(events: list[EventRecord]) -> None:
    """Assert the event-log contract of SPEC §3.3 on one run's events.

    Numbered 1..N without gaps; each step event names a well-formed step path; every
    ``step.started`` is closed (``step.completed``/``step.failed``) before the run's final event.
    """
    assert events, "a run has events"
    run_id = events[0].run_id
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(e.run_id == run_id for e in events)
    assert events[0].type == "run.started"
    open_steps: set[str] = set()
    finished = False
    for event in events:
        if event.type == "run.started":
            finished = False  # a retry starts the run again
            continue
        assert not finished, f"event {event.type} #{event.seq} after the run's final event"
        if event.type in STEP_EVENTS:
            assert event.step is not None and _PATH.match(event.step), (event.type, event.step)
        if event.type == "step.started":
            assert event.step not in open_steps, f"{event.step} started twice"
            open_steps.add(event.step or "")
        elif event.type in ("step.completed", "step.failed"):
            open_steps.discard(event.step or "")
        elif event.type in FINAL_EVENTS:
            assert not open_steps, f"{event.type} while steps are open: {sorted(open_steps)}"
            finished = True
    assert finished or events[-1].type in ("input.requested", "step.started"), "log ends with a final event"


@dataclass
class HttpServer:
    """A real HTTP server on 127.0.0.1 that records requests.

    Routes: ``/json`` → ``{"ok": true}``; ``/status/<code>``; ``/redirect?to=<url>&code=302``;
    anything else echoes ``{method, path, headers, body}`` as JSON.
    """

    host: str = "127.0.0.1"
    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://{self.host}:{self.port}"

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [r["path"] for r in self.requests]


def _handler(server: HttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            record = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
            server.requests.append(record)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if parts.path == "/redirect":
                self._send(int(query.get("code", ["302"])[0]), b"", {"Location": query["to"][0]})
            elif parts.path == "/json":
                self._send(200, b'{"ok": true}', {"Content-Type": "application/json"})
            elif parts.path.startswith("/status/"):
                self._send(int(parts.path.rsplit("/", 1)[1]), b"boom", {"Content-Type": "text/plain"})
            else:
                self._send(200, json.dumps(record).encode(), {"Content-Type": "application/json"})

        def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


@contextlib.contextmanager
def serve_http() -> Iterator[HttpServer]:
    """Run a recording HTTP server on 127.0.0.1 in a thread."""
    state = HttpServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@dataclass
class SmtpServer:
    """What a tiny SMTP server received."""

    port: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


@contextlib.asynccontextmanager
async def serve_smtp() -> AsyncIterator[SmtpServer]:
    """Run a minimal SMTP server (220, EHLO/HELO, MAIL, RCPT, DATA, QUIT) on 127.0.0.1."""
    state = SmtpServer()

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 test ESMTP ready\r\n")
        envelope: dict[str, Any] = {"from": None, "to": []}
        try:
            while line := await reader.readline():
                command = line.decode().rstrip("\r\n")
                state.commands.append(command.split(" ", 1)[0].upper())
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    writer.write(b"250 test\r\n")
                elif verb == "MAIL":
                    envelope = {"from": command.split(":", 1)[1].strip(), "to": []}
                    writer.write(b"250 OK\r\n")
                elif verb == "RCPT":
                    envelope["to"].append(command.split(":", 1)[1].strip())
                    writer.write(b"250 OK\r\n")
                elif verb == "DATA":
                    writer.write(b"354 end with <CRLF>.<CRLF>\r\n")
                    await writer.drain()
                    data = bytearray()
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        data.extend(chunk[1:] if chunk.startswith(b"..") else chunk)
                    state.messages.append({**envelope, "data": data.decode()})
                    writer.write(b"250 queued\r\n")
                elif verb == "QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"502 not implemented\r\n")
                await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()
