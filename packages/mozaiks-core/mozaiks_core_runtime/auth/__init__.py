"""Authentication: guards for handlers, the current user, tokens, passwords and API keys.

``require_user`` / ``require_role(role)`` protect handlers, ``require_app`` the routes workflows call back with the
app-scoped token; ``current_user()`` returns the caller. Tokens are
HS256 JWTs signed with ``MOZAIKS_JWT_SECRET`` (issued by the built-in provider at ``/api/auth/*``) or platform
tokens verified against ``MOZAIKS_JWKS_URL``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._identity import User
from ._guards import current_user, optional_user, require_app, require_role, require_user
from ._passwords import Passwords
from ._tokens import TokenIssuer, TokenVerifier

__all__ = [
    "Passwords",
    "TokenIssuer",
    "TokenVerifier",
    "User",
    "create_api_key",
    "current_user",
    "optional_user",
    "require_app",
    "require_role",
    "require_user",
    "revoke_api_key",
]


def create_api_key(user_id: str, name: str, roles: Sequence[str] = ()) -> str:
    """Create an API key acting for ``user_id`` and return it (shown once; only its hash is stored).

    Clients send it as ``X-API-Key: <key>`` or ``Authorization: Bearer <key>``.
    """
    from .._runtime import get_runtime

    return get_runtime().auth_store.create_api_key(user_id, name, roles)


def revoke_api_key(key_id: str) -> None:
    """Revoke the API key whose id is the middle part of ``mzk_<id>_<secret>``."""
    from .._runtime import get_runtime

    get_runtime().auth_store.revoke_api_key(key_id)
