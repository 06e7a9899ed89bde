"""Fixtures of the API tests: real uvicorn servers on 127.0.0.1 (see ``api_harness.py``).

* ``serve(env=None, db_url=None)`` starts one more server (own database) and stops it after the test.
* ``api`` is a server without authentication, on SQLite; ``client`` a synchronous ``httpx`` client on it.
* ``secure_api`` requires tokens: HS256 JWTs (:data:`api_harness.JWT_SECRET`), RS256 JWTs from the
  ``jwks`` server, and the static service token :data:`api_harness.SERVICE_TOKEN` (acting for app A).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest
from api_harness import APP_A, JWT_SECRET, SERVICE_TOKEN, Api, Jwks, Serve, run_server, serve_jwks, write_workflows


@pytest.fixture
def workflows_root(tmp_path: Path) -> Path:
    """The test workflows, written under ``tmp_path``."""
    return write_workflows(tmp_path / "workflows")


@pytest.fixture
def serve(tmp_path: Path, workflows_root: Path) -> Iterator[Serve]:
    """Start servers on demand: ``serve(env, db_url=…)``; each gets its own SQLite file unless ``db_url`` is given."""
    with contextlib.ExitStack() as stack:
        count = 0

        def start(env: Mapping[str, str] | None = None, *, db_url: str | None = None) -> Api:
            nonlocal count
            count += 1
            url = db_url or f"sqlite:///{tmp_path}/api{count}.db"
            return stack.enter_context(run_server(env or {}, workflows_root, url, tmp_path))

        yield start


@pytest.fixture
def api(serve: Serve) -> Api:
    """A server without authentication (127.0.0.1 only, as the runtime would bind)."""
    return serve()


@pytest.fixture
def client(api: Api) -> Iterator[httpx.Client]:
    """A client on ``api``."""
    with api.client() as c:
        yield c


@pytest.fixture(scope="session")
def jwks() -> Iterator[Jwks]:
    """A JWKS server with one RSA key (kid ``k1``)."""
    with serve_jwks() as keys:
        yield keys


@pytest.fixture
def auth_env(jwks: Jwks) -> dict[str, str]:
    """Environment of a server with every kind of authentication configured."""
    return {
        "MOZAIKS_AI_JWT_SECRET": JWT_SECRET,
        "MOZAIKS_AI_JWKS_URL": jwks.url,
        "MOZAIKS_AI_TOKEN": SERVICE_TOKEN,
        "MOZAIKS_AI_APP_ID": APP_A,
    }


@pytest.fixture
def secure_api(serve: Serve, auth_env: dict[str, str]) -> Api:
    """A server that requires a token."""
    return serve(auth_env)
