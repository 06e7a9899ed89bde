"""Transactions: the writes of one request (or one ``with db.transaction():`` block) commit together.

Every **sync** handler an :class:`~mozaiks_core_runtime.App` serves runs inside a :class:`Transaction`, in its
worker thread from start to commit. Nothing happens until the first write: reads before it are ordinary reads.
The first write opens a real database transaction (``BEGIN IMMEDIATE`` on SQLite, a pooled connection in a
transaction on PostgreSQL) that every later call of the handler joins (reads too, so it sees its own writes). It
commits when the handler returns and rolls back when it raises, so ``db.tasks.create(...)`` followed by
``events.emit(...)`` is one atomic commit. Async handlers get no implicit transaction (each call commits on its
own): a transaction held across ``await`` points would keep the single SQLite writer while other requests wait for
worker threads the transaction itself needs to finish.

Once a transaction has ended, calls from anything it left behind (a task or thread that copied the request's
context) run in autocommit instead of reopening it.

Callbacks registered with :meth:`Transaction.after_commit` (the outbox waking its sender) run once the data is
durable. :meth:`Transaction.commit` may be called early (``db.commit()``): the runtime's own network clients do it
before slow calls, so a SQLite write lock is never held across a request to another service.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["Transaction", "commit_current", "current_transaction", "transaction"]

log = logging.getLogger("mozaiks_core_runtime.db")


@dataclass
class _Part:
    handle: Any
    commit: Callable[[], None]
    rollback: Callable[[], None]


class Transaction:
    """An open unit of work; backends join it on their first write (see the module docs)."""

    def __init__(self) -> None:
        self._parts: dict[int, _Part] = {}
        self._after_commit: list[Callable[[], None]] = []
        self.closed = False
        #: Serialises statements of this transaction issued concurrently (``asyncio.gather`` of db calls).
        self.mutex = threading.RLock()

    @property
    def pending(self) -> bool:
        """Whether there is anything to commit (a backend joined, or a callback waits for the commit)."""
        return bool(self._parts or self._after_commit)

    def handle(self, owner: object) -> Any | None:
        """Return ``owner``'s handle (its connection) if it joined this transaction, else ``None``."""
        part = self._parts.get(id(owner))
        return None if part is None else part.handle

    def join(self, owner: object, handle: Any, *, commit: Callable[[], None], rollback: Callable[[], None]) -> None:
        """Register ``owner``'s open database transaction, to be committed or rolled back with this one."""
        self._parts[id(owner)] = _Part(handle, commit, rollback)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after the next successful commit (dropped on rollback)."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        """Commit every joined backend, then run the after-commit callbacks; the transaction stays usable.

        Raises:
            DatabaseError: A commit failed; the remaining parts were rolled back.
        """
        with self.mutex:
            callbacks = self._commit_locked()
        _run_callbacks(callbacks)

    def finish(self, *, commit: bool) -> None:
        """Commit (or roll back) and close in one step: no caller can join between the two.

        Raises:
            DatabaseError: A commit failed; the remaining parts were rolled back.
        """
        callbacks: list[Callable[[], None]] = []
        with self.mutex:
            try:
                if commit:
                    callbacks = self._commit_locked()
                else:
                    self.rollback()
            finally:
                self.closed = True
        _run_callbacks(callbacks)

    def _commit_locked(self) -> list[Callable[[], None]]:
        """Commit the joined parts (the caller holds :attr:`mutex`); return the callbacks to run afterwards."""
        parts, self._parts = list(self._parts.values()), {}
        callbacks, self._after_commit = self._after_commit, []
        for index, part in enumerate(parts):
            try:
                part.commit()
            except BaseException:
                for rest in parts[index + 1 :]:
                    _quietly(rest.rollback)
                raise
        return callbacks

    def rollback(self) -> None:
        """Roll back every joined backend and drop the after-commit callbacks."""
        with self.mutex:
            parts, self._parts = list(self._parts.values()), {}
            self._after_commit = []
            for part in parts:
                _quietly(part.rollback)


def _run_callbacks(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit callback failed")


def _quietly(action: Callable[[], None]) -> None:
    try:
        action()
    except Exception:
        log.exception("rollback failed")


_current: contextvars.ContextVar[Transaction | None] = contextvars.ContextVar("mozaiks_core_tx", default=None)


def current_transaction() -> Transaction | None:
    """Return the open transaction of this request or block, or ``None`` (autocommit)."""
    tx = _current.get()
    return None if tx is None or tx.closed else tx


def commit_current() -> None:
    """Commit what the current transaction wrote so far (no-op outside one)."""
    tx = current_transaction()
    if tx is not None and tx.pending:
        tx.commit()


@contextmanager
def transaction() -> Iterator[Transaction]:
    """Run a block as one transaction: commit when it ends, roll back if it raises.

    Inside an open transaction (a request handler, an outer block) the block joins it instead.
    """
    outer = current_transaction()
    if outer is not None:
        yield outer
        return
    tx = Transaction()
    token = _current.set(tx)
    try:
        yield tx
    except BaseException:
        tx.finish(commit=False)
        raise
    else:
        tx.finish(commit=True)
    finally:
        _current.reset(token)
