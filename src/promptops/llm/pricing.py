"""What a call costs: USD per million tokens, by model.

The built-in table covers current Claude models; `.promptops.yaml` `pricing:` overrides or
extends it (a local model can be priced at 0, or a new model added before promptops
knows it). A dated model name (`claude-sonnet-4-5-20250929`) takes the price of its
longest listed prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Price:
    """USD per million tokens. Prompt-cache writes cost 1.25x input, reads 0.1x (Anthropic's rule)."""

    input: float
    output: float

    def cost(self, input_tokens: int, output_tokens: int, cache_write: int = 0, cache_read: int = 0) -> float:
        units = input_tokens * self.input + output_tokens * self.output
        units += cache_write * self.input * 1.25 + cache_read * self.input * 0.1
        return units / 1_000_000


BUILTIN_PRICES: dict[str, Price] = {
    "claude-opus-4-5": Price(5.0, 25.0),
    "claude-opus-4-1": Price(15.0, 75.0),
    "claude-opus-4": Price(15.0, 75.0),
    "claude-sonnet-4-5": Price(3.0, 15.0),
    "claude-sonnet-4": Price(3.0, 15.0),
    "claude-3-7-sonnet": Price(3.0, 15.0),
    "claude-haiku-4-5": Price(1.0, 5.0),
    "claude-3-5-haiku": Price(0.8, 4.0),
    "claude-3-haiku": Price(0.25, 1.25),
}


@dataclass(frozen=True)
class PriceTable:
    prices: Mapping[str, Price]

    @classmethod
    def from_config(cls, pricing: Mapping[str, Any] | None) -> PriceTable:
        """The built-in table with `pricing:` from .promptops.yaml laid over it."""
        prices = dict(BUILTIN_PRICES)
        for model, entry in (pricing or {}).items():
            prices[model] = Price(float(entry["input"]), float(entry["output"]))
        return cls(prices)

    def lookup(self, model: str) -> Price | None:
        """The price of `model`, or of its longest listed prefix; None when unknown."""
        if model in self.prices:
            return self.prices[model]
        prefixes = [name for name in self.prices if model.startswith(name)]
        return self.prices[max(prefixes, key=len)] if prefixes else None

    def cost(self, model: str, input_tokens: int, output_tokens: int, **cache_tokens: int) -> float:
        """USD for one call; 0.0 for a model without a price (reported, never guessed)."""
        price = self.lookup(model)
        return price.cost(input_tokens, output_tokens, **cache_tokens) if price else 0.0

    def known_models(self) -> list[str]:
        return sorted(self.prices)
