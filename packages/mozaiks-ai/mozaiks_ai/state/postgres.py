"""PostgreSQL store: the multi-node backend (``postgresql://user:password@host:5432/db``).

Any number of processes (API nodes and workers, on any number of machines) may share one database:

* :meth:`PostgresStore.open` creates missing tables under a transaction-scoped advisory lock, so
  nodes that start at the same moment don't race on ``CREATE TABLE`` (once the schema exists, a
  role without ``CREATE`` rights can open the store);
* :meth:`PostgresStore.claim_ready` locks candidate rows with ``FOR UPDATE SKIP LOCKED`` and only
  takes runs whose lease is free or expired, so two workers never claim the same run; a node that
  dies stops renewing its leases and its runs become claimable again once they expire;
* an idempotency key maps to one run per app through a unique index and
  ``INSERT ... ON CONFLICT DO NOTHING``, so concurrent requests on different nodes get the same run.

Group commit works per process: each group is one transaction on one connection of an asyncpg pool
(1 to 10 connections). JSON columns hold the exact text :func:`~mozaiks_ai.state._codec.dumps`
produced (``TEXT``, like SQLite: key order and non-finite floats survive), timestamps are ``double
precision`` epoch seconds and artifact content is ``BYTEA``. Identifiers and paths use the ``"C"``
collation so they sort byte-wise, as in SQLite. Needs ``pip install 'mozaiks-ai[postgres]'``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mozaiks_ai.errors import ConfigurationError, StoreError
from mozaiks_ai.state._codec import JSON_RUN_COLUMNS, RUN_COLUMNS, check_columns, dumps, loads, run_from_row
from mozaiks_ai.state.base import Store, merge_batches, usage_summary
from mozaiks_ai.state.records import ArtifactRecord, Batch, EventRecord, RunRecord, StepRecord

__all__ = ["PostgresStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT COLLATE "C" PRIMARY KEY, workflow_id TEXT NOT NULL, workflow_hash TEXT NOT NULL,
    status TEXT NOT NULL, input TEXT, app_id TEXT NOT NULL, user_id TEXT, context TEXT, output TEXT,
    error TEXT, idempotency_key TEXT, session_id TEXT, parent_run_id TEXT, wake_at DOUBLE PRECISION,
    owner TEXT, lease_until DOUBLE PRECISION, cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS runs_idempotency ON runs (app_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS runs_app_created ON runs (app_id, created_at);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
CREATE INDEX IF NOT EXISTS runs_session ON runs (session_id, created_at) WHERE session_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL, path TEXT COLLATE "C" NOT NULL, status TEXT NOT NULL, output TEXT, error TEXT,
    attempts INTEGER NOT NULL, started_at DOUBLE PRECISION, finished_at DOUBLE PRECISION, data TEXT,
    PRIMARY KEY (run_id, path)
);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL, seq BIGINT NOT NULL, type TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL,
    step TEXT, data TEXT, PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS usage (
    run_id TEXT NOT NULL, app_id TEXT NOT NULL, seq BIGINT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
    input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cost DOUBLE PRECISION NOT NULL,
    latency_ms DOUBLE PRECISION NOT NULL, ts DOUBLE PRECISION NOT NULL, PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS usage_app ON usage (app_id);
CREATE TABLE IF NOT EXISTS artifacts (
    run_id TEXT NOT NULL, path TEXT COLLATE "C" NOT NULL, content BYTEA NOT NULL,
    content_type TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (run_id, path)
);
"""
#: Key of the advisory lock held while creating the schema (any constant shared by all nodes).
_SCHEMA_LOCK = 0x6D6F7A61_69730001
#: Channel of ``NOTIFY run_id:seq`` sent when events commit.
EVENTS_CHANNEL = "mozaiks_events"
_SCHEMA_MISSING = "SELECT " + " OR ".join(
    f"to_regclass('{t}') IS NULL" for t in ("runs", "steps", "events", "artifacts", "usage")
)
_COLS = ", ".join(RUN_COLUMNS)
#: Runs that need a worker, ``$1`` being now: pending, running with a dead lease, or waiting with a
#: due timer, in every case only when nobody holds a live lease on them.
_READY = (
    "(lease_until IS NULL OR lease_until < $1) "
    "AND (status IN ('pending', 'running') OR (status = 'waiting' AND wake_at <= $1))"
)
#: Claims up to ``$2`` ready runs for ``$3`` until ``$4``; rows other claimers hold are skipped.
_CLAIM_READY = (
    f"WITH ready AS (SELECT id FROM runs WHERE {_READY} ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED) "
    "UPDATE runs SET owner = $3, lease_until = $4 FROM ready WHERE runs.id = ready.id "
    f"RETURNING {', '.join(f'runs.{c}' for c in RUN_COLUMNS)}"
)
_FINISHED = "('succeeded', 'failed', 'cancelled')"


