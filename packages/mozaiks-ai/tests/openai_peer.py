"""A scripted OpenAI-compatible HTTP server for tests (it also speaks Anthropic's Messages API).

``serve_openai_peer`` runs a FastAPI app with uvicorn in a background thread on 127.0.0.1 (a free
port) and yields an :class:`OpenAIPeer`::

    with serve_openai_peer(script=[{"text": "Hello world", "usage": {"input_tokens": 5, "output_tokens": 2}}]) as peer:
        provider = OpenAIProvider(peer.base_url, peer.api_key)     # base_url ends in /v1
        ...
        assert peer.count == 1 and peer.requests[0]["stream"] is True

Endpoints: ``POST /v1/chat/completions`` (SSE when ``stream`` is true: ``data: {chunk}`` lines, a
final usage chunk when ``stream_options.include_usage`` is set, then ``data: [DONE]``; else one JSON
completion), ``POST /v1/messages`` (Anthropic streaming events or one message) and
``GET /v1/models``. Requests need ``Authorization: Bearer <api_key>`` (or ``x-api-key`` on
``/v1/messages``) unless ``api_key=None``; a wrong key gets a 401 (OpenAI's quotes the key sent).

The script is a list of replies, one consumed per POST (401s consume none). A reply is a dict:

* ``text``: answer text, streamed word by word, or in the pieces given as ``chunks``.
* ``json``: a value answered as JSON text (streamed in 10-character pieces).
* ``tool_calls``: ``[{"name": ..., "arguments": {...} or "raw text", "id"?: ...}]``; arguments are
  streamed in ``arguments_chunk`` (default 5) character pieces, so they span several chunks.
* ``status`` (+ ``message``, ``retry_after`` seconds or HTTP date, ``retry_after_ms``): an HTTP error
  in the wire format of the endpoint, e.g. ``{"status": 429, "retry_after": 1}``.
* ``usage``: ``{"input_tokens": n, "output_tokens": m}`` reported for the reply (default 10 and the
  number of streamed pieces); ``include_usage: False`` leaves usage out of the stream.
* ``finish_reason``, ``model``: override what is reported.
* ``delay``: seconds to wait before answering; ``chunk_delay``: seconds between streamed chunks.
* ``disconnect_after``: cut the connection after that many streamed SSE lines (the first line of
  a chat completion carries the role only; text starts at the second).

With the script used up, the peer answers 400 ``openai_peer: the script has no reply left``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

__all__ = ["DEFAULT_API_KEY", "OpenAIPeer", "serve_openai_peer"]

DEFAULT_API_KEY = "sk-peer-test-0123456789"
_CREATED = 1_700_000_000
Reply = dict[str, Any]


@dataclass
class OpenAIPeer:
    """A running peer: where it listens, what it will answer and what it received.

    Attributes:
        base_url: ``http://127.0.0.1:<port>/v1`` (for the ``openai`` SDK).
        root_url: ``http://127.0.0.1:<port>`` (for the ``anthropic`` SDK, which adds ``/v1``).
        api_key: The key requests must carry (``None``: any).
        script: Replies not yet used.
        requests: JSON bodies of every POST, in arrival order.
        headers: Their headers (lower-case names).
        times: Their arrival times (``time.monotonic()``).
    """

    base_url: str
    root_url: str
    api_key: str | None
    script: list[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    used: int = 0

    @property
    def count(self) -> int:
        """Number of POSTs received."""
        return len(self.requests)

    def add(self, *replies: Reply) -> None:
        """Append replies to the script."""
        self.script.extend(replies)

    def next_reply(self) -> Reply | None:
        """Take the next reply off the script."""
        if not self.script:
            return None
        self.used += 1
        return self.script.pop(0)


async def _sleep(seconds: float, stop: threading.Event) -> None:
    """Sleep, waking early when the server shuts down."""
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(left, 0.02))


def _pieces(text: str, size: int | None = None) -> list[str]:
    if size:
        return [text[i : i + size] for i in range(0, len(text), size)]
    return re.findall(r"\s+|\S+\s*", text)


def _text_pieces(reply: Reply) -> list[str]:
    if "chunks" in reply:
        return list(reply["chunks"])
    if "json" in reply:
        return _pieces(json.dumps(reply["json"]), 10)
    return _pieces(str(reply.get("text", "")))


def _calls(reply: Reply) -> list[tuple[str, str, list[str]]]:
    """(id, name, argument pieces) of each scripted tool call."""
    size = int(reply.get("arguments_chunk", 5))
    out = []
    for i, call in enumerate(reply.get("tool_calls", ())):
        args = call.get("arguments", {})
        raw = args if isinstance(args, str) else json.dumps(args)
        out.append((str(call.get("id", f"call_peer_{i}")), str(call["name"]), _pieces(raw, size) or [""]))
    return out


def _usage(reply: Reply, pieces: int) -> tuple[int, int]:
    usage = reply.get("usage", {})
    return int(usage.get("input_tokens", 10)), int(usage.get("output_tokens", pieces))


# -- OpenAI chat completions ---------------------------------------------------------------------


def _openai_error(
    status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    kind = "rate_limit_exceeded" if status == 429 else "invalid_request_error" if status < 500 else "server_error"
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def _openai_chunks(reply: Reply, model: str, include_usage: bool) -> list[dict[str, Any]]:
    base = {"id": "chatcmpl-peer", "object": "chat.completion.chunk", "created": _CREATED, "model": model}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

    text = _text_pieces(reply)
    calls = _calls(reply)
    out = [chunk({"role": "assistant", "content": ""})]
    out += [chunk({"content": piece}) for piece in text]
    for index, (call_id, name, args) in enumerate(calls):
        first = {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
        out.append(chunk({"tool_calls": [first]}))
        out += [chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}) for piece in args]
    out.append(chunk({}, reply.get("finish_reason", "tool_calls" if calls else "stop")))
    if include_usage and reply.get("include_usage", True):
        prompt, completion = _usage(reply, len(text) + sum(len(a) for _, _, a in calls))
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        out.append({**base, "choices": [], "usage": usage})
    return out


def _openai_completion(reply: Reply, model: str) -> dict[str, Any]:
    text = "".join(_text_pieces(reply))
    calls = _calls(reply)
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [
            {"id": i, "type": "function", "function": {"name": n, "arguments": "".join(a)}} for i, n, a in calls
        ]
    prompt, completion = _usage(reply, len(_text_pieces(reply)))
    return {
        "id": "chatcmpl-peer",
        "object": "chat.completion",
        "created": _CREATED,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": reply.get("finish_reason", "tool_calls" if calls else "stop"),
            }
        ],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


# -- Anthropic messages --------------------------------------------------------------------------


def _anthropic_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    kind = {401: "authentication_error", 429: "rate_limit_error", 529: "overloaded_error"}.get(
        status, "invalid_request_error" if status < 500 else "api_error"
    )
    return JSONResponse({"type": "error", "error": {"type": kind, "message": message}}, status, headers=headers)


def _anthropic_events(reply: Reply, model: str) -> list[tuple[str, dict[str, Any]]]:
    text = _text_pieces(reply)
    calls = _calls(reply)
    prompt, completion = _usage(reply, len(text) + sum(len(a) for _, _, a in calls))
    message: dict[str, Any] = {
        "id": "msg_peer",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": model,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": prompt, "output_tokens": 1},
    }
    events: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": message})]
    blocks: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    if text:
        blocks.append(({"type": "text", "text": ""}, [{"type": "text_delta", "text": p} for p in text]))
    for call_id, name, args in calls:
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in args]
        blocks.append(({"type": "tool_use", "id": call_id, "name": name, "input": {}}, deltas))
    for index, (block, deltas) in enumerate(blocks):
        events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": block}))
        events += [("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d}) for d in deltas]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    stop = reply.get("finish_reason", "tool_use" if calls else "end_turn")
    delta = {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}}
    events.append(("message_delta", {**delta, "usage": {"output_tokens": completion}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


# -- The app -------------------------------------------------------------------------------------


class _Disconnect(Exception):
    """Raised inside a streamed body to cut the connection (``disconnect_after``)."""


def _error_headers(reply: Reply) -> dict[str, str]:
    headers = {}
    if "retry_after" in reply:
        headers["retry-after"] = str(reply["retry_after"])
    if "retry_after_ms" in reply:
        headers["retry-after-ms"] = str(reply["retry_after_ms"])
    return headers


async def _record(peer: OpenAIPeer, request: Request) -> dict[str, Any]:
    peer.times.append(time.monotonic())
    try:
        body = await request.json()
    except ValueError:
        body = {}
    peer.requests.append(body if isinstance(body, dict) else {"_body": body})
    peer.headers.append({k.lower(): v for k, v in request.headers.items()})
    return peer.requests[-1]


def _app(peer: OpenAIPeer, stop: threading.Event) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    def bearer_ok(request: Request) -> bool:
        return peer.api_key is None or request.headers.get("authorization") == f"Bearer {peer.api_key}"

    def bad_key(request: Request) -> Response:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ")
        return _openai_error(401, f"Incorrect API key provided: {sent}.", "invalid_api_key")

    async def sse(lines: list[str], reply: Reply) -> AsyncIterator[str]:
        for sent, line in enumerate(lines):
            if sent == reply.get("disconnect_after"):
                raise _Disconnect  # uvicorn drops the connection mid-body
            if reply.get("chunk_delay"):
                await _sleep(float(reply["chunk_delay"]), stop)
            yield line

    @app.get("/v1/models")
    async def models(request: Request) -> Response:
        if not bearer_ok(request):
            return bad_key(request)
        data = [{"id": "gpt-4o-mini", "object": "model", "created": _CREATED, "owned_by": "openai_peer"}]
        return JSONResponse({"object": "list", "data": data})

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        body = await _record(peer, request)
        if not bearer_ok(request):
            return bad_key(request)
        reply = peer.next_reply()
        if reply is None:
            return _openai_error(400, f"openai_peer: the script has no reply left ({peer.used} used)")
        await _sleep(float(reply.get("delay", 0)), stop)
        if "status" in reply:
            message = str(reply.get("message", f"scripted error {reply['status']}"))
            return _openai_error(int(reply["status"]), message, None, _error_headers(reply))
        model = str(reply.get("model", body.get("model", "gpt-4o-mini")))
        if not body.get("stream"):
            return JSONResponse(_openai_completion(reply, model))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        lines = [f"data: {json.dumps(c)}\n\n" for c in _openai_chunks(reply, model, include_usage)]
        lines.append("data: [DONE]\n\n")
        return StreamingResponse(sse(lines, reply), media_type="text/event-stream")

    @app.post("/v1/messages")
    async def messages(request: Request) -> Response:
        body = await _record(peer, request)
        if not bearer_ok(request) and request.headers.get("x-api-key") != peer.api_key:
            return _anthropic_error(401, "invalid x-api-key")
        reply = peer.next_reply()
        if reply is None:
            return _anthropic_error(400, f"openai_peer: the script has no reply left ({peer.used} used)")
        await _sleep(float(reply.get("delay", 0)), stop)
        if "status" in reply:
            message = str(reply.get("message", f"scripted error {reply['status']}"))
            return _anthropic_error(int(reply["status"]), message, _error_headers(reply))
        model = str(reply.get("model", body.get("model", "claude-sonnet-4-5")))
        events = _anthropic_events(reply, model)
        if not body.get("stream"):
            return JSONResponse(_anthropic_message(events))
        lines = [f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events]
        return StreamingResponse(sse(lines, reply), media_type="text/event-stream")

    return app


def _anthropic_message(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Fold streaming events into one (non-streamed) message."""
    message: dict[str, Any] = dict(events[0][1]["message"])
    content: list[dict[str, Any]] = []
    for name, data in events[1:]:
        if name == "content_block_start":
            content.append(dict(data["content_block"]))
        elif name == "content_block_delta" and data["delta"]["type"] == "text_delta":
            content[-1]["text"] += data["delta"]["text"]
        elif name == "content_block_delta":
            content[-1].setdefault("_json", "")
            content[-1]["_json"] += data["delta"]["partial_json"]
        elif name == "message_delta":
            message["stop_reason"] = data["delta"]["stop_reason"]
            message["usage"] = {**message["usage"], **data["usage"]}
    for block in content:
        if "_json" in block:
            block["input"] = json.loads(block.pop("_json") or "{}")
    return {**message, "content": content}


@contextlib.contextmanager
def serve_openai_peer(script: Iterable[Reply] = (), *, api_key: str | None = DEFAULT_API_KEY) -> Iterator[OpenAIPeer]:
    """Run an :class:`OpenAIPeer` on 127.0.0.1 in a background thread for the ``with`` block.

    Args:
        script: Replies, consumed one per POST (see the module docstring).
        api_key: The key requests must carry; ``None`` accepts any (and none).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    root = f"http://127.0.0.1:{port}"
    peer = OpenAIPeer(base_url=f"{root}/v1", root_url=root, api_key=api_key, script=list(script))
    stop = threading.Event()
    config = uvicorn.Config(
        _app(peer, stop), log_level="warning", access_log=False, lifespan="off", ws="none", http="h11"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="openai-peer", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("openai_peer did not start")
        time.sleep(0.005)
    try:
        yield peer
    finally:
        stop.set()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
