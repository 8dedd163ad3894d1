"""Servers on 127.0.0.1 around the OpenAI-compatible stand-in, for the HTTP transport's tests.

- `certificates`: a throwaway CA and a certificate for 127.0.0.1 it signed (cryptography,
  which PyGithub brings), so a test can serve https:// without touching the internet.
- `TLSFront`: terminates TLS with that certificate and relays the bytes to a plain server.
- `ForwardProxy`: an HTTP proxy (absolute-form requests and CONNECT tunnels) that records
  what went through it and can demand credentials.
- `HangUpServer`: answers each chat completion and then closes the connection without a
  `Connection: close` header, as a server does when its keep-alive timeout passes; it can
  compress its answers, and counts connections opened and closed by the client.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import gzip
import http.client
import ipaddress
import json
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Certificates:
    ca: Path  # trust this to accept `cert`
    cert: Path
    key: Path


def certificates(folder: Path, name: str = "test") -> Certificates:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"promptops {name} CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(*[False] * 5, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = Certificates(folder / f"{name}-ca.pem", folder / f"{name}-cert.pem", folder / f"{name}-key.pem")
    paths.ca.write_bytes(ca.public_bytes(pem))
    paths.cert.write_bytes(cert.public_bytes(pem))
    paths.key.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def relay(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""

    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for side in (src, dst):
            with contextlib.suppress(OSError):
                side.shutdown(socket.SHUT_RDWR)

    other = threading.Thread(target=pump, args=(b, a), daemon=True)
    other.start()
    pump(a, b)
    other.join(timeout=5)


class _Threaded(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a client that gave up (a refused certificate) is expected here


class TLSFront:
    """https://127.0.0.1:PORT in front of a plain http server at `target` (host, port)."""

    def __init__(self, target: tuple[str, int], certs: Certificates) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certs.cert, certs.key)

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                tls = context.wrap_socket(self.request, server_side=True)
                with socket.create_connection(target) as upstream:
                    relay(tls, upstream)

        self._server = _Threaded(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class ForwardProxy:
    """An HTTP proxy; `requests` lists "METHOD target" of everything that went through it."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.requests: list[str] = []
        expected = (
            "Basic " + base64.b64encode(":".join(credentials).encode()).decode() if credentials else None
        )
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _allowed(self) -> bool:
                proxy.requests.append(f"{self.command} {self.path}")
                if expected is None or self.headers.get("proxy-authorization") == expected:
                    return True
                self.send_response(407)
                self.send_header("proxy-authenticate", 'Basic realm="test"')
                self.send_header("content-length", "0")
                self.end_headers()
                return False

            def do_CONNECT(self) -> None:
                if not self._allowed():
                    return
                host, _, port = self.path.rpartition(":")
                with socket.create_connection((host, int(port))) as upstream:
                    self.send_response(200, "Connection established")
                    self.end_headers()
                    self.wfile.flush()
                    relay(self.connection, upstream)
                self.close_connection = True

            def do_POST(self) -> None:
                if not self._allowed():
                    return
                target = http.client.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-authorization"}
                upstream.request("POST", target.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class HangUpServer:
    """Chat completions that echo the last message; each connection closed after one answer
    (`hang_up=True`) or kept; answers gzip-compressed when `compress=True`."""

    def __init__(self, *, hang_up: bool = True, compress: bool = False) -> None:
        self.connections = 0
        self.closed_by_client = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server.connections += 1

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                text = "echo: " + request["messages"][-1]["content"]
                answer = {"choices": [{"message": {"content": text}, "finish_reason": "stop"}], "usage": {}}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                if compress:
                    data = gzip.compress(data)
                    self.send_header("content-encoding", "gzip")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = hang_up

            def handle(self) -> None:
                super().handle()
                if not hang_up:  # the loop ends when the client closes its side
                    with server._lock:
                        server.closed_by_client += 1

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
