"""Runtime configuration, read from the environment in one place.

Library code receives a :class:`RuntimeConfig`; only :meth:`RuntimeConfig.from_env` reads
environment variables, through an injectable mapping so tests never patch ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mozaiks_ai.errors import ConfigurationError

__all__ = ["DEFAULT_DB_URL", "RuntimeConfig", "ServerConfig", "SmtpConfig", "bundled_examples"]

DEFAULT_DB_URL = "sqlite:///./.mozaiks/mozaiks.db"


@dataclass(frozen=True)
class SmtpConfig:
    """SMTP server for ``send_email`` (when absent, mail goes to the outbox folder)."""

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str = "mozaiks@localhost"


@dataclass(frozen=True)
class RuntimeConfig:
    """Everything the runtime can be configured with.

    Attributes:
        workflow_paths: Roots to load workflows from (``MOZAIKS_WORKFLOWS_PATH`` / ``WORKFLOWS_PATH``).
        workflows_enabled: Only these workflow ids are registered (``WORKFLOWS_ENABLED``).
        load_entry_points: Also load installed packs (group ``mozaiks_ai.workflows``).
        db_url: ``MOZAIKS_DB_URL``.
        mode: ``self-hosted`` or ``managed`` (``MOZAIKS_MODE``).
        app_id: The app a static token acts for (``MOZAIKS_AI_APP_ID``).
        http_allowed_hosts: Hosts ``http`` steps may call (``MOZAIKS_HTTP_ALLOWED_HOSTS``).
        app_api_url: Base URL of ``call_app_api`` (``MOZAIKS_APP_API_URL``).
        app_api_token: Bearer token sent by ``call_app_api`` (``MOZAIKS_APP_API_TOKEN``).
        smtp: SMTP server, if configured (``MOZAIKS_SMTP_HOST`` …).
        outbox_dir: Development mail sink (``MOZAIKS_OUTBOX_DIR``).
        secrets_file: ``NAME=value`` file of secrets (``MOZAIKS_SECRETS_FILE``).
        platform_url: Mozaiks platform API for ``use_mozaiks_tool`` in managed mode.
        platform_token: Token for the platform API.
        retention_days: Finished runs older than this are pruned (``MOZAIKS_RETENTION_DAYS``; 0 keeps all).
        model: Default model, ``provider:model`` (``MOZAIKS_MODEL``; default ``offline`` unless an API key is set).
        openai_api_key: ``OPENAI_API_KEY``.
        openai_base_url: ``OPENAI_BASE_URL`` (Azure OpenAI, Ollama, vLLM, LM Studio, llama.cpp …).
        anthropic_api_key: ``ANTHROPIC_API_KEY``.
        anthropic_base_url: ``ANTHROPIC_BASE_URL``.
        model_timeout: Seconds per model call (``MOZAIKS_MODEL_TIMEOUT``).
        model_max_retries: Retries of 429/5xx answers, honouring ``Retry-After`` (``MOZAIKS_MODEL_MAX_RETRIES``).
        model_reasks: Times a ``model`` step re-asks when its answer fails ``output_schema`` (``MOZAIKS_MODEL_REASKS``).
        prices_file: JSON price table overriding the built-in one (``MOZAIKS_PRICES_FILE``).
        run_token_budget: Tokens one run may use (``MOZAIKS_RUN_TOKEN_BUDGET``).
        app_token_budget: Tokens one app may use in total (``MOZAIKS_APP_TOKEN_BUDGET``).
        app_cost_budget: USD one app may spend in total (``MOZAIKS_APP_COST_BUDGET``).
        environ: The mapping this config was read from (secrets are looked up in it).
    """

    workflow_paths: tuple[Path, ...] = ()
    workflows_enabled: tuple[str, ...] | None = None
    load_entry_points: bool = True
    db_url: str = DEFAULT_DB_URL
    mode: str = "self-hosted"
    app_id: str = "default"
    http_allowed_hosts: tuple[str, ...] = ()
    app_api_url: str | None = None
    app_api_token: str | None = None
    smtp: SmtpConfig | None = None
    outbox_dir: Path = Path(".mozaiks/outbox")
    secrets_file: Path | None = None
    platform_url: str | None = None
    platform_token: str | None = None
    retention_days: float = 30.0
    model: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    anthropic_api_key: str | None = field(default=None, repr=False)
    anthropic_base_url: str | None = None
    model_timeout: float = 120.0
    model_max_retries: int = 4
    model_reasks: int = 2
    prices_file: Path | None = None
    run_token_budget: int | None = None
    app_token_budget: int | None = None
    app_cost_budget: float | None = None
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> RuntimeConfig:
        """Read the configuration from ``environ`` (default: ``os.environ``).

        Args:
            environ: The environment mapping.
            **overrides: Field values that win over the environment (CLI options).

        Raises:
            ConfigurationError: A variable has an invalid value; the message names it.
        """
        env = dict(os.environ if environ is None else environ)

        def split(value: str | None, sep: str = ",") -> tuple[str, ...]:
            return tuple(p.strip() for p in (value or "").split(sep) if p.strip())

        paths = env.get("MOZAIKS_WORKFLOWS_PATH") or env.get("WORKFLOWS_PATH")
        enabled = env.get("WORKFLOWS_ENABLED")
        mode = env.get("MOZAIKS_MODE", "self-hosted").strip().lower()
        if mode not in ("self-hosted", "managed"):
            raise ConfigurationError(f"MOZAIKS_MODE must be 'self-hosted' or 'managed', got {mode!r}")
        smtp = None
        if env.get("MOZAIKS_SMTP_HOST"):
            try:
                port = int(env.get("MOZAIKS_SMTP_PORT", "587"))
            except ValueError:
                raise ConfigurationError("MOZAIKS_SMTP_PORT must be a number") from None
            smtp = SmtpConfig(
                host=env["MOZAIKS_SMTP_HOST"],
                port=port,
                username=env.get("MOZAIKS_SMTP_USERNAME") or None,
                password=env.get("MOZAIKS_SMTP_PASSWORD") or None,
                starttls=env.get("MOZAIKS_SMTP_STARTTLS", "true").lower() not in ("0", "false", "no"),
                sender=env.get("MOZAIKS_SMTP_FROM", "mozaiks@localhost"),
            )
        try:
            retention = float(env.get("MOZAIKS_RETENTION_DAYS", "30"))
        except ValueError:
            raise ConfigurationError("MOZAIKS_RETENTION_DAYS must be a number of days") from None
        values: dict[str, object] = {
            "workflow_paths": tuple(Path(p) for p in split(paths, os.pathsep)),
            "workflows_enabled": split(enabled) if enabled else None,
            "db_url": env.get("MOZAIKS_DB_URL", DEFAULT_DB_URL),
            "mode": mode,
            "app_id": env.get("MOZAIKS_AI_APP_ID", "default"),
            "http_allowed_hosts": split(env.get("MOZAIKS_HTTP_ALLOWED_HOSTS")),
            "app_api_url": env.get("MOZAIKS_APP_API_URL") or None,
            "app_api_token": env.get("MOZAIKS_APP_API_TOKEN") or None,
            "smtp": smtp,
            "outbox_dir": Path(env.get("MOZAIKS_OUTBOX_DIR", ".mozaiks/outbox")),
            "secrets_file": Path(env["MOZAIKS_SECRETS_FILE"]) if env.get("MOZAIKS_SECRETS_FILE") else None,
            "platform_url": env.get("MOZAIKS_PLATFORM_URL") or None,
            "platform_token": env.get("MOZAIKS_PLATFORM_TOKEN") or None,
            "retention_days": retention,
            "model": env.get("MOZAIKS_MODEL") or None,
            "openai_api_key": env.get("OPENAI_API_KEY") or None,
            "openai_base_url": env.get("OPENAI_BASE_URL") or None,
            "anthropic_api_key": env.get("ANTHROPIC_API_KEY") or None,
            "anthropic_base_url": env.get("ANTHROPIC_BASE_URL") or None,
            "model_timeout": _number(env, "MOZAIKS_MODEL_TIMEOUT", 120.0),
            "model_max_retries": int(_number(env, "MOZAIKS_MODEL_MAX_RETRIES", 4, allow_zero=True)),
            "model_reasks": int(_number(env, "MOZAIKS_MODEL_REASKS", 2, allow_zero=True)),
            "prices_file": Path(env["MOZAIKS_PRICES_FILE"]) if env.get("MOZAIKS_PRICES_FILE") else None,
            "run_token_budget": _optional_int(env, "MOZAIKS_RUN_TOKEN_BUDGET"),
            "app_token_budget": _optional_int(env, "MOZAIKS_APP_TOKEN_BUDGET"),
            "app_cost_budget": _number(env, "MOZAIKS_APP_COST_BUDGET", None),
            "environ": env,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def workflow_roots(self) -> list[Path]:
        """Roots to load, in priority order.

        Configured paths come first; with none configured, ``./workflows`` (when present) and the
        bundled examples are used, so a fresh checkout runs ``mozaiks-ai run hello-world``.
        """
        if self.workflow_paths:
            return list(self.workflow_paths)
        roots = [Path("workflows")] if Path("workflows").is_dir() else []
        examples = bundled_examples()
        if examples is not None:
            roots.append(examples)
        return roots


def _number(env: Mapping[str, str], name: str, default: float | None, *, allow_zero: bool = False) -> Any:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigurationError(f"{name} must be {'zero or more' if allow_zero else 'positive'}, got {raw!r}")
    return value


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    value = _number(env, name, None)
    return None if value is None else int(value)


def bundled_examples() -> Path | None:
    """Return the folder of the example workflows shipped with mozaiks-ai, if present."""
    here = Path(__file__).resolve().parent
    packaged = here / "_examples"
    if packaged.is_dir():
        return packaged
    checkout = here.parent.parent.parent / "examples"  # editable install inside the monorepo
    if (checkout / "hello-world").is_dir():
        return checkout
    return None


_WEAK_SECRETS = frozenset({"secret", "changeme", "change-me", "password", "mozaiks", "dev", "test", "default"})
_MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class ServerConfig:
    """Settings of ``mozaiks-ai serve`` (HTTP, WebSocket, ChatUI).

    Attributes:
        host: Interface to bind (forced to 127.0.0.1 when no authentication is configured).
        port: TCP port (``MOZAIKS_AI_PORT``, default 8080).
        tokens: Static bearer tokens (``MOZAIKS_AI_TOKEN``, comma-separated).
        jwt_secret: HS256 secret (``MOZAIKS_AI_JWT_SECRET``).
        jwks_url: JWKS URL for RS256/ES256 tokens (``MOZAIKS_AI_JWKS_URL``).
        jwt_issuer: Required ``iss`` (``MOZAIKS_AI_JWT_ISSUER``).
        jwt_audience: Required ``aud`` (``MOZAIKS_AI_JWT_AUDIENCE``).
        allowed_apps: When set, JWTs of other apps are refused with 403 (``MOZAIKS_AI_APP_IDS``).
        cors_origins: Origins allowed by CORS (``MOZAIKS_AI_CORS_ORIGINS``); none by default.
        max_body_bytes: Largest request body accepted (``MOZAIKS_AI_MAX_BODY_BYTES``, default 1 MiB).
        execute_timeout: Longest a waiting ``execute`` call waits, in seconds (``MOZAIKS_AI_EXECUTE_TIMEOUT``).
        production: ``MOZAIKS_ENV=production``: refuse to start without auth or with a weak secret.
        chat_queue_policy: What a second chat message does while a run is active: ``queue`` or ``reject``.
        deploy_allow_local: Let ``git`` deploys push to local paths / ``file://`` remotes
            (``MOZAIKS_AI_DEPLOY_ALLOW_LOCAL``; for development and tests).
        github_api_url: GitHub REST API base (``MOZAIKS_GITHUB_API_URL``; GitHub Enterprise or a test server).
    """

    host: str = "127.0.0.1"
    port: int = 8080
    tokens: tuple[str, ...] = ()
    jwt_secret: str | None = None
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    allowed_apps: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1_048_576
    execute_timeout: float = 300.0
    production: bool = False
    chat_queue_policy: str = "queue"
    deploy_allow_local: bool = False
    github_api_url: str = "https://api.github.com"

    @property
    def auth_enabled(self) -> bool:
        """Whether any authentication is configured."""
        return bool(self.tokens or self.jwt_secret or self.jwks_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> ServerConfig:
        """Read the server settings (``MOZAIKS_AI_*``) from ``environ``.

        Raises:
            ConfigurationError: A value is invalid; the message names the variable.
        """
        env = dict(os.environ if environ is None else environ)

        def split(name: str) -> tuple[str, ...]:
            return tuple(p.strip() for p in env.get(name, "").split(",") if p.strip())

        def number(name: str, default: str, kind: type[int] | type[float]) -> int | float:
            try:
                value = kind(env.get(name, default))
            except ValueError:
                raise ConfigurationError(f"{name} must be a number") from None
            if value <= 0:
                raise ConfigurationError(f"{name} must be positive")
            return value

        policy = env.get("MOZAIKS_AI_CHAT_QUEUE", "queue").strip().lower()
        if policy not in ("queue", "reject"):
            raise ConfigurationError("MOZAIKS_AI_CHAT_QUEUE must be 'queue' or 'reject'")
        values: dict[str, object] = {
            "host": env.get("MOZAIKS_AI_HOST", "127.0.0.1"),
            "port": int(number("MOZAIKS_AI_PORT", "8080", int)),
            "tokens": split("MOZAIKS_AI_TOKEN"),
            "jwt_secret": env.get("MOZAIKS_AI_JWT_SECRET") or None,
            "jwks_url": env.get("MOZAIKS_AI_JWKS_URL") or None,
            "jwt_issuer": env.get("MOZAIKS_AI_JWT_ISSUER") or None,
            "jwt_audience": env.get("MOZAIKS_AI_JWT_AUDIENCE") or None,
            "allowed_apps": split("MOZAIKS_AI_APP_IDS"),
            "cors_origins": split("MOZAIKS_AI_CORS_ORIGINS"),
            "max_body_bytes": int(number("MOZAIKS_AI_MAX_BODY_BYTES", "1048576", int)),
            "execute_timeout": float(number("MOZAIKS_AI_EXECUTE_TIMEOUT", "300", float)),
            "production": env.get("MOZAIKS_ENV", "").strip().lower() in ("prod", "production"),
            "chat_queue_policy": policy,
            "deploy_allow_local": env.get("MOZAIKS_AI_DEPLOY_ALLOW_LOCAL", "").lower() in ("1", "true", "yes"),
            "github_api_url": env.get("MOZAIKS_GITHUB_API_URL", "https://api.github.com"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**values)  # type: ignore[arg-type]
        config.check()
        return config

    def check(self) -> None:
        """Refuse weak configurations (always for weak secrets; in production, also missing auth).

        Raises:
            ConfigurationError: Saying what to set.
        """
        for token in self.tokens:
            if len(token) < 16 or token.lower() in _WEAK_SECRETS or len(set(token)) < 8:
                raise ConfigurationError(
                    "MOZAIKS_AI_TOKEN holds a weak token: use at least 16 random characters "
                    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
                )
        if self.jwt_secret is not None and (
            len(self.jwt_secret.encode()) < _MIN_SECRET_BYTES
            or self.jwt_secret.lower() in _WEAK_SECRETS
            or len(set(self.jwt_secret)) < 8  # "aaaa…" or "abab…": long but guessable
        ):
            raise ConfigurationError(
                f"MOZAIKS_AI_JWT_SECRET is too weak: use at least {_MIN_SECRET_BYTES} random bytes "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if self.production and not self.auth_enabled:
            raise ConfigurationError(
                "MOZAIKS_ENV=production but no authentication is configured: set MOZAIKS_AI_TOKEN, "
                "MOZAIKS_AI_JWT_SECRET or MOZAIKS_AI_JWKS_URL"
            )
