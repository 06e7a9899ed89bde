"""Access tokens: issuing them (HS256, built-in provider) and verifying them (HS256 secret or platform JWKS).

Verification follows RFC 8725: the algorithm comes from a fixed list chosen by the key source (HS256 for the
shared secret, RS256/ES256 for JWKS; never ``none``), and ``exp``, ``iss``, ``aud`` and ``sub`` are required.
Only tokens with ``typ`` ``access`` are accepted, so refresh or execution tokens cannot stand in for them.

A client sends the same access token with every request until it expires, so verified tokens are remembered in
a small bounded cache keyed by the exact token string (signature included): a hit skips the signature and claim
checks but still enforces expiry. Nothing is cached for a token that fails, and session revocation is checked
per request by the caller, not here.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Sequence
from typing import Any

import jwt

from .._identity import User
from ..config import Settings
from ..errors import AuthError

__all__ = ["ASYMMETRIC_ALGORITHMS", "LEEWAY_SECONDS", "TokenIssuer", "TokenVerifier", "user_from_claims"]

ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")
LEEWAY_SECONDS = 30
VERIFIED_CACHE_SIZE = 4096
_REQUIRED = ["exp", "iss", "aud", "sub"]


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (faster than ``copy.deepcopy``: no memo, no reduce protocol)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def user_from_claims(claims: dict[str, Any]) -> User:
    """Build a :class:`User` from verified claims (``roles`` must be a list of strings)."""
    roles = claims.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise AuthError("invalid token: roles must be a list of strings")
    email = claims.get("email")
    return User(
        id=str(claims["sub"]),
        email=email if isinstance(email, str) else None,
        roles=tuple(roles),
        app_id=claims.get("app_id"),
        claims=claims,
    )


class TokenVerifier:
    """Verifies access tokens presented to the app.

    Args:
        settings: Secret, JWKS URL, issuer, audience and app id to enforce.
        jwks_client: A ``PyJWKClient`` (tests inject one); built from ``settings.jwks_url`` by default.
    """

    def __init__(self, settings: Settings, jwks_client: jwt.PyJWKClient | None = None) -> None:
        self.settings = settings
        self._jwks = jwks_client
        self._verified: dict[str, dict[str, Any]] = {}
        self._verified_lock = threading.Lock()
        if self._jwks is None and settings.jwks_url:
            self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=300, timeout=5)

    def _key(self, token: str, alg: object) -> tuple[Any, list[str]]:
        if alg == "HS256" and self.settings.jwt_secret:
            return self.settings.jwt_secret, ["HS256"]
        if alg in ASYMMETRIC_ALGORITHMS and self._jwks is not None:
            try:
                return self._jwks.get_signing_key_from_jwt(token).key, list(ASYMMETRIC_ALGORITHMS)
            except jwt.PyJWKClientError as exc:
                raise AuthError("invalid token: unknown signing key") from exc
        raise AuthError("invalid token: algorithm not accepted")

    def verify(self, token: str) -> dict[str, Any]:
        """Return the claims of a valid access token for this app.

        Raises:
            AuthError: Malformed, badly signed, expired, not yet valid, for another issuer, audience or app,
                or not an access token.
        """
        claims = self._verified.get(token)
        if claims is not None:
            if claims["exp"] + LEEWAY_SECONDS > time.time():
                fresh: dict[str, Any] = _copy(claims)
                return fresh
            with self._verified_lock:
                self._verified.pop(token, None)
            raise AuthError("token expired")
        claims = self._verify(token)
        if isinstance(claims["exp"], int | float):
            with self._verified_lock:
                if len(self._verified) >= VERIFIED_CACHE_SIZE:
                    del self._verified[next(iter(self._verified))]  # the oldest entry
                self._verified[token] = _copy(claims)  # callers may change theirs: the cache keeps its own
        return claims

    def _verify(self, token: str) -> dict[str, Any]:
        if self._jwks is None:
            # Only the shared secret can sign: decode once with HS256 (no separate header parse).
            if not self.settings.jwt_secret:
                raise AuthError("invalid token: algorithm not accepted")
            key, algorithms = self.settings.jwt_secret, ["HS256"]
        else:
            try:
                header = jwt.get_unverified_header(token)
            except jwt.PyJWTError:
                raise AuthError("invalid token") from None
            key, algorithms = self._key(token, header.get("alg"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=list(algorithms),
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": _REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        if claims.get("typ", "access") != "access":
            raise AuthError("invalid token: not an access token")
        app_id = claims.get("app_id")
        if app_id is not None and app_id != self.settings.app_id:
            raise AuthError("invalid token: issued for another app")
        return claims


class TokenIssuer:
    """Issues HS256 access tokens for the built-in email/password provider.

    Args:
        settings: Secret, issuer, audience, app id and lifetime.
    """

    def __init__(self, settings: Settings) -> None:
        if not settings.jwt_secret:
            raise AuthError("the built-in provider needs MOZAIKS_JWT_SECRET")
        self.settings = settings
        self._secret = settings.jwt_secret

    def access_token(self, user_id: str, *, email: str | None, roles: Sequence[str], session: str) -> str:
        """Return a signed access token.

        Args:
            user_id: ``sub``.
            email: The user's email.
            roles: The user's roles.
            session: The session (refresh-token family) id; revoking it invalidates the token.
        """
        now = int(time.time())
        claims = {
            "sub": user_id,
            "email": email,
            "roles": list(roles),
            "app_id": self.settings.app_id,
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.settings.access_token_ttl,
            "typ": "access",
            "sid": session,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")
