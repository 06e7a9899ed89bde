"""SIGKILL in the middle of a multi-step run: after a restart the run completes, nothing is repeated or lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

STEPS = 8

TOOL = '''
from pathlib import Path


def mark(n: int, path: str) -> int:
    """Record a side effect: one line per execution of step n."""
    with open(path, "a") as f:
        f.write(f"{n}\\n")
    return n
'''


def _workflow(root: Path, effects: Path) -> None:
    folder = root / "crashy"
    (folder / "tools").mkdir(parents=True)
    (folder / "tools" / "effects.py").write_text(TOOL)
    lines = ["name: Crashy", "steps:"]
    for n in range(STEPS):
        lines.append(f"  - mark_{n}: {{tool: mark, with: {{n: {n}, path: '{effects}'}}}}")
        lines.append(f"  - pause_{n}: {{sleep: 400ms}}")
    lines.append(f'output: "{{{{ steps.mark_{STEPS - 1}.output }}}}"')
    (folder / "workflow.yml").write_text("\n".join(lines) + "\n")


def _env(store_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOZAIKS_")}
    env["MOZAIKS_DB_URL"] = store_url
    env["MOZAIKS_OUTBOX_DIR"] = str(tmp_path / "outbox")
    return env


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_completes_without_repeating_steps(store_url: str, tmp_path: Path) -> None:
    root, effects = tmp_path / "wf", tmp_path / "effects.txt"
    _workflow(root, effects)
    env = _env(store_url, tmp_path)
    cli = [sys.executable, "-m", "mozaiks_ai"]
    proc = subprocess.Popen(
        [*cli, "run", "crashy", "-w", str(root), "--json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if effects.exists() and len(effects.read_text().split()) >= 3:
            break
        time.sleep(0.02)
    time.sleep(0.15)  # inside pause_2: mark_2 is committed, the run is mid-way
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    before = Counter(effects.read_text().split())
    assert 3 <= len(before) < STEPS, "the kill must land in the middle of the run"

    listed = subprocess.run(
        [*cli, "runs", "list", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    runs = json.loads(listed.stdout)
    assert [r["status"] for r in runs] == ["running"], "the killed run is left running, not lost"
    run_id = runs[0]["run_id"]

    resumed = subprocess.run(
        [*cli, "runs", "resume", run_id, "-w", str(root), "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "succeeded"
    assert json.loads(resumed.stdout)["output"] == STEPS - 1

    after = Counter(effects.read_text().split())
    assert sorted(after) == sorted(str(n) for n in range(STEPS)), "every step ran"
    assert all(count == 1 for count in after.values()), f"a completed step ran again: {after}"

    shown = json.loads(
        subprocess.run(
            [*cli, "runs", "show", run_id, "--events"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert len(shown["steps"]) == 2 * STEPS and {s["status"] for s in shown["steps"]} == {"completed"}
    seqs = [e["seq"] for e in shown["events"]]
    assert seqs == list(range(1, len(seqs) + 1)), "the event log has no gaps or duplicates"
    types = [e["type"] for e in shown["events"]]
    assert types.count("run.started") == 1 and types[-1] == "run.completed"
    open_steps: set[str] = set()
    for event in shown["events"]:
        if event["type"] == "step.started":
            assert event["step"] not in open_steps, f"{event['step']} started twice without an end"
            open_steps.add(event["step"])
        elif event["type"] in ("step.completed", "step.failed", "step.skipped"):
            open_steps.discard(event["step"])
    assert not open_steps, "the step interrupted by the kill is closed before it runs again"
