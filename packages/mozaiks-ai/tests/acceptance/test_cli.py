"""The CLI contract of SPEC §3.6, run as a user would: a subprocess, exit codes, stdout/stderr."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

Cli = Callable[..., subprocess.CompletedProcess[str]]
EXAMPLES = Path(__file__).resolve().parents[4] / "examples"


def test_run_hello_world_prints_the_greeting(cli: Cli) -> None:
    result = cli("run", "hello-world")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Hello, World!"


def test_run_json_prints_run_id_status_and_output(cli: Cli) -> None:
    result = cli("run", "hello-world", "--json", "-i", "name=Ada")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["status"] == "succeeded"
    assert payload["output"] == "Hello, Ada!"
    assert len(payload["run_id"]) == 32


def test_run_with_input_json_and_progress_on_stderr(cli: Cli) -> None:
    result = cli("run", "basic-automation", "--input", '{"items": ["a", "bb"], "shout": true}')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["count"] == 2
    assert "✓ process_each[1].label" in result.stderr
    assert "run succeeded" in result.stderr


def test_bad_input_json_exits_2_with_a_message(cli: Cli) -> None:
    result = cli("run", "hello-world", "--input", "{not json")
    assert result.returncode == 2
    assert "--input is not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_input_for_workflow_exits_2_and_creates_no_run(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "wf"
    (root / "needs-message").mkdir(parents=True)
    (root / "needs-message" / "workflow.yml").write_text(
        "inputs:\n  message: {type: string, required: true, min_length: 1}\nsteps:\n  - echo: '{{ input.message }}'\n"
    )
    result = cli("run", "needs-message", "-w", str(root), "-i", "message=")
    assert result.returncode == 2
    assert "message must not be empty" in result.stderr
    listed = cli("runs", "list", "--json")
    assert json.loads(listed.stdout) == []


def test_unknown_workflow_exits_2(cli: Cli) -> None:
    result = cli("run", "no-such-workflow")
    assert result.returncode == 2
    assert "unknown workflow 'no-such-workflow'" in result.stderr


def test_failed_run_exits_1_and_says_how_to_retry(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "wf"
    (root / "boom").mkdir(parents=True)
    (root / "boom" / "workflow.yml").write_text("steps:\n  - echo: '{{ input.missing.field }}'\n")
    result = cli("run", "boom", "-w", str(root))
    assert result.returncode == 1
    assert "failed" in result.stderr
    assert "runs retry" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reports_file_and_line_of_a_broken_workflow(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "mixed"
    (root / "good").mkdir(parents=True)
    (root / "good" / "workflow.yml").write_text("name: Good\nsteps:\n  - echo: fine\n")
    (root / "broken").mkdir()
    broken = root / "broken" / "workflow.yml"
    broken.write_text("name: Broken\nsteps:\n  - echo: ok\n  - frobnicate: {x: 1}\n")
    result = cli("workflows", "validate", str(root))
    assert result.returncode == 2
    assert f"{broken}:4:" in result.stdout
    assert "unknown step kind 'frobnicate'" in result.stdout
    assert "ok       good" in result.stdout
    # The valid workflow beside it still lists and runs.
    listed = cli("workflows", "list", "-w", str(root))
    assert "good" in listed.stdout and "INVALID" in listed.stdout
    ran = cli("run", "good", "-w", str(root))
    assert ran.returncode == 0 and ran.stdout.strip() == "fine"


def test_validate_malformed_yaml_names_the_line(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "bad"
    (root / "oops").mkdir(parents=True)
    (root / "oops" / "workflow.yml").write_text("name: Oops\nsteps:\n  - echo: [unclosed\n")
    result = cli("workflows", "validate", str(root), "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["invalid"][0]["line"] == 4 or report["invalid"][0]["line"] == 3
    assert "malformed YAML" in report["invalid"][0]["error"]


def test_validate_the_examples_passes(cli: Cli) -> None:
    result = cli("workflows", "validate", str(EXAMPLES))
    assert result.returncode == 0, result.stdout
    for workflow_id in ("hello-world", "basic-automation", "email-automation"):
        assert f"ok       {workflow_id}" in result.stdout


def test_workflows_show_and_schema(cli: Cli) -> None:
    shown = json.loads(cli("workflows", "show", "hello-world").stdout)
    assert shown["name"] == "Hello World"
    assert shown["inputs"]["properties"]["name"]["default"] == "World"
    schema = json.loads(cli("schema").stdout)
    assert schema["required"] == ["steps"]
    assert "step" in schema["$defs"]


def test_runs_list_show_and_retry_flow(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "wf"
    (root / "flaky" / "tools").mkdir(parents=True)
    marker = tmp_path / "fixed"
    (root / "flaky" / "tools" / "t.py").write_text(
        "from pathlib import Path\n\n"
        f"def check() -> str:\n    if not Path({str(marker)!r}).exists():\n        raise RuntimeError('not yet')\n"
        "    return 'fixed'\n"
    )
    (root / "flaky" / "workflow.yml").write_text("steps:\n  - echo: first\n  - check: {}\n")
    failed = cli("run", "flaky", "-w", str(root), "--json")
    assert failed.returncode == 1
    run_id = json.loads(failed.stdout)["run_id"]
    assert json.loads(failed.stdout)["error"]["step"] == "check"
    shown = json.loads(cli("runs", "show", run_id, "--events").stdout)
    assert [s["status"] for s in shown["steps"]] == ["completed", "failed"]
    assert shown["events"][-1]["type"] == "run.failed"
    marker.write_text("x")
    retried = cli("runs", "retry", run_id, "-w", str(root), "--json")
    assert retried.returncode == 0, retried.stderr
    assert json.loads(retried.stdout)["status"] == "succeeded"
    listed = json.loads(cli("runs", "list", "--json").stdout)
    assert [r["status"] for r in listed] == ["succeeded"]
    finished = cli("runs", "cancel", run_id, "-w", str(root))
    assert finished.returncode == 2 and "already succeeded" in finished.stderr


def test_wait_for_input_then_answer_from_the_cli(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "wf"
    (root / "ask").mkdir(parents=True)
    (root / "ask" / "workflow.yml").write_text(
        "steps:\n"
        "  - answer:\n"
        "      wait_for_input: {prompt: 'Your name?', schema: {type: object, required: [name]}}\n"
        "  - echo: 'Hi {{ steps.answer.output.name }}'\n"
    )
    started = cli("run", "ask", "-w", str(root), "--json")
    assert started.returncode == 0
    payload = json.loads(started.stdout)
    assert payload["status"] == "waiting"
    bad = cli("runs", "input", payload["run_id"], "--data", '{"nom": "x"}', "-w", str(root))
    assert bad.returncode == 2 and "input.name is required" in bad.stderr
    answered = cli("runs", "input", payload["run_id"], "--data", '{"name": "Ada"}', "-w", str(root), "--json")
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["output"] == "Hi Ada"


def test_unknown_run_exits_2(cli: Cli) -> None:
    result = cli("runs", "show", "nope")
    assert result.returncode == 2
    assert "run nope not found" in result.stderr


def test_runs_prune_deletes_only_old_finished_runs(cli: Cli) -> None:
    assert cli("run", "hello-world").returncode == 0
    kept = cli("runs", "prune")
    assert kept.returncode == 0 and "pruned 0 finished runs older than 30 days" in kept.stdout
    gone = cli("runs", "prune", "--older-than", "0")
    assert "pruned 1 finished runs" in gone.stdout
    assert json.loads(cli("runs", "list", "--json").stdout) == []
