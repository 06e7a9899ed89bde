"""Public names are re-exported with a sorted ``__all__`` and all resolve."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "mozaiks_ai",
    "mozaiks_ai.definitions",
    "mozaiks_ai.executor",
    "mozaiks_ai.export",
    "mozaiks_ai.models",
    "mozaiks_ai.state",
    "mozaiks_ai.errors",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    # isort style (as ruff's RUF022 keeps it): CONSTANTS, then Classes, then functions
    assert exported == sorted(exported, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    for member in exported:
        assert hasattr(module, member), f"{name}.{member}"


def test_builtin_action_names_match_the_executor() -> None:
    from mozaiks_ai.definitions import BUILTIN_ACTIONS
    from mozaiks_ai.executor.actions import ACTIONS

    assert set(ACTIONS) | {"sleep"} == set(BUILTIN_ACTIONS)