def _upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """Return an ``INSERT ... ON CONFLICT DO UPDATE`` replacing every non-key column."""
    values = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
    )


_STEP_COLUMNS = ("run_id", "path", "status", "output", "error", "attempts", "started_at", "finished_at", "data")
_UPSERT_STEP = _upsert("steps", _STEP_COLUMNS, ("run_id", "path"))
_UPSERT_EVENT = _upsert("events", ("run_id", "seq", "type", "ts", "step", "data"), ("run_id", "seq"))
_UPSERT_ARTIFACT = _upsert("artifacts", ("run_id", "path", "content", "content_type", "created_at"), ("run_id", "path"))
_UPSERT_USAGE = _upsert(
    "usage",
    ("run_id", "app_id", "seq", "provider", "model", "input_tokens", "output_tokens", "cost", "latency_ms", "ts"),
    ("run_id", "seq"),
)
_DELETE_STEPS = "DELETE FROM steps WHERE run_id = $1 AND (path = $2 OR left(path, $3) IN ($4, $5))"
_ARTIFACT_SELECT = "SELECT run_id, path, content, content_type, created_at FROM artifacts WHERE run_id = $1"


def _encode(column: str, value: Any) -> Any:
    """Return a run column's value as bound to its parameter."""
    if column in JSON_RUN_COLUMNS:
        return dumps(value)
    return bool(value) if column == "cancel_requested" else value


def _update(run_id: str, fields: dict[str, Any], now: float) -> tuple[str, tuple[Any, ...]]:
    """Return the ``UPDATE`` statement and parameters for changing ``fields`` of a run."""
    check_columns(fields)
    fields = {**fields, "updated_at": now}
    cols = ", ".join(f"{k} = ${i}" for i, k in enumerate(fields, 1))
    sql = f"UPDATE runs SET {cols} WHERE id = ${len(fields) + 1}"
    return sql, (*(_encode(k, v) for k, v in fields.items()), run_id)


def _step_row(s: StepRecord) -> tuple[Any, ...]:
    """Return the column values of a step record."""
    error = dumps(s.error) if s.error else None
    return (s.run_id, s.path, s.status, dumps(s.output), error, s.attempts, s.started_at, s.finished_at, dumps(s.data))


def _add(ops: list[tuple[str, list[tuple[Any, ...]]]], sql: str, row: tuple[Any, ...]) -> None:
    """Append ``row`` to the last operation when it runs the same statement, else start one."""
    if ops and ops[-1][0] == sql:
        ops[-1][1].append(row)
    else:
        ops.append((sql, [row]))


