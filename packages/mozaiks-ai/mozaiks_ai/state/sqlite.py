"""SQLite store: the embedded default (``sqlite:///./.mozaiks/mozaiks.db``).

WAL journal, ``synchronous=FULL`` by default (every commit is fsync'd; ``?synchronous=normal`` in
the URL trades power-loss safety for speed). Writes run on the event-loop thread: a commit is a
few hundred microseconds and group commit makes one of them serve every run that finished a step
in the same loop iteration. Several processes may share one file (busy timeout 10 s).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mozaiks_ai.errors import StoreError
from mozaiks_ai.state._codec import RUN_COLUMNS, check_columns, dumps, loads, run_from_row, run_values
from mozaiks_ai.state.base import Store, merge_batches, usage_summary
from mozaiks_ai.state.records import ArtifactRecord, Batch, EventRecord, RunRecord, StepRecord

__all__ = ["SqliteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, workflow_id TEXT NOT NULL, workflow_hash TEXT NOT NULL, status TEXT NOT NULL,
    input TEXT, app_id TEXT NOT NULL, user_id TEXT, context TEXT, output TEXT, error TEXT,
    idempotency_key TEXT, session_id TEXT, parent_run_id TEXT, wake_at REAL, owner TEXT, lease_until REAL,
    cancel_requested INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, updated_at REAL NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS runs_idempotency ON runs (app_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS runs_app_created ON runs (app_id, created_at);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
CREATE INDEX IF NOT EXISTS runs_session ON runs (session_id, created_at) WHERE session_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL, path TEXT NOT NULL, status TEXT NOT NULL, output TEXT, error TEXT,
    attempts INTEGER NOT NULL, started_at REAL, finished_at REAL, data TEXT,
    PRIMARY KEY (run_id, path)
);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, ts REAL NOT NULL, step TEXT, data TEXT,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS usage (
    run_id TEXT NOT NULL, app_id TEXT NOT NULL, seq INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost REAL NOT NULL, latency_ms REAL NOT NULL,
    ts REAL NOT NULL, PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS usage_app ON usage (app_id);
CREATE TABLE IF NOT EXISTS artifacts (
    run_id TEXT NOT NULL, path TEXT NOT NULL, content BLOB NOT NULL, content_type TEXT NOT NULL,
    created_at REAL NOT NULL, PRIMARY KEY (run_id, path)
);
"""
_READY = (
    "(status IN ('pending', 'running') AND (lease_until IS NULL OR lease_until < ?)) "
    "OR (status = 'waiting' AND wake_at IS NOT NULL AND wake_at <= ? AND (lease_until IS NULL OR lease_until < ?))"
)


