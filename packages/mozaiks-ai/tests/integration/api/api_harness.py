"""Helpers of the API tests: a real uvicorn server in a thread, tokens, a JWKS server and answer checks.

Nothing is mocked: each server is ``create_app`` on a real engine and store, served by uvicorn on
127.0.0.1 from its own thread and event loop. Clients are ``httpx`` and the ``websockets`` library.
``conftest.py`` (next to this file) wraps these in fixtures; test modules import them directly.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mozaiks_ai.api import create_app
from mozaiks_ai.config import RuntimeConfig, ServerConfig
from websockets.asyncio.client import ClientConnection

JWT_SECRET = "k7Qp2vXz9LmN4rTt8wYb3cJh6fGd1sAeZu5oIiPq0x"  # 42 bytes: strong enough for ServerConfig.check
SERVICE_TOKEN = "svc-token-4f9a8c2e7b1d6035"
APP_A = "app-a"
APP_B = "app-b"
FINAL = frozenset({"run.completed", "run.failed", "run.cancelled"})

TOOLS = '''
from pathlib import Path


def record(path: str, label: str) -> str:
    """Append a side effect to a file."""
    file = Path(path)
    file.write_text((file.read_text() if file.exists() else "") + label + "\\n")
    return label


def needs_marker(marker: str) -> str:
    """Fail until the marker file exists."""
    if not Path(marker).exists():
        raise RuntimeError("marker missing")
    return "marker found"
'''

#: The workflows every test server serves (folder name → workflow.yml).
WORKFLOWS: dict[str, str] = {
    "hello": """
        name: Hello
        inputs:
          name: {type: string, default: World}
        steps:
          - greet: {echo: "Hello, {{ input.name }}!"}
        output: "{{ steps.greet.output }}"
        """,
    "strict": """
        name: Strict
        inputs:
          message: {type: string, required: true, min_length: 1}
        steps:
          - echo: "got {{ input.message }}"
        output: "{{ steps.echo.output }}"
        """,
    "on-task": """
        name: On task
        trigger: task.created
        steps:
          - echo: "{{ task.title }}"
        output: "{{ steps.echo.output }}"
        """,
    "on-any-task": """
        name: On any task event
        trigger: {event: [task.created, task.updated]}
        steps:
          - echo: "{{ event.title }} ({{ task.title }})"
        output: "{{ steps.echo.output }}"
        """,
    "files": """
        name: Files
        steps:
          - artifact: {path: frontend/package.json, content: '{"name": "app"}'}
          - artifact: {path: frontend/src/App.tsx, content: "export default function App() {}"}
          - artifact: {path: backend/main.py, content: "print('hi')"}
        output: done
        """,
    "chatty": """
        name: Chatty
        steps:
          - log: "Generating frontend…"
          - echo: "reply to {{ input.message }}"
          - log: "Generating backend…"
        output: "{{ steps.echo.output }}"
        """,
    "slow": """
        name: Slow
        steps:
          - log: "starting"
          - sleep: 300ms
          - echo: one
          - sleep: 300ms
          - echo: two
          - sleep: 300ms
          - echo: three
        output: "{{ steps.echo_3.output }}"
        """,
    "ask": """
        name: Ask
        steps:
          - echo: before
          - approval:
              wait_for_input:
                prompt: "Approve?"
                schema:
                  type: object
                  properties: {approved: {type: boolean}}
                  required: [approved]
          - echo: "approved={{ steps.approval.output.approved }}"
        output: "{{ steps.echo_2.output }}"
        """,
    "flaky": """
        name: Flaky
        inputs:
          marker: {type: string, required: true}
          log: {type: string, required: true}
        steps:
          - first: {tool: record, with: {path: "{{ input.log }}", label: first}}
          - check: {tool: needs_marker, with: {marker: "{{ input.marker }}"}}
        output: "{{ steps.check.output }}"
        """,
    "five": """
        name: Five
        steps:
          - echo: "1 {{ input.message }}"
          - echo: "2"
          - echo: "3"
          - echo: "4"
          - echo: "5"
        output: "{{ steps.echo_5.output }}"
        """,
}


def write_workflows(root: Path) -> Path:
    """Write :data:`WORKFLOWS` (and the tools of ``flaky``) under ``root``; return it."""
    for workflow_id, text in WORKFLOWS.items():
        folder = root / workflow_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "workflow.yml").write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    (root / "flaky" / "tools").mkdir(exist_ok=True)
    (root / "flaky" / "tools" / "effects.py").write_text(TOOLS.lstrip("\n"), "utf-8")
    return root


# -- the server ----------------------------------------------------------------------------
@dataclass
class Api:
    """A running server.

    Attributes:
        url: ``http://127.0.0.1:<port>``.
        tmp: A private folder (marker files, logs).
        server: The uvicorn server (tests may inspect, never stop it).
    """

    url: str
    tmp: Path
    server: uvicorn.Server = field(repr=False)
    _shared: httpx.Client | None = field(default=None, repr=False)

    def request(self, method: str, path: str, authorization: str | None = None, **options: Any) -> httpx.Response:
        """One request through a shared client (creating clients is slow), with ``Authorization`` as given."""
        if self._shared is None:
            self._shared = httpx.Client(base_url=self.url, timeout=30)
        headers = {**options.pop("headers", {}), **({"Authorization": authorization} if authorization else {})}
        return self._shared.request(method, path, headers=headers, **options)

    def close(self) -> None:
        """Close the shared client."""
        if self._shared is not None:
            self._shared.close()

    @property
    def port(self) -> int:
        """The TCP port."""
        return int(self.url.rsplit(":", 1)[1])

    def ws_url(self, path: str = "/api/chat", token: str | None = None) -> str:
        """The WebSocket URL of ``path`` (with ``?token=`` when given)."""
        url = "ws" + self.url.removeprefix("http") + path
        return f"{url}?token={token}" if token else url

    def client(self, token: str | None = None, **options: Any) -> httpx.Client:
        """A synchronous client on this server (bearer ``token`` when given)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **options)

    def async_client(self, token: str | None = None, **options: Any) -> httpx.AsyncClient:
        """An asynchronous client on this server."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30, **options)


#: ``serve(env=None, *, db_url=None) -> Api`` (the fixture of conftest.py).
Serve = Callable[..., Api]


@contextlib.contextmanager
def run_server(env: Mapping[str, str], workflows: Path, db_url: str, tmp: Path) -> Iterator[Api]:
    """Serve ``create_app`` on a free port of 127.0.0.1 from a background thread until the block ends."""
    runtime = RuntimeConfig.from_env(
        dict(env), workflow_paths=(workflows,), db_url=db_url, load_entry_points=False, outbox_dir=tmp / "outbox"
    )
    app = create_app(runtime, ServerConfig.from_env(dict(env)))
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="api-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the API server did not start (see the captured log)")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    api = Api(f"http://127.0.0.1:{port}", tmp, server)
    try:
        yield api
    finally:
        api.close()
        server.should_exit = True
        thread.join(15)


# -- tokens --------------------------------------------------------------------------------
def b64url(data: bytes) -> str:
    """Base64url without padding (the JWT encoding)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(app_id: str = APP_A, user_id: str | None = "alice", *, ttl: float = 300, **extra: Any) -> dict[str, Any]:
    """Claims of an access token valid for ``ttl`` seconds; ``extra`` adds or (``None``) removes claims."""
    now = int(time.time())
    out: dict[str, Any] = {"app_id": app_id, "sub": user_id, "iat": now, "exp": now + int(ttl)}
    for key, value in extra.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    if user_id is None:
        out.pop("sub")
    return out


