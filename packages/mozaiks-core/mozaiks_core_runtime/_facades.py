"""Module-level ``db`` that resolves to the current app's database."""

from __future__ import annotations

from .docdb import Collection, Database

__all__ = ["DatabaseFacade", "db"]


class DatabaseFacade:
    """``db.tasks`` → the ``tasks`` collection of the app handling the request (or the latest app)."""

    def _database(self) -> Database:
        from ._runtime import get_runtime

        return get_runtime().db

    def __getattr__(self, name: str) -> Collection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._database().collection(name)

    def __getitem__(self, name: str) -> Collection:
        return self._database().collection(name)

    def declare(self, name: str, *, owner_scoped: bool = True, owner_field: str = "owner") -> Collection:
        """Declare a collection's scoping (see :meth:`Database.declare`)."""
        return self._database().declare(name, owner_scoped=owner_scoped, owner_field=owner_field)

    def __repr__(self) -> str:
        return "<mozaiks_core_runtime.db>"

    def __dir__(self) -> list[str]:
        return ["declare"]


db = DatabaseFacade()
