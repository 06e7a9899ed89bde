"""The :class:`~mozaiks_ai.state.base.Store` contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from contextlib import closing
from typing import Any

import pytest
from mozaiks_ai.errors import ConfigurationError, StoreError
from mozaiks_ai.state import ArtifactRecord, Batch, EventRecord, RunRecord, StepRecord, Store, open_store

pytestmark = pytest.mark.anyio


def make_run(run_id: str, **fields: Any) -> RunRecord:
    """Return a run record of workflow ``wf`` with the given fields."""
    return RunRecord(id=run_id, workflow_id=fields.pop("workflow_id", "wf"), workflow_hash="h", **fields)


def step(run_id: str, path: str, **fields: Any) -> StepRecord:
    """Return a completed step record."""
    return StepRecord(run_id=run_id, path=path, status=fields.pop("status", "completed"), **fields)


def event(run_id: str, seq: int, **fields: Any) -> EventRecord:
    """Return an event record."""
    return EventRecord(run_id=run_id, seq=seq, type=fields.pop("type", "step.completed"), ts=float(seq), **fields)


async def opened(url: str) -> Store:
    """Return a second, open store on the same database (another node)."""
    other = open_store(url)
    await other.open()
    return other


# -- runs -----------------------------------------------------------------------------------


async def test_create_get_and_list_runs(store: Store) -> None:
    r1 = make_run(
        "r1",
        app_id="a",
        user_id="u1",
        created_at=1.0,
        input={"z": 1, "a": [1, 2]},
        context={"trigger": "task.created", "event": {"id": "t1"}},
    )
    r2 = make_run("r2", app_id="a", user_id="u2", status="running", created_at=2.0, workflow_id="other")
    r3 = make_run(
        "r3",
        app_id="b",
        user_id="u1",
        status="succeeded",
        created_at=3.0,
        output={"ok": True},
        error={"message": "x", "type": "E", "step": "s"},
        session_id="s1",
        parent_run_id="r1",
        wake_at=5.5,
        owner="w",
        lease_until=9.25,
        cancel_requested=True,
    )
    for run in (r1, r2, r3):
        assert await store.create_run(run) == (run, True)

    assert await store.get_run("r1") == r1
    assert await store.get_run("r3") == r3
    assert await store.get_run("missing") is None
    assert await store.get_run("r1", app_id="a") == r1
    assert await store.get_run("r1", app_id="b") is None

    assert [r.id for r in await store.list_runs()] == ["r3", "r2", "r1"]
    assert [r.id for r in await store.list_runs(app_id="a")] == ["r2", "r1"]
    assert [r.id for r in await store.list_runs(user_id="u1")] == ["r3", "r1"]
    assert [r.id for r in await store.list_runs(status="running")] == ["r2"]
    assert [r.id for r in await store.list_runs(workflow_id="other")] == ["r2"]
    assert [r.id for r in await store.list_runs(app_id="a", user_id="u1")] == ["r1"]
    assert [r.id for r in await store.list_runs(app_id="b", status="pending")] == []
    assert [r.id for r in await store.list_runs(limit=2)] == ["r3", "r2"]


async def test_create_run_with_a_taken_id_raises(store: Store) -> None:
    await store.create_run(make_run("r1"))
    with pytest.raises(StoreError, match="r1"):
        await store.create_run(make_run("r1"))


async def test_create_run_with_a_taken_id_and_a_new_idempotency_key_raises(store: Store, store_url: str) -> None:
    await store.create_run(make_run("r1", idempotency_key="k1"))
    with pytest.raises(StoreError, match="r1"):
        await store.create_run(make_run("r1", idempotency_key="k2"))


async def test_idempotency_key_maps_to_one_run_per_app(store: Store) -> None:
    _, created = await store.create_run(make_run("r1", idempotency_key="k"))
    assert created
    again, created = await store.create_run(make_run("r2", idempotency_key="k"))
    assert (again.id, created) == ("r1", False)
    other_app, created = await store.create_run(make_run("r3", app_id="other", idempotency_key="k"))
    assert (other_app.id, created) == ("r3", True)
    assert await store.get_run("r2") is None


async def test_idempotency_key_race(store: Store, store_url: str) -> None:
    other = await opened(store_url)
    try:
        results = await asyncio.gather(
            *((store if i % 2 else other).create_run(make_run(f"r{i}", idempotency_key="same")) for i in range(20))
        )
    finally:
        await other.close()
    assert sum(created for _, created in results) == 1
    assert len({run.id for run, _ in results}) == 1
    assert len(await store.list_runs()) == 1


async def test_update_run(store: Store) -> None:
    run = make_run("r1", updated_at=1.0)
    await store.create_run(run)
    await store.update_run(
        "r1", status="succeeded", output={"b": 2, "a": [1]}, cancel_requested=True, error={"message": "m"}
    )
    got = await store.get_run("r1")
    assert got is not None
    assert (got.status, got.output, got.cancel_requested, got.error) == (
        "succeeded",
        {"b": 2, "a": [1]},
        True,
        {"message": "m"},
    )
    assert got.updated_at > 1.0
    assert got.created_at == run.created_at


@pytest.mark.parametrize("column", ["nope", "id", "created_at"])
async def test_update_run_rejects_unknown_or_immutable_columns(store: Store, column: str) -> None:
    await store.create_run(make_run("r1"))
    with pytest.raises(ValueError, match=column):
        await store.update_run("r1", **{column: "x"})
    assert await store.get_run("r1") is not None


async def test_store_must_be_opened(store_url: str) -> None:
    with pytest.raises(StoreError, match="not open"):
        await open_store(store_url).get_run("r1")


async def test_many_nodes_open_the_same_database_at_once(store_url: str) -> None:
    stores = [open_store(store_url) for _ in range(5)]
    await asyncio.gather(*(s.open() for s in stores))
    try:
        await stores[0].create_run(make_run("r1"))
        assert [await s.get_run("r1") is not None for s in stores] == [True] * 5
    finally:
        await asyncio.gather(*(s.close() for s in stores))


# -- batches --------------------------------------------------------------------------------


async def test_submit_batch_writes_everything(store: Store) -> None:
    await store.create_run(make_run("r1"))
    blob = bytes(range(256)) + b"\x00end"
    s1 = step(
        "r1",
        "a",
        output={"text": "hi", "n": [1, 2.5, None]},
        attempts=2,
        started_at=1.0,
        finished_at=2.0,
        data={"tokens": 3},
    )
    s2 = step("r1", "b", status="failed", error={"message": "boom", "type": "ToolError", "step": "b"}, started_at=3.0)
    batch = Batch(
        run_updates=[("r1", {"status": "running", "context": {"k": "v"}})],
        steps=[s1, s2],
        events=[event("r1", 1, step="a", data={"output": {"x": 1}}), event("r1", 2, type="run.started")],
        artifacts=[
            ArtifactRecord("r1", "out/blob.bin", blob, "application/octet-stream", 5.0),
            ArtifactRecord("r1", "a.txt", b"text", created_at=6.0),
        ],
    )
    await store.submit(batch)

    assert await store.get_steps("r1") == [s1, s2]
    assert await store.list_events("r1") == batch.events
    assert [a.path for a in await store.list_artifacts("r1")] == ["a.txt", "out/blob.bin"]
    art = await store.get_artifact("r1", "out/blob.bin")
    assert art == batch.artifacts[0]
    assert art is not None and art.content == blob and art.size == len(blob)
    assert await store.get_artifact("r1", "missing") is None
    run = await store.get_run("r1")
    assert run is not None and (run.status, run.context) == ("running", {"k": "v"})

    # Upserts replace rows with the same key.
    s1b = step("r1", "a", status="failed", output=None, attempts=3, started_at=1.0)
    await store.submit(Batch(steps=[s1b], artifacts=[ArtifactRecord("r1", "a.txt", b"v2", created_at=7.0)]))
    assert await store.get_steps("r1") == [s1b, s2]
    assert (await store.get_artifact("r1", "a.txt")) == ArtifactRecord("r1", "a.txt", b"v2", created_at=7.0)

    # Run updates apply in order (the last one wins), also across batches of one group.
    await asyncio.gather(
        store.submit(Batch(run_updates=[("r1", {"status": "waiting"}), ("r1", {"status": "failed"})])),
        store.submit(Batch(run_updates=[("r1", {"status": "succeeded"})])),
    )
    run = await store.get_run("r1")
    assert run is not None and run.status == "succeeded"


async def test_concurrent_submits_are_all_committed(store: Store, store_url: str) -> None:
    await store.create_run(make_run("r1"))
    futures = []
    for seq in range(1, 201):
        futures.append(store.submit(Batch(events=[event("r1", seq)], steps=[step("r1", f"s{seq}")])))
        if seq % 50 == 0:
            await asyncio.sleep(0)  # let a commit start while more batches arrive
    assert await asyncio.gather(*futures) == [None] * 200
    assert [e.seq for e in await store.list_events("r1")] == list(range(1, 201))
    assert len(await store.get_steps("r1")) == 200
    other = await opened(store_url)
    try:
        assert await other.last_seq("r1") == 200
    finally:
        await other.close()


async def test_close_flushes_submitted_batches(store_url: str) -> None:
    s = await opened(store_url)
    await s.create_run(make_run("r1"))
    s.submit(Batch(events=[event("r1", 1)]))  # fire and forget
    await s.close()
    s = await opened(store_url)
    try:
        assert await s.last_seq("r1") == 1
    finally:
        await s.close()


async def test_delete_steps_removes_path_and_children_only(store: Store) -> None:
    await store.create_run(make_run("r1"))
    await store.create_run(make_run("r2"))
    paths = ["a", "a.b", "a.b.c", "a[0].c", "a[1]", "ab", "a_b", "a%", "b", "b.a"]
    await store.submit(Batch(steps=[step("r1", p) for p in paths] + [step("r2", "a.b")]))
    await store.submit(Batch(delete_steps=[("r1", "a")]))
    assert sorted(s.path for s in await store.get_steps("r1")) == ["a%", "a_b", "ab", "b", "b.a"]
    assert [s.path for s in await store.get_steps("r2")] == ["a.b"]
    # Paths are not patterns: deleting ``a_b`` leaves ``aXb.c`` alone.
    await store.submit(Batch(steps=[step("r1", "a_b.c"), step("r1", "aXb.c")], delete_steps=[("r1", "ab")]))
    await store.submit(Batch(delete_steps=[("r1", "a_b"), ("r1", "a%")]))
    assert sorted(s.path for s in await store.get_steps("r1")) == ["aXb.c", "b", "b.a"]
    await store.submit(Batch(steps=[step("r1", p) for p in ("a%", "a_b", "ab")], delete_steps=[("r1", "aXb")]))

    # Within a batch deletes come first; across batches of one group, order is kept.
    await store.submit(Batch(delete_steps=[("r1", "b")], steps=[step("r1", "b", attempts=2)]))
    f1 = store.submit(Batch(steps=[step("r1", "x.y"), step("r1", "x")]))
    f2 = store.submit(Batch(delete_steps=[("r1", "x")]))
    f3 = store.submit(Batch(steps=[step("r1", "x", attempts=5)]))
    await asyncio.gather(f1, f2, f3)
    steps = {s.path: s for s in await store.get_steps("r1")}
    assert sorted(steps) == ["a%", "a_b", "ab", "b", "x"]
    assert (steps["b"].attempts, steps["x"].attempts) == (2, 5)


async def test_get_steps_order(store: Store) -> None:
    await store.create_run(make_run("r1"))
    await store.submit(
        Batch(
            steps=[
                step("r1", "b", started_at=2.0),
                step("r1", "a", started_at=2.0),
                step("r1", "z", started_at=1.0),
                step("r1", "w"),
            ]
        )
    )
    assert [s.path for s in await store.get_steps("r1")] == ["w", "z", "a", "b"]


async def test_list_events_after_limit_and_last_seq(store: Store) -> None:
    await store.create_run(make_run("r1"))
    await store.create_run(make_run("r2"))
    assert await store.last_seq("r1") == 0
    await store.submit(Batch(events=[event("r1", s) for s in (3, 1, 2, 10, 4, 5, 6, 7, 8, 9)]))
    await store.submit(Batch(events=[event("r2", 1)]))
    assert [e.seq for e in await store.list_events("r1")] == list(range(1, 11))
    assert [e.seq for e in await store.list_events("r1", after=3)] == list(range(4, 11))
    assert [e.seq for e in await store.list_events("r1", after=3, limit=2)] == [4, 5]
    assert await store.list_events("r1", after=10) == []
    assert await store.list_events("r1", limit=0) == []
    assert await store.last_seq("r1") == 10
    assert await store.last_seq("r2") == 1
    assert await store.last_seq("missing") == 0


async def test_failing_commit_rejects_its_group_and_keeps_earlier_data(store: Store) -> None:
    await store.create_run(make_run("r1"))
    await store.submit(Batch(events=[event("r1", 1)], steps=[step("r1", "a")]))
    good = store.submit(Batch(events=[event("r1", 2)], steps=[step("r1", "b")]))
    bad = store.submit(Batch(events=[event("r1", 3)], run_updates=[("r1", {"no_such_column": 1})]))
    results = await asyncio.gather(good, bad, return_exceptions=True)
    assert [type(r) for r in results] == [ValueError, ValueError]
    assert [e.seq for e in await store.list_events("r1")] == [1]
    assert [s.path for s in await store.get_steps("r1")] == ["a"]
    # The store keeps working after a failed group.
    await store.submit(Batch(events=[event("r1", 2)]))
    assert await store.last_seq("r1") == 2


# -- leases ---------------------------------------------------------------------------------


async def test_claim(store: Store) -> None:
    await store.create_run(make_run("r1"))
    assert await store.claim("r1", "w1", 60)
    assert not await store.claim("r1", "w2", 60)
    assert await store.claim("r1", "w1", 60)  # already ours
    assert await store.claim("r1", "w2", 60, force=True)
    run = await store.get_run("r1")
    assert run is not None and run.owner == "w2" and run.lease_until is not None and run.lease_until > time.time()
    assert await store.claim("r1", "w2", -1)  # lease now expired...
    assert await store.claim("r1", "w1", 60)  # ...so another worker takes it
    assert not await store.claim("missing", "w1", 60)
    assert not await store.claim("missing", "w1", 60, force=True)


async def test_claim_ready_returns_only_runs_that_need_a_worker(store: Store) -> None:
    now = time.time()
    past, future = now - 100, now + 100
    runs: dict[str, tuple[dict[str, Any], bool]] = {
        "pending": ({"status": "pending"}, True),
        "pending-expired": ({"status": "pending", "owner": "dead", "lease_until": past}, True),
        "running-expired": ({"status": "running", "owner": "dead", "lease_until": past}, True),
        "running-no-lease": ({"status": "running"}, True),
        "running-live": ({"status": "running", "owner": "w", "lease_until": future}, False),
        "waiting-due": ({"status": "waiting", "wake_at": past}, True),
        "waiting-due-expired": ({"status": "waiting", "wake_at": past, "owner": "x", "lease_until": past}, True),
        "waiting-due-live": ({"status": "waiting", "wake_at": past, "owner": "x", "lease_until": future}, False),
        "waiting-later": ({"status": "waiting", "wake_at": future}, False),
        "waiting-input": ({"status": "waiting"}, False),
        "succeeded": ({"status": "succeeded"}, False),
        "failed": ({"status": "failed", "lease_until": past}, False),
        "cancelled": ({"status": "cancelled"}, False),
    }
    for i, (run_id, (fields, _)) in enumerate(runs.items()):
        await store.create_run(make_run(run_id, created_at=1000.0 - i, **fields))
    expected = sorted((r for r, (_, ready) in runs.items() if ready), key=lambda r: -list(runs).index(r))

    assert [r.id for r in await store.claim_ready("me", 60, limit=2)] == expected[:2]
    claimed = await store.claim_ready("me", 60, limit=100)
    assert [r.id for r in claimed] == expected[2:]
    for run in claimed:
        stored = await store.get_run(run.id)
        assert stored == run
        assert run.owner == "me" and run.lease_until is not None and run.lease_until > now


async def test_claim_ready_skips_pending_runs_with_a_live_lease(store: Store, store_url: str) -> None:
    await store.create_run(make_run("r1"))
    await store.create_run(make_run("r2"))
    assert await store.claim("r1", "api-node", 60)
    assert [r.id for r in await store.claim_ready("worker", 60, limit=10)] == ["r2"]
    assert await store.claim_ready("other-worker", 60, limit=10) == []


async def test_concurrent_claim_ready_never_claims_a_run_twice(store: Store, store_url: str) -> None:
    ids = [f"r{i:02d}" for i in range(30)]
    for i, run_id in enumerate(ids):
        await store.create_run(make_run(run_id, created_at=float(i)))
    other = await opened(store_url)
    claims: list[str] = []
    try:
        for _ in range(20):
            a, b = await asyncio.gather(store.claim_ready("a", 60, 4), other.claim_ready("b", 60, 4))
            if not a and not b:
                break
            claims += [r.id for r in a] + [r.id for r in b]
    finally:
        await other.close()
    assert len(claims) == len(set(claims)), "a run was claimed twice"
    assert sorted(claims) == ids


async def test_renew_leases(store: Store) -> None:
    old = time.time() + 5
    for run_id, status, owner in [
        ("p", "pending", "w"),
        ("r", "running", "w"),
        ("wt", "waiting", "w"),
        ("s", "succeeded", "w"),
        ("o", "running", "other"),
    ]:
        await store.create_run(make_run(run_id, status=status, owner=owner, lease_until=old))
    before = time.time()
    await store.renew_leases("w", 100)
    leases = {r.id: r.lease_until for r in await store.list_runs()}
    assert all(lease is not None and lease >= before + 100 for lease in (leases["p"], leases["r"]))
    assert (leases["wt"], leases["s"], leases["o"]) == (old, old, old)


# -- pruning --------------------------------------------------------------------------------


async def test_prune_removes_only_old_finished_runs(store: Store) -> None:
    cutoff = 1000.0
    runs = {
        "old-ok": ("succeeded", 10.0),
        "old-failed": ("failed", 10.0),
        "old-cancelled": ("cancelled", 999.0),
        "new-ok": ("succeeded", 2000.0),
        "old-running": ("running", 10.0),
        "old-waiting": ("waiting", 10.0),
        "old-pending": ("pending", 10.0),
    }
    for run_id, (status, updated_at) in runs.items():
        await store.create_run(make_run(run_id, status=status, created_at=1.0, updated_at=updated_at))
        await store.submit(
            Batch(
                steps=[step(run_id, "a")], events=[event(run_id, 1)], artifacts=[ArtifactRecord(run_id, "f.txt", b"x")]
            )
        )
    assert await store.prune(cutoff) == 3
    kept = {"new-ok", "old-running", "old-waiting", "old-pending"}
    assert {r.id for r in await store.list_runs()} == kept
    for run_id in runs:
        expected = 1 if run_id in kept else 0
        assert len(await store.get_steps(run_id)) == expected
        assert len(await store.list_events(run_id)) == expected
        assert len(await store.list_artifacts(run_id)) == expected
    assert await store.prune(cutoff) == 0


# -- PostgreSQL specifics (no server needed) ---------------------------------------------------


async def test_postgres_without_asyncpg_explains_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from mozaiks_ai.state.postgres import PostgresStore

    monkeypatch.setitem(sys.modules, "asyncpg", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'mozaiks-ai\[postgres\]'"):
        await PostgresStore("postgresql://u@127.0.0.1:1/db").open()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+asyncpg://user:s3cret@127.0.0.1:1/db", "postgresql://user:***@127.0.0.1:1/db"),
        ("postgresql://user@127.0.0.1:1/db", "postgresql://user@127.0.0.1:1/db"),
    ],
)
async def test_postgres_unreachable_is_a_store_error_without_password(url: str, shown: str) -> None:
    pytest.importorskip("asyncpg")
    with pytest.raises(StoreError, match="cannot connect") as info:
        await open_store(url).open()
    assert "s3cret" not in str(info.value) and shown in str(info.value)


async def test_open_reports_an_incompatible_existing_schema(store_url: str) -> None:
    """A foreign ``runs`` table makes creating the indexes fail: a StoreError, not a driver error."""
    if store_url.startswith("sqlite"):
        with closing(sqlite3.connect(store_url.removeprefix("sqlite:///"))) as db:
            db.execute("CREATE TABLE runs (id INTEGER)")
    else:
        import asyncpg  # type: ignore[import-untyped, unused-ignore]

        conn = await asyncpg.connect(store_url)
        try:
            await conn.execute("CREATE TABLE runs (id INTEGER)")
        finally:
            await conn.close()
    with pytest.raises(StoreError):
        await open_store(store_url).open()


async def test_usage_rows_sum_per_run_and_app_and_survive_pruning(store: Store) -> None:
    from mozaiks_ai.state.records import UsageRecord

    await store.create_run(make_run("r1", app_id="a", status="succeeded"))
    await store.create_run(make_run("r2", app_id="a"))
    await store.create_run(make_run("r3", app_id="b"))
    rows = [
        UsageRecord("r1", "a", 1, "openai", "gpt-4o-mini", 10, 5, 0.001, 12.0),
        UsageRecord("r1", "a", 2, "openai", "gpt-4o-mini", 20, 7, 0.002, 10.0),
        UsageRecord("r2", "a", 1, "offline", "offline", 3, 4, 0.0, 0.1),
        UsageRecord("r3", "b", 1, "openai", "gpt-4o", 100, 100, 1.0, 50.0),
    ]
    await store.submit(Batch(usage=rows))
    run_totals = await store.usage_totals(run_id="r1")
    assert (run_totals["calls"], run_totals["input_tokens"], run_totals["output_tokens"]) == (2, 30, 12)
    assert run_totals["cost"] == pytest.approx(0.003)
    app_totals = await store.usage_totals(app_id="a")
    assert app_totals["calls"] == 3 and app_totals["input_tokens"] == 33
    assert [m["model"] for m in app_totals["by_model"]] == ["offline", "gpt-4o-mini"]
    await store.update_run("r1", updated_at=0.0)
    await store.prune(finished_before=1e12)
    assert (await store.usage_totals(app_id="a"))["input_tokens"] == 33, "accounting outlives pruned runs"
