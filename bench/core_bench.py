"""mozaiks-core task-create handler vs the same handler on bare Starlette + sqlite3, in one run.

Starts two real servers on 127.0.0.1, each ``python -m uvicorn`` in its own subprocess with the same settings
(one worker, uvloop/httptools as uvicorn picks them, ``--no-access-log``, ``--log-level warning``,
``--no-proxy-headers``):

* **mozaiks-core**: ``examples/task-tracker-backend`` (the SPEC §4 snippet, verbatim at the top of main.py:
  ``POST /api/tasks`` with ``@auth.require_user``, ``db.tasks.create``, ``events.emit``), its ``app`` served by
  uvicorn, with ``MOZAIKS_ENV=production``, a fresh SQLite file and a 48-byte ``MOZAIKS_JWT_SECRET``. Its SQLite
  default is one connection behind a lock, WAL, ``synchronous=NORMAL``; the request's transaction commits the
  document and the outbox row together.
* **bare**: :func:`bare_app` below, the same handler written directly: read the JSON body, verify the HS256 JWT
  with PyJWT (same algorithm list, issuer, audience, leeway and required claims), then in the threadpool insert
  the task and an outbox row in **one** transaction on one sqlite3 connection behind a lock (WAL,
  ``synchronous=NORMAL``, the mozaiks-core default) and return ``{"id": …}``.

Both get the same token: HS256, ``sub``/``iss``/``aud``/``exp``/``typ``/``app_id``, no ``sid`` (a
built-in-provider token also carries a session id, which mozaiks-core checks in the database on every request;
``--session-token`` adds that case as a third line).

The load generator is ``wrk`` (one thread, N connections, a Lua script for the POST body and header; latency
percentiles from wrk's histogram) or, when wrk is missing or ``--client httpx``, an ``httpx.AsyncClient`` in this
process with N concurrent workers and a fixed number of requests. Each round runs every target once (a short
warm-up, then the timed part), the order alternating between rounds so drift hits all of them. The result of a
target is the median over rounds of requests/s, p50 and p99.

Output: one JSON line per target, then a summary line with ``p50_ratio`` = mozaiks-core p50 / bare p50 (target
≤ 1.5). Afterwards the databases are checked: every task has exactly one outbox row, and no request failed.

Usage::

    .venv/bin/python bench/core_bench.py [--connections 16] [--rounds 3] [--duration 8] [--client wrk|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "task-tracker-backend"
APP_ID = "task-tracker"  # App("task-tracker") in main.py: the default app id, issuer and audience
ISSUER = f"mozaiks-core:{APP_ID}"
BODY = b'{"title": "benchmark task"}'
TARGET_RATIO = 1.5
UVICORN_FLAGS = ["--workers", "1", "--no-access-log", "--log-level", "warning", "--no-proxy-headers"]


# --------------------------------------------------------------------------------------------------------------
# The bare handler (imported by its own uvicorn subprocess through ``--factory core_bench:bare_app``)
# --------------------------------------------------------------------------------------------------------------
BARE_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL,
                                  created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL,
                                   status TEXT NOT NULL DEFAULT 'pending', created_at REAL NOT NULL);
"""


def bare_app() -> Any:
    """Build the bare Starlette app from ``BENCH_BARE_DB`` and ``BENCH_JWT_SECRET``."""
    import threading

    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    secret = os.environ["BENCH_JWT_SECRET"]
    conn = sqlite3.connect(os.environ["BENCH_BARE_DB"], check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # what mozaiks-core's SQLite backend sets
    conn.executescript(BARE_SCHEMA)
    lock = threading.Lock()

    def create(authorization: str, title: str) -> JSONResponse:
        scheme, _, token = authorization.partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise jwt.InvalidTokenError("not a bearer token")
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                audience=APP_ID,
                issuer=ISSUER,
                leeway=30,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError:
            return JSONResponse({"error": "invalid token"}, status_code=401)
        task_id, now = secrets.token_hex(12), time.time()
        task = {"id": task_id, "title": title, "owner": claims["sub"], "created_at": now}
        with lock:
            conn.execute("BEGIN")
            try:
                conn.execute("INSERT INTO tasks VALUES (?, ?, ?, ?)", (task_id, claims["sub"], title, now))
                conn.execute(
                    "INSERT INTO outbox (id, type, data, created_at) VALUES (?, ?, ?, ?)",
                    (secrets.token_hex(12), "task.created", json.dumps(task), now),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return JSONResponse({"id": task_id})

    async def create_task(request: Request) -> JSONResponse:
        try:
            title = (await request.json())["title"]
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'expected {"title": …}'}, status_code=400)
        return await run_in_threadpool(create, request.headers.get("authorization", ""), title)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/api/tasks", create_task, methods=["POST"]), Route("/health", health, methods=["GET"])]
    )


