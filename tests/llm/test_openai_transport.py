"""The OpenAI-compatible provider's HTTP transport: TLS, proxies from the environment, kept-alive
connections the server closes, timeouts, compressed answers, closing at the end of a run.
Every test goes through `client_from_config` to servers on 127.0.0.1 (tests/llm/http_servers.py)."""

from __future__ import annotations

import asyncio
import base64
import socket
import time
import warnings
from urllib.parse import urlsplit

import pytest

from promptops.errors import ConfigError
from promptops.llm.client import client_from_config
from promptops.llm.errors import CallTimeout, ConnectionFailed
from promptops.llm.providers import http_transport
from promptops.llm.providers.tls import shared_ssl_context
from tests.llm.helpers import ask, write_config
from tests.llm.http_servers import ForwardProxy, HangUpServer, TLSFront, certificates
from tests.standins import Reply

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_from_the_outside(monkeypatch):
    """Each test sets the proxy variables it is about; none leak in from the machine."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def client_at(root, base_url, **overrides):
    provider = {"name": "openai", "model": "llama3.2", "base_url": base_url, "max_retries": 0}
    provider |= {"timeout_s": 2.0, "max_concurrency": 4, **overrides}
    return client_from_config(write_config(root, provider, cache={"enabled": False}))


def complete_all(client, texts, *, pause_s=0.0):
    """Complete the texts one after another in one event loop, then close the client."""

    async def run():
        done = []
        try:
            for text in texts:
                done.append((await client.complete(ask(text, model="llama3.2"))).text)
                await asyncio.sleep(pause_s)
            return done
        finally:
            await client.aclose()

    return asyncio.run(run())


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or 80


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_https_server_is_verified_and_its_connection_kept_alive(openai_standin, tmp_path):
    certs = certificates(tmp_path, "trusted")
    shared_ssl_context().load_verify_locations(certs.ca)  # the CA of this test only
    front = TLSFront(address(openai_standin.url), certs)
    try:
        done = complete_all(client_at(tmp_path, front.url + "/v1"), ["a", "b", "c"])
    finally:
        front.stop()
    assert done == ["echo: a", "echo: b", "echo: c"]
    assert (openai_standin.request_count, openai_standin.connections) == (3, 1)


def test_https_server_with_a_certificate_nobody_trusts_is_refused(openai_standin, tmp_path):
    front = TLSFront(address(openai_standin.url), certificates(tmp_path, "stranger"))
    try:
        with pytest.raises(ConnectionFailed, match="connection failed"):
            complete_all(client_at(tmp_path, front.url + "/v1"), ["a"])
    finally:
        front.stop()
    assert openai_standin.request_count == 0


def test_http_proxy_carries_the_call(openai_standin, tmp_path, monkeypatch):
    proxy = ForwardProxy()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    try:
        assert complete_all(client_at(tmp_path, openai_standin.base_url), ["hi"]) == ["echo: hi"]
    finally:
        proxy.stop()
    assert proxy.requests == [f"POST {openai_standin.base_url}/chat/completions"]
    assert openai_standin.request_count == 1


def test_proxy_credentials_come_from_the_proxy_url(openai_standin, tmp_path, monkeypatch):
    proxy = ForwardProxy(credentials=("ops", "p@ss"))
    monkeypatch.setenv("http_proxy", proxy.url.replace("http://", "http://ops:p%40ss@"))
    try:
        assert complete_all(client_at(tmp_path, openai_standin.base_url), ["hi"]) == ["echo: hi"]
    finally:
        proxy.stop()
    assert proxy.requests == [f"POST {openai_standin.base_url}/chat/completions"]  # let in: it answered


def test_an_https_proxy_is_reached_over_verified_tls(openai_standin, tmp_path, monkeypatch):
    certs = certificates(tmp_path, "proxy")
    shared_ssl_context().load_verify_locations(certs.ca)
    proxy = ForwardProxy()
    front = TLSFront(address(proxy.url), certs)  # https://proxy -> the proxy
    monkeypatch.setenv("HTTP_PROXY", front.url)
    try:
        assert complete_all(client_at(tmp_path, openai_standin.base_url), ["hi"]) == ["echo: hi"]
    finally:
        front.stop()
        proxy.stop()
    assert proxy.requests == [f"POST {openai_standin.base_url}/chat/completions"]


def test_https_goes_through_the_proxy_in_a_connect_tunnel(openai_standin, tmp_path, monkeypatch):
    certs = certificates(tmp_path, "tunnel")
    shared_ssl_context().load_verify_locations(certs.ca)
    front = TLSFront(address(openai_standin.url), certs)
    proxy = ForwardProxy()
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    try:
        assert complete_all(client_at(tmp_path, front.url + "/v1"), ["x", "y"]) == ["echo: x", "echo: y"]
    finally:
        proxy.stop()
        front.stop()
    assert proxy.requests == [f"CONNECT {front.url.removeprefix('https://')}"]  # one tunnel, kept alive


def test_no_proxy_exempts_the_server(openai_standin, tmp_path, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert complete_all(client_at(tmp_path, openai_standin.base_url), ["hi"]) == ["echo: hi"]


def test_a_proxy_that_is_down_fails_the_call_as_a_connection_error(openai_standin, tmp_path, monkeypatch):
    monkeypatch.setenv("ALL_PROXY", f"127.0.0.1:{closed_port()}")  # no scheme: http:// as httpx read it
    with pytest.raises(ConnectionFailed, match="connection failed or dropped"):
        complete_all(client_at(tmp_path, openai_standin.base_url), ["hi"])
    assert openai_standin.request_count == 0


def test_a_socks_proxy_is_refused_with_the_variable_named(openai_standin, tmp_path, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "socks5://ops:secret@127.0.0.1:1080")
    with pytest.raises(
        ConfigError, match="HTTP_PROXY or ALL_PROXY.*must be an http:// or https:// URL"
    ) as caught:
        complete_all(client_at(tmp_path, openai_standin.base_url), ["hi"])
    assert "secret" not in str(caught.value)


def test_a_connection_the_server_closed_while_idle_is_not_reused(tmp_path):
    server = HangUpServer(hang_up=True)
    try:
        done = complete_all(client_at(tmp_path, server.base_url), ["a", "b", "c"], pause_s=0.1)
    finally:
        server.stop()
    assert done == ["echo: a", "echo: b", "echo: c"]  # no retries allowed: none was needed
    assert server.connections == 3


def test_an_answer_with_connection_close_is_followed_by_a_new_connection(openai_standin, tmp_path):
    openai_standin.queue(Reply(text="last on this one", headers={"connection": "close"}))
    done = complete_all(client_at(tmp_path, openai_standin.base_url), ["a", "b", "c"])
    assert done == ["last on this one", "echo: b", "echo: c"]  # max_retries 0: nothing failed
    assert (openai_standin.request_count, openai_standin.connections) == (3, 2)


def test_closing_the_client_closes_its_kept_alive_connections(tmp_path):
    server = HangUpServer(hang_up=False)
    client = client_at(tmp_path, server.base_url)

    async def run():
        for i in range(5):
            await client.complete(ask(f"q{i}", model="llama3.2"))
        kept = server.closed_by_client
        await client.aclose()
        for _ in range(200):  # the loop still runs: only aclose() can have closed it
            if server.closed_by_client:
                break
            await asyncio.sleep(0.01)
        return kept, server.closed_by_client

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)  # "unclosed ...": left to the garbage collector
            assert asyncio.run(run()) == (0, 1)
    finally:
        server.stop()
    assert server.connections == 1
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_connections_left_idle_when_fewer_calls_run_are_closed_once_expired(tmp_path, monkeypatch):
    monkeypatch.setattr(http_transport, "KEEPALIVE_EXPIRY_S", 0.3)
    server = HangUpServer(hang_up=False)
    client = client_at(tmp_path, server.base_url)

    async def run():
        try:
            await asyncio.gather(*(client.complete(ask(f"burst {i}", model="llama3.2")) for i in range(4)))
            for i in range(12):  # one call at a time for 0.6 s: one connection, reused well within 0.3 s
                await client.complete(ask(f"slow {i}", model="llama3.2"))
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.05)
            return server.closed_by_client
        finally:
            await client.aclose()

    try:
        closed_during_the_run = asyncio.run(run())
    finally:
        server.stop()
    assert server.connections == 4 and closed_during_the_run == 3


def test_a_compressed_answer_is_decoded(tmp_path):
    server = HangUpServer(hang_up=False, compress=True)
    try:
        assert complete_all(client_at(tmp_path, server.base_url), ["zip"]) == ["echo: zip"]
    finally:
        server.stop()


def test_a_server_that_never_accepts_is_a_timeout(tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)  # never accepted: once its queue is full, connection attempts hang
        fillers = [socket.socket() for _ in range(4)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(listener.getsockname())
        try:
            started = time.monotonic()
            with pytest.raises(CallTimeout, match="no answer within 0.3 s"):
                complete_all(
                    client_at(tmp_path, f"http://127.0.0.1:{listener.getsockname()[1]}/v1", timeout_s=0.3),
                    ["x"],
                )
            assert time.monotonic() - started < 2
        finally:
            for filler in fillers:
                filler.close()


def test_a_base_url_that_is_not_http_is_bad_input(tmp_path):
    with pytest.raises(
        ConfigError, match="provider.base_url must be an http:// or https:// URL.*'localhost:11434/v1'"
    ):
        client_at(tmp_path, "localhost:11434/v1")


def test_credentials_in_the_base_url_are_sent_as_basic_auth(openai_standin, tmp_path):
    base_url = openai_standin.base_url.replace("http://", "http://me:s%3Acret@")
    assert complete_all(client_at(tmp_path, base_url), ["hi"]) == ["echo: hi"]
    sent = openai_standin.request_headers[0]["authorization"]
    assert sent == "Basic " + base64.b64encode(b"me:s:cret").decode()
