"""``mozaiks_ai.models`` re-exports its public names with a sorted ``__all__``, and its examples run."""

from __future__ import annotations

import doctest

import mozaiks_ai.models
import mozaiks_ai.models.pricing


def test_all_is_sorted_and_resolves() -> None:
    exported = list(mozaiks_ai.models.__all__)

    assert exported == sorted(exported, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    for name in exported:
        assert hasattr(mozaiks_ai.models, name), name


def test_docstring_examples() -> None:
    for module in (mozaiks_ai.models, mozaiks_ai.models.pricing):
        results = doctest.testmod(module)
        assert results.attempted > 0 and results.failed == 0
