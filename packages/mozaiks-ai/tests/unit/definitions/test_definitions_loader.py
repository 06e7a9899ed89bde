"""Discovery and loading: folders, single files, roots, WORKFLOWS_ENABLED, triggers, content hashes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from mozaiks_ai import RuntimeConfig, WorkflowLoader, WorkflowRegistry
from mozaiks_ai.config import bundled_examples

GOOD = "name: Good\nsteps:\n  - echo: fine\n"


@pytest.fixture
def examples() -> Path:
    found = bundled_examples()
    assert found is not None, "the example workflows ship with the package"
    return found


def test_discover_and_load_hello_world_copy(tmp_path: Path, examples: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(examples / "hello-world", root / "hello-world")
    shutil.copytree(examples / "basic-automation", root / "basic-automation")
    loader = WorkflowLoader(root)
    assert loader.discover() == ["basic-automation", "hello-world"]
    hello = loader.load("hello-world")
    assert hello.id == "hello-world"
    assert hello.name == "Hello World"
    assert [s.name for s in hello.steps] == ["greet"]
    assert hello.source == root / "hello-world" / "workflow.yml"
    assert hello.root == root / "hello-world"
    assert hello.inputs["name"].default == "World"
    basic = loader.load("basic-automation")
    assert basic.tools == ("count_items", "describe_item")


def test_bundled_examples_all_load(examples: Path) -> None:
    valid, invalid = WorkflowLoader(examples).load_all()
    assert invalid == {}
    assert {"hello-world", "basic-automation", "email-automation"} <= set(valid)


def test_loader_on_a_workflow_folder_itself(write_workflow: Callable[..., Path]) -> None:
    source = write_workflow("solo", GOOD)
    loader = WorkflowLoader(source.parent)
    assert loader.discover() == ["solo"]
    assert loader.load("solo").name == "Good"


def test_single_file_workflows_and_yaml_suffix(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    (wf_root / "notifications.yml").write_text("trigger: task.created\nsteps:\n  - echo: '{{ task.title }}'\n")
    (wf_root / "other.yaml").write_text(GOOD)
    folder = wf_root / "folder-yaml"
    folder.mkdir()
    (folder / "workflow.yaml").write_text(GOOD)
    (wf_root / "notes.txt").write_text("not a workflow")
    (wf_root / ".hidden.yml").write_text(GOOD)
    (wf_root / "empty-folder").mkdir()
    (wf_root / "__pycache__").mkdir()
    (wf_root / "__pycache__" / "workflow.yml").write_text(GOOD)
    loader = WorkflowLoader(wf_root)
    assert loader.discover() == ["folder-yaml", "notifications", "other"]
    single = loader.load("notifications")
    assert (single.id, single.name, single.root, single.tools) == ("notifications", "notifications", None, ())
    assert single.source == wf_root / "notifications.yml"
    assert single.trigger.events == ("task.created",)
    assert loader.load("folder-yaml").source == folder / "workflow.yaml"


def test_single_file_workflow_cannot_name_a_tool(wf_root: Path) -> None:
    (wf_root / "single.yml").write_text("steps:\n  - x: {tool: helper}\n")
    registry = WorkflowRegistry.from_roots([wf_root])
    assert registry.invalid["single"].line == 2


def test_folder_wins_over_single_file_of_the_same_id(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    write_workflow("dup", "name: Folder\nsteps:\n  - echo: a\n")
    (wf_root / "dup.yml").write_text("name: File\nsteps:\n  - echo: a\n")
    assert WorkflowLoader(wf_root).load("dup").name == "Folder"


def test_first_root_wins(tmp_path: Path, write_workflow: Callable[..., Path]) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_workflow("shared", "name: First\nsteps:\n  - echo: a\n", root=first)
    write_workflow("shared", "name: Second\nsteps:\n  - echo: a\n", root=second)
    write_workflow("only-second", GOOD, root=second)
    write_workflow("broken-first", "steps: [", root=first)
    write_workflow("broken-first", GOOD, root=second)
    registry = WorkflowRegistry.from_roots([first, second, tmp_path / "missing"])
    assert registry.get("shared").name == "First"
    assert sorted(registry.workflows) == ["only-second", "shared"]
    assert list(registry.invalid) == ["broken-first"]


def test_workflows_enabled_filters(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    for workflow_id in ("a", "b", "c"):
        write_workflow(workflow_id, GOOD)
    write_workflow("bad", "steps: [")
    registry = WorkflowRegistry.from_roots([wf_root], enabled=["a", "c", "bad", "unknown"])
    assert sorted(registry.workflows) == ["a", "c"]
    assert list(registry.invalid) == ["bad"]
    config = RuntimeConfig.from_env({"WORKFLOWS_ENABLED": " b , c ", "MOZAIKS_WORKFLOWS_PATH": str(wf_root)})
    assert config.workflows_enabled == ("b", "c")
    assert config.workflow_roots() == [wf_root]
    registry = WorkflowRegistry.from_roots(config.workflow_roots(), enabled=config.workflows_enabled)
    assert sorted(registry.workflows) == ["b", "c"]


def test_workflows_enabled_drops_parents_of_disabled_sub_workflows(
    wf_root: Path, write_workflow: Callable[..., Path]
) -> None:
    write_workflow("parent", "steps:\n  - kid: {workflow: child}\n")
    write_workflow("child", GOOD)
    registry = WorkflowRegistry.from_roots([wf_root], enabled=["parent"])
    assert registry.workflows == {}
    assert "'child'" in str(registry.invalid["parent"])


def test_workflows_path_alias_and_several_roots(tmp_path: Path) -> None:
    joined = os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])
    assert RuntimeConfig.from_env({"WORKFLOWS_PATH": joined}).workflow_paths == (tmp_path / "a", tmp_path / "b")


def test_triggers(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    write_workflow("one", "trigger: task.created\nsteps:\n  - echo: a\n")
    write_workflow("many", "trigger: [task.updated, task.created]\nsteps:\n  - echo: a\n")
    write_workflow(
        "full",
        'trigger: {event: ["task.*"], schedule: "*/5 * * * *", webhook: true}\nsteps:\n  - echo: a\n',
    )
    write_workflow("none", GOOD)
    registry = WorkflowRegistry.from_roots([wf_root])
    full = registry.get("full").trigger
    assert (full.events, full.schedule, full.webhook) == (("task.*",), "*/5 * * * *", True)
    assert [w.id for w in registry.matching("task.created")] == ["full", "many", "one"]
    assert [w.id for w in registry.matching("task.deleted")] == ["full"]
    assert registry.matching("user.created") == []


def test_bad_trigger_is_a_definition_error(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    source = write_workflow("t", "name: t\ntrigger: {event: 3, cron: x}\nsteps:\n  - echo: a\n")
    registry = WorkflowRegistry.from_roots([wf_root])
    error = registry.invalid["t"]
    assert (error.file, error.line) == (str(source), 2)


def test_tool_discovery(write_workflow: Callable[..., Path]) -> None:
    source = write_workflow(
        "wf",
        "steps:\n  - a: {tool: plain}\n",
        tools={
            "plain": "def plain() -> int:\n    return 1\n\n\ndef _private() -> None:\n    pass\n",
            "marked": (
                "from mozaiks_ai import tool\n\n\n@tool\ndef chosen() -> None:\n    pass\n\n\n"
                "@tool(name='x')\nasync def also() -> None:\n    pass\n\n\ndef helper() -> None:\n    pass\n"
            ),
            "_ignored": "def hidden() -> None:\n    pass\n",
        },
    )
    assert WorkflowLoader(source.parent.parent).load("wf").tools == ("also", "chosen", "plain")


def test_content_hash_tracks_every_file(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    source = write_workflow("wf", GOOD, tools={"t": "def t() -> int:\n    return 1\n"})
    loader = WorkflowLoader(wf_root)
    first = loader.load("wf").content_hash
    assert len(first) == 64
    assert loader.load("wf").content_hash == first
    (source.parent / "tools" / "t.py").write_text("def t() -> int:\n    return 2\n")
    second = loader.load("wf").content_hash
    assert second != first
    (source.parent / "templates").mkdir()
    (source.parent / "templates" / "a.txt").write_text("x")
    third = loader.load("wf").content_hash
    assert third not in (first, second)
    (source.parent / "tools" / "__pycache__").mkdir()
    (source.parent / "tools" / "__pycache__" / "t.cpython-311.pyc").write_bytes(b"\0")
    assert loader.load("wf").content_hash == third
    source.write_text(GOOD + "description: changed\n")
    assert loader.load("wf").content_hash not in (first, second, third)


def test_content_hash_of_single_file(wf_root: Path) -> None:
    (wf_root / "one.yml").write_text(GOOD)
    (wf_root / "two.yml").write_text(GOOD)
    loader = WorkflowLoader(wf_root)
    one, two = loader.load("one").content_hash, loader.load("two").content_hash
    assert one and two
    (wf_root / "one.yml").write_text(GOOD + "\n# edited\n")
    assert loader.load("one").content_hash != one


def test_an_app_layout_loads_agents_beside_its_workflows_folder(tmp_path: Path) -> None:
    app = tmp_path / "my-app"
    (app / "workflows").mkdir(parents=True)
    (app / "workflows" / "notifications.yml").write_text("trigger: task.created\nsteps:\n  - echo: hi\n")
    (app / "agents").mkdir()
    (app / "agents" / "support-bot.json").write_text('{"name": "Support bot", "system": "Help."}')
    registry = WorkflowRegistry.from_roots([app / "workflows"])
    assert "support-bot" in registry.agents and "notifications" in registry.workflows
    other = tmp_path / "elsewhere"  # only a root named workflows looks beside itself
    other.mkdir()
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "stray.json").write_text('{"name": "Stray", "system": "x"}')
    assert "stray" not in WorkflowRegistry.from_roots([other]).agents
