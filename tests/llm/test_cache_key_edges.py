"""The cache key covers everything that decides an answer: two endpoints, or two tool lists,
never share a cached reply (a real client, one cache file, stand-ins on 127.0.0.1)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from promptops.llm.client import client_from_config
from promptops.llm.types import ToolSpec
from tests.llm.helpers import ask, write_config
from tests.standins import anthropic_provider_config
from tests.standins.anthropic_server import AnthropicStandin

LOOKUP = ToolSpec("lookup_order", "Look up an order by id.", {"type": "object", "properties": {}})


def test_the_same_request_to_another_base_url_is_not_a_cache_hit(
    anthropic_standin: AnthropicStandin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMPTOPS_CACHE", str(tmp_path / "shared-cache.sqlite"))
    other = AnthropicStandin().start()
    try:
        first = client_from_config(write_config(tmp_path / "a", anthropic_provider_config(anthropic_standin)))
        second = client_from_config(write_config(tmp_path / "b", anthropic_provider_config(other)))
        assert not first.complete_sync(ask("hello")).cached
        answer = second.complete_sync(ask("hello"))
        assert not answer.cached and other.request_count == 1
        # and the same endpoint again is a hit: the key is stable, not random
        again = client_from_config(write_config(tmp_path / "c", anthropic_provider_config(other)))
        assert again.complete_sync(ask("hello")).cached and other.request_count == 1
    finally:
        other.stop()


def test_a_changed_tool_description_or_schema_is_not_a_cache_hit(
    anthropic_standin: AnthropicStandin, tmp_path: Path
) -> None:
    client = client_from_config(write_config(tmp_path, anthropic_provider_config(anthropic_standin)))
    with_tool = replace(ask("where is my order?"), tools=(LOOKUP,))
    assert not client.complete_sync(with_tool).cached
    assert client.complete_sync(with_tool).cached and anthropic_standin.request_count == 1
    reworded = replace(with_tool, tools=(replace(LOOKUP, description="Find an order."),))
    assert not client.complete_sync(reworded).cached
    schema = {"type": "object", "properties": {"order_id": {"type": "string"}}}
    reshaped = replace(with_tool, tools=(replace(LOOKUP, input_schema=schema),))
    assert not client.complete_sync(reshaped).cached
    assert not client.complete_sync(ask("where is my order?")).cached  # no tools at all
    assert anthropic_standin.request_count == 4
