"""Pytest fixtures for the model stand-ins, shared by every test package.

`tests/conftest.py` loads this module as a plugin, so any test can ask for
`anthropic_standin` or `openai_standin`. The Anthropic fixture also sets the API key the
stand-in expects in ANTHROPIC_API_KEY (tests that check a missing key unset it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.standins.anthropic_server import STANDIN_API_KEY, AnthropicStandin
from tests.standins.openai_server import OpenAIStandin

# Short limits keep fault tests in milliseconds: retry-after from the stand-in is 0.05 s.
FAST_PROVIDER = {"max_retries": 2, "timeout_s": 2.0, "max_concurrency": 8}


def anthropic_provider_config(standin: AnthropicStandin, **overrides: Any) -> dict[str, Any]:
    """A `provider:` section of .promptops.yaml that points at the stand-in."""
    return {
        "name": "anthropic",
        "model": "claude-sonnet-5-5",
        "base_url": standin.url,
        **FAST_PROVIDER,
        **overrides,
    }


def openai_provider_config(standin: OpenAIStandin, **overrides: Any) -> dict[str, Any]:
    return {"name": "openai", "model": "llama3.2", "base_url": standin.base_url, **FAST_PROVIDER, **overrides}


@pytest.fixture
def anthropic_standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[AnthropicStandin]:
    """A Messages-API stand-in on 127.0.0.1, with ANTHROPIC_API_KEY set to the key it accepts."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", STANDIN_API_KEY)
    server = AnthropicStandin().start()
    yield server
    server.stop()


@pytest.fixture
def openai_standin() -> Iterator[OpenAIStandin]:
    """An OpenAI-compatible chat-completions stand-in on 127.0.0.1 (no key required)."""
    server = OpenAIStandin().start()
    yield server
    server.stop()