# --------------------------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    db: Path
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Target:
    name: str
    server: Server
    token: str
    rounds: list[dict[str, float]] = field(default_factory=list)
    completed: int = 0  # 2xx responses counted by the client, warm-ups included
    failed: int = 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(name: str, cmd: list[str], env: dict[str, str], tmp: Path, db: Path) -> Server:
    port = _free_port()
    log = tmp / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*cmd, "--host", "127.0.0.1", "--port", str(port), *UVICORN_FLAGS],
            cwd=tmp,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, db, proc, port, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=1) as resp:
                if resp.status == 200:
                    return server
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise SystemExit(f"{name} did not start:\n{log.read_text()}")


def start_servers(tmp: Path, secret: str, started: list[Server]) -> tuple[Server, Server]:
    """Start both servers; each is appended to ``started`` at once, so the caller can stop it whatever happens."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MOZAIKS_", "BENCH_"))}
    core_db = tmp / "core.db"
    core_env = {
        **base,
        "MOZAIKS_ENV": "production",
        "MOZAIKS_JWT_SECRET": secret,
        "MOZAIKS_DB_URL": f"sqlite:///{core_db}",
    }
    core = _start(
        "mozaiks-core",
        [sys.executable, "-m", "uvicorn", "--app-dir", str(EXAMPLE), "main:app"],
        core_env,
        tmp,
        core_db,
    )
    started.append(core)
    bare_db = tmp / "bare.db"
    bare_env = {**base, "BENCH_JWT_SECRET": secret, "BENCH_BARE_DB": str(bare_db)}
    bare = _start(
        "bare",
        [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(__file__).parent), "--factory", "core_bench:bare_app"],
        bare_env,
        tmp,
        bare_db,
    )
    started.append(bare)
    return core, bare


def stop(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


def mint_token(secret: str, sub: str) -> str:
    now = int(time.time())
    claims = {"sub": sub, "iss": ISSUER, "aud": APP_ID, "iat": now, "exp": now + 3600, "typ": "access"}
    return jwt.encode({**claims, "app_id": APP_ID}, secret, algorithm="HS256")


def provider_token(server: Server) -> str:
    """Sign up through the built-in provider and return its access token (carries a session id)."""
    body = json.dumps({"email": f"bench-{secrets.token_hex(4)}@example.com", "password": "a long benchmark passphrase"})
    resp = httpx.post(f"{server.url}/api/auth/signup", content=body, headers={"content-type": "application/json"})
    resp.raise_for_status()
    return str(resp.json()["access_token"])


def smoke(target: Target) -> None:
    headers = {"authorization": f"Bearer {target.token}", "content-type": "application/json"}
    resp = httpx.post(f"{target.server.url}/api/tasks", content=BODY, headers=headers)
    if resp.status_code != 200 or set(resp.json()) != {"id"}:
        raise SystemExit(f"{target.name}: smoke request got {resp.status_code} {resp.text}")
    target.completed += 1


# --------------------------------------------------------------------------------------------------------------
# Load generators
# --------------------------------------------------------------------------------------------------------------
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '%(body)s'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "non2xx": %%d, "socket": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def run_wrk(target: Target, connections: int, seconds: float, tmp: Path) -> dict[str, float]:
    script = tmp / f"wrk-{target.name}.lua"
    if not script.exists():
        script.write_text(WRK_SCRIPT % {"body": BODY.decode(), "token": target.token})
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    out = subprocess.run([*cmd, f"{target.server.url}/api/tasks"], capture_output=True, text=True, check=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    r = json.loads(line.removeprefix("WRKJSON "))
    bad = r["non2xx"] + r["socket"]
    target.completed += r["requests"] - r["non2xx"]
    target.failed += bad
    return {
        "rps": r["requests"] / (r["duration_us"] / 1e6),
        "p50_ms": r["p50_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "requests": r["requests"],
        "failed": bad,
    }


async def _httpx_load(target: Target, connections: int, total: int) -> dict[str, float]:
    headers = {"authorization": f"Bearer {target.token}", "content-type": "application/json"}
    latencies: list[float] = []
    failed = 0
    remaining = total
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=target.server.url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal remaining, failed
            while remaining > 0:
                remaining -= 1
                t0 = time.perf_counter()
                resp = await client.post("/api/tasks", content=BODY, headers=headers)
                latencies.append(time.perf_counter() - t0)
                failed += resp.status_code != 200

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        wall = time.perf_counter() - t0
    latencies.sort()
    target.completed += total - failed
    target.failed += failed
    return {
        "rps": total / wall,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000,
        "requests": total,
        "failed": failed,
    }


def server_cpu(server: Server) -> float | None:
    """User + system CPU seconds of the server process so far (Linux ``/proc``; ``None`` elsewhere)."""
    try:
        fields = Path(f"/proc/{server.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(target: Target, args: argparse.Namespace, tmp: Path, warmup: bool) -> dict[str, float]:
    cpu0 = server_cpu(target.server)
    if args.client == "wrk":
        result = run_wrk(target, args.connections, args.warmup if warmup else args.duration, tmp)
    else:
        count = args.warmup_requests if warmup else args.requests
        result = asyncio.run(_httpx_load(target, args.connections, count))
    cpu1 = server_cpu(target.server)
    if cpu0 is not None and cpu1 is not None:
        # Server CPU per request: the servers are CPU-bound (one process, one GIL), so this explains the rest.
        result["server_cpu_us"] = (cpu1 - cpu0) / result["requests"] * 1e6
    return result


# --------------------------------------------------------------------------------------------------------------
# Checks and report
# --------------------------------------------------------------------------------------------------------------
def check_databases(core: Server, bare: Server, targets: list[Target], connections: int, runs: int) -> dict[str, Any]:
    """Tasks and outbox rows written by each server; fails unless every task has its event."""
    with closing(sqlite3.connect(core.db)) as c:
        count = "SELECT COUNT(*) FROM mozaiks_documents WHERE collection = ?"
        core_tasks = c.execute(count, ("tasks",)).fetchone()[0]
        core_events = c.execute(count, ("_mz_outbox",)).fetchone()[0]
    with closing(sqlite3.connect(bare.db)) as c:
        bare_tasks = c.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
        bare_events = c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    counted = {s.name: sum(t.completed for t in targets if t.server is s) for s in (core, bare)}
    written = {core.name: (core_tasks, core_events), bare.name: (bare_tasks, bare_events)}
    for name, (tasks, events) in written.items():
        # wrk stops with requests in flight: the server finishes those, the client does not count them.
        if tasks != events or not counted[name] <= tasks <= counted[name] + connections * runs:
            raise SystemExit(f"{name}: {tasks} tasks, {events} outbox rows, {counted[name]} successful responses")
    failed = sum(t.failed for t in targets)
    if failed:
        raise SystemExit(f"{failed} requests failed")
    return {name: {"tasks": t, "outbox": e} for name, (t, e) in written.items()}


def summarise(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    def med(key: str) -> float:
        return round(statistics.median(r[key] for r in target.rounds), 3)

    return {
        "bench": "core-task-create",
        "server": target.name,
        "client": args.client,
        "connections": args.connections,
        "rps": round(med("rps"), 1),
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        **({"server_cpu_us_per_req": round(med("server_cpu_us"))} if "server_cpu_us" in target.rounds[0] else {}),
        "rounds": [{k: round(v, 3) for k, v in r.items()} for r in target.rounds],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--duration", type=int, default=8, help="wrk: timed seconds per target and round")
    parser.add_argument("--warmup", type=int, default=1, help="wrk: warm-up seconds before each timed part")
    parser.add_argument("--requests", type=int, default=3000, help="httpx: timed requests per target and round")
    parser.add_argument("--warmup-requests", type=int, default=300, help="httpx: warm-up requests")
    parser.add_argument(
        "--session-token", action="store_true", help="add mozaiks-core with a built-in-provider token (session check)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="core-bench-"))
    secret = secrets.token_urlsafe(48)
    started: list[Server] = []
    try:
        core, bare = start_servers(tmp, secret, started)
        token = mint_token(secret, "bench-user")
        targets = [Target("mozaiks-core", core, token), Target("bare-starlette", bare, token)]
        if args.session_token:
            targets.append(Target("mozaiks-core+session", core, provider_token(core)))
        for t in targets:
            smoke(t)
            measure(t, args, tmp, warmup=True)  # first warm-up: imports, caches, SQLite pages
        runs = 1
        for i in range(args.rounds):
            for t in targets if i % 2 == 0 else targets[::-1]:
                measure(t, args, tmp, warmup=True)
                t.rounds.append(measure(t, args, tmp, warmup=False))
                runs += 2
        for server in (core, bare):
            stop(server)  # let in-flight requests finish before counting rows
        rows = check_databases(core, bare, targets, args.connections, runs)
        lines = [summarise(t, args) for t in targets]
        for line in lines:
            print(json.dumps(line), flush=True)
        core_line, bare_line = lines[0], lines[1]
        paired = [c["p50_ms"] / b["p50_ms"] for c, b in zip(targets[0].rounds, targets[1].rounds, strict=True)]
        ratio = core_line["p50_ms"] / bare_line["p50_ms"]
        summary = {
            "bench": "core-task-create",
            "summary": True,
            "p50_ratio": round(ratio, 3),
            "p50_ratio_per_round": [round(x, 3) for x in paired],
            "rps_ratio": round(core_line["rps"] / bare_line["rps"], 3),
            "target": TARGET_RATIO,
            "met": ratio <= TARGET_RATIO,
            "rows": rows,
        }
        print(json.dumps(summary), flush=True)
    finally:
        for server in started:
            stop(server)
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
