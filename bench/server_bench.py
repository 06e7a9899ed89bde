"""Server benchmarks: WebSocket event latency at 200 concurrent runs, and execute throughput.

Starts a real ``mozaiks-ai serve`` (subprocess, fresh SQLite store in a temp dir, 127.0.0.1) and measures from
this process:

* **ws-latency** — 200 WebSocket clients, each in its own session, each running a 5-step workflow at once. For
  every ``step.completed`` event: latency = time the client received it − the event's ``ts`` (stamped by the
  engine when the step finished; same machine clock). Reports p50/p99/max and the wall time.
* **execute** — ``POST /api/workflows/execute`` of ``hello-world`` (waits for the result) from C concurrent
  clients for N requests. Reports requests/s and p50/p99 latency.

Prints one JSON line per scenario on stdout.  Usage::

    .venv/bin/python bench/server_bench.py [--clients 200] [--requests 2000] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

FIVE_STEPS = "name: Five\nsteps:\n" + "".join(f"  - s{i}: {{echo: {{i: {i}, ok: true}}}}\n" for i in range(5))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _wait_up(base: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                if (await client.get(f"{base}/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("server did not start")


async def ws_latency(base: str, clients: int) -> dict[str, object]:
    latencies: list[float] = []
    url = base.replace("http://", "ws://") + "/api/chat"

    async def one(i: int) -> int:
        async with websockets.connect(url, max_size=2**22) as ws:
            await ws.send(
                json.dumps({"type": "message", "message": "go", "sessionId": f"bench-{i}", "workflow": "five"})
            )
            seqs = []
            while True:
                event = json.loads(await ws.recv())
                received = time.time()
                if "seq" in event and event.get("run_id"):
                    seqs.append(event["seq"])
                if event["type"] == "step.completed":
                    latencies.append(received - event["ts"])
                if event["type"] in ("run.completed", "run.failed"):
                    assert event["type"] == "run.completed", event
                    assert seqs == list(range(1, len(seqs) + 1)), seqs
                    return len(seqs)

    started = time.perf_counter()
    counts = await asyncio.gather(*(one(i) for i in range(clients)))
    wall = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return {
        "scenario": "ws-latency",
        "clients": clients,
        "steps_per_run": 5,
        "events": sum(counts),
        "wall_s": round(wall, 3),
        "latency_ms": {
            "p50": round(_pct(ms, 0.5), 2),
            "p99": round(_pct(ms, 0.99), 2),
            "max": round(max(ms), 2),
            "mean": round(statistics.mean(ms), 2),
        },
    }


async def execute(base: str, requests: int, concurrency: int) -> dict[str, object]:
    latencies: list[float] = []
    remaining = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for _ in remaining:
                t0 = time.perf_counter()
                response = await client.post(
                    "/api/workflows/execute", json={"workflow": "hello-world", "input": {"name": "bench"}}
                )
                latencies.append(time.perf_counter() - t0)
                assert response.status_code == 200 and response.json()["output"] == "Hello, bench!", response.text

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return {
        "scenario": "execute",
        "workflow": "hello-world",
        "requests": requests,
        "concurrency": concurrency,
        "wall_s": round(wall, 3),
        "requests_per_s": round(requests / wall, 1),
        "latency_ms": {"p50": round(_pct(ms, 0.5), 2), "p99": round(_pct(ms, 0.99), 2)},
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--db", default=None, help="store URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mozaiks-server-bench-"))
    (tmp / "workflows" / "five").mkdir(parents=True)
    (tmp / "workflows" / "five" / "workflow.yml").write_text(FIVE_STEPS)
    examples = Path(__file__).resolve().parent.parent / "examples"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOZAIKS_")}
    env.update(
        {
            "MOZAIKS_WORKFLOWS_PATH": f"{tmp / 'workflows'}{os.pathsep}{examples}",
            "MOZAIKS_DB_URL": args.db or f"sqlite:///{tmp}/bench.db",
            "MOZAIKS_OUTBOX_DIR": str(tmp / "outbox"),
        }
    )
    cli = Path(sys.executable).parent / "mozaiks-ai"
    server = subprocess.Popen(
        [str(cli), "serve", "--port", str(port)],
        env=env,
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "server.log", "w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_up(base)
        await ws_latency(base, 10)  # warm-up
        print(json.dumps(await ws_latency(base, args.clients)), flush=True)
        await execute(base, 100, args.concurrency)  # warm-up
        print(json.dumps(await execute(base, args.requests, args.concurrency)), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main())
