"""Retry-After parsing, the backoff schedule and the retry loop."""

from __future__ import annotations

import email.utils

import pytest
from mozaiks_ai.errors import ModelError
from mozaiks_ai.models._retry import Backoff, RetryableError, parse_retry_after, retry_call
from mozaiks_ai.models._sdk_errors import is_retryable_status, redact

pytestmark = pytest.mark.anyio

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "2"}, 2.0),
        ({"retry-after": email.utils.formatdate(NOW + 30, usegmt=True)}, 30.0),
        ({"retry-after": email.utils.formatdate(NOW - 30, usegmt=True)}, 0.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00"}, None),  # no zone: not an HTTP date
        ({"retry-after": "whenever"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


def test_backoff_doubles_and_is_capped() -> None:
    backoff = Backoff(max_retries=6, initial_delay=0.5, max_delay=3.0)

    assert [backoff.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert backoff.delay(0, retry_after=2.5) == 2.5
    assert backoff.delay(0, retry_after=120) == 3.0


async def test_retry_call_waits_between_attempts_then_succeeds() -> None:
    waits: list[float] = []
    outcomes: list[RetryableError | str] = [
        RetryableError(ModelError("busy"), 1.25),
        RetryableError(ModelError("x")),
        "ok",
    ]

    async def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    assert await retry_call(attempt, Backoff(3, 0.1, 10), sleep=sleep) == "ok"
    assert waits == [1.25, 0.2]


async def test_retry_call_gives_up_with_the_last_error() -> None:
    calls = 0

    async def attempt() -> str:
        nonlocal calls
        calls += 1
        raise RetryableError(ModelError(f"failure {calls}"))

    async def sleep(seconds: float) -> None:
        return None

    with pytest.raises(ModelError, match=r"^failure 3 \(after 2 retries\)$"):
        await retry_call(attempt, Backoff(2), sleep=sleep)


async def test_a_final_error_is_not_retried() -> None:
    calls = 0

    async def attempt() -> str:
        nonlocal calls
        calls += 1
        raise ModelError("bad request")

    with pytest.raises(ModelError, match=r"^bad request$"):
        await retry_call(attempt, Backoff(5))
    assert calls == 1


@pytest.mark.parametrize(
    ("status", "retry"), [(400, False), (401, False), (404, False), (408, True), (429, True), (500, True), (529, True)]
)
def test_retryable_statuses(status: int, retry: bool) -> None:
    assert is_retryable_status(status) is retry


def test_redact_hides_the_key() -> None:
    assert redact("Incorrect API key provided: sk-abc123.", "sk-abc123") == "Incorrect API key provided: ***."
    assert redact("no key here", None) == "no key here"


def test_sdk_timeouts_and_cut_connections_translate() -> None:
    import httpx2
    import openai
    from mozaiks_ai.models._sdk_errors import translate_sdk_error

    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    timeout = translate_sdk_error(openai.APITimeoutError(request), openai, where="openai model 'm'", secret=None)
    cut = translate_sdk_error(
        httpx2.RemoteProtocolError("peer closed sk-key-123"), openai, where="w", secret="sk-key-123"
    )

    assert isinstance(timeout, ModelError) and "timeout" in str(timeout)
    assert isinstance(cut, RetryableError) and str(cut.error) == "w: connection failed: peer closed ***"
