"""Fixtures for payments tests: a user (the recording peer and the no-network transport come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from payments_harness import User


@pytest.fixture
def user() -> User:
    return User()
