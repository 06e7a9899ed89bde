"""Test helpers for the pack: real servers as subprocesses, and generated repos written to disk.

Everything here drives the public surfaces a user has: the ``mozaiks-ai`` and ``mozaiks-core`` command lines and
their HTTP APIs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from mozaiks_workflows import workflows_root

BIN = Path(sys.executable).parent
PACK_ROOT = workflows_root()
PACKAGE_DIR = PACK_ROOT.parent.parent


def free_port() -> int:
    """A port nothing listens on (yet) at 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without runtime or model settings (``MOZAIKS_*``, ``OPENAI_*``, ``ANTHROPIC_*``), plus
    ``extra``; the pack importable."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOZAIKS_", "OPENAI_", "ANTHROPIC_", "WORKFLOWS_"))
    }
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_DIR), base.get("PYTHONPATH", "")]))
    return {**base, **extra}


@dataclass
class Server:
    """A server started by :func:`serve`."""

    url: str
    log: Path
    proc: subprocess.Popen[bytes]

    def output(self) -> str:
        """What the server printed so far (for assertion messages)."""
        return self.log.read_text(errors="replace")[-4000:]


@contextmanager
def serve(cmd: list[str], env: Mapping[str, str], port: int, log: Path, *, timeout: float = 60) -> Iterator[Server]:
    """Start ``cmd`` (which must listen on ``port``), wait for ``GET /health``, stop it afterwards."""
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    server = Server(url, log, proc)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"{cmd[0]} exited with {proc.returncode}:\n{server.output()}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{cmd[0]} did not answer /health within {timeout} s:\n{server.output()}")
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def serve_runtime(tmp: Path, name: str, workflows: Path, *, port: int | None = None, **env: str) -> Iterator[Server]:
    """``mozaiks-ai serve`` with ``workflows`` (installed packs load too), SQLite in ``tmp``."""
    port = port or free_port()
    cmd = [str(BIN / "mozaiks-ai"), "serve", "--port", str(port), "-w", str(workflows),
           "--db", f"sqlite:///{tmp / (name + '.db')}"]  # fmt: skip
    with serve(cmd, clean_env(**env), port, tmp / f"{name}.log") as server:
        yield server


@contextmanager
def serve_backend(tmp: Path, backend: Path, *, port: int | None = None, **env: str) -> Iterator[Server]:
    """``mozaiks-core serve`` of a generated backend folder, SQLite in ``tmp``."""
    port = port or free_port()
    defaults = {
        "MOZAIKS_ENV": "test",
        "MOZAIKS_JWT_SECRET": "generated-app-test-secret-" + "x" * 32,
        "MOZAIKS_DB_URL": f"sqlite:///{tmp / 'backend.db'}",
    }
    cmd = [str(BIN / "mozaiks-core"), "serve", str(backend), "--port", str(port)]
    with serve(cmd, clean_env(**{**defaults, **env}), port, tmp / "backend.log") as server:
        yield server


def write_files(files: Mapping[str, bytes | str], root: Path) -> Path:
    """Write ``{relative path: content}`` under ``root`` (refusing absolute or escaping paths); return ``root``."""
    for relative, content in files.items():
        target = (root / relative).resolve()
        assert not Path(relative).is_absolute() and target.is_relative_to(root.resolve()), relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def sample_value(field: Mapping[str, Any]) -> Any:
    """A valid value for a spec field of any type."""
    samples: dict[str, Any] = {
        "string": "Example",
        "text": "A longer example text.",
        "integer": 3,
        "number": 2.5,
        "boolean": True,
        "date": "2026-11-24",
        "datetime": "2026-11-24T10:00:00Z",
        "email": "ada@example.com",
        "url": "https://example.com/",
    }
    if field["type"] == "enum":
        return field["options"][0]
    return samples[field["type"]]


def create_record(client: httpx.Client, spec: Mapping[str, Any], entity_name: str, headers: dict[str, str]) -> Any:
    """Create a record of ``entity_name`` with every field filled (creating required relation targets first)."""
    entity = next(e for e in spec["entities"] if e["name"] == entity_name)
    body = {f["name"]: sample_value(f) for f in entity["fields"]}
    for relation in entity.get("relations", []):
        if relation.get("required") and relation["target"] != entity_name:
            body[relation["name"]] = create_record(client, spec, relation["target"], headers)["id"]
    response = client.post(f"/api/{entity['collection']}", json=body, headers=headers)
    assert response.status_code == 201, (entity_name, body, response.status_code, response.text)
    return response.json()


def run_cli(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None, timeout: float = 300) -> Any:
    """Run a command to completion; return the CompletedProcess (text output)."""
    return subprocess.run(
        list(args), env=dict(env or clean_env()), cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
