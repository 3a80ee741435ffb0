"""The gateway's servers close a connection whose request does not arrive whole within the deadline (a client
dribbling headers or body holds nothing for long), and never cut a request that arrived in time, however long
its answer takes; a kept-alive connection's next request gets a deadline of its own. Real uvicorn servers on
loopback, with a deadline short enough for a test."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import anyio
import httpx
import pytest
from fastapi import FastAPI, Request
from gatewaykit import CHAT, BarePayer, chat_body

from provider.demo_backend import DemoBackend
from provider.request_deadline import REQUEST_READ_SECONDS, RequestDeadlineProtocol, with_request_deadline
from provider.serve import ServerThread, server_config

DEADLINE = 0.5
WAIT_LIMIT = 30.0   # a bound on waiting for the server to act, never a measure of when it did


def dribble_until_closed(sock: socket.socket, first: bytes, piece: bytes) -> bytes:
    """Send ``first``, then ``piece`` again and again, until the server closes the connection; what it sent."""
    sock.settimeout(0.05)
    sock.sendall(first)
    received = b""
    give_up = time.monotonic() + WAIT_LIMIT
    while time.monotonic() < give_up:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            try:
                sock.sendall(piece)
            except OSError:   # reset or broken pipe: closed by the server
                return received
            continue
        except OSError:
            return received
        if not chunk:
            return received
        received += chunk
    raise AssertionError("the server kept a dribbling connection open")


class Gate:
    """Holds an answer until released; says when one is waiting."""

    def __init__(self) -> None:
        self.waiting = threading.Event()
        self.release = threading.Event()

    async def hold(self) -> None:
        self.waiting.set()
        await anyio.to_thread.run_sync(self.release.wait, WAIT_LIMIT)


def app_with(gate: Gate) -> FastAPI:
    app = FastAPI()

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await gate.hold()
        return {"answer": "done"}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    return app


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.release.set()


@pytest.fixture
def server(gate: Gate) -> Iterator[ServerThread]:
    with ServerThread(app_with(gate), request_deadline_seconds=DEADLINE) as server:
        yield server


def connect(server: ServerThread) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=WAIT_LIMIT)


def wait_past_a_deadline(server: ServerThread) -> None:
    """Return once a connection made now has been cut for dribbling: every connection made before it has been
    open longer than the deadline (the deadlines fire in the order the connections came)."""
    with connect(server) as late:
        assert dribble_until_closed(late, b"GET /slow HTTP/1.1\r\n", b"X-Late: 1\r\n") == b""


def test_a_client_dribbling_headers_is_disconnected_unanswered(server: ServerThread) -> None:
    with connect(server) as sock:
        assert dribble_until_closed(sock, b"POST /echo HTTP/1.1\r\nHost: x\r\n", b"X-Slow: 1\r\n") == b""


def test_a_client_dribbling_its_body_is_disconnected_unanswered(server: ServerThread) -> None:
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
    with connect(server) as sock:
        assert dribble_until_closed(sock, head, b"x") == b""


def test_a_slow_answer_is_not_cut_and_the_kept_alive_connection_gets_a_fresh_deadline(
        server: ServerThread, gate: Gate) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=WAIT_LIMIT)
    conn.request("GET", "/slow")
    assert gate.waiting.wait(WAIT_LIMIT)
    wait_past_a_deadline(server)   # this connection's first deadline has passed while its answer was pending
    gate.release.set()
    answer = conn.getresponse()
    assert (answer.status, answer.read()) == (200, b'{"answer":"done"}')

    conn.request("POST", "/echo", body=b"abc")   # the same connection, long past its first deadline
    again = conn.getresponse()
    assert (again.status, again.read()) == (200, b'{"length":3}')

    assert conn.sock is not None
    # the next request's deadline runs from the last response: dribbling it gets this connection closed too
    assert dribble_until_closed(conn.sock, b"GET /slow HTTP/1.1\r\n", b"X-Slow: 1\r\n") == b""
    conn.close()


def test_headers_arriving_in_pieces_within_the_deadline_are_answered() -> None:
    gate = Gate()
    with ServerThread(app_with(gate)) as server, connect(server) as sock:
        for piece in (b"POST /echo HTTP/1.1\r\n", b"Host: x\r\n", b"Content-Length: 2\r\n\r\n", b"ok"):
            sock.sendall(piece)
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert (response.status, response.read()) == (200, b'{"length":2}')


def test_every_server_config_carries_the_deadline() -> None:
    protocol = server_config(FastAPI()).http
    assert isinstance(protocol, type) and issubclass(protocol, RequestDeadlineProtocol)
    assert protocol.deadline_seconds == REQUEST_READ_SECONDS == 30.0
    assert server_config(FastAPI(), request_deadline_seconds=2).http.deadline_seconds == 2.0  # type: ignore[union-attr]
    for bad in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="positive"):
            with_request_deadline(bad)


class GatedDemo(DemoBackend):
    """The demo backend, answering only once released: a model that takes its time."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    async def complete(self, priced):  # type: ignore[no-untyped-def]
        await self.gate.hold()
        return await super().complete(priced)


@pytest.mark.chain
def test_a_paid_request_whose_model_outlasts_the_deadline_gets_its_answer(
        start_gateway, bare_payer: BarePayer, gate: Gate) -> None:
    gw = start_gateway(1, backend=GatedDemo(gate), request_deadline_seconds=DEADLINE)
    body = chat_body(max_tokens=50)
    headers = bare_payer.sign(gw.url, body)
    with ThreadPoolExecutor(1) as pool:
        paid = pool.submit(httpx.post, gw.url + CHAT, json=body, headers=headers,
                           timeout=WAIT_LIMIT)
        assert gate.waiting.wait(WAIT_LIMIT)
        wait_past_a_deadline(gw.server)
        gate.release.set()
        response = paid.result(WAIT_LIMIT)
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"]
    assert bare_payer.settlement(response).success
