"""A hand-written hostile HTTP server on loopback, for what a misbehaving gateway's switches cannot do: answers
dribbled byte by byte, headers rewritten in front of a real gateway.

    with HostileServer(handler) as server:   # handler(conn, request) writes whatever it likes to the socket
        ...server.url...

``proxy_to(url, rewrite)`` is a handler that forwards each request to a real server and lets ``rewrite`` change
the status, headers and body it answers with.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[socket.socket, Request], None]


@dataclass
class HostileServer:
    handler: Handler
    closed: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> HostileServer:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True, name="hostile-server")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.closed.set()
        self._thread.join(10)
        self._sock.close()

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the client went away: what a hostile server shrugs at
            self.handler(conn, _read_request(conn))


def _read_request(conn: socket.socket) -> Request:
    reader = conn.makefile("rb")
    method, path, _ = reader.readline().decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (line := reader.readline().decode("latin-1")) not in ("\r\n", "\n", ""):
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    return Request(method, path, headers, reader.read(int(headers.get("content-length", 0))))


def respond(conn: socket.socket, status: int, headers: dict[str, str], body: bytes) -> None:
    head = f"HTTP/1.1 {status} Whatever\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    conn.sendall((head + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body)


def dribble(first: bytes, byte: bytes, every: float, stop: threading.Event, times: int = 150) -> Handler:
    """Send ``first``, then ``byte`` every ``every`` seconds, ``times`` times or until ``stop`` is set (or the
    client leaves); then hang up."""
    def handler(conn: socket.socket, _request: Request) -> None:
        conn.sendall(first)
        for _ in range(times):
            if stop.wait(every):
                return
            conn.sendall(byte)
    return handler


Rewrite = Callable[[int, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def forward(upstream: str, request: Request) -> tuple[int, dict[str, str], bytes]:
    """``request`` sent on to ``upstream`` (a real gateway): its answer's status, x402 headers and body."""
    keep = {k: v for k, v in request.headers.items() if k in ("content-type", "payment-signature")}
    r = httpx.request(request.method, upstream + request.path, content=request.body, headers=keep, timeout=60)
    headers = {k: v for k, v in r.headers.items() if k in ("content-type", "payment-required", "payment-response")}
    return r.status_code, headers, r.content


def proxy_to(upstream: str, rewrite: Rewrite) -> Handler:
    """Forward to ``upstream`` (a real gateway), answering with what ``rewrite`` makes of its answer."""
    def handler(conn: socket.socket, request: Request) -> None:
        respond(conn, *rewrite(*forward(upstream, request)))
    return handler


def paid_then_dribbled(upstream: str, stop: threading.Event, every: float = 0.2) -> Handler:
    """Forward every request to ``upstream``; the answer to a paid one (which the gateway has settled) is then
    dribbled a header line at a time instead of sent."""
    def handler(conn: socket.socket, request: Request) -> None:
        status, headers, body = forward(upstream, request)
        if "payment-signature" not in request.headers:
            respond(conn, status, headers, body)
            return
        dribble(b"HTTP/1.1 200 OK\r\n", b"x-a: b\r\n", every, stop)(conn, request)
    return handler


def fanned_out(upstream: str, copies: int, answers: list[tuple[int, dict[str, str], bytes]]) -> Handler:
    """Forward to ``upstream``; a paid request is sent ``copies`` times at once (a provider's front end replaying
    one signature). Every answer goes to ``answers``; the payer gets the first 200."""
    def handler(conn: socket.socket, request: Request) -> None:
        if "payment-signature" not in request.headers:
            respond(conn, *forward(upstream, request))
            return
        with ThreadPoolExecutor(copies) as pool:
            answers.extend(pool.map(lambda _: forward(upstream, request), range(copies)))
        respond(conn, *next((a for a in answers if a[0] == 200), answers[0]))
    return handler
