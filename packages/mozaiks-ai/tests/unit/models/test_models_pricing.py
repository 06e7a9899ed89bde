"""Prices per million tokens, their JSON override file and the cost of a call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mozaiks_ai.errors import ConfigurationError
from mozaiks_ai.models import DEFAULT_PRICES, Price, PriceTable, Usage, cost, load_price_table

MILLION = Usage(input_tokens=1_000_000, output_tokens=1_000_000)


def test_default_prices() -> None:
    assert cost("openai", "gpt-4o-mini", MILLION) == pytest.approx(0.75)
    assert cost("openai", "gpt-4o-mini", Usage(1200, 300)) == pytest.approx((1200 * 0.15 + 300 * 0.60) / 1e6)
    assert cost("anthropic", "claude-sonnet-4-5", MILLION) == pytest.approx(18.0)


def test_offline_is_free_whatever_the_model() -> None:
    assert cost("offline", "offline", MILLION) == 0.0
    assert cost("offline", "anything", MILLION) == 0.0


def test_dated_snapshots_take_the_longest_matching_price() -> None:
    table = PriceTable()

    assert table.price("openai", "gpt-4o-mini-2024-07-18") == DEFAULT_PRICES["openai:gpt-4o-mini"]
    assert table.price("openai", "gpt-4o-2024-08-06") == DEFAULT_PRICES["openai:gpt-4o"]
    assert table.price("anthropic", "claude-sonnet-4-5-20250929") == DEFAULT_PRICES["anthropic:claude-sonnet-4-5"]


def test_unknown_models_cost_nothing() -> None:
    assert PriceTable().price("openai", "llama3.1:8b") is None
    assert cost("openai", "llama3.1:8b", MILLION) == 0.0
    assert PriceTable().price("openai", "gpt-4ox") is None  # a prefix alone is not a match


def test_a_price_file_overrides_and_extends(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps({"openai:gpt-4o-mini": {"input": 1, "output": 2}, "openai:my-deployment": {"input": 3, "output": 4}})
    )

    table = load_price_table(path)

    assert table.price("openai", "gpt-4o-mini") == Price(1.0, 2.0)
    assert cost("openai", "my-deployment", MILLION, table=table) == pytest.approx(7.0)
    assert table.price("openai", "gpt-4o") == DEFAULT_PRICES["openai:gpt-4o"]
    assert load_price_table(None).price("openai", "my-deployment") is None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "cannot read the price file"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"openai:x": {"input": 1}}', "price 'openai:x' must be"),
        ('{"openai:x": {"input": "cheap", "output": 1}}', "price 'openai:x' must be"),
        ('{"openai:x": {"input": -1, "output": 1}}', "must not be negative"),
    ],
)
def test_bad_price_files_are_configuration_errors(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(content)

    with pytest.raises(ConfigurationError, match=problem):
        PriceTable.from_file(path)


def test_a_missing_price_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="MOZAIKS_PRICES_FILE"):
        load_price_table(tmp_path / "missing.json")
