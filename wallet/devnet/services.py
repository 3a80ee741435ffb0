"""The devnet's demo providers, served: a facilitator and one gateway per demo provider, as background processes.

``devnet up`` starts them (``ai-provider facilitator`` and ``ai-provider serve``, detached like anvil, logging to
``<data dir>/devnet/<name>.log``) and records each in ``services.json`` by pid, start time and port, so a later
``up`` recognises them and ``down`` stops them, whichever process asks.

Ports: each gateway listens where the registry says its provider is. When that port is taken (by another devnet
on this machine, say), the gateway gets a free one and the provider's registry entry is updated with the demo
owner key the devnet holds, so the registry stays the truth. The facilitator gets a fresh key at every start,
funded from one of anvil's development accounts; it reaches the facilitator through the environment only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from wallet.config import read_json, write_json_atomic
from wallet.devnet.demo import DEMO_PROVIDERS, DEPLOYER_KEY, FACILITATOR_ETH, FACILITATOR_FUNDER_KEY, DemoProvider
from wallet.devnet.processes import children, is_ours, start_ticks, terminate
from wallet.errors import ConfigError, DevnetError, InvalidInput, WalletError
from wallet.networks import NetworkProfile
from wallet.safe_io import loads_bounded

if TYPE_CHECKING:  # web3 is imported only when services start, never to read their status
    from wallet.chain.client import ChainClient
    from wallet.chain.contracts import ProviderRegistry

STARTUP_TIMEOUT = 120.0   # each child imports web3, x402 and a tokenizer; on a busy 2-core machine that is slow
HOST = "127.0.0.1"
MODULE = "provider.main"
FACILITATOR = "facilitator"


@dataclass(frozen=True)
class Service:
    name: str                      # "facilitator" or "gateway-<provider id>"
    pid: int
    port: int
    start_ticks: int | None
    provider_id: int | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "url": self.url, "pid": self.pid, "provider_id": self.provider_id}


def registered_port(endpoint: str) -> int | None:
    """The loopback port of a registered endpoint, or None when it is not one this machine serves."""
    try:
        parts = urlsplit(endpoint)
        return parts.port if parts.hostname in ("127.0.0.1", "localhost") else None
    except ValueError:
        return None


def _listen(port: int) -> socket.socket | None:
    """A socket listening on ``HOST:port`` (0: any free port), or None when the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError:
        sock.close()
        return None
    return sock


def _listen_anywhere() -> socket.socket:
    sock = _listen(0)
    if sock is None:
        raise DevnetError("No free port on 127.0.0.1 for the devnet's services.")
    return sock


def _health(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1.0) as r:
            raw = loads_bounded(r.read(64 * 1024 + 1), max_bytes=64 * 1024, max_depth=4, what="the health answer")
    except (OSError, ValueError, InvalidInput):
        return None
    return raw if isinstance(raw, dict) else None


