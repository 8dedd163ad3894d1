"""One concurrency limit per provider endpoint, shared across clients, loops and threads."""

from __future__ import annotations

import asyncio
import threading

from promptops.llm.client import client_from_config
from tests.llm.helpers import ask, write_config
from tests.standins import anthropic_provider_config


def test_limit_is_shared_by_clients_and_nothing_is_dropped(anthropic_standin, tmp_path):
    anthropic_standin.delay_s = 0.05
    config = write_config(
        tmp_path, anthropic_provider_config(anthropic_standin, max_concurrency=3), cache={"enabled": False}
    )
    eval_client, judge_client = client_from_config(config), client_from_config(config)

    async def run():
        calls = [c.complete(ask(f"q{i}")) for i in range(12) for c in (eval_client, judge_client)]
        try:
            return await asyncio.gather(*calls)
        finally:
            await eval_client.aclose()
            await judge_client.aclose()

    results = asyncio.run(run())
    assert len(results) == 24 and anthropic_standin.request_count == 24
    assert anthropic_standin.peak_in_flight == 3


def test_limit_holds_across_event_loops_in_threads(anthropic_standin, tmp_path):
    anthropic_standin.delay_s = 0.05
    config = write_config(
        tmp_path, anthropic_provider_config(anthropic_standin, max_concurrency=2), cache={"enabled": False}
    )
    results: list[int] = []

    def worker(n: int) -> None:
        client = client_from_config(config)

        async def run():
            try:
                return await asyncio.gather(*(client.complete(ask(f"t{n}-{i}")) for i in range(5)))
            finally:
                await client.aclose()

        results.append(len(asyncio.run(run())))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [5, 5, 5] and anthropic_standin.request_count == 15
    assert anthropic_standin.peak_in_flight == 2


def test_sync_wrapper_works_across_repeated_event_loops(anthropic_standin, tmp_path):
    config = write_config(
        tmp_path, anthropic_provider_config(anthropic_standin, max_concurrency=1), cache={"enabled": False}
    )
    client = client_from_config(config)
    assert [client.complete_sync(ask(f"n{i}")).text for i in range(3)] == ["echo: n0", "echo: n1", "echo: n2"]


def test_cancelled_waiters_release_their_place(anthropic_standin, tmp_path):
    anthropic_standin.delay_s = 0.1
    config = write_config(
        tmp_path, anthropic_provider_config(anthropic_standin, max_concurrency=1), cache={"enabled": False}
    )
    client = client_from_config(config)

    async def run():
        first = asyncio.create_task(client.complete(ask("first")))
        waiting = asyncio.create_task(client.complete(ask("second")))
        await asyncio.sleep(0.02)
        waiting.cancel()
        await first
        third = await asyncio.wait_for(client.complete(ask("third")), timeout=2)
        await client.aclose()
        return waiting.cancelled(), third.text

    assert asyncio.run(run()) == (True, "echo: third")
    assert client.limit.in_use == 0
