"""``mozaiks-core init``, ``doctor`` and ``python -m mozaiks_core_runtime serve``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CLI = Path(sys.executable).with_name("mozaiks-core")

pytestmark = pytest.mark.slow


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOZAIKS_")}
    return {**env, **extra}


def test_init_then_doctor_reports_the_outbox(tmp_path: Path) -> None:
    app_dir = tmp_path / "my-app"
    out = subprocess.run([str(CLI), "init", str(app_dir)], capture_output=True, text=True, check=True)
    assert (app_dir / "main.py").is_file() and "created" in out.stdout
    doctor = subprocess.run([str(CLI), "doctor", str(app_dir)], capture_output=True, text=True, env=clean_env())
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "database" in doctor.stdout and "MOZAIKS_AI_URL is not set" in doctor.stdout
    for reported in ("payments: default provider 'sandbox'", "insights: /metrics served", "marketing:", "plugins:"):
        assert reported in doctor.stdout, doctor.stdout
    assert (app_dir / ".mozaiks" / "app.db").is_file()


def test_doctor_and_serve_refuse_weak_production_configuration(tmp_path: Path) -> None:
    subprocess.run([str(CLI), "init", str(tmp_path)], capture_output=True, check=True)
    env = clean_env(MOZAIKS_ENV="production", MOZAIKS_JWT_SECRET="secret")
    doctor = subprocess.run([str(CLI), "doctor", str(tmp_path)], capture_output=True, text=True, env=env)
    assert doctor.returncode == 1 and "MOZAIKS_JWT_SECRET" in doctor.stdout
    serve = subprocess.run([str(CLI), "serve", str(tmp_path)], capture_output=True, text=True, env=env, timeout=30)
    assert serve.returncode == 2 and "MOZAIKS_JWT_SECRET" in serve.stderr and "Traceback" not in serve.stderr


def test_python_m_serve_starts_the_app(tmp_path: Path) -> None:
    subprocess.run([str(CLI), "init", str(tmp_path)], capture_output=True, check=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "mozaiks_core_runtime", "serve", str(tmp_path), "--port", str(port), "--no-access-log"]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=clean_env(), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert response.json()["app"] == tmp_path.name
        assert httpx.get(f"http://127.0.0.1:{port}/api/items", timeout=5).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    output = log.read_text()
    assert "Uvicorn running" in output and "GET /api/items" not in output  # --no-access-log: no request lines