def hs256(app_id: str = APP_A, user_id: str | None = "alice", *, secret: str = JWT_SECRET, **extra: Any) -> str:
    """An HS256 access token (see :func:`claims`)."""
    return jwt.encode(claims(app_id, user_id, **extra), secret, algorithm="HS256")


def forge(header: Mapping[str, Any], payload: Mapping[str, Any], key: bytes | None) -> str:
    """A token built by hand: HMAC-SHA256 with ``key`` (even a public key's PEM), or unsigned when ``None``."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    if key is None:
        return signing_input + "."
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def edit_payload(token: str, **changes: Any) -> str:
    """``token`` with its payload changed after signing (the signature is kept)."""
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    return f"{header}.{b64url(json.dumps(data).encode())}.{signature}"


@dataclass
class Jwks:
    """A JWKS served over HTTP on 127.0.0.1, and the RSA keys behind it.

    Attributes:
        url: URL of the key set.
        private_key: The key set's signing key (kid ``k1``).
        public_pem: Its public key as PEM (for key-confusion attacks).
        stranger: An RSA key the set does not hold.
    """

    url: str
    private_key: rsa.RSAPrivateKey
    public_pem: bytes
    stranger: rsa.RSAPrivateKey

    def rs256(self, kid: str = "k1", key: rsa.RSAPrivateKey | None = None, **claim_args: Any) -> str:
        """An RS256 token signed by ``key`` (default: the set's key) with ``kid`` in its header."""
        return jwt.encode(claims(**claim_args), key or self.private_key, algorithm="RS256", headers={"kid": kid})


@contextlib.contextmanager
def serve_jwks(delay: float = 0.0) -> Iterator[Jwks]:
    """Serve a one-key JWKS until the block ends, answering after ``delay`` seconds."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, name="jwks", daemon=True)
    thread.start()
    pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        yield Jwks(f"http://127.0.0.1:{httpd.server_address[1]}/jwks.json", private_key, pem, stranger)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


# -- checks --------------------------------------------------------------------------------
SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")


def assert_clean(response: httpx.Response) -> None:
    """No stack trace or Python internals in the body; security headers present."""
    text = response.text
    for marker in ("Traceback", 'File "', "<class '", "site-packages"):
        assert marker not in text, text[:2000]
    for header in SECURITY_HEADERS:
        assert header in response.headers, (header, dict(response.headers))
    assert response.headers["x-content-type-options"] == "nosniff"


def assert_error(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    """An error answer: ``status``, JSON ``{"error": "…", "details"?}``, clean; return the body."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    assert_clean(response)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("error"), str) and body["error"], body
    assert set(body) <= {"error", "details"}, body
    for word in words:
        assert word.lower() in body["error"].lower(), body
    return body


def wait_status(client: httpx.Client, run_id: str, statuses: Iterable[str], timeout: float = 15) -> dict[str, Any]:
    """Poll ``GET /api/runs/{id}`` until the run reaches one of ``statuses``; return the run."""
    wanted = set(statuses)
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/api/runs/{run_id}")
        assert response.status_code == 200, response.text
        run: dict[str, Any] = response.json()
        if run["status"] in wanted:
            return run
        assert time.monotonic() < deadline, f"run {run_id} stayed {run['status']}, wanted {wanted}"
        time.sleep(0.05)


def parse_sse(text: str) -> list[dict[str, Any]]:
    """Parse a ``text/event-stream`` body into ``{"id", "event", "data"}`` records (comments dropped)."""
    records: list[dict[str, Any]] = []
    for block in text.split("\n\n"):
        record: dict[str, Any] = {}
        for line in block.splitlines():
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            record[name] = json.loads(value) if name == "data" else value
        if record:
            records.append(record)
    return records


def check_sequence(events: list[dict[str, Any]], run_id: str, first: int = 1) -> None:
    """``events`` are exactly seq ``first``..N of ``run_id``, in order, ending with a final event."""
    assert events, "no events"
    assert [e["run_id"] for e in events] == [run_id] * len(events), events
    assert [e["seq"] for e in events] == list(range(first, first + len(events))), [e["seq"] for e in events]
    assert events[-1]["type"] in FINAL, events[-1]
    assert not any(e["type"] in FINAL for e in events[:-1]), [e["type"] for e in events]


def stored_runs(api: Api) -> list[dict[str, Any]]:
    """Every run of app A (through the service token)."""
    response = api.request("GET", "/api/runs", f"Bearer {SERVICE_TOKEN}")
    assert response.status_code == 200
    runs: list[dict[str, Any]] = response.json()["runs"]
    return runs


# -- WebSocket -----------------------------------------------------------------------------
async def ws_recv(ws: ClientConnection, timeout: float = 15) -> dict[str, Any]:
    """The next JSON message of ``ws``."""
    with anyio.fail_after(timeout):
        raw = await ws.recv()
    message: dict[str, Any] = json.loads(raw)
    return message


async def ws_send(ws: ClientConnection, **message: Any) -> None:
    """Send one JSON message."""
    await ws.send(json.dumps(message))


async def ws_until(ws: ClientConnection, run_id: str | None = None, timeout: float = 15) -> list[dict[str, Any]]:
    """Every message until the final event of ``run_id`` (of the first run seen when ``None``), that one included."""
    messages: list[dict[str, Any]] = []
    with anyio.fail_after(timeout):
        while True:
            message = await ws_recv(ws, timeout)
            messages.append(message)
            if "seq" in message and run_id is None:
                run_id = message["run_id"]
            if message.get("run_id") == run_id and message["type"] in FINAL:
                return messages


def run_events(messages: list[dict[str, Any]], run_id: str) -> list[dict[str, Any]]:
    """The run events (those with a ``seq``) of ``run_id`` among ``messages``."""
    return [m for m in messages if "seq" in m and m.get("run_id") == run_id]
