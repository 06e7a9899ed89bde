from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mozaiks_ai.definitions.agents import load_agent_file
from pack_harness import Server, serve_runtime
from platform_harness import WORKFLOWS, cli, run_workflow, step_schema, validate

IDEA = "Build me a task tracker with React and Python"
HAS_APP_GENERATOR = (WORKFLOWS / "AppGenerator" / "workflow.yml").is_file()

# A stand-in with AppGenerator's interface: it records the message it was given.
STUB_APP_GENERATOR = """\
inputs:
  message: {type: string, required: true, min_length: 1}
  user_id: {type: string}
steps:
  - artifact: {path: README.md, content: "{{ input.message }}"}
output:
  app: Stub app
  slug: stub-app
  message: "{{ input.message }}"
  offline: true
  summary: "## Stub app\\n\\nGenerated from the message."
"""


def _stub_root(tmp_path: Path) -> Path:
    root = tmp_path / "workflows"
    for workflow_id in ("ValueEngine", "DesignDocument", "Build"):
        shutil.copytree(WORKFLOWS / workflow_id, root / workflow_id, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "AppGenerator").mkdir()
    (root / "AppGenerator" / "workflow.yml").write_text(STUB_APP_GENERATOR, "utf-8")
    return root


def test_build_chains_value_engine_design_document_and_app_generator(tmp_path: Path) -> None:
    result = run_workflow(tmp_path, "Build", {"message": IDEA}, roots=(_stub_root(tmp_path),))

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    # each stage's output is passed on: ValueEngine → DesignDocument → AppGenerator
    value, design = output["value"], output["design"]
    validate({k: value[k] for k in ("idea", "summary", "ideas", "assumptions")}, step_schema("ValueEngine", "value"))
    validate({"document": design["document"], "updates": design["updates"]}, step_schema("DesignDocument", "design"))
    assert design["document"]["problem"] == value["ideas"][0]["problem"]
    assert any("ValueEngine's top direction" in a for a in design["document"]["assumptions"])
    assert output["app"]["message"] == f"{IDEA}. It manages tasks and projects."
    assert result.text("README.md") == output["app"]["message"]
    # the reports land in the generated repository's docs/
    assert {"docs/value/report.md", "docs/design/design-document.md"} <= set(result.artifacts)
    assert value["report"] == "docs/value/report.md" and design["artifact"] == "docs/design/design-document.md"
    assert output["offline"] is True
    assert output["summary"].startswith("## Build: Stub app") and "docs/design/design-document.md" in output["summary"]
    assert output["summary"].endswith("## Stub app\n\nGenerated from the message.")
    # progress streams from every stage, sub-workflows' steps under their step's path
    progress = result.progress()
    for line in ("Evaluating the idea…", "Writing the design document…", "Generating the app…", "Writing the report…"):
        assert line in progress
    assert result.completed("value.value")["offline"] is True
    assert result.completed("design.design")["offline"] is True


@pytest.mark.skipif(not HAS_APP_GENERATOR, reason="AppGenerator is not in the pack yet")
def test_build_generates_the_app_with_the_real_app_generator(tmp_path: Path) -> None:
    result = run_workflow(tmp_path, "Build", {"message": IDEA})

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    assert output["app"]["slug"] == "task-tracker" and output["offline"] is True
    entities = {e["name"] for e in output["app"]["spec"]["entities"]}
    assert {e["name"] for e in output["design"]["document"]["data_model"]} <= entities
    paths = set(result.artifacts)
    assert {"docs/value/report.md", "docs/design/design-document.md", "backend/main.py", "frontend/package.json",
            "mozaiks.json"} <= paths  # fmt: skip
    agents = [p for p in paths if p.startswith("agents/") and p.endswith(".json")]
    assert agents, "AppGenerator ran AgentGenerator for the app's agents"
    for path in agents:
        file = tmp_path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(result.artifacts[path])
        load_agent_file(file)
    assert not [p for p in paths if p.startswith(("/", "..")) or "/../" in p]


def test_cli_refuses_an_empty_message(tmp_path: Path) -> None:
    if not HAS_APP_GENERATOR:
        pytest.skip("Build needs AppGenerator to load")
    bad = cli("run", "Build", "--input", json.dumps({"message": ""}), "--db", f"sqlite:///{tmp_path}/c.db")
    assert bad.returncode == 2 and "message must not be blank" in bad.stderr


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``mozaiks-ai serve`` with the pack mounted (a real uvicorn subprocess)."""
    with serve_runtime(tmp_path_factory.mktemp("journey"), "journey", WORKFLOWS) as server:
        yield server


@pytest.mark.parametrize(
    ("workflow", "field"),
    [("ValueEngine", "idea"), ("AgentGenerator", "description"), ("ValidationEngine", "product"),
     ("DesignDocument", "idea"), ("Build", "message")],
)  # fmt: skip
def test_an_empty_required_text_is_a_400_over_http(runtime: Server, workflow: str, field: str) -> None:
    if workflow == "Build" and not HAS_APP_GENERATOR:
        pytest.skip("Build needs AppGenerator to load")
    response = httpx.post(
        f"{runtime.url}/api/workflows/execute", json={"workflow": workflow, "input": {field: ""}}, timeout=30
    )
    assert response.status_code == 400, response.text
    assert f"{field} must not be blank" in response.text


@pytest.mark.skipif(not HAS_APP_GENERATOR, reason="AppGenerator is not in the pack yet")
def test_the_build_journey_over_http(runtime: Server) -> None:
    body = {"workflow": "Build", "input": {"message": "A habit tracker for students with streaks"}}
    response = httpx.post(f"{runtime.url}/api/workflows/execute", json=body, timeout=120)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "succeeded", result
    assert result["output"]["offline"] is True
    assert result["output"]["summary"].startswith("## Build: ")
    artifacts = httpx.get(f"{runtime.url}/api/runs/{result['run_id']}/artifacts", timeout=30)
    assert artifacts.status_code == 200, artifacts.text
    paths = {a["path"] for a in artifacts.json()["artifacts"]}
    assert {"docs/value/report.md", "docs/design/design-document.md", "backend/main.py"} <= paths
