"""The per-app runtime that the module-level facades (``db``, ``events``, ``workflows``, ``auth``) resolve to.

An :class:`App` creates one :class:`Runtime`. Inside a request the facades use that app's runtime (a context
variable); outside requests (scripts, background tasks) they use the most recently created app's.
"""

from __future__ import annotations

import contextvars
import hmac
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property

from ._identity import User
from .auth._passwords import Passwords
from .auth._ratelimit import FailureLimiter
from .auth._store import AuthStore
from .auth._tokens import TokenIssuer, TokenVerifier, user_from_claims
from .config import Settings
from .docdb import Database
from .errors import AuthError, ConfigurationError
from .events._outbox import Outbox
from .marketing import Marketing, MarketingConfig
from .payments.base import PaymentProvider
from .payments.config import PaymentsConfig
from .payments.dbstore import DatabasePaymentStore, DatabaseProcessedEvents
from .payments.errors import PaymentsDisabledError
from .payments.registry import PaymentPlugin, ProviderContext
from .payments.service import Payments
from .plugins.base import AuthPlugin, AuthProvider
from .plugins.registry import PluginRegistry
from .telemetry.config import InsightsConfig
from .telemetry.insights import Insights
from .telemetry.metrics import Metrics
from .workflows._client import WorkflowClient

__all__ = ["Runtime", "get_runtime", "use_runtime"]


class Runtime:
    """Everything one app needs at run time, built from its settings.

    Args:
        settings: The app's settings.
        database: A database to use instead of opening ``settings.db_url`` (tests).
    """

    def __init__(self, settings: Settings, *, database: Database | None = None) -> None:
        self.settings = settings
        self.db = database or Database(settings.db_url, settings.app_id)
        self.verifier = TokenVerifier(settings)
        self.limiter = FailureLimiter(settings.login_window)
        self.outbox = Outbox(self.db, settings)
        self.workflows = WorkflowClient(settings)
        environ = settings.integration_environ()
        self.metrics = Metrics()
        self.insights = Insights(InsightsConfig.from_environ(environ), metrics=self.metrics)
        self.payments = Payments(
            PaymentsConfig.from_environ(environ),
            store=DatabasePaymentStore(self.db),
            processed=DatabaseProcessedEvents(self.db),
            environ=environ,
        )
        if settings.env == "production":
            # The sandbox fakes payments: never reachable in production, whatever the default provider resolves to.
            self.payments.registry.register(PaymentPlugin("sandbox", _sandbox_refused), replace=True)
        self.marketing = Marketing(MarketingConfig.from_environ(environ))
        self.plugins = PluginRegistry()
        self.auth_providers: list[AuthProvider] = []

    def install_plugins(self, plugins: PluginRegistry) -> None:
        """Use ``plugins``: payment plugins join the payments registry, auth providers are built and consulted.

        Args:
            plugins: The discovered plugins.
        """
        self.plugins = plugins
        for plugin in plugins.payment_plugins.values():
            if plugin.name == "sandbox" and self.settings.env == "production":
                continue
            self.payments.registry.register(plugin, replace=True)
        self.auth_providers = [
            item.factory(self.settings) if isinstance(item, AuthPlugin) else item
            for item in plugins.auth_plugins.values()
        ]

    @cached_property
    def passwords(self) -> Passwords:
        """Password hasher (built on first use: it hashes a dummy password)."""
        return Passwords()

    @cached_property
    def auth_store(self) -> AuthStore:
        """Users, sessions and API keys of the built-in provider."""
        return AuthStore(self.db, self.settings)

    @cached_property
    def issuer(self) -> TokenIssuer:
        """Issues access tokens for the built-in provider."""
        return TokenIssuer(self.settings)

    def _app_caller(self, on_behalf_of: str | None) -> User:
        """The caller holding the app-scoped token: the app itself, or the user named by ``X-Mozaiks-User``."""
        app_id = self.settings.app_id
        if on_behalf_of is None:
            return User(id=f"app:{app_id}", roles=(APP_ROLE,), app_id=app_id, via_app_token=True, app_wide=True)
        if not _USER_ID.fullmatch(on_behalf_of):
            raise AuthError("X-Mozaiks-User must be a user id (letters, digits, _ . : @ -)")
        return User(id=on_behalf_of, roles=(APP_ROLE,), app_id=app_id, via_app_token=True)

    def authenticate(self, headers: Mapping[str, str]) -> User | None:
        """Return the user the request's credentials name, ``None`` when there are none.

        Accepts ``Authorization: Bearer <access token | API key>`` and ``X-API-Key``.

        Raises:
            AuthError: Credentials are present but invalid, expired, revoked or for another app.
        """
        if self.settings.auth_disabled:
            return User(id="dev-user", roles=("admin",), app_id=self.settings.app_id)
        for provider in self.auth_providers:
            user = provider.authenticate(headers)
            if user is not None:
                return user
        api_key = headers.get("x-api-key")
        header = headers.get("authorization")
        if api_key:
            return self.auth_store.verify_api_key(api_key)
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthError("expected 'Authorization: Bearer <token>'")
        if token.startswith("mzk_"):
            return self.auth_store.verify_api_key(token)
        if self.settings.app_token and hmac.compare_digest(token.encode(), self.settings.app_token.encode()):
            return self._app_caller(headers.get("x-mozaiks-user"))
        claims = self.verifier.verify(token)
        session = claims.get("sid")
        if session is not None and not self.auth_store.session_active(str(session)):
            raise AuthError("session revoked")
        return user_from_claims(claims)


APP_ROLE = "mozaiks:app"
"""The role of callers holding the app-scoped token (``auth.require_app`` checks it)."""
_USER_ID = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}$")


def _sandbox_refused(context: ProviderContext) -> PaymentProvider:
    raise PaymentsDisabledError(
        "the sandbox payment provider is disabled in production: set MOZAIKS_PAYMENT_PROVIDER to stripe, mozaiks "
        "or a plugin provider",
        provider="sandbox",
    )


_current: contextvars.ContextVar[Runtime | None] = contextvars.ContextVar("mozaiks_core_runtime", default=None)
_latest: list[Runtime] = []
_latest_lock = threading.Lock()


def set_latest(runtime: Runtime) -> None:
    """Make ``runtime`` the one used outside requests."""
    with _latest_lock:
        _latest[:] = [runtime]


def get_runtime() -> Runtime:
    """Return the runtime of the app handling the current request, or of the latest app created.

    Raises:
        ConfigurationError: No ``App`` was created yet.
    """
    runtime = _current.get()
    if runtime is not None:
        return runtime
    with _latest_lock:
        if _latest:
            return _latest[0]
    raise ConfigurationError("no App: create app = App('name') before using db, events or workflows")


@contextmanager
def use_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """Make ``runtime`` current inside the block."""
    token = _current.set(runtime)
    try:
        yield runtime
    finally:
        _current.reset(token)
