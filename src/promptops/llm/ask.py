"""One question to the configured model: what `promptops ask` runs to check a provider setup.

It goes through the same client as every other call (cache, budget, concurrency limit,
structured output), so it also shows a user what a cached answer and the usage look like.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.config import Config
from promptops.errors import InputError
from promptops.files import load_document
from promptops.llm.budget import Budget
from promptops.llm.client import LLMClient, client_from_config
from promptops.llm.structured import complete_json
from promptops.llm.types import Completion, CompletionRequest
from promptops.llm.usage import UsageLedger


@dataclass(frozen=True)
class Answer:
    text: str
    data: dict[str, Any] | None  # the validated object when a schema was given
    usage: UsageLedger


def load_schema_file(path: Path) -> dict[str, Any]:
    """A JSON Schema from a YAML or JSON file (errors name the file, line and column)."""
    doc = load_document(path)
    if not isinstance(doc.data, dict):
        raise InputError(f"{path}: error: expected a JSON Schema object at the top level")
    return doc.data


def ask(
    config: Config,
    prompt: str,
    *,
    system: str = "",
    model: str | None = None,
    schema: dict[str, Any] | None = None,
    section: str = "provider",
    no_cache: bool = False,
    budget: Budget | None = None,
    max_tokens: int = 1024,
) -> Answer:
    client = client_from_config(config, section=section, no_cache=no_cache, budget=budget)
    request = CompletionRequest(
        model=model or client.model,
        system=system,
        messages=({"role": "user", "content": prompt},),
        params={"max_tokens": max_tokens},
    )
    return asyncio.run(_ask(client, request, schema))


async def _ask(client: LLMClient, request: CompletionRequest, schema: dict[str, Any] | None) -> Answer:
    try:
        if schema is not None:
            data = await complete_json(client, request, schema)
            return Answer(text="", data=data, usage=client.ledger)
        completion: Completion = await client.complete(request)
        return Answer(text=completion.text, data=None, usage=client.ledger)
    finally:
        await client.aclose()
