"""Who is calling: the authenticated user, and the per-request state that finds it lazily.

Kept free of other runtime imports so that both ``auth`` and ``docdb`` can depend on it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RequestState", "User", "current_state", "system_context", "use_state"]


@dataclass(frozen=True)
class User:
    """An authenticated user, built from a verified token or API key.

    Attributes:
        id: The ``sub`` claim: stable user id.
        email: The user's email when known.
        roles: Roles granted by the token (``require_role`` checks these).
        app_id: The app the token was issued for.
        claims: Every verified claim, for app-specific needs.
        via_app_token: Authenticated with the app-scoped token (``MOZAIKS_APP_API_TOKEN``): a workflow calling
            the app back, for the user in ``X-Mozaiks-User`` or, without it, as the app.
        app_wide: The caller is the app itself (app-scoped token, no user): ``db`` is not narrowed to one owner.
    """

    id: str
    email: str | None = None
    roles: tuple[str, ...] = ()
    app_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    via_app_token: bool = False
    app_wide: bool = False

    def has_role(self, role: str) -> bool:
        """Return whether the user holds ``role``."""
        return role in self.roles


class RequestState:
    """Per-request identity: resolves the user on first use and caches it.

    Args:
        resolve: Called at most once to authenticate the request; returns ``None`` for anonymous
            requests and raises :class:`AuthError` for bad credentials.
        client: The client's address, for rate limiting.
    """

    def __init__(self, resolve: Callable[[], User | None], client: str = "") -> None:
        self._resolve = resolve
        self._resolved = False
        self._user: User | None = None
        self.client = client
        self.system = False

    def user(self) -> User | None:
        """Return the authenticated user, or ``None`` for an anonymous request."""
        if not self._resolved:
            self._user = self._resolve()
            self._resolved = True
        return self._user

    def set_user(self, user: User | None) -> None:
        """Replace the request's user (e.g. right after login)."""
        self._user, self._resolved = user, True


_state: contextvars.ContextVar[RequestState | None] = contextvars.ContextVar("mozaiks_core_request", default=None)


def current_state() -> RequestState | None:
    """Return the state of the request being handled, or ``None`` outside requests."""
    return _state.get()


@contextmanager
def use_state(state: RequestState | None) -> Iterator[RequestState | None]:
    """Make ``state`` the current request state inside the block."""
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


@contextmanager
def system_context() -> Iterator[None]:
    """Run a block with system privileges: db calls inside are not scoped to the request's user."""
    state = RequestState(lambda: None)
    state.system = True
    with use_state(state):
        yield
