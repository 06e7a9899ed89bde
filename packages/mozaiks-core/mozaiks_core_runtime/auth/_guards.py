"""``require_user``, ``require_role`` and ``current_user()``, for sync and async handlers alike."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

import anyio.to_thread

from .._identity import User, current_state
from ..errors import AuthError, ForbiddenError

__all__ = ["current_user", "optional_user", "require_app", "require_role", "require_user"]

F = TypeVar("F", bound=Callable[..., Any])


def optional_user() -> User | None:
    """Return the user of the current request, or ``None`` when it carries no credentials.

    Raises:
        AuthError: Credentials are present but invalid.
    """
    state = current_state()
    return state.user() if state is not None else None


def current_user() -> User:
    """Return the user of the current request.

    Raises:
        AuthError: Anonymous request, or invalid credentials (HTTP 401).
    """
    user = optional_user()
    if user is None:
        raise AuthError("authentication required")
    return user


def _guard(check: Callable[[User], None], fn: F) -> F:
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            # Token checks may touch the database: keep them off the event loop.
            user = await anyio.to_thread.run_sync(current_user)
            check(user)
            return await fn(*args, **kwargs)

        return cast("F", async_wrapper)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check(current_user())
        return fn(*args, **kwargs)

    return cast("F", wrapper)


def _a_person(user: User) -> None:
    if user.via_app_token:
        raise ForbiddenError("the app-scoped token opens only routes marked @auth.require_app")


def require_user(fn: F) -> F:
    """Decorate a handler so that anonymous or badly authenticated requests get 401.

    The app-scoped token (workflows calling back) is refused with 403: it opens only ``require_app`` routes.

    Args:
        fn: A sync or async handler.

    Returns:
        The guarded handler (still sync or async).
    """
    return _guard(_a_person, fn)


def require_role(role: str) -> Callable[[F], F]:
    """Decorate a handler so that only users holding ``role`` reach it (401 anonymous, 403 without the role).

    Args:
        role: Role name, as in the token's ``roles`` claim.

    Returns:
        The decorator.
    """

    def check(user: User) -> None:
        _a_person(user)
        if not user.has_role(role):
            raise ForbiddenError(f"role {role!r} required")

    def decorate(fn: F) -> F:
        return _guard(check, fn)

    return decorate


def require_app(fn: F) -> F:
    """Decorate a handler meant for workflows calling the app back: only the app-scoped token reaches it.

    mozaiks-ai's ``call_app_api`` sends ``MOZAIKS_APP_API_TOKEN`` (set the same value on both sides) and, when the
    run has a user, ``X-Mozaiks-User``; the handler then acts for that user (owner-scoped ``db``), otherwise for the
    whole app. Anything else is 401 (no credentials) or 403 (a user's token).
    """

    def check(user: User) -> None:
        if not user.via_app_token:
            raise ForbiddenError("this route is for workflows: call it with the app-scoped token")

    return _guard(check, fn)
