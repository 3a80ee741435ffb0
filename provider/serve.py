"""Putting a gateway or a facilitator together from its parts, and running either as an HTTP server.

``build_gateway`` and ``build_facilitator`` return FastAPI apps; ``run`` serves one in the foreground (the
``ai-provider`` commands) and ``ServerThread`` serves one on a thread (tests, benchmarks, and ``serve
--with-facilitator``, whose facilitator gets its own server and event loop so it never blocks the gateway's).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvicorn
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI

from provider.app import create_app
from provider.backends import Backend
from provider.facilitator import Facilitator
from provider.facilitator_app import create_facilitator_app
from provider.keys import PayeeKeys
from provider.misbehaviour import Misbehaviour
from provider.network import GatewayChain
from provider.paywall import MAX_TIMEOUT_SECONDS, Paywall
from provider.sheet import POLL_SECONDS, PriceSheet

GRACEFUL_SHUTDOWN_SECONDS = 3


@dataclass
class Gateway:
    app: FastAPI
    sheet: PriceSheet
    paywall: Paywall


def build_gateway(chain: GatewayChain, provider_id: int, backend: Backend, facilitator_url: str | None, *,
                  misbehaviour: Misbehaviour | None = None, poll_seconds: float = POLL_SECONDS,
                  max_timeout_seconds: int = MAX_TIMEOUT_SECONDS) -> Gateway:
    """The gateway of registered provider ``provider_id``, following its registry entry from now on."""
    sheet = PriceSheet(chain.client, chain.registry(), provider_id, poll_seconds=poll_seconds).start()
    paywall = Paywall(chain.network, chain.token_address, facilitator_url, max_timeout_seconds=max_timeout_seconds,
                      rpc_url=chain.rpc_url)
    app = create_app(sheet.current, paywall, backend, misbehaviour=misbehaviour, on_shutdown=sheet.stop)
    return Gateway(app, sheet, paywall)


def build_facilitator(chain: GatewayChain, fee_account: LocalAccount, payee_keys: PayeeKeys | None = None,
                      ) -> FastAPI:
    return create_facilitator_app(Facilitator(chain.network, chain.rpc_url, fee_account, payee_keys))


def endpoint_port(endpoint: str) -> int | None:
    """The port of a registered endpoint URL, when it names one."""
    try:
        return urlsplit(endpoint).port
    except ValueError:
        return None


def run(app: FastAPI, host: str, port: int, listen_fd: int | None = None) -> None:
    """Serve ``app`` in the foreground until SIGTERM/SIGINT; on ``listen_fd`` when given (a listening socket
    inherited already bound), else on ``host:port``."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
    sockets = [socket.socket(fileno=listen_fd)] if listen_fd is not None else None
    uvicorn.Server(config).run(sockets=sockets)


class ServerThread:
    """An app served by uvicorn on a thread, on ``host:port`` (port 0: any free port). ``url`` is where."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0, *, name: str = "http-server") -> None:
        # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY on accepted connections only when the socket says
        # it is TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = host, int(self._sock.getsockname()[1])
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, name=name,
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
