"""Both providers keep their connections alive for the whole run (issue 15):
the stand-in counts the TCP connections it accepted, so reuse shows as few of them."""

from __future__ import annotations

import asyncio

from tests.llm.helpers import ask
from tests.llm.test_openai_provider import client_for
from tests.standins import Reply


def run_all(client, texts, *, width):
    """Complete every text with at most `width` calls at once, in one event loop; then close."""

    async def run():
        queue = iter(texts)

        async def worker():
            return [await client.complete(ask(t, model="llama3.2")) for t in queue]

        try:
            return [c for batch in await asyncio.gather(*(worker() for _ in range(width))) for c in batch]
        finally:
            await client.aclose()

    return asyncio.run(run())


def test_one_connection_per_concurrent_call_for_the_whole_run(openai_standin, tmp_path):
    client = client_for(openai_standin, tmp_path, max_concurrency=4)
    done = run_all(client, [f"q{i}" for i in range(40)], width=8)

    assert sorted(c.text for c in done) == sorted(f"echo: q{i}" for i in range(40))
    assert openai_standin.request_count == 40
    assert openai_standin.connections <= 4  # the limit's 4 slots, each on a kept-alive connection


def test_sequential_calls_share_one_connection(openai_standin, tmp_path):
    run_all(client_for(openai_standin, tmp_path), [f"q{i}" for i in range(5)], width=1)
    assert (openai_standin.request_count, openai_standin.connections) == (5, 1)


def test_rate_limits_and_server_errors_are_retried_on_the_same_connection(openai_standin, tmp_path):
    openai_standin.queue(Reply.rate_limited(0.01), Reply.server_error(0.01))
    client = client_for(openai_standin, tmp_path, max_retries=2)
    (done,) = run_all(client, ["x"], width=1)

    assert done.text == "echo: x" and openai_standin.request_count == 3
    assert openai_standin.connections == 1  # an error status leaves the connection usable


def test_the_anthropic_sdk_keeps_its_connections_alive_too(anthropic_standin, tmp_path):
    from tests.llm.test_anthropic_provider import client_for as anthropic_client_for

    client = anthropic_client_for(anthropic_standin, tmp_path)

    async def run():
        try:
            return [await client.complete(ask(f"q{i}")) for i in range(5)]
        finally:
            await client.aclose()

    done = asyncio.run(run())
    assert len(done) == 5 and anthropic_standin.request_count == 5
    assert anthropic_standin.connections == 1
