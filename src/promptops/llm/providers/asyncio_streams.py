"""An httpcore2 network backend on plain asyncio streams.

httpcore2 does the HTTP (h11 framing, keep-alive, TLS through `start_tls`); a network backend
only moves bytes. Its default backend goes through anyio, whose cancel scopes and stream
wrappers cost about 0.25 ms of CPU per call on a 200 ms model call at concurrency 32
(bench/http_clients.py); this one uses `asyncio.open_connection` and `asyncio.timeout`
directly, and maps failures to the httpcore2 exceptions the anyio backend raises, so the
connection code above it behaves the same. It is plugged in through httpcore2's documented
`network_backend=` argument.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore2

READ_LIMIT = 2**20  # asyncio's buffer limit for one read; h11 asks for at most 64 KiB
CLOSE_TIMEOUT_S = 1.0


class AsyncioStream(httpcore2.AsyncNetworkStream):
    """One TCP (or TLS) connection as httpcore2 reads and writes it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError:
            raise httpcore2.ReadTimeout(f"no data within {timeout} s") from None
        except OSError as exc:
            raise httpcore2.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            if self._writer.transport.get_write_buffer_size():  # the kernel did not take it all
                async with asyncio.timeout(timeout):
                    await self._writer.drain()
        except TimeoutError:
            raise httpcore2.WriteTimeout(f"could not send within {timeout} s") from None
        except OSError as exc:
            raise httpcore2.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        self._writer.close()
        try:
            # TLS says goodbye (close_notify) before the socket closes; a peer that never
            # answers must not hold up the end of a run, as asyncio would for 30 s.
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await self._writer.wait_closed()
        except (OSError, TimeoutError):
            self._writer.transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            await self.aclose()
            raise httpcore2.ConnectTimeout(f"no TLS handshake within {timeout} s") from None
        except OSError as exc:  # ssl.SSLError (a failed certificate check) is an OSError
            await self.aclose()
            raise httpcore2.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Asked of an idle kept-alive connection before it is reused: has the server
            # closed it? (Bytes a server sends unasked before closing, such as a 408, are
            # already in asyncio's buffer and not seen here: h11 reads them as the next
            # answer, which the provider handles like any other; a 408 is retried.)
            return self._reader.at_eof() or self._writer.transport.is_closing()
        if info in ("ssl_object", "socket"):
            return self._writer.get_extra_info(info)
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        return None


class AsyncioBackend(httpcore2.AsyncNetworkBackend):
    """Opens `AsyncioStream`s over TCP (TCP_NODELAY is asyncio's default); httpcore2 asks for
    nothing else here (no unix sockets: the provider never sets `uds`)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(host, port, limit=READ_LIMIT, local_addr=local)
        except TimeoutError:
            raise httpcore2.ConnectTimeout(f"no connection to {host}:{port} within {timeout} s") from None
        except OSError as exc:
            raise httpcore2.ConnectError(str(exc) or type(exc).__name__) from exc
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
