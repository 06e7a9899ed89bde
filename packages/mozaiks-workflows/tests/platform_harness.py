"""Helpers of the platform-workflow tests: run a pack workflow on a real engine, the CLI, local peers.

Nothing is mocked: each run opens a real :class:`mozaiks_ai.Engine` on a fresh SQLite database and executes the
pack's own workflow folders; CLI tests start ``mozaiks-ai`` as a subprocess; the "with a model" tests point the
``openai`` provider at mozaiks-ai's scripted OpenAI-compatible peer (``packages/mozaiks-ai/tests/openai_peer.py``),
and ValidationEngine's marketing API is a small recording HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from mozaiks_ai import Engine, RunRecord, RuntimeConfig
from mozaiks_ai.state import EventRecord
from pack_harness import clean_env

PACKAGE = Path(__file__).resolve().parents[1]
WORKFLOWS = PACKAGE / "mozaiks_workflows" / "workflows"
REPO = PACKAGE.parents[1]
MOZAIKS_AI_CLI = Path(sys.executable).with_name("mozaiks-ai")

sys.path.insert(0, str(REPO / "packages" / "mozaiks-ai" / "tests"))
from openai_peer import OpenAIPeer, serve_openai_peer  # type: ignore[import-not-found,unused-ignore]  # noqa: E402

__all__ = [
    "PACKAGE",
    "WORKFLOWS",
    "MarketingPeer",
    "OpenAIPeer",
    "RunResult",
    "cli",
    "model_environ",
    "run_workflow",
    "serve_marketing",
    "serve_openai_peer",
    "step_schema",
    "validate",
]


@dataclass
class RunResult:
    """A finished run with what it stored."""

    run: RunRecord
    events: list[EventRecord]
    artifacts: dict[str, bytes]

    @property
    def error(self) -> dict[str, Any]:
        """The failed run's error."""
        assert self.run.error is not None, f"the run {self.run.status}"
        return dict(self.run.error)

    @property
    def output(self) -> Any:
        """The run's output."""
        return self.run.output

    def text(self, path: str) -> str:
        """An artifact as text."""
        return self.artifacts[path].decode("utf-8")

    def progress(self) -> list[str]:
        """The progress chunks (``log`` steps and tools' ``context.progress``), in order."""
        return [e.data["chunk"] for e in self.events if e.type == "chunk" and e.data.get("kind") == "progress"]

    def completed(self, step: str) -> dict[str, Any]:
        """The ``step.completed`` event data of the step at path ``step``."""
        for event in self.events:
            if event.type == "step.completed" and event.step == step:
                return dict(event.data)
        raise AssertionError(f"no step.completed for {step!r}: {[e.step for e in self.events if e.step]}")


def run_workflow(
    tmp_path: Path,
    workflow_id: str,
    data: dict[str, Any],
    *,
    environ: dict[str, str] | None = None,
    roots: tuple[Path, ...] = (WORKFLOWS,),
    user_id: str | None = "user-1",
) -> RunResult:
    """Run a workflow to its end on a fresh engine (offline unless ``environ`` configures a model)."""

    async def main() -> RunResult:
        config = RuntimeConfig.from_env(
            dict(environ or {}),
            workflow_paths=roots,
            db_url=f"sqlite:///{tmp_path}/db-{len(list(tmp_path.glob('db-*')))}.sqlite",
            load_entry_points=False,
            outbox_dir=tmp_path / "outbox",
        )
        engine = await Engine.open(config)
        try:
            run = await engine.run(workflow_id, data, user_id=user_id)
            events = await engine.store.list_events(run.id)
            artifacts = {a.path: a.content for a in await engine.store.list_artifacts(run.id)}
        finally:
            await engine.close()
        return RunResult(run, events, artifacts)

    return asyncio.run(main())


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``mozaiks-ai`` with the pack's workflows (offline, no model keys) and capture its output."""
    base = clean_env(MOZAIKS_WORKFLOWS_PATH=str(WORKFLOWS), **(env or {}))
    return subprocess.run(
        [str(MOZAIKS_AI_CLI), *args], capture_output=True, text=True, env=base, cwd=cwd, timeout=120, check=False
    )


def step_schema(workflow_id: str, step: str) -> dict[str, Any]:
    """The ``output_schema`` of a model step in the pack's ``workflow.yml``."""
    definition = yaml.safe_load((WORKFLOWS / workflow_id / "workflow.yml").read_text("utf-8"))
    for entry in definition["steps"]:
        if isinstance(entry, dict) and step in entry and isinstance(entry[step], dict):
            return dict(entry[step]["output_schema"])
    raise AssertionError(f"{workflow_id} has no step {step!r}")


def validate(instance: Any, schema: dict[str, Any]) -> None:
    """Assert that ``instance`` matches a JSON schema (Draft 2020-12), naming the first problem."""
    jsonschema.Draft202012Validator(schema).validate(instance)


def model_environ(peer: OpenAIPeer) -> dict[str, str]:
    """Configuration that sends every model step to the scripted peer."""
    return {
        "MOZAIKS_MODEL": "openai:peer-model",
        "OPENAI_BASE_URL": peer.base_url,
        "OPENAI_API_KEY": peer.api_key or "sk-none",
        "MOZAIKS_MODEL_MAX_RETRIES": "0",
    }


@dataclass
class MarketingPeer:
    """A local stand-in for the marketing API: records requests, answers with ``status`` and ``answer``."""

    status: int = 201
    answer: dict[str, Any] = field(default_factory=lambda: {"id": "cmp_1", "status": "scheduled"})
    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Base URL (what ``MOZAIKS_MARKETING_API_URL`` is set to)."""
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def serve_marketing(status: int = 201) -> Iterator[MarketingPeer]:
    """Run a :class:`MarketingPeer` on 127.0.0.1 in a thread."""
    peer = MarketingPeer(status=status)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            peer.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                  "body": body})  # fmt: skip
            payload = json.dumps(peer.answer if peer.status < 400 else {"error": "campaign refused"}).encode()
            self.send_response(peer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    peer.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
