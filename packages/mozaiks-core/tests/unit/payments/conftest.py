"""Fixtures for payments tests: a user, a local HTTP peer that records requests, and a transport that forbids any."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from payments_harness import User
from recording_peer import HttpPeer, NoNetworkTransport, serve_recording_peer


@pytest.fixture
def user() -> User:
    return User()


@pytest.fixture
def http_peer() -> Iterator[HttpPeer]:
    with serve_recording_peer() as peer:
        yield peer


@pytest.fixture
def no_network() -> NoNetworkTransport:
    return NoNetworkTransport()
