#!/usr/bin/env python3
"""mozaiks-ai engine overhead, as one more peer of the shared ``bench/peers`` harness.

This script follows the harness contract (``common.py``: ``--scenario {s1,s2,s3}``, one JSON
line of schema ``peers-bench/1`` on stdout). The harness itself is not copied: ``common`` is
imported from the peers directory, ``$MOZAIKS_BENCH_PEERS`` or ``<repo>/../shared/bench/peers``.

Variants
  sqlite         our default store: SQLite file, WAL, ``synchronous=FULL`` (fsync per commit);
                 every step's record is committed before the next step starts (group commit
                 lets concurrent runs share a commit, each still waits for its own).
  sqlite-normal  the same file with ``?synchronous=normal`` (WAL: crash-safe, not power-loss-safe).
  postgres       PostgreSQL on 127.0.0.1 (env ``BENCH_MOZAIKS_PG_URL``, default
                 ``postgresql://postgres@127.0.0.1:5432/mozaiks_bench``; the database is created
                 when missing, and re-created when the state dir is new, e.g. ``s3 --fresh-state``).

Workflows are YAML generated under ``<state dir>/workflows/<scenario>/`` (one folder per scenario,
so an engine only loads the workflow it runs): k sequential ``echo`` steps, step i returning
``{"i": i, "ok": true}`` (echo returns its params mapping as its output).

S1: ``engine.run("s1_200")``. S2: 200 runs of ``s2_5`` started together through
``common.gather_limited``. S3 (``s3-once`` child, timed whole by hyperfine): the engine is opened
and run exactly as ``mozaiks-ai run s3_5 --json -w <root> --db <url>`` does (``cli`` imported,
``config_from`` reading the environment, entry points loaded, ``async with Engine``), on a 5-step
workflow. The CLI itself (``mozaiks-ai run hello-world``) is timed by ``bench/cold_start.sh``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = os.path.dirname(os.path.realpath(__file__))  # <repo>/bench, also when run via a symlink
REPO = os.path.dirname(BENCH_DIR)
PEERS = os.environ.get("MOZAIKS_BENCH_PEERS") or os.path.join(REPO, "..", "shared", "bench", "peers")
PEERS = os.path.realpath(PEERS)
if not os.path.isfile(os.path.join(PEERS, "common.py")):
    raise SystemExit(f"bench/peers harness not found at {PEERS} (set MOZAIKS_BENCH_PEERS)")
sys.path.insert(0, PEERS)
# common.py defaults its results dir to <peers>/results, which is read-only shared material:
# default to <repo>/bench/results instead (run_all.sh sets BENCH_RESULTS_DIR anyway).
os.environ.setdefault("BENCH_RESULTS_DIR", os.path.join(BENCH_DIR, "results"))

from common import Ctx, Peer, gather_limited, main, step_result  # noqa: E402
from mozaiks_ai import Engine, RuntimeConfig  # noqa: E402

PG_URL = os.environ.get("BENCH_MOZAIKS_PG_URL", "postgresql://postgres@127.0.0.1:5432/mozaiks_bench")


# -- workflows ---------------------------------------------------------------------------------
def workflow_yaml(workflow_id: str, k: int) -> str:
    lines = [f"name: {workflow_id}", f"description: {k} sequential no-op echo steps (peers benchmark)", "steps:"]
    lines += [f"  - s{i}: {{echo: {{i: {i}, ok: true}}}}" for i in range(k)]
    return "\n".join(lines) + "\n"


def ensure_workflow(ctx: Ctx, scenario: str, k: int) -> tuple[Path, str]:
    """Write ``<state>/workflows/<scenario>/<scenario>_<k>.yml`` (if not already there); return (root, id)."""
    workflow_id = f"{scenario}_{k}"
    root = Path(ctx.state_dir) / "workflows" / scenario
    file = root / f"{workflow_id}.yml"
    text = workflow_yaml(workflow_id, k)
    if not file.is_file() or file.read_text() != text:
        root.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(file)
    return root, workflow_id


# -- store -------------------------------------------------------------------------------------
def db_url(ctx: Ctx) -> str:
    if ctx.variant == "postgres":
        return PG_URL
    url = "sqlite:///" + os.path.join(ctx.state_dir, "mozaiks.db")
    return url + ("?synchronous=normal" if ctx.variant == "sqlite-normal" else "")


async def prepare_pg(url: str, fresh: bool) -> None:
    """Create the bench database if missing; with ``fresh``, drop it first (bench databases only)."""
    from urllib.parse import urlsplit, urlunsplit

    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin)
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        if fresh and "bench" in name:  # never drop a database that is not obviously a bench one
            await conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f"CREATE DATABASE {quoted}")
    finally:
        await conn.close()


async def setup(ctx: Ctx) -> None:
    url = db_url(ctx)
    marker = os.path.join(ctx.state_dir, ".initialized")
    if ctx.variant == "postgres" and not os.path.exists(marker):
        # new state dir (first run, CLEAN=1 or s3 --fresh-state): start from an empty database
        await prepare_pg(url, fresh=True)
    args = ctx.args
    if args.scenario == "s3-once":
        # Open nothing here: run_cold does what `mozaiks-ai run` does, from config to result.
        ctx.extra["cold"] = ensure_workflow(ctx, "s3", args.n if args.n is not None else 5)
        ctx.extra["url"] = url
    else:
        if args.scenario == "s1":
            root, wf = ensure_workflow(ctx, "s1", args.n if args.n is not None else 200)
        else:
            root, wf = ensure_workflow(ctx, "s2", args.steps)
        cfg = RuntimeConfig.from_env({}, workflow_paths=(root,), db_url=url, load_entry_points=False)
        engine = await Engine.open(cfg)
        if wf not in engine.registry.workflows:
            await engine.close()
            raise SystemExit(f"generated workflow {wf} did not load: {engine.registry.invalid}")
        ctx.extra.update(engine=engine, wf=wf)
    open(marker, "w").close()


async def teardown(ctx: Ctx) -> None:
    engine = ctx.extra.pop("engine", None)
    if engine is not None:
        await engine.close()


# -- scenarios ---------------------------------------------------------------------------------
async def run_s1(ctx: Ctx, n: int) -> Any:
    return await ctx.extra["engine"].run(ctx.extra["wf"], {})


async def run_s2(ctx: Ctx, m: int, steps: int) -> Any:
    engine, wf = ctx.extra["engine"], ctx.extra["wf"]
    return await gather_limited(lambda i: engine.run(wf, {}), m, ctx.args.concurrency)


async def run_cold(ctx: Ctx, steps: int) -> Any:
    """What ``mozaiks-ai run s3_<steps> --json -w ROOT --db URL`` does in its process."""
    import mozaiks_ai.cli  # noqa: F401  (the CLI process imports it: click, rich, commands)
    from mozaiks_ai.cli._common import config_from

    root, wf = ctx.extra["cold"]
    config = config_from((str(root),), ctx.extra["url"])  # environment + CLI options, entry points on
    engine = await Engine.open(config)
    ctx.extra["engine"] = engine  # closed by teardown, after the harness took its ttfw timestamp
    run = await engine.run(wf, {})
    if run.status != "succeeded" or run.output != step_result(steps - 1):
        raise SystemExit(f"cold run {run.id} ended {run.status}: output={run.output!r} error={run.error!r}")
    return run


# -- verification (untimed) --------------------------------------------------------------------
async def check_run(engine: Engine, run: Any, steps: int) -> dict[str, Any]:
    """The run's result, and what the store holds for it: the run row and one record per step."""
    stored = await engine.store.get_run(run.id)
    records = await engine.store.get_steps(run.id)
    by_path = {r.path: r for r in records}
    steps_ok = len(records) == steps and all(
        (r := by_path.get(f"s{i}")) is not None and r.status == "completed" and r.output == step_result(i)
        for i in range(steps)
    )
    ok = (
        run.status == "succeeded"
        and run.output == step_result(steps - 1)
        and stored is not None
        and stored.status == "succeeded"
        and stored.output == step_result(steps - 1)
        and steps_ok
    )
    return {"ok": ok, "persisted_steps": len(records), "status": stored.status if stored else None}


