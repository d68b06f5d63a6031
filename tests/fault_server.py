"""A small HTTP server on 127.0.0.1 that misbehaves on purpose, for the fetch tests.

Takes routes (a path and a handler that writes raw bytes to the socket) and records every
request it sees (path, headers, arrival and finish times on ``time.monotonic()``, which the
client shares since it runs in the same process). Handlers for the faults a fetcher must
survive: sleeping before the response, resetting the connection, trickling bytes, redirect
loops, truncated bodies, endless bodies, the wrong content type and a gzip bomb.

    with FaultServer() as server:
        server.route("/slow", sleep_then(2.0, html(b"<p>late</p>")))
        fetcher.fetch_url(server.url("/slow"), timeout=0.5)

Unknown paths (robots.txt included) get a 404. Every response closes the connection.
"""

from __future__ import annotations

import gzip
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

__all__ = [
    "FaultServer",
    "Request",
    "endless",
    "gzip_bomb",
    "html",
    "redirect",
    "reset",
    "respond",
    "sleep_then",
    "trickle",
    "truncated",
]


@dataclass
class Request:
    method: str
    path: str  # without the query string
    target: str  # as sent, with the query string
    headers: dict[str, str]  # names lower-cased
    arrived: float  # time.monotonic() when the request line had been read
    finished: float | None = None  # when the handler returned
    extra: dict[str, object] = field(default_factory=dict)


Handler = Callable[[socket.socket, Request], None]


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_reason(status)}"]
    lines += [f"{name}: {value}" for name, value in {"Connection": "close", **headers}.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    content_length: bool = True,
) -> Handler:
    """A well-formed response."""

    def handler(conn: socket.socket, request: Request) -> None:
        all_headers = dict(headers or {})
        if content_length:
            all_headers.setdefault("Content-Length", str(len(body)))
        conn.sendall(_head(status, all_headers) + body)

    return handler


def html(body: bytes, content_type: str = "text/html; charset=utf-8", **kwargs: object) -> Handler:
    return respond(200, body, {"Content-Type": content_type}, **kwargs)  # type: ignore[arg-type]


def redirect(location: str, status: int = 302) -> Handler:
    return respond(status, b"", {"Location": location})


def sleep_then(seconds: float, then: Handler) -> Handler:
    """Wait before answering (a read timeout for a client with a shorter timeout)."""

    def handler(conn: socket.socket, request: Request) -> None:
        time.sleep(seconds)
        then(conn, request)

    return handler


def reset(after: bytes = b"") -> Handler:
    """Send ``after`` (say, the headers and part of a body), then reset the connection (RST)."""

    def handler(conn: socket.socket, request: Request) -> None:
        if after:
            conn.sendall(after)
            time.sleep(0.05)  # let the client read what was sent before the reset
        # Linger 0 makes close() send RST instead of FIN.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    return handler


def trickle(body: bytes, interval: float, content_type: str = "text/html") -> Handler:
    """Headers at once, then the body one byte every ``interval`` seconds."""

    def handler(conn: socket.socket, request: Request) -> None:
        conn.sendall(_head(200, {"Content-Type": content_type, "Content-Length": str(len(body))}))
        for i in range(len(body)):
            conn.sendall(body[i : i + 1])
            time.sleep(interval)

    return handler


def truncated(body: bytes, claimed: int, content_type: str = "text/html") -> Handler:
    """Claim ``claimed`` bytes in Content-Length, send ``body``, close."""

    def handler(conn: socket.socket, request: Request) -> None:
        conn.sendall(_head(200, {"Content-Type": content_type, "Content-Length": str(claimed)}))
        conn.sendall(body)

    return handler


def endless(chunk: bytes = b"<p>" + b"x" * 1020 + b"</p>\n", limit: int = 200_000_000) -> Handler:
    """A body with no Content-Length that goes on until the client hangs up."""

    def handler(conn: socket.socket, request: Request) -> None:
        conn.sendall(_head(200, {"Content-Type": "text/html"}))
        sent = 0
        while sent < limit:
            conn.sendall(chunk)
            sent += len(chunk)
        request.extra["sent"] = sent

    return handler


def gzip_bomb(size: int, content_type: str = "text/html") -> Handler:
    """A gzip body that inflates to ``size`` bytes of spaces (compressed about 1000:1)."""
    payload = gzip.compress(b" " * size, compresslevel=9)

    def handler(conn: socket.socket, request: Request) -> None:
        headers = {
            "Content-Type": content_type,
            "Content-Encoding": "gzip",
            "Content-Length": str(len(payload)),
        }
        conn.sendall(_head(200, headers) + payload)

    return handler


class FaultServer:
    """A threaded raw-socket HTTP server; use as a context manager."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.log: list[Request] = []
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.path == path]

    def start(self) -> FaultServer:
        owner = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner._serve(self.request)

        class _Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            block_on_close = False
            allow_reuse_address = True

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        request_line, *header_lines = head.split("\r\n")
        method, target, _ = [*request_line.split(" ", 2), "", ""][:3]
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        request = Request(method, target.split("?", 1)[0], target, headers, time.monotonic())
        with self._lock:
            self.log.append(request)
        handler = self.routes.get(request.path) or respond(404, b"not found")
        try:
            handler(conn, request)
        except OSError:
            pass  # the client gave up (timeout, size cap): that is what these tests provoke
        finally:
            request.finished = time.monotonic()
