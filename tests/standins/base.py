"""What both model stand-ins share: a threaded HTTP server on 127.0.0.1 and the reply spec.

A test supplies `reply(request_json) -> str | Reply`; faults are replies too (a 429, a
dropped connection, a slow answer), either returned by that function or queued with
`queue(...)` for the next requests whatever they ask. The server counts requests, the
peak number in flight and the TCP connections it accepted, so a test can check what
promptops sent, how many at once, and that connections are kept alive.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One answer of a stand-in: a model reply, or a fault to inject instead."""

    text: str = ""
    tool_calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    stop_reason: str | None = None  # None: "tool_use" with tool calls, else "end_turn"
    input_tokens: int | None = None  # None: a deterministic count from the request size
    output_tokens: int | None = None
    status: int = 200
    error_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    drop: bool = False

    @classmethod
    def tool(cls, name: str, arguments: dict[str, Any], text: str = "") -> Reply:
        return cls(text=text, tool_calls=((name, arguments),))

    @classmethod
    def rate_limited(cls, retry_after: float = 0.05) -> Reply:
        return cls(status=429, error_type="rate_limit_error", headers={"retry-after": str(retry_after)})

    @classmethod
    def overloaded(cls, retry_after: float = 0.05) -> Reply:
        return cls(status=529, error_type="overloaded_error", headers={"retry-after": str(retry_after)})

    @classmethod
    def server_error(cls, retry_after: float = 0.05) -> Reply:
        return cls(status=500, error_type="api_error", headers={"retry-after": str(retry_after)})

    @classmethod
    def dropped(cls) -> Reply:
        """Close the connection without answering."""
        return cls(drop=True)

    @classmethod
    def slow(cls, seconds: float, text: str = "too late") -> Reply:
        return cls(text=text, delay_s=seconds)

    @classmethod
    def truncated(cls, text: str) -> Reply:
        return cls(text=text, stop_reason="max_tokens")


ReplyFunction = Callable[[dict[str, Any]], "str | Reply"]


@dataclass(frozen=True)
class Routed:
    """The answer of an extra endpoint (`StandinServer.route`): JSON, or raw bytes such as JSONL."""

    status: int
    payload: dict[str, Any] | None = None
    raw: bytes = b""
    content_type: str = "application/json"


def approximate_tokens(value: Any) -> int:
    """A deterministic token count for stand-in usage figures (about 4 characters a token)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return max(1, len(text) // 4)


class StandinServer:
    """A model API stand-in; subclasses turn a `Reply` into their API's JSON."""

    path = "/"
    api_key_header = "authorization"

    def __init__(self, reply: ReplyFunction, *, api_key: str | None = None, delay_s: float = 0.0) -> None:
        self.reply = reply
        self.api_key = api_key
        self.delay_s = delay_s
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self.connections = 0  # TCP connections accepted: keep-alive reuse shows as few
        self._queued: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _handler_class(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def request_count(self) -> int:
        return len(self.requests)

    def queue(self, *replies: Reply) -> None:
        """The next requests get these replies, in order, whatever they ask."""
        with self._lock:
            self._queued.extend(replies)

    def start(self) -> StandinServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # Subclass hooks -------------------------------------------------------------------
    def render(self, reply: Reply, request: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def render_error(self, reply: Reply) -> dict[str, Any]:
        raise NotImplementedError

    def authorized(self, headers: dict[str, str]) -> bool:
        raise NotImplementedError

    def route(self, method: str, path: str, body: bytes) -> Routed | None:
        """Serve another endpoint of the API (authorized already); None: not one of ours."""
        return None

    # Called from handler threads ------------------------------------------------------
    def _next_reply(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            queued = self._queued.popleft() if self._queued else None
        if queued is not None:
            return queued
        answer = self.reply(request)
        return Reply(text=answer) if isinstance(answer, str) else answer

    def _enter(self, request: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(request)
            self.request_headers.append(headers)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._closing.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the benchmark opens 64 connections at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is an expected event here, not a crash.
        return None


def _handler_class(standin: StandinServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the body waits for the
        # client's delayed ACK (40 ms) on a kept-alive connection.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def setup(self) -> None:
            super().setup()
            with standin._lock:
                standin.connections += 1

        def do_GET(self) -> None:
            # For a stand-in run in another process (the benchmark): what reached it.
            if self.path == "/_standin/stats":
                stats = {
                    "requests": standin.request_count,
                    "peak_in_flight": standin.peak_in_flight,
                    "connections": standin.connections,
                }
                self._send(200, stats)
            elif not self._routed("GET", b""):
                self._send(404, {"error": {"type": "not_found_error", "message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path.rstrip("/") != standin.path:
                if not self._routed("POST", body):
                    self._send(
                        404, {"error": {"type": "not_found_error", "message": f"no route {self.path}"}}
                    )
                return
            if not self._authorized():
                return
            try:
                request = json.loads(body)
            except ValueError:
                self._send(400, standin.render_error(Reply(status=400, error_type="invalid_request_error")))
                return
            standin._enter(request, headers)
            self._in_flight = True
            try:
                self._answer(request)
            finally:
                self._leave()

        def _leave(self) -> None:
            # A request stops being in flight when its answer starts: a client reading the
            # answer at once can send its next request before this thread runs again, and
            # must not be counted twice (peak_in_flight checks concurrency limits).
            if self._in_flight:
                self._in_flight = False
                standin._leave()

        def _authorized(self) -> bool:
            if standin.authorized({k.lower(): v for k, v in self.headers.items()}):
                return True
            self._send(401, standin.render_error(Reply(status=401, error_type="authentication_error")))
            return False

        def _routed(self, method: str, body: bytes) -> bool:
            """Let the stand-in serve another endpoint; False when it has none at this path."""
            if not self._authorized():
                return True
            answer = standin.route(method, self.path, body)
            if answer is None:
                return False
            if answer.payload is not None:
                self._send(answer.status, answer.payload)
            else:
                self._send_raw(answer.status, answer.raw, answer.content_type)
            return True

        def _answer(self, request: dict[str, Any]) -> None:
            reply = standin._next_reply(request)
            standin._wait(standin.delay_s + reply.delay_s)
            self._leave()
            if reply.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if reply.status != 200:
                self._send(reply.status, standin.render_error(reply), reply.headers)
                return
            self._send(200, standin.render(reply, request), reply.headers)

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            self._send_raw(status, json.dumps(payload).encode(), "application/json", headers)

        def _send_raw(
            self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", f"req_standin_{standin.request_count}")
            self.send_header("x-request-id", f"req_standin_{standin.request_count}")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler
