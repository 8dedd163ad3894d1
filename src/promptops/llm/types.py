"""The one request/response shape every provider speaks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a request gets when its params do not say (the Messages API requires a value).
DEFAULT_MAX_TOKENS = 1024


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]
    id: str = ""


@dataclass(frozen=True)
class CompletionRequest:
    """What to ask a model. `sample` distinguishes repeated samples of the same request."""

    model: str
    system: str
    messages: tuple[dict[str, Any], ...]
    tools: tuple[ToolSpec, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    sample: int = 0


@dataclass(frozen=True)
class Completion:
    """A model's answer. `provider` and `model` say who answered, so reports can tell an
    echo dry run from a real model; `cached` is True when it came from the response cache,
    `batched` when a Message Batch answered it (half price; no per-call latency)."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    stop_reason: str = "end_turn"
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: float = 0.0
    cost_usd: float = 0.0
    cached: bool = False
    request_id: str | None = None
    provider: str = ""
    model: str = ""
    batched: bool = False