class SqliteStore(Store):
    """Store on one SQLite file.

    Args:
        path: The database file (created with its folder), or ``:memory:``.
        synchronous: ``FULL`` (default, fsync per commit) or ``NORMAL``.
    """

    def __init__(self, path: str | Path, *, synchronous: str = "FULL") -> None:
        super().__init__()
        self.path = str(path)
        self.url = f"sqlite:///{self.path}"
        if synchronous.upper() not in ("FULL", "NORMAL", "EXTRA", "OFF"):
            raise StoreError(f"unsupported SQLite synchronous mode {synchronous!r}; use full or normal")
        self._synchronous = synchronous.upper()
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection."""
        if self._db is None:
            raise StoreError("store is not open; call await store.open() first")
        return self._db

    async def open(self) -> None:
        """Open the file (creating folder and schema)."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={self._synchronous}")
            db.execute("PRAGMA busy_timeout=10000")
            db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            if db is not None:
                db.close()
            raise StoreError(f"cannot open SQLite database {self.path}: {exc}") from None
        self._db = db

    async def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def _commit(self, batches: Sequence[Batch]) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for batch in merge_batches(batches):
                for run_id, path in batch.delete_steps:
                    db.execute(
                        "DELETE FROM steps WHERE run_id = ? AND (path = ? OR substr(path, 1, ?) IN (?, ?))",
                        (run_id, path, len(path) + 1, path + ".", path + "["),
                    )
                if batch.steps:
                    db.executemany(
                        "INSERT OR REPLACE INTO steps VALUES (?,?,?,?,?,?,?,?,?)",
                        [
                            (
                                s.run_id,
                                s.path,
                                s.status,
                                dumps(s.output),
                                dumps(s.error) if s.error else None,
                                s.attempts,
                                s.started_at,
                                s.finished_at,
                                dumps(s.data),
                            )
                            for s in batch.steps
                        ],
                    )
                if batch.events:
                    db.executemany(
                        "INSERT OR REPLACE INTO events VALUES (?,?,?,?,?,?)",
                        [(e.run_id, e.seq, e.type, e.ts, e.step, dumps(e.data)) for e in batch.events],
                    )
                if batch.artifacts:
                    db.executemany(
                        "INSERT OR REPLACE INTO artifacts VALUES (?,?,?,?,?)",
                        [(a.run_id, a.path, a.content, a.content_type, a.created_at) for a in batch.artifacts],
                    )
                if batch.usage:
                    db.executemany(
                        "INSERT OR REPLACE INTO usage VALUES (?,?,?,?,?,?,?,?,?,?)",
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
                            for u in batch.usage
                        ],
                    )
                for run_id, fields in batch.run_updates:
                    self._update(run_id, fields)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _update(self, run_id: str, fields: dict[str, Any]) -> None:
        check_columns(fields)
        fields = {**fields, "updated_at": time.time()}
        cols = ", ".join(f"{k} = ?" for k in fields)
        values = [dumps(v) if k in ("input", "context", "output", "error") else v for k, v in fields.items()]
        self.db.execute(f"UPDATE runs SET {cols} WHERE id = ?", [*values, run_id])

    async def create_run(self, run: RunRecord) -> tuple[RunRecord, bool]:
        """Insert a run, or return the one that already has its idempotency key."""
        if run.idempotency_key is not None:
            existing = self._by_key(run.app_id, run.idempotency_key)
            if existing is not None:
                return existing, False
        placeholders = ",".join("?" * len(RUN_COLUMNS))
        try:
            self.db.execute(f"INSERT INTO runs ({','.join(RUN_COLUMNS)}) VALUES ({placeholders})", run_values(run))
        except sqlite3.IntegrityError:
            if run.idempotency_key is None:
                raise StoreError(f"run id {run.id} already exists") from None
            existing = self._by_key(run.app_id, run.idempotency_key)
            if existing is None:
                raise StoreError(f"run id {run.id} already exists") from None
            return existing, False
        return run, True

    def _by_key(self, app_id: str, key: str) -> RunRecord | None:
        row = self.db.execute(
            f"SELECT {','.join(RUN_COLUMNS)} FROM runs WHERE app_id = ? AND idempotency_key = ?",
            (app_id, key),
        ).fetchone()
        return run_from_row(row) if row else None

    async def get_run(self, run_id: str, *, app_id: str | None = None) -> RunRecord | None:
        """Return a run, optionally only within ``app_id``."""
        sql = f"SELECT {','.join(RUN_COLUMNS)} FROM runs WHERE id = ?"
        params: list[Any] = [run_id]
        if app_id is not None:
            sql += " AND app_id = ?"
            params.append(app_id)
        row = self.db.execute(sql, params).fetchone()
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
        where, params = [], []
        for column, value in (
            ("app_id", app_id),
            ("user_id", user_id),
            ("status", status),
            ("workflow_id", workflow_id),
            ("session_id", session_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = f"SELECT {','.join(RUN_COLUMNS)} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        rows = self.db.execute(sql, [*params, limit]).fetchall()
        return [run_from_row(r) for r in rows]

    async def update_run(self, run_id: str, **fields: Any) -> None:
        """Update run columns immediately."""
        self._update(run_id, fields)

    async def claim(self, run_id: str, owner: str, lease_s: float, *, force: bool = False) -> bool:
        """Take a run's lease if it is free, expired or already ours (always, with ``force``)."""
        now = time.time()
        sql = "UPDATE runs SET owner = ?, lease_until = ?, updated_at = ? WHERE id = ?"
        params: list[Any] = [owner, now + lease_s, now, run_id]
        if not force:
            sql += " AND (owner IS NULL OR owner = ? OR lease_until IS NULL OR lease_until < ?)"
            params += [owner, now]
        return self.db.execute(sql, params).rowcount == 1

    async def claim_ready(self, owner: str, lease_s: float, limit: int) -> list[RunRecord]:
        """Claim runs that need a worker; SQLite's write lock serialises competing claimers."""
        now = time.time()
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            ids = [
                r[0]
                for r in db.execute(
                    f"SELECT id FROM runs WHERE {_READY} ORDER BY created_at LIMIT ?", (now, now, now, limit)
                )
            ]
            for run_id in ids:
                db.execute("UPDATE runs SET owner = ?, lease_until = ? WHERE id = ?", (owner, now + lease_s, run_id))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return [r for r in [await self.get_run(i) for i in ids] if r is not None]

    async def renew_leases(self, owner: str, lease_s: float) -> None:
        """Extend the leases ``owner`` holds."""
        self.db.execute(
            "UPDATE runs SET lease_until = ? WHERE owner = ? AND status IN ('pending', 'running')",
            (time.time() + lease_s, owner),
        )

    async def get_steps(self, run_id: str) -> list[StepRecord]:
        """Return a run's step records."""
        rows = self.db.execute(
            "SELECT run_id, path, status, output, error, attempts, started_at, finished_at, data "
            "FROM steps WHERE run_id = ? ORDER BY started_at, path",
            (run_id,),
        ).fetchall()
        return [
            StepRecord(r[0], r[1], r[2], loads(r[3]), loads(r[4]), r[5], r[6], r[7], loads(r[8]) or {}) for r in rows
        ]

    async def list_events(self, run_id: str, *, after: int = 0, limit: int | None = None) -> list[EventRecord]:
        """Return a run's events after ``after``."""
        rows = self.db.execute(
            "SELECT run_id, seq, type, ts, step, data FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (run_id, after, -1 if limit is None else limit),
        ).fetchall()
        return [EventRecord(r[0], r[1], r[2], r[3], r[4], loads(r[5]) or {}) for r in rows]

    async def last_seq(self, run_id: str) -> int:
        """Return the last event number of a run."""
        row = self.db.execute("SELECT MAX(seq) FROM events WHERE run_id = ?", (run_id,)).fetchone()
        return int(row[0] or 0)

    async def list_artifacts(self, run_id: str) -> list[ArtifactRecord]:
        """Return a run's artifacts."""
        rows = self.db.execute(
            "SELECT run_id, path, content, content_type, created_at FROM artifacts WHERE run_id = ? ORDER BY path",
            (run_id,),
        ).fetchall()
        return [ArtifactRecord(r[0], r[1], bytes(r[2]), r[3], r[4]) for r in rows]

    async def get_artifact(self, run_id: str, path: str) -> ArtifactRecord | None:
        """Return one artifact."""
        r = self.db.execute(
            "SELECT run_id, path, content, content_type, created_at FROM artifacts WHERE run_id = ? AND path = ?",
            (run_id, path),
        ).fetchone()
        return ArtifactRecord(r[0], r[1], bytes(r[2]), r[3], r[4]) if r else None

    async def usage_totals(self, *, app_id: str | None = None, run_id: str | None = None) -> dict[str, Any]:
        """Sum usage per provider and model for a run or an app."""
        where, params = [], []
        for column, value in (("app_id", app_id), ("run_id", run_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = "SELECT provider, model, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost) FROM usage"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.execute(sql + " GROUP BY provider, model ORDER BY provider, model", params).fetchall()
        return usage_summary(rows)

    async def prune(self, finished_before: float) -> int:
        """Delete finished runs older than the cutoff, with everything they own."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT id FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled') AND updated_at < ?",
                    (finished_before,),
                )
            ]
            for table in ("steps", "events", "artifacts"):  # usage rows stay: app totals and budgets
                db.executemany(f"DELETE FROM {table} WHERE run_id = ?", [(i,) for i in ids])
            db.executemany("DELETE FROM runs WHERE id = ?", [(i,) for i in ids])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return len(ids)
