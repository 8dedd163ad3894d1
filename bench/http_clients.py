"""Benchmark: CPU per call of the HTTP clients that could carry the OpenAI-compatible provider.

Issue 15 asks for <= 0.5 ms CPU per call for the whole `promptops eval` command, and with
httpx2 most of the 2.3-2.5 ms it spent went to the HTTP client. This puts the candidates side
by side on the same job the provider does: 2,000 chat-completions POSTs (the provider's own
JSON body) at concurrency 32 on one client with keep-alive, against the OpenAI-compatible
stand-in in its own process answering after 50 ms, reading each answer as JSON.

Clients:
- httpx2 AsyncClient as the provider built it before (default limits: 20 kept-alive connections)
- httpx2 AsyncClient with 32 kept-alive connections (so keep-alive is not what differs)
- the provider's transport today (llm/providers/http_transport.py): a free list of httpcore2
  connections on an asyncio network backend, with the provider's headers
- aiohttp ClientSession, one TCPConnector limited to 32 connections: with `trust_env=True`
  (netrc and the proxy looked up in a worker thread on every request), with the proxy looked
  up once per session by aiohttp's own helper, and with no environment lookup at all

CPU is this process's user + system time (os.times) over the round, divided by the calls;
the stand-in's CPU is not counted. A warm-up round of each client comes first, then the
clients run interleaved, 3 repeats by default; medians are printed.

Usage: python bench/http_clients.py [--quick] [--calls N] [--repeats N] [--delay S]
(aiohttp is not a dependency: `pip install aiohttp` first, else its rows are left out.)
(--quick: 500 calls, one repeat.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.standins.process import standin_stats, start_standin_process  # noqa: E402

from promptops.llm.providers.openai_compat import chat_body  # noqa: E402
from promptops.llm.types import CompletionRequest  # noqa: E402

CONCURRENCY = 32
Post = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def start_standin(delay_s: float) -> tuple[subprocess.Popen[str], str]:
    return start_standin_process("openai_server", delay_s)


def body(i: int) -> dict[str, Any]:
    request = CompletionRequest(
        model="llama3.2",
        system="You are a support agent. Follow the refund policy.",
        messages=({"role": "user", "content": f"Customer says: order {i} arrived broken, refund?"},),
        params={"max_tokens": 256, "temperature": 0.0},
    )
    return chat_body(request)


async def httpx2_client(base_url: str, keepalive: int | None) -> tuple[Post, Callable[[], Awaitable[None]]]:
    import httpx2

    from promptops.llm.providers.tls import shared_ssl_context

    limits = httpx2.Limits(max_keepalive_connections=keepalive) if keepalive else httpx2.Limits()
    client = httpx2.AsyncClient(base_url=base_url, timeout=60.0, verify=shared_ssl_context(), limits=limits)

    async def post(payload: dict[str, Any]) -> dict[str, Any]:
        response = await client.post("/chat/completions", json=payload)
        assert response.status_code == 200, response.status_code
        return response.json()

    return post, client.aclose


async def aiohttp_client(base_url: str, proxies: str) -> tuple[Post, Callable[[], Awaitable[None]]]:
    """`proxies`: "trust_env" (aiohttp looks up netrc and the proxy in a thread on every request),
    "once" (the same environment lookup, aiohttp's own helper, once per session) or "none"."""
    import aiohttp
    from aiohttp.helpers import get_env_proxy_for_url
    from yarl import URL

    from promptops.llm.providers.tls import shared_ssl_context

    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=CONCURRENCY, ssl=shared_ssl_context()),
        timeout=aiohttp.ClientTimeout(total=60.0),
        trust_env=proxies == "trust_env",
    )
    url = base_url + "/chat/completions"
    proxy = None
    if proxies == "once":
        with contextlib.suppress(LookupError):  # no proxy for this URL
            proxy, _ = get_env_proxy_for_url(URL(url))

    async def post(payload: dict[str, Any]) -> dict[str, Any]:
        async with session.post(url, json=payload, proxy=proxy) as response:
            assert response.status == 200, response.status
            return await response.json()

    return post, session.close


