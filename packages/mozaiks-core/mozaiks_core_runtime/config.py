"""Settings of a mozaiks-core app: the only module that reads environment variables.

Values come from an injectable ``environ`` mapping (the process environment by default) layered over an optional
``.env`` file; the environment wins. Every variable uses the ``MOZAIKS_`` prefix:

==============================  ==================================================================
``MOZAIKS_ENV``                 ``development`` (default), ``test`` or ``production``
``MOZAIKS_MODE``                ``self-hosted`` (default) or ``managed``
``MOZAIKS_APP_ID``              scopes documents and tokens (default: the app's name)
``MOZAIKS_DB_URL``              ``sqlite:///./.mozaiks/app.db`` (default) or ``postgresql://…``
``MOZAIKS_JWT_SECRET``          HS256 secret for tokens this app issues and accepts (≥ 32 bytes)
``MOZAIKS_JWKS_URL``            JWKS of the platform, for RS256/ES256 tokens in managed mode
``MOZAIKS_JWT_ISSUER``          expected ``iss`` (default ``mozaiks-core:<app id>``)
``MOZAIKS_JWT_AUDIENCE``        expected ``aud`` (default: the app id)
``MOZAIKS_AI_URL``              base URL of mozaiks-ai; events stay in the outbox while unset
``MOZAIKS_AI_TOKEN``            bearer token for mozaiks-ai
``MOZAIKS_CORS_ORIGINS``        comma-separated allowed browser origins
``MOZAIKS_MAX_BODY_BYTES``      request body limit (default 1 MiB)
``MOZAIKS_AUTH_DISABLED``       ``true`` turns authentication off (refused in production)
``MOZAIKS_ALLOWED_WORKFLOWS``   comma-separated workflows the frontend may run through
                                ``POST /api/workflows/{name}/run`` (none by default)
``MOZAIKS_PAYMENT_PROVIDER``    default payment provider; ``sandbox`` is refused in production
==============================  ==================================================================

Payments (``MOZAIKS_PAYMENT_*``, ``MOZAIKS_STRIPE_*``) and insights (``MOZAIKS_INSIGHTS_*``, ``MOZAIKS_PLATFORM_URL``)
read the same merged variables (kept in :attr:`Settings.environ`); see :mod:`mozaiks_core_runtime.payments.config`
and :mod:`mozaiks_core_runtime.telemetry.config`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values

from .errors import ConfigurationError

__all__ = ["DEFAULT_DB_URL", "Settings"]

DEFAULT_DB_URL = "sqlite:///./.mozaiks/app.db"
_WEAK_SECRETS = {"secret", "changeme", "change-me", "dev", "development", "test", "password", "mozaiks", "jwt-secret"}
_MIN_SECRET_BYTES = 32

Env = Literal["development", "test", "production"]
Mode = Literal["self-hosted", "managed"]


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    """Typed configuration of one app, built with :meth:`from_env` or directly in tests.

    Attributes:
        app_name: The name given to ``App(...)``.
        app_id: Scopes every document and token to this app.
        env: ``development``, ``test`` or ``production``.
        mode: ``self-hosted`` (no Mozaiks service is called) or ``managed``.
        db_url: Where documents, sessions and the event outbox live.
        jwt_secret: HS256 secret; ``None`` only when ``jwks_url`` is set or in development.
        jwks_url: JWKS endpoint for platform-issued RS256/ES256 tokens.
        jwt_issuer: Expected ``iss`` claim.
        jwt_audience: Expected ``aud`` claim.
        ai_url: Base URL of mozaiks-ai, or ``None``.
        ai_token: Static bearer token for mozaiks-ai (used when ``ai_jwt_secret`` is not set).
        ai_jwt_secret: ``MOZAIKS_AI_JWT_SECRET`` shared with mozaiks-ai: each call then carries a short-lived token
            scoped to that one call (``workflows:execute`` of one workflow, or ``events:publish``).
        app_token: ``MOZAIKS_APP_API_TOKEN`` (the same value mozaiks-ai's ``call_app_api`` sends): the app-scoped
            token workflows call this app back with (``auth.require_app``); with ``X-Mozaiks-User`` they act for
            that user.
        cors_origins: Browser origins allowed to call the API.
        max_body_bytes: Largest accepted request body.
        max_json_depth: Deepest accepted JSON nesting.
        auth_disabled: Authentication turned off (development only).
        access_token_ttl: Lifetime of access tokens, seconds.
        refresh_token_ttl: Lifetime of refresh tokens, seconds.
        refresh_reuse_grace: Seconds during which a just-rotated refresh token is refused without revoking its family.
        login_max_failures: Failed logins per email (and per client address ×4) before 429.
        login_window: Window of the login limiter, seconds.
        allowed_workflows: Workflows the frontend may trigger through ``POST /api/workflows/{name}/run``.
        payment_provider: ``MOZAIKS_PAYMENT_PROVIDER`` as given (lower-cased), or ``None``.
        environ: Every variable read (``.env`` under the environment), for the payments and insights settings.
        generated_secret: ``True`` when ``jwt_secret`` was generated for this process (development).
    """

    app_name: str
    app_id: str
    env: Env = "development"
    mode: Mode = "self-hosted"
    db_url: str = DEFAULT_DB_URL
    jwt_secret: str | None = None
    jwks_url: str | None = None
    jwt_issuer: str = ""
    jwt_audience: str = ""
    ai_url: str | None = None
    ai_token: str | None = None
    ai_jwt_secret: str | None = None
    app_token: str | None = None
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    auth_disabled: bool = False
    access_token_ttl: int = 900
    refresh_token_ttl: int = 30 * 24 * 3600
    refresh_reuse_grace: int = 10
    login_max_failures: int = 5
    login_window: int = 300
    allowed_workflows: tuple[str, ...] = ()
    payment_provider: str | None = None
    environ: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    generated_secret: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if not self.jwt_issuer:
            object.__setattr__(self, "jwt_issuer", f"mozaiks-core:{self.app_id}")
        if not self.jwt_audience:
            object.__setattr__(self, "jwt_audience", self.app_id)

    @classmethod
    def from_env(
        cls,
        app_name: str,
        *,
        environ: Mapping[str, str] | None = None,
        env_file: str | Path | None = ".env",
    ) -> Settings:
        """Build settings from ``environ`` layered over ``env_file``.

        Args:
            app_name: The app's name; the default app id.
            environ: Variables to read; ``os.environ`` when ``None``.
            env_file: A ``.env`` file read underneath ``environ`` if it exists; ``None`` to skip.

        Returns:
            The settings. They are not checked yet: call :meth:`check`.

        Raises:
            ConfigurationError: A value has the wrong type or is not one of the allowed choices.
        """
        values: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            raw = values.get(name)
            return raw.strip() if raw and raw.strip() else None

        env = (get("MOZAIKS_ENV") or "development").lower()
        if env not in ("development", "test", "production"):
            raise ConfigurationError(f"MOZAIKS_ENV must be development, test or production, got {env!r}")
        mode = (get("MOZAIKS_MODE") or "self-hosted").lower()
        if mode not in ("self-hosted", "managed"):
            raise ConfigurationError(f"MOZAIKS_MODE must be self-hosted or managed, got {mode!r}")
        secret = get("MOZAIKS_JWT_SECRET")
        generated = False
        if secret is None and env != "production" and get("MOZAIKS_JWKS_URL") is None:
            # Development convenience: tokens last as long as the process. Production refuses this in check().
            secret, generated = secrets.token_urlsafe(48), True
        origins = tuple(o.strip().rstrip("/") for o in (get("MOZAIKS_CORS_ORIGINS") or "").split(",") if o.strip())
        ai_url = get("MOZAIKS_AI_URL")
        allowed = tuple(w.strip() for w in (get("MOZAIKS_ALLOWED_WORKFLOWS") or "").split(",") if w.strip())
        provider = get("MOZAIKS_PAYMENT_PROVIDER")
        return cls(
            app_name=app_name,
            app_id=get("MOZAIKS_APP_ID") or app_name,
            env=env,  # type: ignore[arg-type]
            mode=mode,  # type: ignore[arg-type]
            db_url=get("MOZAIKS_DB_URL") or DEFAULT_DB_URL,
            jwt_secret=secret,
            jwks_url=get("MOZAIKS_JWKS_URL"),
            jwt_issuer=get("MOZAIKS_JWT_ISSUER") or "",
            jwt_audience=get("MOZAIKS_JWT_AUDIENCE") or "",
            ai_url=ai_url.rstrip("/") if ai_url else None,
            ai_token=get("MOZAIKS_AI_TOKEN"),
            ai_jwt_secret=get("MOZAIKS_AI_JWT_SECRET"),
            app_token=get("MOZAIKS_APP_API_TOKEN"),
            cors_origins=origins,
            max_body_bytes=_int(values, "MOZAIKS_MAX_BODY_BYTES", 1024 * 1024),
            auth_disabled=_flag(get("MOZAIKS_AUTH_DISABLED")),
            allowed_workflows=allowed,
            payment_provider=provider.lower() if provider else None,
            environ={k: v for k, v in values.items() if k.startswith("MOZAIKS_")},
            generated_secret=generated,
        )

    def integration_environ(self) -> dict[str, str]:
        """Return the variables payments and insights read, with mode, app id and provider from these settings.

        Returns:
            :attr:`environ` with ``MOZAIKS_MODE``, ``MOZAIKS_APP_ID`` (and ``MOZAIKS_PAYMENT_PROVIDER``) overridden.
        """
        merged = {k: v for k, v in self.environ.items() if v is not None}
        merged["MOZAIKS_MODE"] = self.mode
        merged["MOZAIKS_APP_ID"] = self.app_id
        if self.payment_provider:
            merged["MOZAIKS_PAYMENT_PROVIDER"] = self.payment_provider
        return merged

    def with_changes(self, **changes: object) -> Settings:
        """Return a copy with some fields replaced (handy in tests)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def problems(self) -> list[str]:
        """List what makes this configuration unsafe to run in production, each saying what to set.

        Returns:
            Problems; empty when the configuration is acceptable for :attr:`env`.
        """
        found: list[str] = []
        if self.env != "production":
            return found
        if self.auth_disabled:
            found.append("MOZAIKS_AUTH_DISABLED is true: unset it (authentication cannot be off in production)")
        if self.jwt_secret is None and self.jwks_url is None:
            found.append(
                "no token verification configured: set MOZAIKS_JWT_SECRET (≥ 32 random bytes) or MOZAIKS_JWKS_URL"
            )
        if self.jwt_secret is not None and (
            len(self.jwt_secret.encode()) < _MIN_SECRET_BYTES or self.jwt_secret.lower() in _WEAK_SECRETS
        ):
            found.append(
                "MOZAIKS_JWT_SECRET is weak: set it to at least 32 random bytes, "
                "e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if self.ai_url and not self.ai_token and not self.ai_jwt_secret:
            found.append(
                "MOZAIKS_AI_URL is set without MOZAIKS_AI_JWT_SECRET or MOZAIKS_AI_TOKEN: set the secret (or token) "
                "mozaiks-ai expects"
            )
        for name, value in (("MOZAIKS_AI_JWT_SECRET", self.ai_jwt_secret), ("MOZAIKS_APP_API_TOKEN", self.app_token)):
            if value is not None and (len(value.encode()) < _MIN_SECRET_BYTES or value.lower() in _WEAK_SECRETS):
                found.append(f"{name} is weak: set it to at least 32 random bytes")
        if self.payment_provider == "sandbox":
            found.append(
                "MOZAIKS_PAYMENT_PROVIDER is 'sandbox' (fake local payments): set it to stripe, mozaiks "
                "or a plugin provider"
            )
        if "*" in self.cors_origins:
            found.append("MOZAIKS_CORS_ORIGINS contains '*': list the frontend origins explicitly")
        return found

    def check(self) -> None:
        """Refuse weak production configuration.

        Raises:
            ConfigurationError: One or more problems; the message lists each with what to set.
        """
        found = self.problems()
        if found:
            raise ConfigurationError(
                "refusing to start in production:\n  - " + "\n  - ".join(found), details={"problems": found}
            )
