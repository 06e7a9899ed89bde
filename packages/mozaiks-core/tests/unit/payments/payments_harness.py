"""Test helpers for payments (a module with a unique name: both test folders are rootdir-less)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    """A user as auth would hand it to payments."""

    id: str = "user_1"
    email: str | None = "ada@example.com"
