"""Bearer authentication for HTTP and WebSocket: static tokens and JWTs.

* Static tokens (``MOZAIKS_AI_TOKEN``, comma-separated for several) act for the app named by
  ``MOZAIKS_AI_APP_ID``; as trusted service credentials they may name the user they act for.
* JWTs signed with ``MOZAIKS_AI_JWT_SECRET`` (HS256) or by a key of ``MOZAIKS_AI_JWKS_URL``
  (RS256/ES256) carry ``app_id`` and ``user_id`` (or ``sub``) claims. The algorithm list is fixed
  per key type (no ``none``, no HS256 with a public key), ``exp`` is required, ``nbf``/``iat``/
  ``iss``/``aud`` are checked, and a token whose ``typ``/``token_use`` says refresh or execution
  is refused.
* A JWT whose ``scope`` claim names a runtime scope is *scoped*: it may do only what its scopes name —
  ``workflows:execute`` (``POST /api/workflows/execute``, limited to the names in its ``workflows`` claim when
  present) and ``events:publish`` (``POST /api/events``). Other scopes (an identity provider's ``openid``…) do not
  restrict a token. mozaiks-core mints such short-lived tokens for each call when it
  shares ``MOZAIKS_AI_JWT_SECRET`` with this server.

Identity comes from the token only: request bodies never choose the tenant.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any, Literal

from mozaiks_ai.errors import MozaiksError

__all__ = ["AuthConfig", "AuthError", "Authenticator", "Principal"]

_LEEWAY_SECONDS = 30
_ASYMMETRIC = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
_ACCESS_TYPES = frozenset({None, "access", "at+jwt", "jwt"})


class AuthError(MozaiksError):
    """Authentication failed (401) or the principal may not do this (403)."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Principal:
    """Who is calling.

    Attributes:
        app_id: The tenant.
        user_id: The user, when the token names one.
        kind: ``token`` (static service token), ``jwt``, or ``anonymous`` (no auth configured).
        scopes: For a scoped token, what it may do (see the module docs); ``None`` when unrestricted.
        workflows: For a scoped token, the workflows it may execute; ``None`` when any.
    """

    app_id: str
    user_id: str | None
    kind: Literal["token", "jwt", "anonymous"]
    scopes: frozenset[str] | None = None
    workflows: frozenset[str] | None = None

    def may_execute(self, workflow: str) -> bool:
        """Whether this principal may start ``workflow`` (scoped tokens name theirs)."""
        return self.workflows is None or workflow in self.workflows

    @property
    def is_service(self) -> bool:
        """Static tokens and the no-auth mode act for their app as a whole."""
        return self.kind != "jwt"


@dataclass(frozen=True)
class AuthConfig:
    """Authentication settings.

    Attributes:
        tokens: Accepted static tokens.
        jwt_secret: HS256 secret.
        jwks_url: URL of a JWKS for RS256/ES256 tokens.
        issuer: Required ``iss`` when set.
        audience: Required ``aud`` when set.
        app_id: The app static tokens (and the no-auth mode) act for.
    """

    tokens: tuple[str, ...] = ()
    jwt_secret: str | None = None
    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    app_id: str = "default"

    @property
    def enabled(self) -> bool:
        """Whether any authentication is configured."""
        return bool(self.tokens or self.jwt_secret or self.jwks_url)


