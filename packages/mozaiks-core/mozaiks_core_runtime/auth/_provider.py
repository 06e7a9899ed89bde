"""The built-in email/password provider: ``/api/auth/signup|login|refresh|logout|me|password``.

Login failures are counted per email and per client address; over the limit the answer is 429 with
``Retry-After``. An unknown email and a wrong password produce the same status, body and (Argon2) work.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .._identity import User, current_state
from ..errors import AuthError, ConflictError, RequestError
from ._guards import current_user
from ._passwords import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS
from ._store import email_key

if TYPE_CHECKING:
    from .._request import Request
    from .._runtime import Runtime
    from ..application import App

__all__ = ["register_auth_routes"]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
_BAD_LOGIN = "invalid email or password"


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise RequestError(f"{key} is required", details={"field": key})
    return value


def _password(data: dict[str, Any], key: str = "password") -> str:
    value = _text(data, key)
    if not MIN_PASSWORD_CHARS <= len(value) <= MAX_PASSWORD_CHARS:
        raise RequestError(
            f"{key} must be {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters", details={"field": key}
        )
    return value


def _tokens(runtime: Runtime, user: dict[str, Any], session: str, refresh: str) -> dict[str, Any]:
    roles = [str(r) for r in user.get("roles") or []]
    access = runtime.issuer.access_token(str(user["id"]), email=user.get("email"), roles=roles, session=session)
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": runtime.settings.access_token_ttl,
        "user": {"id": user["id"], "email": user.get("email"), "roles": roles},
    }


class _Provider:
    """Handlers of the provider, bound to one app's runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def signup(self, request: Request) -> Any:
        email = _text(request.data, "email").strip()
        if not _EMAIL.fullmatch(email):
            raise RequestError("email is not a valid address", details={"field": "email"})
        password_hash = self.runtime.passwords.hash(_password(request.data))
        try:
            user = self.runtime.auth_store.create_user(email, password_hash)
        except ConflictError:
            raise ConflictError("this email is already registered") from None
        session, refresh = self.runtime.auth_store.start_session(user.id)
        return _tokens(self.runtime, user, session, refresh), 201

    def login(self, request: Request) -> Any:
        runtime = self.runtime
        email = email_key(_text(request.data, "email"))
        password = _text(request.data, "password")[:MAX_PASSWORD_CHARS]
        state = current_state()
        keys = (f"email:{email}", f"ip:{state.client if state else ''}")
        limit = runtime.settings.login_max_failures
        runtime.limiter.check(keys[0], limit)
        runtime.limiter.check(keys[1], limit * 4)
        user = runtime.auth_store.user_by_email(email)
        # verify() runs Argon2 even for unknown users, so both failures cost the same.
        if not runtime.passwords.verify(user.get("password_hash") if user else None, password) or user is None:
            for key in keys:
                runtime.limiter.fail(key)
            raise AuthError(_BAD_LOGIN)
        runtime.limiter.reset(keys[0])
        session, refresh = runtime.auth_store.start_session(user.id)
        return _tokens(runtime, user, session, refresh)

    def refresh(self, request: Request) -> Any:
        rotation = self.runtime.auth_store.rotate(_text(request.data, "refresh_token"))
        return _tokens(self.runtime, rotation.user, rotation.session, rotation.refresh_token)

    def logout(self, request: Request) -> Any:
        user = current_user()
        session = user.claims.get("sid")
        if request.data.get("all"):
            self.runtime.auth_store.revoke_user(user.id)
        elif isinstance(session, str):
            self.runtime.auth_store.revoke_session(session)
        return None

    def me(self, request: Request) -> Any:
        user: User = current_user()
        return {"id": user.id, "email": user.email, "roles": list(user.roles), "app_id": user.app_id}

    def change_password(self, request: Request) -> Any:
        user = current_user()
        store, passwords = self.runtime.auth_store, self.runtime.passwords
        stored = store.user_by_id(user.id)
        current = _text(request.data, "current_password")
        if stored is None or not passwords.verify(stored.get("password_hash"), current):
            raise AuthError("current password is wrong")
        store.set_password(user.id, passwords.hash(_password(request.data, "new_password")))
        return None


def register_auth_routes(app: App) -> None:
    """Add the provider's routes (``/api/auth/signup|login|refresh|logout|me|password``) to ``app``."""
    provider = _Provider(app.runtime)
    app.add_route("/api/auth/signup", provider.signup, methods=["POST"])
    app.add_route("/api/auth/login", provider.login, methods=["POST"])
    app.add_route("/api/auth/refresh", provider.refresh, methods=["POST"])
    app.add_route("/api/auth/logout", provider.logout, methods=["POST"])
    app.add_route("/api/auth/me", provider.me, methods=["GET"])
    app.add_route("/api/auth/password", provider.change_password, methods=["POST"])
