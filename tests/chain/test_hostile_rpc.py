"""An RPC endpoint is whatever a network profile says: a hostile or broken one gets a clear NetworkError, never
a crash (deep JSON with eth_account's recursion limit), a memory blow-up (an endless body) or a hang."""

from __future__ import annotations

import contextlib
import http.server
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from wallet.chain import transport
from wallet.chain.client import ChainClient
from wallet.devnet.anvil import chain_id_at
from wallet.errors import NetworkError
from wallet.networks import NetworkProfile

pytestmark = pytest.mark.timeout(120)
DEEP = b"[" * 200_000


def serve(body: Callable[[http.server.BaseHTTPRequestHandler], None]) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped reading
                body(self)

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _deep(h: http.server.BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(DEEP)))
    h.end_headers()
    h.wfile.write(DEEP)


def _endless(h: http.server.BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.end_headers()  # no length: the body ends when the connection does, which is never
    chunk = b" " * 65536
    while True:
        h.wfile.write(chunk)


@pytest.fixture
def deep_server() -> Iterator[str]:
    yield from serve(_deep)


@pytest.fixture
def endless_server() -> Iterator[str]:
    yield from serve(_endless)


def test_a_deeply_nested_answer_is_an_error_not_a_crash(deep_server: str) -> None:
    # In a process of its own: before the depth check, this killed the process (a segfault, exit -11).
    code = (
        "from wallet.chain.client import ChainClient\n"
        "from wallet.errors import NetworkError\n"
        "from wallet.networks import NetworkProfile\n"
        "try:\n"
        f"    ChainClient(NetworkProfile('hostile', 1, {deep_server!r})).connect()\n"
        "except NetworkError as e:\n"
        "    print(e.user_message)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "did not answer like an Ethereum node" in out.stdout and "nested more than 64" in out.stdout


def test_an_endless_answer_is_cut(endless_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "MAX_RESPONSE_BYTES", 1 << 20)
    with pytest.raises(NetworkError, match="more than 1 MiB"):
        ChainClient(NetworkProfile("hostile", 1, endless_server)).connect()


def test_the_devnet_probe_survives_a_hostile_port(deep_server: str, endless_server: str) -> None:
    # `devnet up` probes whatever holds its port to say what it is: that program may be hostile too.
    assert chain_id_at(deep_server) is None
    assert chain_id_at(endless_server) is None