class DemoServices:
    def __init__(self, devnet_dir: Path, data_root: Path) -> None:
        self.dir = devnet_dir
        self.data_root = data_root.resolve()
        self.file = devnet_dir / "services.json"

    # --- records ---
    def recorded(self) -> list[Service]:
        try:
            raw = read_json(self.file, "devnet services")
        except (FileNotFoundError, ConfigError):
            return []
        out = []
        for item in raw if isinstance(raw, list) else []:
            try:
                out.append(Service(**item))
            except TypeError:
                continue
        return out

    def _record(self, services: list[Service]) -> None:
        write_json_atomic(self.file, [asdict(s) for s in services])

    def _is_ours(self, s: Service) -> bool:
        role = FACILITATOR.encode() if s.name == FACILITATOR else b"serve"
        return is_ours(s.pid, [MODULE.encode(), role, str(self.data_root).encode()], s.start_ticks)

    def running(self) -> list[Service]:
        """The recorded services that are still the processes this devnet started."""
        return [s for s in self.recorded() if self._is_ours(s)]

    # --- lifecycle ---
    def stop(self, timeout: float = 10.0) -> int:
        """Stop every recorded service that is still ours; returns how many were running."""
        stopped = 0
        for s in self.recorded():
            if self._is_ours(s):
                terminate(s.pid, timeout)
                stopped += 1
        self.file.unlink(missing_ok=True)
        return stopped

    def ensure(self, profile: NetworkProfile, *, wait: bool = True, timeout: float = STARTUP_TIMEOUT,
               ) -> list[Service]:
        """Make sure the facilitator and every demo gateway run; (re)start them all otherwise.

        Each listens on its port from the moment it is started (the socket is bound before the process is), so a
        request sent while it is still loading waits instead of failing. With ``wait`` this returns once every one
        answers (raising with its log's last lines if one does not); without, as soon as they are started.
        """
        recorded = self.recorded()
        if recorded and all(self._is_ours(s) for s in recorded):  # running, perhaps still loading: keep them
            return self.wait(timeout) if wait else recorded
        self.stop()
        try:
            started = self._start(profile)
            if wait:
                self.wait(timeout)
        except BaseException:
            self.stop()
            raise
        return started

    def wait(self, timeout: float = STARTUP_TIMEOUT) -> list[Service]:
        """Block until every recorded service answers as itself; DevnetError if one stopped or stays silent."""
        deadline = time.monotonic() + timeout
        services = self.recorded()
        for service in services:
            while not self._answers(service):
                if not self._is_ours(service):
                    raise DevnetError(f"The devnet's {service.name} stopped right after starting."
                                      f"{self._log_tail(service.name)}")
                if time.monotonic() > deadline:
                    raise DevnetError(f"The devnet's {service.name} did not answer within {timeout:.0f} s."
                                      f"{self._log_tail(service.name)}")
                time.sleep(0.1)
        return services

    @staticmethod
    def _answers(service: Service) -> bool:
        health = _health(service.url)
        return health is not None and health.get("provider_id") == service.provider_id

    def _start(self, profile: NetworkProfile) -> list[Service]:
        """Start the facilitator and the gateways all at once (each takes seconds to import its libraries)."""
        from eth_account import Account

        from wallet.chain.client import ChainClient
        from wallet.chain.contracts import ProviderRegistry

        client = ChainClient(profile)
        registry = ProviderRegistry(client, profile.contract("ProviderRegistry"))
        started: list[Service] = []
        env = self._facilitator_env(client)
        facilitator = self._spawn(FACILITATOR, [FACILITATOR], _listen_anywhere(), started, env)
        providers = registry.list_providers()
        for demo in DEMO_PROVIDERS:
            owner = Account.from_key(demo.owner_key).address
            entry = next((p for p in providers if p.owner == owner and p.name == demo.name), None)
            if entry is None:
                continue  # its owner removed it from the registry: nothing to serve
            port = registered_port(entry.endpoint)
            sock = _listen(port) if port is not None else None
            if sock is None:  # another devnet on this machine serves there: move, and the registry follows
                sock = _listen_anywhere()
                self._move_endpoint(registry, demo, entry.id, sock.getsockname()[1])
            args = ["serve", "--provider-id", str(entry.id), "--facilitator-url", facilitator.url,
                    "--backend", "demo"]
            self._spawn(f"gateway-{entry.id}", args, sock, started)
        return started

    def _facilitator_env(self, client: ChainClient) -> dict[str, str]:
        """A fresh facilitator key, funded with gas money; handed over in the environment, never on disk."""
        from eth_account import Account

        key = Account.create()
        funder = Account.from_key(FACILITATOR_FUNDER_KEY)
        client.send_and_confirm(funder, {"to": key.address, "value": FACILITATOR_ETH}, "fund the devnet facilitator")
        return {"AI_FACILITATOR_KEY": "0x" + bytes(key.key).hex(),
                "AI_FACILITATOR_SETTLEMENT_KEYS": ",".join(d.pay_to_key for d in DEMO_PROVIDERS)}

    def _spawn(self, name: str, args: list[str], sock: socket.socket, started: list[Service],
               env: dict[str, str] | None = None) -> Service:
        """Start ``provider.main`` on the listening socket ``sock``, handed over already bound: no other
        program can take the port between choosing it and serving on it."""
        self.dir.mkdir(parents=True, exist_ok=True)
        port = int(sock.getsockname()[1])
        argv = [sys.executable, "-m", MODULE, *args, "--port", str(port), "--listen-fd", str(sock.fileno()),
                "--data-dir", str(self.data_root), "--network", "devnet"]
        try:
            with open(self.dir / f"{name}.log", "ab") as log:
                proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True, pass_fds=(sock.fileno(),),
                                        env={**os.environ, **(env or {})})
        finally:
            sock.close()  # the child has its own copy
        children[proc.pid] = proc
        provider_id = int(args[args.index("--provider-id") + 1]) if "--provider-id" in args else None
        service = Service(name, proc.pid, port, start_ticks(proc.pid), provider_id)
        started.append(service)
        self._record(started)  # at once: an `up` killed half-way leaves nothing `down` cannot find
        return service

    @staticmethod
    def _move_endpoint(registry: ProviderRegistry, demo: DemoProvider, provider_id: int, port: int) -> None:
        """Say in the registry that the provider now answers on ``port``."""
        from eth_account import Account

        endpoint = f"http://{HOST}:{port}"
        entry = registry.get_provider(provider_id)
        try:
            registry.update_provider(Account.from_key(demo.owner_key), provider_id, entry.name, endpoint,
                                     entry.pay_to)
            if entry.verified:  # a changed endpoint clears the mark; the devnet's curator vouches for it again
                registry.set_verified(Account.from_key(DEPLOYER_KEY), provider_id, True)
        except WalletError as e:
            raise DevnetError(f"Could not move {demo.name} to {endpoint}: {e.user_message}") from None

    def _log_tail(self, name: str) -> str:
        path = self.dir / f"{name}.log"
        try:
            with open(path, "rb") as f:
                f.seek(max(0, os.fstat(f.fileno()).st_size - 4096))
                lines = f.read().decode("utf-8", "replace").strip().splitlines()[-5:]
        except OSError:
            return ""
        return (" Last lines of its log:\n" + "\n".join(lines)) if lines else ""
