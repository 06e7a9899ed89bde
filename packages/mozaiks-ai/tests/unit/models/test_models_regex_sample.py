"""Strings built to match JSON-schema ``pattern`` values."""

from __future__ import annotations

import re

import pytest
from mozaiks_ai.models._regex_sample import sample_matching

PATTERNS = [
    r"^[a-z0-9-]+$",
    r"^\d{3}-\d{4}$",
    r"^(foo|bar)baz$",
    r"[^abc]x",
    r"^[A-Z][a-z]*$",
    r"^\w+@\w+\.com$",
    r"(a)\1",
    r"^(?=x)x+$",
    r"^.{5,}$",
    r"^[^\s]+$",
    r"^v[0-9]+(\.[0-9]+){2}$",
    r"^(?:[a-z]+-)*[a-z]+$",
    r"^#[0-9a-fA-F]{6}$",
    r"^[A-Z]{2,3}_\d+?$",
    r"(?i)^hello$",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_samples_match(pattern: str) -> None:
    for grow in (0, 3):
        sample = sample_matching(pattern, grow=grow)
        assert sample is not None and re.search(pattern, sample), (pattern, grow, sample)


def test_grow_lengthens_open_repeats() -> None:
    assert sample_matching(r"^[a-z]+$") == "a"
    assert sample_matching(r"^[a-z]+$", grow=4) == "aaaaa"
    assert sample_matching(r"^[a-z]{1,3}$", grow=10) == "aaa"


@pytest.mark.parametrize("pattern", [r"(?<=a)b", r"^a$(?<!a)", r"([unclosed"])
def test_hopeless_patterns_give_none(pattern: str) -> None:
    assert sample_matching(pattern) is None
