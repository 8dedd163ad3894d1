"""How the OpenAI-compatible provider reaches its server: kept-alive httpcore2 connections.

An eval run sends thousands of small POSTs to one origin, at most `max_concurrency` at a
time. httpx2's client (and httpcore2's connection pool under it) spends most of the
run's CPU on work this job does not need: the pool walks every connection for every
request to assign it one, anyio wraps every read in a cancel scope, and httpx2 builds and
merges request and response models. So the provider holds a free list of httpcore2
connections instead: a call takes an idle one (or opens one) and gives it back when its
answer is read; there are never more connections than calls in flight, and each stays
alive for the whole run. httpcore2 still does all of the HTTP (h11 framing, keep-alive,
TLS); the connections run on an asyncio network backend (asyncio_streams.py). Measured
in bench/http_clients.py.

Proxies are honoured as httpx2's `trust_env` did: HTTP_PROXY / HTTPS_PROXY / ALL_PROXY and
NO_PROXY, read once per client through the standard library. A proxied client is an
httpcore2 connection pool with that proxy; speed matters less than a correct tunnel there.
"""

from __future__ import annotations

import ssl
import urllib.request
from collections import deque
from urllib.parse import urlsplit

import httpcore2

from promptops.errors import ConfigError
from promptops.llm.providers.asyncio_streams import AsyncioBackend
from promptops.llm.providers.http_urls import split_http_url
from promptops.llm.providers.tls import shared_ssl_context

# httpx2's default: an idle connection is dropped before a typical server's own
# keep-alive timeout (uvicorn: 5 s) would close it under a request.
KEEPALIVE_EXPIRY_S = 5.0


class KeptAliveConnections:
    """Connections to one origin, each carrying one request at a time, reused while alive."""

    def __init__(self, origin: httpcore2.Origin) -> None:
        self._origin = origin
        self._backend = AsyncioBackend()
        self._idle: deque[httpcore2.AsyncHTTPConnection] = deque()
        self._closed = False

    async def request(
        self,
        method: bytes,
        url: httpcore2.URL,
        *,
        headers: list[tuple[bytes, bytes]],
        content: bytes,
        extensions: dict[str, object],
    ) -> httpcore2.Response:
        connection = await self._take()
        try:
            return await connection.request(
                method, url, headers=headers, content=content, extensions=extensions
            )
        finally:
            await self._give_back(connection)

    async def _take(self) -> httpcore2.AsyncHTTPConnection:
        # Most recently used first: it is the least likely to have been closed by the server.
        while self._idle:
            connection = self._idle.pop()
            if not connection.has_expired():  # past keep-alive, or the server hung up
                return connection
            await connection.aclose()
        return httpcore2.AsyncHTTPConnection(
            self._origin,
            ssl_context=_tls_context(self._origin.scheme),
            keepalive_expiry=KEEPALIVE_EXPIRY_S,
            network_backend=self._backend,
        )

    async def _give_back(self, connection: httpcore2.AsyncHTTPConnection) -> None:
        # A connection httpcore2 closed (an error, a cancelled call, `Connection: close`)
        # is dropped; after aclose() none is kept.
        if self._closed:
            await connection.aclose()
            return
        if not connection.is_closed():
            self._idle.append(connection)
        # The least recently used one, left over when fewer calls run at once, is closed once
        # it expires rather than held open (in CLOSE_WAIT once the server gave up on it).
        if len(self._idle) > 1 and self._idle[0].has_expired():
            await self._idle.popleft().aclose()

    async def aclose(self) -> None:
        self._closed = True
        while self._idle:
            await self._idle.pop().aclose()


# What the provider calls: httpcore2's request interface, on either kind of transport.
Transport = KeptAliveConnections | httpcore2.AsyncConnectionPool


def open_transport(url: httpcore2.URL) -> Transport:
    """The transport for requests to `url`'s origin: through the environment's proxy if any."""
    proxy = environment_proxy(url)
    if proxy is None:
        return KeptAliveConnections(url.origin)
    return httpcore2.AsyncConnectionPool(
        ssl_context=_tls_context(url.scheme),
        proxy=proxy,
        max_connections=None,  # the provider's concurrency limit is the bound
        keepalive_expiry=KEEPALIVE_EXPIRY_S,
        network_backend=AsyncioBackend(),
    )


def _tls_context(scheme: bytes) -> ssl.SSLContext | None:
    # Reading the CA bundle costs ~70 ms: only an https:// server needs it.
    return shared_ssl_context() if scheme == b"https" else None


def environment_proxy(url: httpcore2.URL) -> httpcore2.Proxy | None:
    """The proxy HTTP(S)_PROXY / ALL_PROXY name for `url`, unless NO_PROXY exempts its host."""
    proxies = urllib.request.getproxies()
    scheme, host = url.scheme.decode("ascii"), url.host.decode("ascii")
    address = proxies.get(scheme) or proxies.get("all")
    if not address or _bypassed(host, url.port):
        return None
    if "://" not in address:
        address = f"http://{address}"
    split = split_http_url(address)
    if split is None:
        raise ConfigError(
            f"the proxy for {scheme}:// requests ({_without_password(address)}, from the "
            f"{scheme.upper()}_PROXY or ALL_PROXY environment variable) must be an http:// or https:// URL"
        )
    proxy_scheme, netloc, auth = split
    # An https:// proxy is verified like a server (httpcore2 would read the CA bundle again).
    return httpcore2.Proxy(
        f"{proxy_scheme}://{netloc}", auth=auth, ssl_context=_tls_context(proxy_scheme.encode())
    )


def _bypassed(host: str, port: int | None) -> bool:
    # urllib matches NO_PROXY entries as domain suffixes, with or without a port, and "*".
    return bool(urllib.request.proxy_bypass(host) or (port and urllib.request.proxy_bypass(f"{host}:{port}")))


def _without_password(address: str) -> str:
    parts = urlsplit(address)
    return address.replace(f":{parts.password}@", ":****@") if parts.password else address