def _redact(url: str) -> str:
    """Return ``url`` without its password, for messages."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if ":" not in userinfo:
        return url
    return urlunsplit(parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***{at}{host}"))


class PostgresStore(Store):
    """Store on a PostgreSQL database, shared by any number of processes.

    Args:
        url: ``postgresql://user:password@host:port/database`` (libpq query parameters such as
            ``?sslmode=require`` are understood).
        min_size: Connections the pool keeps open.
        max_size: Connections the pool may open.
    """

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        super().__init__()
        self.url = url
        self._min_size = min_size
        self._max_size = max_size
        self._pool: Any = None

    @property
    def pool(self) -> Any:
        """The open ``asyncpg`` pool."""
        if self._pool is None:
            raise StoreError("store is not open; call await store.open() first")
        return self._pool

    async def open(self) -> None:
        """Connect and create the schema (serialised across nodes by an advisory lock)."""
        try:
            import asyncpg  # type: ignore[import-untyped, unused-ignore]
        except ImportError:
            raise ConfigurationError(
                "PostgreSQL needs the asyncpg driver: pip install 'mozaiks-ai[postgres]'"
            ) from None
        try:
            pool = await asyncpg.create_pool(self.url, min_size=self._min_size, max_size=self._max_size)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {_redact(self.url)}: {exc}") from None
        try:
            async with pool.acquire() as conn, conn.transaction():
                if await conn.fetchval(_SCHEMA_MISSING):  # DDL needs rights a read-write role may lack
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", _SCHEMA_LOCK)
                    await conn.execute(_SCHEMA)
        except BaseException as exc:
            pool.terminate()
            if isinstance(exc, asyncpg.PostgresError):
                raise StoreError(f"cannot create the schema in {_redact(self.url)}: {exc}") from None
            raise
        self._pool = pool

    async def _close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def _commit(self, batches: Sequence[Batch]) -> None:
        # Like SQLite: one transaction; within each merged segment deletes precede upserts, and
        # run updates with the same columns share one executemany.
        now = time.time()
        ops: list[tuple[str, list[tuple[Any, ...]]]] = []
        for b in merge_batches(batches):
            ops += [
                (_DELETE_STEPS, [(r, p, len(p) + 1, p + ".", p + "[") for r, p in b.delete_steps]),
                (_UPSERT_STEP, [_step_row(s) for s in b.steps]),
                (_UPSERT_EVENT, [(e.run_id, e.seq, e.type, e.ts, e.step, dumps(e.data)) for e in b.events]),
                (
                    _UPSERT_ARTIFACT,
                    [(a.run_id, a.path, bytes(a.content), a.content_type, a.created_at) for a in b.artifacts],
                ),
                (
                    _UPSERT_USAGE,
                    [
                        (
                            u.run_id,
                            u.app_id,
                            u.seq,
                            u.provider,
                            u.model,
                            u.input_tokens,
                            u.output_tokens,
                            u.cost,
                            u.latency_ms,
                            u.ts,
                        )
                        for u in b.usage
                    ],
                ),
            ]
            for run_id, fields in b.run_updates:
                _add(ops, *_update(run_id, fields, now))
        latest: dict[str, int] = {}
        for b in batches:
            for e in b.events:
                latest[e.run_id] = max(e.seq, latest.get(e.run_id, 0))
        async with self.pool.acquire() as conn, conn.transaction():
            for sql, rows in ops:
                if rows:
                    await conn.executemany(sql, rows)
            if latest:  # delivered at commit: other processes relay these runs' events to their clients
                await conn.executemany(
                    "SELECT pg_notify($1, $2)", [(EVENTS_CHANNEL, f"{run_id}:{seq}") for run_id, seq in latest.items()]
                )

    async def listen(self, callback: Callable[[str, int], None]) -> Callable[[], Awaitable[None]]:
        """Call ``callback(run_id, seq)`` whenever any process commits events (``LISTEN/NOTIFY``)."""
        import asyncpg

        conn = await asyncpg.connect(self.url)

        def on_notify(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            run_id, _, seq = payload.rpartition(":")
            if run_id and seq.isdigit():
                callback(run_id, int(seq))

        await conn.add_listener(EVENTS_CHANNEL, on_notify)

        async def stop() -> None:
            await conn.remove_listener(EVENTS_CHANNEL, on_notify)
            await conn.close()

        return stop

    async def create_run(self, run: RunRecord) -> tuple[RunRecord, bool]:
        """Insert a run, or return the one that already has its idempotency key (race-free)."""
        if run.idempotency_key is not None:
            existing = await self._by_key(run.app_id, run.idempotency_key)
            if existing is not None:
                return existing, False
        params = ", ".join(f"${i}" for i in range(1, len(RUN_COLUMNS) + 1))
        inserted = await self.pool.fetchval(
            f"INSERT INTO runs ({_COLS}) VALUES ({params}) ON CONFLICT DO NOTHING RETURNING id",
            *(_encode(c, getattr(run, c)) for c in RUN_COLUMNS),
        )
        if inserted is not None:
            return run, True
        if run.idempotency_key is not None:
            existing = await self._by_key(run.app_id, run.idempotency_key)
            if existing is not None:
                return existing, False
        raise StoreError(f"run id {run.id} already exists")

    async def _by_key(self, app_id: str, key: str) -> RunRecord | None:
        row = await self.pool.fetchrow(
            f"SELECT {_COLS} FROM runs WHERE app_id = $1 AND idempotency_key = $2", app_id, key
        )
        return run_from_row(row) if row else None

    async def get_run(self, run_id: str, *, app_id: str | None = None) -> RunRecord | None:
        """Return a run, optionally only within ``app_id``."""
        sql = f"SELECT {_COLS} FROM runs WHERE id = $1"
        params: list[Any] = [run_id]
        if app_id is not None:
            sql += " AND app_id = $2"
            params.append(app_id)
        row = await self.pool.fetchrow(sql, *params)
        return run_from_row(row) if row else None

    async def list_runs(
        self,
        *,
        app_id: str | None = None,
        user_id: str | None = None,
        status: str | None = None,
        workflow_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
    ) -> list[RunRecord]:
        """Return runs, newest first, filtered by the given columns."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("app_id", app_id),
            ("user_id", user_id),
            ("status", status),
            ("workflow_id", workflow_id),
            ("session_id", session_id),
        ):
            if value is not None:
                params.append(value)
                where.append(f"{column} = ${len(params)}")
        sql = f"SELECT {_COLS} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY created_at DESC, id DESC LIMIT ${len(params) + 1}"
        return [run_from_row(r) for r in await self.pool.fetch(sql, *params, limit)]

    async def update_run(self, run_id: str, **fields: Any) -> None:
        """Update run columns immediately."""
        sql, params = _update(run_id, fields, time.time())
        await self.pool.execute(sql, *params)

    async def claim(self, run_id: str, owner: str, lease_s: float, *, force: bool = False) -> bool:
        """Take a run's lease if it is free, expired or already ours (always, with ``force``)."""
        now = time.time()
        sql = "UPDATE runs SET owner = $1, lease_until = $2, updated_at = $3 WHERE id = $4"
        if not force:
            sql += " AND (owner IS NULL OR owner = $1 OR lease_until IS NULL OR lease_until < $3)"
        return bool(await self.pool.execute(sql, owner, now + lease_s, now, run_id) == "UPDATE 1")

    async def claim_ready(self, owner: str, lease_s: float, limit: int) -> list[RunRecord]:
        """Claim runs that need a worker; rows another worker is claiming are skipped, not awaited."""
        now = time.time()
        rows = await self.pool.fetch(_CLAIM_READY, now, limit, owner, now + lease_s)
        return sorted((run_from_row(r) for r in rows), key=lambda r: r.created_at)

    async def renew_leases(self, owner: str, lease_s: float) -> None:
        """Extend the leases ``owner`` holds."""
        sql = "UPDATE runs SET lease_until = $1 WHERE owner = $2 AND status IN ('pending', 'running')"
        await self.pool.execute(sql, time.time() + lease_s, owner)

    async def get_steps(self, run_id: str) -> list[StepRecord]:
        """Return a run's step records (unstarted first, like SQLite)."""
        rows = await self.pool.fetch(
            f"SELECT {', '.join(_STEP_COLUMNS)} FROM steps WHERE run_id = $1 ORDER BY started_at NULLS FIRST, path",
            run_id,
        )
        return [
            StepRecord(r[0], r[1], r[2], loads(r[3]), loads(r[4]), r[5], r[6], r[7], loads(r[8]) or {}) for r in rows
        ]

    async def list_events(self, run_id: str, *, after: int = 0, limit: int | None = None) -> list[EventRecord]:
        """Return a run's events after ``after``."""
        rows = await self.pool.fetch(
            "SELECT run_id, seq, type, ts, step, data FROM events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            run_id,
            after,
            limit,
        )
        return [EventRecord(r[0], r[1], r[2], r[3], r[4], loads(r[5]) or {}) for r in rows]

    async def last_seq(self, run_id: str) -> int:
        """Return the last event number of a run."""
        return int(await self.pool.fetchval("SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = $1", run_id))

    async def list_artifacts(self, run_id: str) -> list[ArtifactRecord]:
        """Return a run's artifacts."""
        rows = await self.pool.fetch(_ARTIFACT_SELECT + " ORDER BY path", run_id)
        return [ArtifactRecord(r[0], r[1], bytes(r[2]), r[3], r[4]) for r in rows]

    async def get_artifact(self, run_id: str, path: str) -> ArtifactRecord | None:
        """Return one artifact."""
        r = await self.pool.fetchrow(_ARTIFACT_SELECT + " AND path = $2", run_id, path)
        return ArtifactRecord(r[0], r[1], bytes(r[2]), r[3], r[4]) if r else None

    async def usage_totals(self, *, app_id: str | None = None, run_id: str | None = None) -> dict[str, Any]:
        """Sum usage per provider and model for a run or an app."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("app_id", app_id), ("run_id", run_id)):
            if value is not None:
                params.append(value)
                where.append(f"{column} = ${len(params)}")
        sql = "SELECT provider, model, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost) FROM usage"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = await self.pool.fetch(sql + " GROUP BY provider, model ORDER BY provider, model", *params)
        return usage_summary([tuple(r) for r in rows])

    async def prune(self, finished_before: float) -> int:
        """Delete finished runs older than the cutoff, with everything they own."""
        async with self.pool.acquire() as conn, conn.transaction():
            sql = f"DELETE FROM runs WHERE status IN {_FINISHED} AND updated_at < $1 RETURNING id"
            ids = [r[0] for r in await conn.fetch(sql, finished_before)]
            if ids:
                for table in ("steps", "events", "artifacts"):
                    await conn.execute(f"DELETE FROM {table} WHERE run_id = ANY($1::text[])", ids)
        return len(ids)
