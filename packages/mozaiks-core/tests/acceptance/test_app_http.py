"""The App over HTTP: handlers, bodies, errors, health, CORS, headers (SECURITY-TESTS 14, 15)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from mozaiks_core_runtime import App, ConfigurationError, Request, Settings

pytestmark = pytest.mark.anyio


def demo(make_app: Callable[..., App], **changes: Any) -> App:
    app = make_app(**changes)

    @app.post("/echo")
    def echo(request: Request) -> dict[str, Any]:
        return {"got": request.data}

    @app.get("/items/{item_id}")
    async def item(request: Request, item_id: str) -> dict[str, Any]:
        return {"id": item_id, "q": request.query.get("q")}

    @app.put("/created")
    def created(request: Request) -> Any:
        return {"ok": True}, 201

    @app.delete("/nothing")
    def nothing() -> None:
        return None

    @app.patch("/boom")
    def boom(request: Request) -> Any:
        raise RuntimeError("secret internals")

    return app


async def test_sync_and_async_handlers_and_return_values(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(demo(make_app))
    assert (await client.post("/echo", json={"a": [1, {"b": 2}]})).json() == {"got": {"a": [1, {"b": 2}]}}
    assert (await client.get("/items/42?q=x")).json() == {"id": "42", "q": "x"}
    assert (await client.put("/created")).status_code == 201
    assert (await client.delete("/nothing")).status_code == 204


async def test_errors_are_json_without_tracebacks(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(demo(make_app))
    response = await client.patch("/boom")
    assert response.status_code == 500 and response.json() == {"error": "internal server error"}
    assert "secret internals" not in response.text
    assert (await client.get("/missing")).json() == {"error": "Not Found"}
    assert (await client.post("/echo", content=b"{nope")).status_code == 400
    response = await client.post("/echo", json=[1, 2])
    assert response.status_code == 400 and "object" in response.json()["error"]


async def test_14_oversized_bodies_by_length_and_chunked_are_413_and_deep_json_400(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(demo(make_app, max_body_bytes=1000))
    assert (await client.post("/echo", content=b'{"a": "' + b"x" * 2000 + b'"}')).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 100

    response = await client.post("/echo", content=chunks())
    assert response.status_code == 413
    deep = b'{"a": ' + b"[" * 200 + b"]" * 200 + b"}"
    client = client_for(demo(make_app, max_body_bytes=100_000))
    assert (await client.post("/echo", content=deep)).status_code == 400
    very_deep = b'{"a": ' + b"[" * 40_000 + b"]" * 40_000 + b"}"
    assert (await client.post("/echo", content=very_deep)).status_code == 400


async def test_health_and_ready(make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]) -> None:
    app = demo(make_app)
    client = client_for(app)
    assert (await client.get("/health")).json()["status"] == "ok"
    assert (await client.get("/ready")).json() == {"status": "ready", "checks": {"database": "ok"}}
    broken = client_for(demo(make_app, db_url="sqlite:////proc/definitely/not/here.db"))
    assert (await broken.get("/ready")).status_code == 503


async def test_15_unknown_cors_origin_is_not_reflected_and_security_headers_are_set(
    make_app: Callable[..., App], client_for: Callable[[App], httpx.AsyncClient]
) -> None:
    client = client_for(demo(make_app, cors_origins=("https://app.example",)))
    preflight = {"Access-Control-Request-Method": "POST"}
    good = await client.options("/echo", headers={"Origin": "https://app.example", **preflight})
    assert good.headers["access-control-allow-origin"] == "https://app.example"
    bad = await client.options("/echo", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in bad.headers
    simple = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers
    assert simple.headers["x-content-type-options"] == "nosniff"
    assert simple.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("environ", "must_mention"),
    [
        ({}, "MOZAIKS_JWT_SECRET"),
        ({"MOZAIKS_JWT_SECRET": "secret"}, "MOZAIKS_JWT_SECRET"),
        ({"MOZAIKS_JWT_SECRET": "short-but-not-default"}, "32 random bytes"),
        ({"MOZAIKS_JWT_SECRET": "x" * 40, "MOZAIKS_AUTH_DISABLED": "true"}, "MOZAIKS_AUTH_DISABLED"),
        ({"MOZAIKS_JWT_SECRET": "x" * 40, "MOZAIKS_CORS_ORIGINS": "*"}, "MOZAIKS_CORS_ORIGINS"),
        ({"MOZAIKS_JWT_SECRET": "x" * 40, "MOZAIKS_AI_URL": "http://ai:8080"}, "MOZAIKS_AI_TOKEN"),
    ],
)
def test_15_weak_production_configuration_refuses_to_start(environ: dict[str, str], must_mention: str) -> None:
    settings = Settings.from_env("prod-app", environ={"MOZAIKS_ENV": "production", **environ}, env_file=None)
    with pytest.raises(ConfigurationError) as caught:
        App("prod-app", settings=settings)
    assert must_mention in str(caught.value)


def test_strong_production_configuration_starts(tmp_path: Any) -> None:
    environ = {
        "MOZAIKS_ENV": "production",
        "MOZAIKS_JWT_SECRET": "k" * 48,
        "MOZAIKS_DB_URL": f"sqlite:///{tmp_path}/p.db",
    }
    app = App("prod-app", settings=Settings.from_env("prod-app", environ=environ, env_file=None))
    assert app.settings.env == "production"


def test_dotenv_is_read_under_the_environment(tmp_path: Any) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("MOZAIKS_APP_ID=from-file\nMOZAIKS_AI_URL=http://from-file\n")
    settings = Settings.from_env("x", environ={"MOZAIKS_AI_URL": "http://from-env/"}, env_file=env_file)
    assert settings.app_id == "from-file" and settings.ai_url == "http://from-env"