class Authenticator:
    """Turns a bearer token into a :class:`Principal`."""

    def __init__(self, config: AuthConfig) -> None:
        self.config = config
        self._jwks: Any = None
        if config.jwks_url:
            from jwt import PyJWKClient

            self._jwks = PyJWKClient(config.jwks_url, cache_keys=True, lifespan=300, timeout=10)

    def authenticate(self, authorization: str | None) -> Principal:
        """Check an ``Authorization`` header value (or a bare token).

        Raises:
            AuthError: 401 with a reason that never echoes the token.
        """
        if not self.config.enabled:
            return Principal(self.config.app_id, None, "anonymous")
        if not authorization:
            raise AuthError("missing bearer token: send 'Authorization: Bearer <token>'")
        scheme, _, token = authorization.strip().partition(" ")
        if not token:
            token, scheme = scheme, "bearer"
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("malformed Authorization header: expected 'Bearer <token>'")
        token = token.strip()
        for accepted in self.config.tokens:
            if hmac.compare_digest(token.encode(), accepted.encode()):
                return Principal(self.config.app_id, None, "token")
        if token.count(".") != 2:
            raise AuthError("invalid token")
        return self._jwt(token)

    def _key(self, token: str) -> tuple[Any, list[str]]:
        """The verification key and algorithms for a token, from its header (never trusting ``alg`` alone)."""
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("malformed token") from None
        alg = header.get("alg")
        if alg == "HS256" and self.config.jwt_secret:
            return self.config.jwt_secret, ["HS256"]
        if alg in _ASYMMETRIC and self._jwks is not None:
            try:
                return self._jwks.get_signing_key_from_jwt(token).key, _ASYMMETRIC
            except jwt.PyJWKClientError:
                raise AuthError("token signed by an unknown key (kid)") from None
        raise AuthError(f"token algorithm {alg!r} is not accepted")

    def _jwt(self, token: str) -> Principal:
        import jwt

        key, algorithms = self._key(token)
        options = {"require": ["exp"], "verify_aud": self.config.audience is not None}
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=_LEEWAY_SECONDS,
                options=options,  # type: ignore[arg-type]
            )
        except jwt.PyJWTError as exc:
            raise AuthError(_jwt_problem(exc)) from None
        token_type = claims.get("typ", claims.get("token_use", jwt.get_unverified_header(token).get("typ")))
        if isinstance(token_type, str):
            token_type = token_type.lower()
        if token_type not in _ACCESS_TYPES:
            raise AuthError(f"a {token_type} token cannot be used as an access token")
        app_id = claims.get("app_id")
        if not isinstance(app_id, str) or not app_id:
            raise AuthError("token lacks an app_id claim")
        user_id = claims.get("user_id", claims.get("sub"))
        scopes, workflows = _scopes(claims)
        return Principal(app_id, str(user_id) if user_id is not None else None, "jwt", scopes, workflows)


#: The scopes this runtime gives meaning to. A token naming one of them is restricted to what they open; other
#: scopes (an identity provider's ``openid profile``…) do not restrict a token.
RUNTIME_SCOPES = frozenset({"workflows:execute", "events:publish"})


def _scopes(claims: dict[str, Any]) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """The runtime scopes of a token (``scope``: space-separated string or list) and its ``workflows`` claim."""
    raw = claims.get("scope")
    if raw is None:
        return None, None
    items = raw.split() if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise AuthError("token scope must be a space-separated string or a list of strings")
    granted = frozenset(items) & RUNTIME_SCOPES
    if not granted:
        return None, None
    names = claims.get("workflows")
    if names is not None and (not isinstance(names, list) or not all(isinstance(n, str) for n in names)):
        raise AuthError("token workflows claim must be a list of workflow names")
    return granted, frozenset(names) if names is not None else None


def _jwt_problem(exc: Exception) -> str:
    """A client-safe reason for a rejected JWT."""
    import jwt

    reasons: list[tuple[type[Exception], str]] = [
        (jwt.ExpiredSignatureError, "token expired"),
        (jwt.ImmatureSignatureError, "token not valid yet (nbf/iat in the future)"),
        (jwt.InvalidAudienceError, "token audience is not accepted"),
        (jwt.InvalidIssuerError, "token issuer is not accepted"),
    ]
    for kind, reason in reasons:
        if isinstance(exc, kind):
            return reason
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"token lacks the required claim {exc.claim!r}"
    return "invalid token signature or claims"
