"""A runtime killed between two LLM calls of an agent resumes without repeating the first call."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openai_peer import DEFAULT_API_KEY, serve_openai_peer

TOOL = '''
import time
from pathlib import Path


def slow_lookup(order_id: str, marker: str) -> dict:
    """Look an order up (slowly, so the test can kill the process here)."""
    Path(marker).write_text("in tool")
    time.sleep(30)
    return {"order_id": order_id}
'''


@pytest.mark.slow
def test_sigkill_between_llm_calls_does_not_repeat_the_first_call(store_url: str, tmp_path: Path) -> None:
    root, marker = tmp_path / "wf", tmp_path / "marker"
    folder = root / "support"
    (folder / "tools").mkdir(parents=True)
    (folder / "agents").mkdir()
    (folder / "tools" / "t.py").write_text(TOOL)
    (folder / "agents" / "bot.json").write_text(json.dumps({"name": "Bot", "tools": ["slow_lookup"]}))
    (folder / "workflow.yml").write_text("steps:\n  - answer: {agent: bot, message: 'order 9?'}\n")
    script = [
        {
            "tool_calls": [{"name": "slow_lookup", "arguments": {"order_id": "9", "marker": str(marker)}}],
            "usage": {"input_tokens": 20, "output_tokens": 5},
        },
        {"text": "Order 9 is on its way.", "usage": {"input_tokens": 30, "output_tokens": 6}},
    ]
    with serve_openai_peer(script) as peer:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MOZAIKS_", "OPENAI_"))}
        env.update(
            {
                "MOZAIKS_DB_URL": store_url,
                "OPENAI_BASE_URL": peer.base_url,
                "OPENAI_API_KEY": DEFAULT_API_KEY,
                "MOZAIKS_MODEL": "openai:test-model",
            }
        )
        cli = [sys.executable, "-m", "mozaiks_ai"]
        proc = subprocess.Popen(
            [*cli, "run", "support", "-w", str(root), "--json"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert peer.count == 1, "killed after the first LLM call, inside the tool"

        (folder / "tools" / "t.py").write_text(TOOL.replace("time.sleep(30)", "pass"))
        runs = json.loads(
            subprocess.run(
                [*cli, "runs", "list", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        resumed = subprocess.run(
            [*cli, "runs", "resume", runs[0]["run_id"], "-w", str(root), "--json"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["output"] == "Order 9 is on its way."
    assert peer.count == 2, "the first LLM call was not made again"
    shown = json.loads(
        subprocess.run(
            [*cli, "runs", "show", runs[0]["run_id"], "--events"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    usage = [e for e in shown["events"] if e["type"] == "usage"]
    assert sum(u["input_tokens"] for u in usage) == 50, "each call accounted once"
