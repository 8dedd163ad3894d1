"""Small builders for the LLM tests: a repository config pointing at a stand-in, a request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from promptops.config import Config, load_config
from promptops.llm.types import CompletionRequest

MODEL = "claude-sonnet-5-5"


def write_config(root: Path, provider: dict[str, Any], **sections: Any) -> Config:
    """Write .promptops.yaml with this provider section (and any others) and load it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".promptops.yaml").write_text(
        yaml.safe_dump({"provider": provider, **sections}), encoding="utf-8"
    )
    return load_config(root)


def ask(
    text: str, *, model: str = MODEL, system: str = "You are terse.", sample: int = 0, **params: Any
) -> CompletionRequest:
    return CompletionRequest(
        model=model,
        system=system,
        messages=({"role": "user", "content": text},),
        params={"max_tokens": 64, **params},
        sample=sample,
    )
