"""Model prices (USD per million input/output tokens) and the cost of a call.

The built-in table covers a few well-known models (list prices when written; check your provider's
page) and ``offline`` (free). A JSON file overrides or extends it (``MOZAIKS_PRICES_FILE``)::

    {"openai:gpt-4o-mini": {"input": 0.15, "output": 0.60}, "openai:my-azure-deployment": {"input": 2.5, "output": 10}}

A model is found by its exact ``provider:model`` key, else by the longest key it extends with a
``-`` suffix (``gpt-4o-mini-2024-07-18`` is priced as ``gpt-4o-mini``). Unknown models cost 0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from mozaiks_ai.errors import ConfigurationError
from mozaiks_ai.models.base import Usage

__all__ = ["DEFAULT_PRICES", "Price", "PriceTable", "cost", "load_price_table"]

_PER = 1_000_000


@dataclass(frozen=True)
class Price:
    """USD per million tokens.

    Attributes:
        input: Price of a million input (prompt) tokens.
        output: Price of a million output (completion) tokens.
    """

    input: float
    output: float


DEFAULT_PRICES: Mapping[str, Price] = MappingProxyType(
    {
        "offline": Price(0.0, 0.0),
        "openai:gpt-4o-mini": Price(0.15, 0.60),
        "openai:gpt-4o": Price(2.50, 10.00),
        "openai:gpt-4.1": Price(2.00, 8.00),
        "openai:gpt-4.1-mini": Price(0.40, 1.60),
        "openai:gpt-4.1-nano": Price(0.10, 0.40),
        "openai:gpt-5": Price(1.25, 10.00),
        "openai:gpt-5-mini": Price(0.25, 2.00),
        "openai:gpt-5-nano": Price(0.05, 0.40),
        "openai:o3": Price(2.00, 8.00),
        "openai:o4-mini": Price(1.10, 4.40),
        "anthropic:claude-sonnet-4-5": Price(3.00, 15.00),
        "anthropic:claude-sonnet-4": Price(3.00, 15.00),
        "anthropic:claude-opus-4-1": Price(15.00, 75.00),
        "anthropic:claude-haiku-4-5": Price(1.00, 5.00),
        "anthropic:claude-3-5-haiku": Price(0.80, 4.00),
    }
)


class PriceTable:
    """Prices by ``provider:model``.

    Args:
        prices: The table (default: :data:`DEFAULT_PRICES`).
    """

    def __init__(self, prices: Mapping[str, Price] | None = None) -> None:
        self._prices = dict(DEFAULT_PRICES if prices is None else prices)

    @classmethod
    def from_file(cls, path: Path | str, *, base: Mapping[str, Price] = DEFAULT_PRICES) -> PriceTable:
        """Read a JSON price file, whose entries override or extend ``base``.

        Raises:
            ConfigurationError: The file is missing or malformed; the message names it and the entry.
        """
        try:
            data = json.loads(Path(path).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"cannot read the price file {str(path)!r} (MOZAIKS_PRICES_FILE): {exc}") from None
        if not isinstance(data, dict):
            raise ConfigurationError(f"the price file {str(path)!r} must hold a JSON object of 'provider:model' keys")
        prices = dict(base)
        for key, entry in data.items():
            try:
                prices[key] = Price(float(entry["input"]), float(entry["output"]))
            except (TypeError, KeyError, ValueError):
                raise ConfigurationError(
                    f"{str(path)!r}: price {key!r} must be {{'input': <USD>, 'output': <USD>}} (per 1M tokens)"
                ) from None
            if prices[key].input < 0 or prices[key].output < 0:
                raise ConfigurationError(f"{str(path)!r}: price {key!r} must not be negative")
        return cls(prices)

    def price(self, provider: str, model: str) -> Price | None:
        """Return the price of ``provider:model``, or ``None`` when the table does not know it."""
        if provider == "offline":
            return self._prices.get("offline", Price(0.0, 0.0))
        key = f"{provider}:{model}"
        if key in self._prices:
            return self._prices[key]
        extended = [k for k in self._prices if key.startswith(k + "-")]
        return self._prices[max(extended, key=len)] if extended else None

    def cost(self, provider: str, model: str, usage: Usage) -> float:
        """Return the USD cost of ``usage`` on ``provider:model`` (0 for unknown models)."""
        price = self.price(provider, model)
        if price is None:
            return 0.0
        return (usage.input_tokens * price.input + usage.output_tokens * price.output) / _PER


def load_price_table(path: Path | str | None = None) -> PriceTable:
    """Return the built-in table, overridden by the JSON file at ``path`` when given.

    Raises:
        ConfigurationError: The file is missing or malformed.
    """
    return PriceTable() if path is None else PriceTable.from_file(path)


def cost(provider: str, model: str, usage: Usage, *, table: PriceTable | None = None) -> float:
    """Return the USD cost of a call (``table`` defaults to the built-in prices).

    Example:
        >>> cost("openai", "gpt-4o-mini", Usage(input_tokens=1_000_000, output_tokens=0))
        0.15
    """
    return (table or _DEFAULT_TABLE).cost(provider, model, usage)


_DEFAULT_TABLE = PriceTable()
