"""Helpers of the ChatUI browser tests: the test workflows (and an agent), a real server in a thread, a page server."""

from __future__ import annotations

import contextlib
import json
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from mozaiks_ai.api.app import create_app
from mozaiks_ai.config import RuntimeConfig, ServerConfig

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
TOKEN = "browser-test-token-0123456789abcdef"

STREAM_TOOL = '''
import time

from mozaiks_ai import ToolContext, tool


@tool
def stream_progress(count: int, delay: float, context: ToolContext) -> str:
    """Report progress ``count`` times, ``delay`` seconds apart."""
    for i in range(1, count + 1):
        context.progress(f"Working on part {i} of {count}")
        time.sleep(delay)
    return f"{count} parts done"
'''

WORKFLOWS: dict[str, str] = {
    "hello-world": """
        name: Hello World
        description: Greets someone. The smallest workflow there is.
        inputs:
          name: {type: string, default: World, description: Who to greet}
        steps:
          - greet:
              echo: "Hello, {{ input.name }}!"
        output: "{{ steps.greet.output }}"
        """,
    "report-writer": """
        name: Report Writer
        description: Streams its progress, then writes a report and notes as files.
        steps:
          - work:
              tool: stream_progress
              with: {count: 4, delay: 0.4}
          - report:
              artifact:
                path: reports/summary.md
                content: "# Report\\n\\nRequest: {{ input.message }}\\nResult: {{ steps.work.output }}\\n"
          - notes:
              artifact: {path: notes.txt, content: "{{ steps.work.output }}"}
        output: "Finished: {{ steps.work.output }}"
        """,
    "long-stream": """
        name: Long Stream
        description: Streams sixteen progress lines over a few seconds.
        steps:
          - work:
              tool: stream_progress
              with: {count: 16, delay: 0.3}
        output: "Long stream: {{ steps.work.output }}"
        """,
    "approval": """
        name: Approval
        description: Asks a person to approve before it continues.
        steps:
          - prepare: {echo: "Preparing {{ input.message }}"}
          - approval:
              wait_for_input:
                prompt: Who approves this request, and is it approved?
                schema:
                  type: object
                  properties:
                    approver: {type: string, description: Your name}
                    approved: {type: boolean}
                  required: [approver, approved]
          - decide:
              echo: "{{ steps.approval.output.approver }} answered approved={{ steps.approval.output.approved }}"
        output: "{{ steps.decide.output }}"
        """,
}
TOOL_WORKFLOWS = ("report-writer", "long-stream")

#: Agents in a workflow folder's ``agents/`` (usable with that folder's tools; chatted with like shared ones).
WORKFLOW_AGENTS: dict[str, dict[str, dict[str, object]]] = {
    "report-writer": {
        "helper": {
            "name": "Helper",
            "description": "Helps plan reports; may report its progress with the workflow's tool.",
            "system": "You help people plan their reports. Answer briefly.",
            "tools": ["stream_progress"],
        },
    },
}


def write_workflows(root: Path) -> Path:
    """Write the test workflows under ``root``."""
    for name, text in WORKFLOWS.items():
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "workflow.yml").write_text(textwrap.dedent(text).lstrip(), "utf-8")
        if name in TOOL_WORKFLOWS:
            (folder / "tools").mkdir()
            (folder / "tools" / "progress.py").write_text(STREAM_TOOL.lstrip(), "utf-8")
        for agent_id, agent in WORKFLOW_AGENTS.get(name, {}).items():
            (folder / "agents").mkdir(exist_ok=True)
            (folder / "agents" / f"{agent_id}.json").write_text(json.dumps(agent, indent=2), "utf-8")
    return root


@dataclass
class Server:
    """A running mozaiks-ai server."""

    url: str
    token: str | None = None


@contextlib.contextmanager
def run_server(tmp: Path, workflows: Path, env: dict[str, str], cors_origin: str) -> Iterator[Server]:
    """Serve ``create_app`` on a free port of 127.0.0.1 from a background thread until the block ends."""
    tmp.mkdir(parents=True, exist_ok=True)
    runtime = RuntimeConfig.from_env(
        {},
        workflow_paths=(workflows,),
        db_url=f"sqlite:///{tmp}/db.sqlite",
        load_entry_points=False,
        outbox_dir=tmp / "outbox",
    )
    server_config = ServerConfig.from_env(env, cors_origins=(cors_origin,))
    app = create_app(runtime, server_config)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="chatui-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the mozaiks-ai server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Server(f"http://127.0.0.1:{port}", env.get("MOZAIKS_AI_TOKEN"))
    finally:
        server.should_exit = True
        thread.join(15)


@dataclass
class EmbedServer:
    """A plain local web server (another origin) whose pages embed the widget."""

    url: str
    pages: dict[str, str] = field(default_factory=dict)
