"""AppGenerator's definition and spec handling.

The workflow loads; every spec is validated before anything is rendered and a bad one fails the run with the
problem named; with a model configured the spec comes from the model (a local OpenAI-compatible server here) and is
labelled so; and the CLI runs it.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from mozaiks_ai import Engine, RuntimeConfig, WorkflowLoader
from mozaiks_ai.definitions import WorkflowRegistry
from mozaiks_ai.executor.tools import load_tools
from mozaiks_workflows import workflows_root

APP_GENERATOR = workflows_root() / "AppGenerator"
FIXTURE = Path(__file__).parent / "fixtures" / "task_tracker_spec.json"
BIN = Path(sys.executable).parent


def fixture() -> dict[str, Any]:
    return dict(json.loads(FIXTURE.read_text()))


def tool(name: str) -> Callable[..., Any]:
    return load_tools(APP_GENERATOR)[name].fn


def test_the_definition_loads_with_its_inputs() -> None:
    workflow = WorkflowLoader(workflows_root()).load("AppGenerator")
    assert workflow.name == "App Generator" and workflow.description
    assert workflow.inputs["message"].required and workflow.inputs["message"].min_length == 1
    assert workflow.inputs["user_id"].type == "string" and not workflow.inputs["user_id"].required
    assert workflow.inputs["spec"].type == "object" and not workflow.inputs["spec"].required
    assert {"extract_spec", "validate_spec", "summarize_app"} <= set(workflow.tools)
    registry = WorkflowRegistry.from_roots([workflows_root()])
    assert "AppGenerator" in registry.workflows, registry.invalid.get("AppGenerator")


# -- validate_spec ------------------------------------------------------------------------------------------------


def test_validate_spec_returns_the_normalised_spec() -> None:
    spec = fixture()
    assert tool("validate_spec")(spec) == spec
    del spec["source"], spec["generator_version"], spec["entities"][0]["owner_scoped"]
    normalised = tool("validate_spec")(spec)
    assert normalised["source"] == "model"  # only the offline extractor names itself
    assert normalised["generator_version"] == "0.1.0" and normalised["entities"][0]["owner_scoped"] is True


def _field(name: str) -> Callable[[dict[str, Any]], None]:
    def mutate(spec: dict[str, Any]) -> None:
        spec["entities"][1]["fields"][0]["name"] = name

    return mutate


def _collection(spec: dict[str, Any]) -> None:
    spec["entities"][0]["collection"] = "stats"


def _entity_name(spec: dict[str, Any]) -> None:
    spec["entities"][0]["name"] = "Dashboard"
    spec["entities"][1]["relations"][0]["target"] = "Dashboard"
    spec["pages"][1]["entity"] = "Dashboard"
    spec["pages"][1]["name"] = "Boards"


def _cycle(spec: dict[str, Any]) -> None:
    spec["entities"][1]["relations"][0]["required"] = True
    spec["entities"][0]["relations"] = [{"name": "task_id", "target": "Task", "required": True}]


def _message(text: str) -> Callable[[dict[str, Any]], None]:
    def mutate(spec: dict[str, Any]) -> None:
        spec["workflows"][0]["message"] = text

    return mutate


def _no_entities(spec: dict[str, Any]) -> None:
    del spec["entities"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_field("class"), r"entities\[1\]\(Task\)\.fields\[0\]\(class\)\.name: .*reserved word"),
        (_field("Title"), r"entities\[1\]\(Task\)\.fields\[0\]\(Title\)\.name: .*snake_case"),
        (_collection, r"entities\[0\]\(Project\)\.collection: .*'stats' is a reserved word"),
        (_entity_name, r"entities\[0\]\(Dashboard\)\.name: .*not a reserved word"),
        (_cycle, r"entity (Project|Task): its required relations loop back to it"),
        (_message("New task: {{ event.nope }}"), r"workflow notifications: message reads event\.nope.*fields: "),
        (_message("Hi {{ user.name }}"), r"workflow notifications: message uses user"),
        (_message("Broken {{ event.title"), r"workflow notifications: message is not a valid template"),
        (_no_entities, r"the app spec is invalid: entities: Field required"),
    ],
)
def test_validate_spec_names_the_problem(mutate: Callable[[dict[str, Any]], None], expected: str) -> None:
    spec = copy.deepcopy(fixture())
    mutate(spec)
    with pytest.raises(ValueError, match=expected):
        tool("validate_spec")(spec)


def test_workflow_messages_may_use_the_event_noun_and_filters() -> None:
    spec = fixture()
    spec["workflows"][0]["message"] = "{{ task.title | upper }} ({{ event.status }}, due {{ event.due_date }})"
    assert tool("validate_spec")(spec)["workflows"][0]["message"] == spec["workflows"][0]["message"]


def test_summarize_counts_each_file_once() -> None:
    spec = fixture()
    outputs = [
        {"files": ["README.md", "backend/main.py"], "count": 2},
        [{"files": ["backend/api/tasks.py"], "count": 1}, {"files": ["backend/main.py"], "count": 1}],
        {"path": "mozaiks.json", "size": 10},
        [{"files": ["agents/support-bot.md", "agents/support-bot.json"]}],
        None,
        [],
    ]
    summary = tool("summarize_app")(spec, outputs)
    assert summary["count"] == 6 and summary["files"] == sorted(set(summary["files"]))
    assert "`notifications` (on `task.created`)" in summary["markdown"] and "`support-bot`" in summary["markdown"]


# -- through the engine -------------------------------------------------------------------------------------------


async def _run(
    tmp: Path, input: dict[str, Any], environ: dict[str, str] | None = None
) -> tuple[Any, list[Any], list[Any]]:
    config = RuntimeConfig.from_env(
        environ or {},
        workflow_paths=(workflows_root(),),
        db_url=f"sqlite:///{tmp}/engine.db",
        load_entry_points=False,
        outbox_dir=tmp / "outbox",
    )
    engine = await Engine.open(config)
    try:
        run = await engine.run("AppGenerator", input)
        return run, await engine.store.list_events(run.id), await engine.store.list_artifacts(run.id)
    finally:
        await engine.close()


def test_an_invalid_spec_fails_the_run_before_anything_is_generated(tmp_path: Path) -> None:
    spec = fixture()
    spec["entities"][1]["fields"][0]["name"] = "class"
    run, events, artifacts = asyncio.run(_run(tmp_path, {"message": "Build it", "spec": spec}))
    assert run.status == "failed"
    assert run.error["step"] == "validate_spec"
    assert "the app spec is invalid" in run.error["message"] and "reserved word" in run.error["message"]
    assert artifacts == []
    assert [e.data["chunk"] for e in events if e.type == "chunk"] == ["Analyzing your request…"]


class ModelPeer:
    """A local OpenAI-compatible server answering every chat completion with one JSON value (streamed)."""

    def __init__(self, answer: Any) -> None:
        self.requests: list[dict[str, Any]] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                peer.requests.append(body)
                base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": body["model"]}
                text = json.dumps(answer)
                chunks = [
                    {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}}]},
                    {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                    {
                        **base,
                        "choices": [],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
                    },
                ]
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def environ(self) -> dict[str, str]:
        return {
            "OPENAI_BASE_URL": self.base_url,
            "OPENAI_API_KEY": "sk-test-0123456789",
            "MOZAIKS_MODEL": "openai:test-model",
            "MOZAIKS_MODEL_MAX_RETRIES": "0",
        }


@pytest.fixture
def model_answer() -> Iterator[Callable[[Any], ModelPeer]]:
    peers: list[ModelPeer] = []

    def serve(answer: Any) -> ModelPeer:
        peers.append(ModelPeer(answer))
        return peers[-1]

    yield serve
    for peer in peers:
        peer.close()


def _model_spec() -> dict[str, Any]:
    """The fixture as a model would write it: no source, no agents (AgentGenerator would ask the model too)."""
    spec = fixture()
    del spec["source"], spec["generator_version"]
    spec["agents"] = []
    return spec


def test_with_a_model_the_spec_comes_from_its_answer(tmp_path: Path, model_answer: Callable[[Any], ModelPeer]) -> None:
    peer = model_answer(_model_spec())
    message = "Build me a task tracker for my team, with projects"
    run, events, artifacts = asyncio.run(_run(tmp_path, {"message": message}, peer.environ()))
    assert run.status == "succeeded", run.error
    assert run.output["offline"] is False and run.output["spec"]["source"] == "model"
    assert run.output["spec"]["entities"] == fixture()["entities"]
    assert len(peer.requests) == 1
    system, user = (m["content"] for m in peer.requests[0]["messages"])
    assert "planner of Mozaiks' AppGenerator" in system
    assert message in user and "`event_noun`" in user and "Answer with JSON only" in user
    assert "{{ event.title }}" in user  # the example in the prompt survives rendering
    paths = {a.path for a in artifacts}
    assert {"backend/main.py", "backend/api/tasks.py", "workflows/notifications.yml", "mozaiks.json"} <= paths
    completed = {
        e.data["name"]: e.data for e in events if e.type == "step.completed" and e.step in ("spec", "extracted")
    }
    assert completed["spec"].get("offline") is not True


def test_a_model_answer_breaking_the_naming_rules_fails_with_the_reason(
    tmp_path: Path, model_answer: Callable[[Any], ModelPeer]
) -> None:
    spec = _model_spec()
    spec["entities"][1]["fields"][0]["name"] = "class"
    peer = model_answer(spec)
    run, _, artifacts = asyncio.run(_run(tmp_path, {"message": "Build me a task tracker"}, peer.environ()))
    assert run.status == "failed" and run.error["step"] == "validate_spec"
    assert "fields[0](class).name" in run.error["message"] and artifacts == []


# -- the command line ---------------------------------------------------------------------------------------------


def _cli_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOZAIKS_", "OPENAI_", "ANTHROPIC_"))}
    pack = str(Path(__file__).resolve().parents[1])
    env.update(
        MOZAIKS_WORKFLOWS_PATH=str(workflows_root()),
        MOZAIKS_DB_URL=f"sqlite:///{tmp}/cli.db",
        PYTHONPATH=os.pathsep.join(p for p in (pack, env.get("PYTHONPATH", "")) if p),
    )
    return env


def test_the_cli_runs_app_generator(tmp_path: Path) -> None:
    message = json.dumps({"message": "Build a task tracker with React and Python", "user_id": "user-1"})
    result = subprocess.run(
        [str(BIN / "mozaiks-ai"), "run", "AppGenerator", "--input", message, "--json"],
        cwd=tmp_path,
        env=_cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    body = json.loads(result.stdout)
    assert body["status"] == "succeeded" and body["output"]["app"] == "Task Tracker"
    assert body["output"]["offline"] is True and body["output"]["summary"].startswith("## Task Tracker")


@pytest.mark.parametrize("message", ["", "  \n "])
def test_the_cli_refuses_a_blank_message(tmp_path: Path, message: str) -> None:
    result = subprocess.run(
        [str(BIN / "mozaiks-ai"), "run", "AppGenerator", "--input", json.dumps({"message": message}), "--json"],
        cwd=tmp_path,
        env=_cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "message" in result.stdout + result.stderr