async def verify_s1(ctx: Ctx, n: int, run: Any) -> dict[str, Any]:
    return await check_run(ctx.extra["engine"], run, n)


async def verify_s2(ctx: Ctx, m: int, steps: int, runs: Any) -> dict[str, Any]:
    engine = ctx.extra["engine"]
    checks = [await check_run(engine, run, steps) for run in runs]  # every run, not a sample
    return {
        "ok": len(runs) == m and len({r.id for r in runs}) == m and all(c["ok"] for c in checks),
        "workflows": len(runs),
        "checked_workflows": len(checks),
        "persisted_steps": sum(c["persisted_steps"] for c in checks),
        "succeeded": sum(c["status"] == "succeeded" for c in checks),
    }


def _version() -> str:
    from importlib.metadata import version

    return version("mozaiks-ai")


PEER = Peer(
    name="mozaiks-ai",
    variants=["sqlite", "sqlite-normal", "postgres"],
    version=_version,
    setup=setup,
    teardown=teardown,
    run_s1=run_s1,
    run_s2=run_s2,
    run_cold=run_cold,
    verify_s1=verify_s1,
    verify_s2=verify_s2,
    durable=lambda v: True,
    describe=lambda v: {
        "sqlite": "YAML echo steps, SQLite store (default: WAL, synchronous=FULL), each step committed before the next",
        "sqlite-normal": "YAML echo steps, SQLite store ?synchronous=normal (WAL)",
        "postgres": "YAML echo steps, PostgreSQL 15 store on 127.0.0.1 (asyncpg), each step committed before the next",
    }[v],
    env_notes={"BENCH_MOZAIKS_PG_URL": PG_URL},
)

if __name__ == "__main__":
    main(PEER)
