"""Password hashing with Argon2id (OWASP minimum: m = 19 MiB, t = 2, p = 1; no 72-byte limit)."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["MAX_PASSWORD_CHARS", "MIN_PASSWORD_CHARS", "Passwords"]

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024


class Passwords:
    """Hashes and verifies passwords.

    Args:
        memory_kib: Argon2 memory cost in KiB (≥ 19456).
        time_cost: Iterations (≥ 2).
        parallelism: Lanes (1).
    """

    def __init__(self, *, memory_kib: int = 19456, time_cost: int = 2, parallelism: int = 1) -> None:
        if memory_kib < 19456 or time_cost < 2 or parallelism < 1:
            raise ValueError("Argon2id parameters below the OWASP minimum (m=19456 KiB, t=2, p=1)")
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified against when the user does not exist, so both answers take the same time.
        self._dummy = self._hasher.hash("mozaiks-core: no such user")

    def hash(self, password: str) -> str:
        """Return the encoded Argon2id hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, encoded: str | None, password: str) -> bool:
        """Return whether ``password`` matches ``encoded`` (``None`` burns the same time and fails)."""
        try:
            return self._hasher.verify(encoded or self._dummy, password) and encoded is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, encoded: str) -> bool:
        """Return whether ``encoded`` used weaker parameters than the current ones."""
        return self._hasher.check_needs_rehash(encoded)
