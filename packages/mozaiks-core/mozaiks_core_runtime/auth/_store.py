"""Users, sessions (refresh-token families) and API keys of the built-in provider, in runtime collections.

Refresh tokens are random strings stored as SHA-256 hashes. Each use rotates the token; presenting a used one
again after ``refresh_reuse_grace`` seconds is treated as theft and revokes the whole family (RFC 9700 §4.14).
API keys look like ``mzk_<id>_<secret>``; only a hash of the secret is stored and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._identity import User, system_context
from ..config import Settings
from ..docdb import Database, Document, commit_current, new_id
from ..errors import AuthError, NotFoundError

__all__ = ["AuthStore", "Rotation", "email_key"]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def email_key(email: str) -> str:
    """Return the normalised form of an email address."""
    return email.strip().lower()


@dataclass(frozen=True)
class Rotation:
    """Result of a successful refresh: whose session it is and the new refresh token."""

    user: Document
    session: str
    refresh_token: str


class AuthStore:
    """Persistent state of the built-in auth provider.

    Args:
        db: The app's database (runtime collections ``_mz_users``, ``_mz_emails``, ``_mz_sessions``,
            ``_mz_refresh``, ``_mz_api_keys``).
        settings: Token lifetimes and the reuse grace window.
    """

    def __init__(self, db: Database, settings: Settings) -> None:
        self.settings = settings
        self.users = db.system("users")
        self.emails = db.system("emails")
        self.sessions = db.system("sessions")
        self.refresh = db.system("refresh")
        self.api_keys = db.system("api_keys")

    # -- users ---------------------------------------------------------------------------------------------
    def create_user(self, email: str, password_hash: str, roles: Sequence[str] = ()) -> Document:
        """Create a user; raise :class:`ConflictError` if the email is taken."""
        with system_context():
            user_id = new_id()
            self.emails.create(id=_digest(email_key(email)), user_id=user_id)
            return self.users.create(id=user_id, email=email_key(email), password_hash=password_hash, roles=list(roles))

    def user_by_email(self, email: str) -> Document | None:
        """Return the user with ``email``, or ``None``."""
        with system_context():
            try:
                link = self.emails.get(_digest(email_key(email)))
                return self.users.get(str(link["user_id"]))
            except NotFoundError:
                return None

    def user_by_id(self, user_id: str) -> Document | None:
        """Return the user with ``user_id``, or ``None``."""
        with system_context():
            try:
                return self.users.get(user_id)
            except NotFoundError:
                return None

    def set_password(self, user_id: str, password_hash: str) -> None:
        """Store a new password hash and revoke every session of the user."""
        with system_context():
            self.users.update(user_id, password_hash=password_hash)
        self.revoke_user(user_id)

    # -- sessions ------------------------------------------------------------------------------------------
    def start_session(self, user_id: str) -> tuple[str, str]:
        """Start a session; return ``(session_id, refresh_token)``."""
        with system_context():
            session = self.sessions.create(user_id=user_id, revoked=False)
            return session.id, self._issue_refresh(user_id, session.id)

    def _issue_refresh(self, user_id: str, session: str) -> str:
        token = secrets.token_urlsafe(32)
        expires = time.time() + self.settings.refresh_token_ttl
        self.refresh.create(id=_digest(token), user_id=user_id, session=session, used_at=None, expires_at=expires)
        return token

    def session_active(self, session: str) -> bool:
        """Return whether the session exists and is not revoked."""
        with system_context():
            row = self.sessions.get_row(session) if session else None
            return row is not None and not row.data.get("revoked")

    def rotate(self, token: str) -> Rotation:
        """Exchange a refresh token for a new one in the same session.

        Raises:
            AuthError: Unknown, expired, revoked or reused token (reuse after the grace window revokes the
                session).
        """
        with system_context():
            row = self.refresh.get_row(_digest(token)) if 20 <= len(token) <= 200 else None
            if row is None:
                raise AuthError("invalid refresh token")
            session, user_id, now = str(row.data["session"]), str(row.data["user_id"]), time.time()
            if not self.session_active(session):
                raise AuthError("session revoked")
            if float(row.data["expires_at"]) < now:
                raise AuthError("refresh token expired")
            used_at = row.data.get("used_at")
            if used_at is None:
                doc = Document({"id": row.id, **row.data})
                if self.refresh.compare_and_set(doc, row.version, {"used_at": now}):
                    user = self.user_by_id(user_id)
                    if user is None:
                        raise AuthError("invalid refresh token")
                    return Rotation(user, session, self._issue_refresh(user_id, session))
                used_at = now
            if now - float(used_at) > self.settings.refresh_reuse_grace:
                self.revoke_session(session)
                commit_current()  # the revocation must survive the error this request ends with
                raise AuthError("refresh token reuse detected: the session was revoked")
            raise AuthError("refresh token already used")

    def revoke_session(self, session: str) -> None:
        """Revoke a session: its refresh tokens and access tokens stop working."""
        with system_context():
            try:
                self.sessions.update(session, revoked=True)
            except NotFoundError:
                pass

    def revoke_user(self, user_id: str) -> None:
        """Revoke every session of a user."""
        with system_context():
            cursor: str | None = None
            while True:
                page = self.sessions.find({"user_id": user_id, "revoked": False}, limit=200, cursor=cursor)
                for session in page:
                    self.revoke_session(session.id)
                cursor = page.next_cursor
                if cursor is None:
                    return

    # -- API keys ------------------------------------------------------------------------------------------
    def create_api_key(self, user_id: str, name: str, roles: Sequence[str] = ()) -> str:
        """Create an API key for ``user_id``; the returned key is shown once and never stored."""
        key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        with system_context():
            self.api_keys.create(
                id=key_id, user_id=user_id, name=name, roles=list(roles), hash=_digest(secret), revoked=False
            )
        return f"mzk_{key_id}_{secret}"

    def revoke_api_key(self, key_id: str) -> None:
        """Revoke an API key by id."""
        with system_context():
            self.api_keys.update(key_id, revoked=True)

    def verify_api_key(self, key: str) -> User:
        """Return the user an API key acts for.

        Raises:
            AuthError: Malformed, unknown or revoked key, or wrong secret.
        """
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != "mzk" or not parts[1].isalnum():
            raise AuthError("invalid API key")
        with system_context():
            row = self.api_keys.get_row(parts[1])
        expected = row.data.get("hash", "") if row is not None else "0" * 64
        valid = hmac.compare_digest(str(expected), _digest(parts[2]))
        if row is None or not valid or row.data.get("revoked"):
            raise AuthError("invalid API key")
        data: dict[str, Any] = row.data
        user_id = str(data["user_id"])
        roles = tuple(str(r) for r in data.get("roles") or ())
        return User(id=user_id, roles=roles, app_id=self.settings.app_id, claims={"api_key": row.id})
