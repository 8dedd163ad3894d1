"""What a call costs: USD per million tokens, by model.

The built-in table covers current Claude models; `.promptops.yaml` `pricing:` overrides or
extends it (a local model can be priced at 0, or a new model added before promptops
knows it). A dated model id (`claude-sonnet-4-5-20250929`) takes its alias's price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Price:
    """USD per million tokens. Prompt-cache writes (5 minutes) cost 1.25x input; cache reads
    cost `cache_read` when the model's rate differs from the usual 0.1x input."""

    input: float
    output: float
    cache_read: float | None = None

    def cost(self, input_tokens: int, output_tokens: int, cache_write: int = 0, cache_read: int = 0) -> float:
        read_rate = self.cache_read if self.cache_read is not None else self.input * 0.1
        units = input_tokens * self.input + output_tokens * self.output
        units += cache_write * self.input * 1.25 + cache_read * read_rate
        return units / 1_000_000


# From Anthropic's pricing page (platform.claude.com/docs/en/about-claude/pricing), Nov 2026.
# Haiku 5.5 is the band for prompts up to 100k tokens (longer prompts bill 5x).
BUILTIN_PRICES: dict[str, Price] = {
    "claude-fable-5-1": Price(10.0, 50.0, cache_read=0.25),
    "claude-mythos-5-1": Price(10.0, 50.0, cache_read=0.25),
    "claude-fable-5": Price(10.0, 50.0),
    "claude-mythos-5": Price(10.0, 50.0),
    "claude-opus-5-5": Price(4.0, 20.0, cache_read=0.20),
    "claude-opus-5": Price(5.0, 25.0),
    "claude-opus-4-8": Price(5.0, 25.0),
    "claude-opus-4-7": Price(5.0, 25.0),
    "claude-opus-4-6": Price(5.0, 25.0),
    "claude-opus-4-5": Price(5.0, 25.0),
    "claude-opus-4-1": Price(15.0, 75.0),
    "claude-opus-4": Price(15.0, 75.0),
    "claude-sonnet-5-5": Price(2.0, 10.0, cache_read=0.10),
    "claude-sonnet-5": Price(2.0, 10.0),
    "claude-sonnet-4-6": Price(3.0, 15.0),
    "claude-sonnet-4-5": Price(3.0, 15.0),
    "claude-sonnet-4": Price(3.0, 15.0),
    "claude-haiku-5-5": Price(0.10, 0.50, cache_read=0.01),
    "claude-haiku-4-5": Price(1.0, 5.0),
    "claude-3-5-haiku": Price(0.8, 4.0),
    "claude-3-haiku": Price(0.25, 1.25),
}
DATED_SUFFIX = re.compile(r"-\d{8}$")
# Message Batches bill every token at half the standard price (Anthropic's batch pricing).
BATCH_PRICE_FACTOR = 0.5


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
        """The price of `model` (a dated id such as `claude-haiku-4-5-20251001` takes its
        alias's price); None when unknown: a new model is never priced by a guess."""
        if model in self.prices:
            return self.prices[model]
        return self.prices.get(DATED_SUFFIX.sub("", model))

    def cost(self, model: str, input_tokens: int, output_tokens: int, **cache_tokens: int) -> float:
        """USD for one call; 0.0 for a model without a price (reported, never guessed)."""
        price = self.lookup(model)
        return price.cost(input_tokens, output_tokens, **cache_tokens) if price else 0.0

    def known_models(self) -> list[str]:
        return sorted(self.prices)
