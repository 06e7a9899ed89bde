"""The credentials mozaiks-core presents to mozaiks-ai.

With ``MOZAIKS_AI_JWT_SECRET`` (shared with mozaiks-ai), every call carries its own short-lived HS256 token scoped
to that call: ``workflows:execute`` for one named workflow, or ``events:publish``, acting for the request's user
when there is one. A leaked token is good for one kind of call, for two minutes. Without the secret the static
``MOZAIKS_AI_TOKEN`` is sent, as a service credential.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence

import jwt

from ..config import Settings

__all__ = ["AI_AUDIENCE", "AI_ISSUER", "SCOPED_TOKEN_TTL", "ai_headers"]

AI_ISSUER = "mozaiks-core"
AI_AUDIENCE = "mozaiks-ai"
SCOPED_TOKEN_TTL = 120


def ai_headers(
    settings: Settings, scope: str, *, workflows: Sequence[str] | None = None, user_id: str | None = None
) -> dict[str, str]:
    """Return the ``Authorization`` header for one call to mozaiks-ai (empty when no credential is configured).

    Args:
        settings: ``ai_jwt_secret`` / ``ai_token`` and the app id.
        scope: ``workflows:execute`` or ``events:publish``.
        workflows: For ``workflows:execute``, the workflows the token may start.
        user_id: The user the call acts for.
    """
    if settings.ai_jwt_secret:
        now = int(time.time())
        claims: dict[str, object] = {
            "iss": AI_ISSUER,
            "aud": AI_AUDIENCE,
            "app_id": settings.app_id,
            "iat": now,
            "nbf": now,
            "exp": now + SCOPED_TOKEN_TTL,
            "jti": secrets.token_hex(8),
            "typ": "access",
            "scope": scope,
        }
        if user_id is not None:  # without one, mozaiks-ai runs the call for the app (no user)
            claims["sub"] = claims["user_id"] = user_id
        if workflows is not None:
            claims["workflows"] = list(workflows)
        return {"Authorization": f"Bearer {jwt.encode(claims, settings.ai_jwt_secret, algorithm='HS256')}"}
    if settings.ai_token:
        return {"Authorization": f"Bearer {settings.ai_token}"}
    return {}
