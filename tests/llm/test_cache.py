"""The response cache: hits, misses, what is stored, concurrent writers, the cache commands."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from promptops.llm.cache import ResponseCache, cache_key
from promptops.llm.client import client_from_config
from promptops.llm.errors import LLMError
from promptops.llm.types import Completion
from tests.conftest import run_cli
from tests.llm.helpers import ask, write_config
from tests.standins import Reply, anthropic_provider_config

SRC = Path(__file__).resolve().parents[2] / "src"


def test_second_identical_call_is_answered_from_the_cache(anthropic_standin, tmp_path):
    config = write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    first = client_from_config(config).complete_sync(ask("hello"))
    client = client_from_config(config)  # a later run: a new client, same cache file
    second = client.complete_sync(ask("hello"))

    assert anthropic_standin.request_count == 1
    assert second.cached and not first.cached
    assert (second.text, second.input_tokens, second.request_id) == (
        first.text,
        first.input_tokens,
        first.request_id,
    )
    assert client.ledger.cached_calls == 1 and client.ledger.cost_usd == 0
    assert client.ledger.saved_usd == pytest.approx(first.cost_usd)
    assert (tmp_path / ".promptops" / "cache.sqlite").exists()


@pytest.mark.parametrize(
    "changed",
    [
        ask("hello", sample=1),
        ask("hello", temperature=1),
        ask("hello", system="Other"),
        ask("hello!"),
        ask("hello", model="claude-haiku-4-5"),
    ],
)
def test_any_change_in_the_request_is_a_miss(anthropic_standin, tmp_path, changed):
    client = client_from_config(write_config(tmp_path, anthropic_provider_config(anthropic_standin)))
    client.complete_sync(ask("hello"))
    assert not client.complete_sync(changed).cached
    assert anthropic_standin.request_count == 2


def test_failed_calls_are_not_cached(anthropic_standin, tmp_path):
    client = client_from_config(
        write_config(tmp_path, anthropic_provider_config(anthropic_standin, max_retries=0))
    )
    anthropic_standin.queue(Reply.server_error())
    with pytest.raises(LLMError):
        client.complete_sync(ask("hello"))
    assert client.complete_sync(ask("hello")).text == "echo: hello"
    assert anthropic_standin.request_count == 2


@pytest.mark.parametrize(
    "damage",
    [
        '\'{"text": "echo: hel\'',  # cut off mid-write
        "'not json at all'",
        '\'["text", "tool_calls"]\'',  # JSON, but not an answer
        '\'{"stop_reason": "end_turn"}\'',  # no text
        "json_set(completion, '$.text', 42)",
        "json_set(completion, '$.input_tokens', 'many')",
        "json_set(completion, '$.tool_calls', 7)",
    ],
)
def test_a_damaged_cache_row_is_asked_again_and_replaced(anthropic_standin, tmp_path, damage):
    config = write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    first = client_from_config(config).complete_sync(ask("hello"))
    db = sqlite3.connect(tmp_path / ".promptops" / "cache.sqlite", isolation_level=None)
    db.execute(f"UPDATE responses SET completion = {damage}")
    again = client_from_config(config).complete_sync(ask("hello"))
    assert not again.cached and again.text == first.text == "echo: hello"
    assert anthropic_standin.request_count == 2  # never read as an answer, never a crash
    third = client_from_config(config).complete_sync(ask("hello"))
    assert third.cached and third.text == "echo: hello" and anthropic_standin.request_count == 2


def test_env_var_moves_the_cache(anthropic_standin, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere" / "c.sqlite"
    monkeypatch.setenv("PROMPTOPS_CACHE", str(elsewhere))
    client_from_config(
        write_config(tmp_path / "repo", anthropic_provider_config(anthropic_standin))
    ).complete_sync(ask("hi"))
    assert elsewhere.exists() and not (tmp_path / "repo" / ".promptops").exists()


def test_cache_key_holds_no_readable_request_or_key(anthropic_standin, tmp_path):
    config = write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    client_from_config(config).complete_sync(ask("MY-PRIVATE-PROMPT"))
    db = sqlite3.connect(tmp_path / ".promptops" / "cache.sqlite")
    key, provider, model = db.execute("SELECT key, provider, model FROM responses").fetchone()
    assert len(key) == 64 and all(c in "0123456789abcdef" for c in key)
    assert (provider, model) == ("anthropic", "claude-sonnet-5-5")
    raw = b"".join(p.read_bytes() for p in (tmp_path / ".promptops").iterdir())
    assert anthropic_standin.api_key.encode() not in raw


def _completion(i: int) -> Completion:
    return Completion(text=f"answer {i}", provider="echo", model="m", input_tokens=i)


def test_concurrent_writers_threads_and_processes(tmp_path):
    path = tmp_path / "cache.sqlite"
    ResponseCache(path)  # created before the race, as a repository's first run would
    writer = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from promptops.llm.cache import ResponseCache
        from promptops.llm.types import Completion
        cache = ResponseCache(Path({str(path)!r}))
        for i in range(60):
            cache.put(f"p{{sys.argv[1]}}-{{i}}", Completion(text=str(i), provider="echo", model="m"))
    """)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(n)], env=env) for n in range(3)]
    cache = ResponseCache(path)
    errors: list[BaseException] = []

    def write(t: int) -> None:
        try:
            for i in range(60):
                cache.put(f"t{t}-{i}", _completion(i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    assert errors == []
    assert cache.stats().entries == 360
    assert cache.get("t2-59").text == "answer 59" and cache.get("p1-7").text == "7"


def test_cache_key_is_canonical():
    a = ask("x", temperature=0, top_k=3)
    b = ask("x", top_k=3, temperature=0)
    assert cache_key("anthropic", "u", a) == cache_key("anthropic", "u", b)
    assert cache_key("anthropic", "u", a) != cache_key("anthropic", "v", a)
    assert cache_key("anthropic", "u", a) != cache_key("openai", "u", a)


def test_a_request_keys_as_it_did_before_the_encoder_was_kept():
    """Recorded with promptops at 70a628d (json.JSONEncoder per call): every answer users have
    cached is found under the same key after the kept encoder (files.json_text)."""
    from promptops.llm.types import CompletionRequest, ToolSpec

    request = CompletionRequest(
        model="claude-sonnet-5-5",
        system="Be brief. ☕",
        messages=({"role": "user", "content": "Refund order 12?"},),
        params={"temperature": 0, "max_tokens": 256},
        tools=(
            ToolSpec(
                name="lookup_order",
                description="Find an order",
                input_schema={"type": "object", "properties": {"id": {"type": "string"}}},
            ),
        ),
    )
    assert cache_key("anthropic", "https://api.anthropic.com", request) == (
        "5c35026ef6e7cdfef85195194815eabef643c77ea1c7227e773653200fcbb1b8"
    )


def test_no_cache_calls_the_model_and_stores_nothing(anthropic_standin, tmp_path):
    write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    assert run_cli(tmp_path, "ask", "hello").exit_code == 0
    assert run_cli(tmp_path, "ask", "hello").exit_code == 0
    assert anthropic_standin.request_count == 1

    result = run_cli(tmp_path, "ask", "--no-cache", "hello")
    assert result.exit_code == 0 and result.stdout.strip() == "echo: hello"
    assert "1 call (0 cached" in result.stderr
    assert anthropic_standin.request_count == 2
    result = run_cli(tmp_path, "ask", "--no-cache", "new question")
    stats = json.loads(run_cli(tmp_path, "cache", "stats", "--json").stdout)
    assert stats["entries"] == 1 and anthropic_standin.request_count == 3


def test_cache_stats_and_clear_commands(anthropic_standin, tmp_path):
    write_config(tmp_path, anthropic_provider_config(anthropic_standin))
    empty = json.loads(run_cli(tmp_path, "cache", "stats", "--json").stdout)
    assert empty["entries"] == 0 and not (tmp_path / ".promptops").exists()  # stats creates nothing
    for text in ("a", "b", "c"):
        run_cli(tmp_path, "ask", text)
    path = tmp_path / ".promptops" / "cache.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "UPDATE responses SET created_at = ? WHERE key IN (SELECT key FROM responses LIMIT 1)",
        (time.time() - 10 * 86400,),
    )
    db.commit()
    db.close()

    stats = json.loads(run_cli(tmp_path, "cache", "stats", "--json").stdout)
    assert stats["entries"] == 3 and stats["by_model"] == {"anthropic/claude-sonnet-5-5": 3}
    table = run_cli(tmp_path, "cache", "stats").stdout
    assert "entries" in table and "anthropic/claude-sonnet-5-5" in table

    assert (
        run_cli(tmp_path, "cache", "clear", "--older-than", "7").stdout.strip() == "removed 1 cached answer"
    )
    assert run_cli(tmp_path, "cache", "clear").stdout.strip() == "removed 2 cached answers"
    assert json.loads(run_cli(tmp_path, "cache", "stats", "--json").stdout)["entries"] == 0


def test_cache_disabled_in_config(anthropic_standin, tmp_path):
    write_config(tmp_path, anthropic_provider_config(anthropic_standin), cache={"enabled": False})
    run_cli(tmp_path, "ask", "hello")
    run_cli(tmp_path, "ask", "hello")
    assert anthropic_standin.request_count == 2 and not (tmp_path / ".promptops").exists()
