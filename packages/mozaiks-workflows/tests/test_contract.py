"""The SPEC §3.5/§5 contract of AppGenerator over HTTP, against a real ``mozaiks-ai serve`` with the pack mounted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pack_harness import PACK_ROOT, Server, serve_runtime


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("contract")
    with serve_runtime(tmp, "platform", PACK_ROOT) as server:
        yield server


def test_execute_app_generator_returns_the_generated_repo(runtime: Server) -> None:
    body = {
        "workflow": "AppGenerator",
        "input": {"message": "Build a task tracker with React and Python", "user_id": "test-user"},
    }
    response = httpx.post(f"{runtime.url}/api/workflows/execute", json=body, timeout=120)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "succeeded", result
    frontend, backend = result["generated_files"]["frontend"], result["generated_files"]["backend"]
    assert "@mozaiks/core-runtime" in json.loads(frontend["package.json"])["dependencies"]
    assert "src/App.tsx" in frontend
    assert "main.py" in backend and "mozaiks-core-runtime" in backend["requirements.txt"]
    assert result["output"]["slug"] == "task-tracker"
    # The output says which assumptions were made, and that the offline extractor (not a model) produced the spec.
    assert result["output"]["assumptions"] and result["output"]["offline"] is True


@pytest.mark.parametrize("message", ["", "   "])
def test_an_empty_message_is_a_400_and_starts_nothing(runtime: Server, message: str) -> None:
    before = httpx.get(f"{runtime.url}/api/runs", timeout=10).json()
    response = httpx.post(
        f"{runtime.url}/api/workflows/execute",
        json={"workflow": "AppGenerator", "input": {"message": message, "user_id": "test-user"}},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert "error" in response.json()
    assert httpx.get(f"{runtime.url}/api/runs", timeout=10).json() == before


def test_the_pack_lists_its_five_workflows_and_the_build_journey(runtime: Server) -> None:
    listed = httpx.get(f"{runtime.url}/api/workflows", timeout=10).json()
    items = listed["workflows"] if isinstance(listed, dict) else listed
    ids = {item["id"] for item in items}
    assert {"AppGenerator", "AgentGenerator", "DesignDocument", "ValidationEngine", "ValueEngine", "Build"} <= ids


def test_the_pack_folder_is_what_the_entry_point_publishes() -> None:
    from importlib.metadata import entry_points

    (entry,) = [ep for ep in entry_points(group="mozaiks_ai.workflows") if ep.name == "platform"]
    assert Path(entry.load()()) == PACK_ROOT