async def promptops_transport(base_url: str) -> tuple[Post, Callable[[], Awaitable[None]]]:
    """The provider's own transport (a free list of httpcore2 connections on asyncio streams),
    with the provider's own URL, headers and timeouts: only the retries and the answer's
    reading into a Completion are left out, as the other rows have neither."""
    import json

    from promptops.llm.pricing import PriceTable
    from promptops.llm.providers.openai_compat import OpenAICompatProvider

    provider = OpenAICompatProvider(base_url=base_url, prices=PriceTable.from_config(None), timeout_s=60.0)

    async def post(payload: dict[str, Any]) -> dict[str, Any]:
        transport = provider._transport()
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        response = await transport.request(
            b"POST", provider._url, headers=provider._headers, content=content, extensions=provider._timeouts
        )
        assert response.status == 200, response.status
        return json.loads(response.content)

    return post, provider.aclose


CLIENTS: dict[str, Callable[[str], Awaitable[tuple[Post, Callable[[], Awaitable[None]]]]]] = {
    "httpx2 (provider's settings)": lambda url: httpx2_client(url, None),
    "httpx2, 32 kept alive": lambda url: httpx2_client(url, CONCURRENCY),
    "promptops (httpcore2 conns)": promptops_transport,
    "aiohttp, trust_env=True": lambda url: aiohttp_client(url, "trust_env"),
    "aiohttp, env proxy read once": lambda url: aiohttp_client(url, "once"),
    "aiohttp, no env at all": lambda url: aiohttp_client(url, "none"),
}


def one_round(name: str, url: str, calls: int) -> tuple[float, float, float, int]:
    """(wall s, user and system CPU ms per call, TCP connections opened) for `calls` POSTs."""
    payloads = [body(i) for i in range(calls)]
    connections_before = standin_stats(url).get("connections", 0)

    async def run() -> None:
        post, close = await CLIENTS[name](url + "/v1")
        queue = iter(payloads)

        async def worker() -> None:
            for payload in queue:
                answer = await post(payload)
                assert answer["choices"][0]["message"]["content"]

        try:
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        finally:
            await close()

    before, started = os.times(), time.perf_counter()
    asyncio.run(run())
    wall, after = time.perf_counter() - started, os.times()
    user, system = (after.user - before.user) * 1000 / calls, (after.system - before.system) * 1000 / calls
    return wall, user, system, standin_stats(url).get("connections", 0) - connections_before - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.05, help="the stand-in's answer delay, seconds")
    parser.add_argument("--quick", action="store_true", help="500 calls, one repeat")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.repeats = 500, 1
    if importlib.util.find_spec("aiohttp") is None:  # a candidate, not a dependency of promptops
        print("aiohttp is not installed (`pip install aiohttp` into this venv): its rows are left out")
        for name in [n for n in CLIENTS if n.startswith("aiohttp")]:
            del CLIENTS[name]
    proc, url = start_standin(args.delay)
    try:
        for name in CLIENTS:  # warm-up: imports, TLS context, the stand-in's threads
            one_round(name, url, CONCURRENCY * 4)
        results: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name in CLIENTS}
        for _ in range(args.repeats):
            for name in CLIENTS:
                results[name].append(one_round(name, url, args.calls))
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    limit = -(-args.calls // CONCURRENCY) * args.delay
    baseline = statistics.median(r[1] + r[2] for r in results["httpx2 (provider's settings)"])
    print(
        f"{args.calls} POSTs at concurrency {CONCURRENCY}, stand-in answers after {args.delay * 1000:g} ms "
        f"(limit {limit:.2f} s); medians of {args.repeats} interleaved repeats"
    )
    print(
        f"{'client':30} {'wall s':>7} {'x limit':>8} {'CPU ms/call':>12} {'user':>6} {'system':>7}"
        f" {'httpx2 / it':>12} {'connections':>12}"
    )
    for name, rows in results.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] + r[2] for r in rows)
        user, system = statistics.median(r[1] for r in rows), statistics.median(r[2] for r in rows)
        conns = max(r[3] for r in rows)
        print(
            f"{name:30} {wall:7.2f} {wall / limit:8.2f} {cpu:12.3f} {user:6.3f} {system:7.3f}"
            f" {baseline / cpu:11.2f}x {conns:12d}"
        )


if __name__ == "__main__":
    main()
