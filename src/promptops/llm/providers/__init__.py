"""Provider implementations. A provider turns one CompletionRequest into one Completion."""

from __future__ import annotations

from typing import Protocol

from promptops.llm.types import Completion, CompletionRequest


class Provider(Protocol):
    """The seam every backend implements; caching, limits and budgets sit above it."""

    name: str
    base_url: str | None

    async def complete(self, request: CompletionRequest) -> Completion: ...

    async def aclose(self) -> None: ...
