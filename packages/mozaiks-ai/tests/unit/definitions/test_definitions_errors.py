"""Bad definitions fail with an error naming the file and the line; the others still load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from mozaiks_ai import DefinitionError, WorkflowLoader, WorkflowNotFoundError, WorkflowRegistry

GOOD = "name: Good\nsteps:\n  - echo: fine\n"

# (id, yaml, line of the problem, words the message must contain)
BAD_CASES = [
    ("bad-indent", "name: bad\nsteps:\n  - echo: hi\n   - echo: there\n", 4, ["malformed YAML"]),
    ("bad-flow", "name: bad\nsteps:\n  - echo: [1, 2\n  - echo: ok\n", 4, ["malformed YAML"]),
    ("bad-tab", "name: bad\nsteps:\n\t- echo: hi\n", 3, ["malformed YAML"]),
    ("dup-key", "name: a\nname: b\nsteps:\n  - echo: hi\n", 2, ["duplicate key 'name'"]),
    ("not-mapping", "- echo: hi\n", 1, ["must be a mapping"]),
    ("no-steps", "name: x\nsteps: []\n", 2, ["'steps' must be a non-empty list"]),
    ("unknown-kind", "name: k\nsteps:\n  - echo: hi\n  - frobnicate: 3\n", 4, ["unknown step kind 'frobnicate'"]),
    (
        "unknown-kind-named",
        "name: k\nsteps:\n  - echo: hi\n  - x:\n      frobnicate: 3\n",
        5,
        ["unknown step kind 'x'"],
    ),
    (
        "unknown-kind-nested",
        "steps:\n  - loop:\n      foreach: '{{ [1] }}'\n      do:\n        - echo: hi\n        - zap: 1\n",
        6,
        ["unknown step kind 'zap'"],
    ),
    (
        "unknown-uses",
        "steps:\n  - echo: a\n  - name: s\n    uses: teleport\n",
        4,
        ["unknown action or tool 'teleport'"],
    ),
    ("two-kinds", "steps:\n  - echo: a\n    log: b\n", 2, ["exactly one kind"]),
    ("retry-type", 'name: r\nsteps:\n  - echo: hi\n  - name: s\n    uses: echo\n    retry: "x"\n', 6, ["retry"]),
    ("retry-range", "steps:\n  - s:\n      echo: hi\n      retry: {max_attempts: 0}\n", 4, ["retry", "max_attempts"]),
    ("retry-backoff", "steps:\n  - s:\n      echo: hi\n      retry: {backoff: linear}\n", 4, ["retry", "backoff"]),
    ("timeout-type", "name: r\nsteps:\n  - echo: hi\n  - greet:\n      echo: x\n      timeout: soon\n", 6, ["soon"]),
    ("coe-type", 'steps:\n  - a: {echo: 1, continue_on_error: "yes"}\n', 2, ["continue_on_error"]),
    ("dup-name", "name: d\nsteps:\n  - a: {echo: 1}\n  - a: {echo: 2}\n", 4, ["duplicate step name 'a'"]),
    (
        "dup-explicit",
        "steps:\n  - name: a\n    uses: echo\n  - echo: x\n  - name: a\n    uses: log\n",
        5,
        ["duplicate step name 'a'"],
    ),
    ("top-key", "name: t\nstepz: []\nsteps:\n  - echo: 1\n", 2, ["unknown top-level key 'stepz'"]),
    ("missing-tool", "name: t\nsteps:\n  - echo: 1\n  - x:\n      tool: missing_tool\n", 5, ["missing_tool"]),
    ("bad-name", 'steps:\n  - name: "has space"\n    uses: echo\n', 2, ["step name"]),
    ("foreach-no-do", "steps:\n  - loop: {foreach: '{{ [1] }}'}\n", 2, ["do"]),
    ("input-type", "inputs:\n  a: {type: text}\nsteps:\n  - echo: 1\n", 2, ["inputs.a"]),
    ("unknown-sibling", "steps:\n  - s:\n      tool: known_tool\n      width: 3\n", 4, ["width"]),
]


def check_location(error: DefinitionError, source: Path, line: int) -> None:
    assert error.file == str(source)
    assert error.line == line, str(error)
    assert str(error).startswith(f"{source}:{line}: ")


@pytest.mark.parametrize(("workflow_id", "yaml", "line", "words"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_definition_names_file_and_line(
    write_workflow: Callable[..., Path], workflow_id: str, yaml: str, line: int, words: list[str]
) -> None:
    source = write_workflow(workflow_id, yaml, tools={"t": "def known_tool() -> None:\n    pass\n"})
    with pytest.raises(DefinitionError) as info:
        WorkflowLoader(source.parent.parent).load(workflow_id)
    check_location(info.value, source, line)
    for word in words:
        assert word in str(info.value)
    assert info.value.workflow_id == workflow_id


def test_bad_files_do_not_stop_the_others(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    sources = {case[0]: write_workflow(case[0], case[1]) for case in BAD_CASES}
    write_workflow("good", GOOD)
    (wf_root / "single.yml").write_text(GOOD)
    registry = WorkflowRegistry.from_roots([wf_root])
    assert sorted(registry.workflows) == ["good", "single"]
    assert set(registry.invalid) == set(sources)
    for workflow_id, error in registry.invalid.items():
        assert error.file == str(sources[workflow_id])
        assert error.line is not None and error.line > 0
    with pytest.raises(WorkflowNotFoundError, match="is invalid") as info:
        registry.get("bad-indent")
    assert (info.value.file, info.value.line) == (str(sources["bad-indent"]), 4)
    assert registry.get("good").name == "Good"


def test_sub_workflow_cycle_is_reported_on_both_workflows(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    a = write_workflow("a", "name: A\nsteps:\n  - echo: start\n  - run_b: {workflow: b}\n")
    b = write_workflow("b", "name: B\nsteps:\n  - run_a:\n      workflow: a\n")
    write_workflow("c", "steps:\n  - run_c: {workflow: c}\n")
    write_workflow("good", GOOD)
    registry = WorkflowRegistry.from_roots([wf_root])
    assert list(registry.workflows) == ["good"]
    check_location(registry.invalid["a"], a, 4)
    assert "cycle" in str(registry.invalid["a"]) and "a -> b -> a" in str(registry.invalid["a"])
    check_location(registry.invalid["b"], b, 3)
    assert "'a'" in str(registry.invalid["b"])
    assert "c -> c" in str(registry.invalid["c"])


def test_missing_sub_workflow_is_reported(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    parent = write_workflow(
        "parent", "steps:\n  - echo: a\n  - loop:\n      parallel:\n        - kid: {workflow: nope}\n"
    )
    write_workflow("good", GOOD)
    registry = WorkflowRegistry.from_roots([wf_root])
    assert list(registry.workflows) == ["good"]
    error = registry.invalid["parent"]
    check_location(error, parent, 5)
    assert "'nope'" in str(error) and "not defined" in str(error)


def test_sub_workflow_of_an_invalid_workflow_is_reported(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    write_workflow("broken", "steps: [\n")
    parent = write_workflow("parent", "steps:\n  - kid: {workflow: broken}\n")
    registry = WorkflowRegistry.from_roots([wf_root])
    assert registry.workflows == {}
    check_location(registry.invalid["parent"], parent, 2)
    assert "is invalid" in str(registry.invalid["parent"])


def test_valid_sub_workflow_chain_loads(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    write_workflow("a", "steps:\n  - b: {workflow: b}\n  - b_again: {workflow: b}\n")
    write_workflow("b", "steps:\n  - c: {workflow: c}\n")
    write_workflow("c", GOOD)
    write_workflow("dynamic", 'steps:\n  - kid: {workflow: "{{ input.which }}"}\n')
    registry = WorkflowRegistry.from_roots([wf_root])
    assert sorted(registry.workflows) == ["a", "b", "c", "dynamic"]
    assert registry.invalid == {}


def test_tool_module_syntax_error_names_the_tool_file(write_workflow: Callable[..., Path]) -> None:
    source = write_workflow("wf", GOOD, tools={"broken": "def oops(:\n    pass\n"})
    with pytest.raises(DefinitionError) as info:
        WorkflowLoader(source.parent.parent).load("wf")
    assert info.value.file == str(source.parent / "tools" / "broken.py")
    assert info.value.line == 1


def test_unknown_workflow_id(wf_root: Path, write_workflow: Callable[..., Path]) -> None:
    write_workflow("good", GOOD)
    with pytest.raises(WorkflowNotFoundError, match=r"no workflow 'nope'.*good"):
        WorkflowLoader(wf_root).load("nope")
    with pytest.raises(WorkflowNotFoundError, match="unknown workflow 'nope'; available: good"):
        WorkflowRegistry.from_roots([wf_root]).get("nope")


def test_non_utf8_and_empty_files(wf_root: Path) -> None:
    (wf_root / "latin.yml").write_bytes(b"name: caf\xe9\nsteps:\n  - echo: hi\n")
    (wf_root / "empty.yml").write_text("")
    registry = WorkflowRegistry.from_roots([wf_root])
    assert registry.workflows == {}
    assert "UTF-8" in str(registry.invalid["latin"])
    assert registry.invalid["empty"].file == str(wf_root / "empty.yml")
    assert registry.invalid["empty"].line == 1
