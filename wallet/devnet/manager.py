"""The embedded local devnet: anvil in the background with its state persisted in the data dir, and the demo
providers' gateways and their facilitator served beside it (wallet.devnet.services).

Files under <data dir>/devnet/: state.json (anvil's chain state, dumped on exit and every few seconds),
deployment.json (contract addresses, written once per chain), node.json (pid and port of the running
anvil), services.json (the gateways and the facilitator), anvil.log and one log per service. Reading status
never imports web3; only starting, deploying and the faucet do.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from wallet.config import DataDir, read_json, write_json_atomic
from wallet.devnet import processes as procs
from wallet.devnet.anvil import AnvilProcess, chain_id_at, port_is_free, rpc_call, start_anvil
from wallet.devnet.services import DemoServices, Service
from wallet.errors import ConfigError, DevnetError, InvalidInput
from wallet.files import ProcessLock
from wallet.networks import (
    BUILTIN_PROFILES,
    CONTRACT_NAMES,
    DEVNET_CHAIN_ID,
    DEVNET_DEFAULT_PORT,
    NetworkProfile,
    get_profile,
)
from wallet.safe_io import KIB, MIB, loads_bounded, read_bytes


@dataclass
class DevnetStatus:
    running: bool
    rpc_url: str
    chain_id: int
    contracts: dict[str, str] = field(default_factory=dict)
    pid: int | None = None
    block: int | None = None
    services: list[Service] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "running": self.running,
            "rpc_url": self.rpc_url,
            "chain_id": self.chain_id,
            "contracts": {n: self.contracts.get(n) for n in CONTRACT_NAMES},
            "pid": self.pid,
            "block": self.block,
            "services": [s.to_json() for s in self.services],
        }


def network_profile(data_dir: DataDir, name: str) -> NetworkProfile:
    """The network ``name`` as this data dir uses it: the devnet's profile carries the port of this data dir's
    devnet and the addresses it deployed (addresses pinned in networks.json win)."""
    profile = get_profile(data_dir, name)
    if profile.is_devnet:
        dev = DevnetManager(data_dir).profile()
        profile = dev.with_contracts({**dev.contracts, **profile.contracts})
    return profile


PORT_ENV = "AI_WALLET_DEVNET_PORT"
# anvil's state dump nests about 10 levels deep and grows with the chain; a file beyond this size is not parsed
# just to word a better error (anvil reads it itself), and nothing deeper than the bound reaches the parser.
STATE_CHECK_MAX_BYTES = 256 * MIB
STATE_MAX_DEPTH = 64


class DevnetManager:
    def __init__(self, data_dir: DataDir) -> None:
        self.data_dir = data_dir
        # Absolute, because the path is how a running anvil is recognised from any working directory.
        self.dir = data_dir.devnet.resolve()
        # up/down/reset from two processes (the app and a CLI command) must not deploy or stop concurrently.
        self._lock = ProcessLock(self.dir / "devnet.lock")
        self.services = DemoServices(self.dir, data_dir.root)

    # --- files ---
    @property
    def state_file(self) -> Path:
        return self.dir / "state.json"

    @property
    def deployment_file(self) -> Path:
        return self.dir / "deployment.json"

    @property
    def node_file(self) -> Path:
        return self.dir / "node.json"

    @property
    def log_file(self) -> Path:
        return self.dir / "anvil.log"

    def _node_record(self) -> dict[str, object]:
        try:
            raw = read_json(self.node_file, "devnet process", max_bytes=64 * KIB, max_depth=4)
        except (FileNotFoundError, ConfigError):
            return {}
        return raw if isinstance(raw, dict) else {}

    def _our_anvils(self) -> list[dict[str, int]]:
        """pid and port of every anvil this data dir started that is still running, the recorded one first.

        Found by node.json and by command line, so that an anvil is recognised even when the `up` that started
        it was killed before recording it, or node.json was damaged while it ran.
        """
        raw = self._node_record()
        pid, port, ticks = raw.get("pid"), raw.get("port"), raw.get("start_ticks")
        found: dict[int, int | None] = {r.pid: r.port for r in procs.find_anvils(self.state_file)}
        nodes = []
        if isinstance(pid, int) and isinstance(port, int) and procs.is_our_anvil(
                pid, self.state_file, ticks if isinstance(ticks, int) else None):
            nodes.append({"pid": pid, "port": port})
            found.pop(pid, None)
        nodes += [{"pid": p, "port": port_} for p, port_ in found.items() if port_ is not None]
        return nodes

    def _node(self) -> dict[str, int] | None:
        """pid and port of the anvil this data dir started, while that very process is still running."""
        nodes = self._our_anvils()
        return nodes[0] if nodes else None

    def _record_node(self, pid: int, port: int) -> None:
        write_json_atomic(self.node_file, {"pid": pid, "port": port, "started_at": int(time.time()),
                                           "start_ticks": procs.start_ticks(pid)})

    def _forget_pid(self, port: int | None = None) -> None:
        """Keep the port (the next `up` reuses it) but drop the pid of a node that is gone."""
        raw = self._node_record()
        port = port if port is not None else raw.get("port")  # type: ignore[assignment]
        if raw or port is not None:
            write_json_atomic(self.node_file, {"port": port, "pid": None})

    def deployment(self) -> dict[str, str]:
        try:
            raw = read_json(self.deployment_file, "devnet deployment")
        except FileNotFoundError:
            return {}
        contracts = raw.get("contracts") if isinstance(raw, dict) else None
        return {k: str(v) for k, v in contracts.items()} if isinstance(contracts, dict) else {}

    def _check_state_file(self) -> None:
        """anvil refuses a damaged state file with a terse error; say what it means and keep the file."""
        try:
            if os.stat(self.state_file).st_size > STATE_CHECK_MAX_BYTES:
                return  # too large to parse here just for a better message; anvil reads it itself
        except FileNotFoundError:
            return
        except OSError:
            pass  # a symlink loop, say: read_bytes words it
        try:
            data = read_bytes(self.state_file, max_bytes=STATE_CHECK_MAX_BYTES, what="the devnet state file",
                              must_exist=False, error=DevnetError)
            state = loads_bounded(data, max_bytes=STATE_CHECK_MAX_BYTES, max_depth=STATE_MAX_DEPTH,
                                  what="the devnet state file", error=DevnetError)
            if not isinstance(state, dict):
                raise DevnetError("The devnet state file is not a JSON object.")
        except FileNotFoundError:
            return
        except DevnetError as e:
            raise DevnetError(
                f"{e.user_message} The devnet state file {self.state_file} is damaged and was left untouched. "
                "Run `ai-wallet devnet reset` to start a fresh local chain (the damaged file is kept "
                "beside it), or restore the file from a backup."
            ) from None

    # --- status ---
    def running_node(self) -> dict[str, int] | None:
        node = self._node()
        if node is None or not self._answers(node):
            return None
        return node

    @staticmethod
    def _answers(node: dict[str, int]) -> bool:
        return chain_id_at(f"http://127.0.0.1:{node['port']}", timeout=1.0) == DEVNET_CHAIN_ID

    def status(self) -> DevnetStatus:
        node = self.running_node()
        port = node["port"] if node else self._last_port()
        rpc_url = f"http://127.0.0.1:{port}"
        block = None
        if node:
            try:
                block = int(str(rpc_call(rpc_url, "eth_blockNumber")), 16)
            except (OSError, ValueError, DevnetError):
                block = None
        return DevnetStatus(bool(node), rpc_url, DEVNET_CHAIN_ID, self.deployment(),
                            node["pid"] if node else None, block, self.services.running() if node else [])

    def _last_port(self) -> int:
        """The port this data dir's devnet used last; else $AI_WALLET_DEVNET_PORT; else 8545."""
        port = self._node_record().get("port")
        if isinstance(port, int) and 0 < port < 65536:
            return port
        env = os.environ.get(PORT_ENV, "")
        return int(env) if env.isdigit() and 0 < int(env) < 65536 else DEVNET_DEFAULT_PORT

    def profile(self) -> NetworkProfile:
        """The devnet network profile with the running port and the deployed addresses."""
        base = BUILTIN_PROFILES["devnet"]

        return replace(base, rpc_url=f"http://127.0.0.1:{self._last_port()}", contracts=self.deployment())

    # --- lifecycle ---
    def up(self, port: int | None = None, *, timeout: float = 30.0,
           wait_for_services: bool = True) -> tuple[DevnetStatus, bool]:
        """Start the devnet if it is not running, make sure the contracts are deployed and the demo providers
        and their facilitator are served. ``wait_for_services=False`` returns once they are started rather than
        once they answer (a few seconds later; requests sent meanwhile wait for them): for an app that should
        not show its first screen late.

        Returns the status and whether this call started the node.
        """
        if port is not None and not 0 < port < 65536:
            raise InvalidInput(f"{port} is not a port number; choose one from 1 to 65535.")
        with self._lock:
            return self._up(port, timeout, wait_for_services)

    def _up(self, port: int | None, timeout: float, wait_for_services: bool) -> tuple[DevnetStatus, bool]:
        node = self._adopt_running(timeout)
        if node and port is not None and node["port"] != port:
            raise DevnetError(
                f"The devnet is already running on port {node['port']}. Stop it with `ai-wallet devnet down` "
                f"before starting it on port {port}."
            )
        started = False
        if node is None:
            self._check_state_file()
            port = port or self._last_port()
            if not port_is_free(port):
                other = chain_id_at(f"http://127.0.0.1:{port}", timeout=1.0)
                what = f"a chain with id {other}" if other is not None else "another program"
                raise DevnetError(
                    f"Port {port} on 127.0.0.1 is in use by {what}, not by this wallet's devnet. "
                    "Start the devnet on another port with `ai-wallet devnet up --port N`, "
                    "or stop the program using it."
                )
            self.dir.mkdir(parents=True, exist_ok=True)
            # Recorded the moment it exists, before it answers: an `up` killed while anvil starts leaves a
            # record, and the command line names the state file in any case.
            proc = start_anvil(port, state_file=self.state_file, log_path=self.log_file, detach=True,
                               startup_timeout=timeout, on_spawn=self._spawned)
            procs.children[proc.pid] = proc.process
            started = True
        try:
            self._ensure_deployed()
            self.services.ensure(self.profile(), wait=wait_for_services)
        except BaseException:
            if started:
                self._down(15.0)
            raise
        return self.status(), started

    def _spawned(self, proc: AnvilProcess) -> None:
        self._record_node(proc.pid, proc.port)

    def _adopt_running(self, timeout: float) -> dict[str, int] | None:
        """The anvil of this data dir that answers, recorded in node.json; any other anvil of it is stopped.

        One that is still starting (its `up` was killed a moment ago) is given ``timeout`` to answer.
        """
        deadline = time.monotonic() + timeout
        while True:
            nodes = self._our_anvils()
            answering = next((n for n in nodes if self._answers(n)), None)
            if answering is not None or not nodes or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        for other in nodes:
            if other is not answering:
                self._stop(other["pid"], 15.0)
        if answering is not None and self._node_record().get("pid") != answering["pid"]:
            self._record_node(answering["pid"], answering["port"])
        return answering

    def _ensure_deployed(self) -> None:
        rpc_url = self.profile().rpc_url
        deployed = self.deployment()
        if deployed and all(n in deployed for n in CONTRACT_NAMES):
            codes = [rpc_call(rpc_url, "eth_getCode", [deployed[n], "latest"]) for n in CONTRACT_NAMES]
            if all(isinstance(c, str) and len(c) > 2 for c in codes):
                return
        from wallet.chain.client import ChainClient
        from wallet.devnet.deploy import artifact_fingerprint, deploy_all

        client = ChainClient(self.profile())
        contracts = deploy_all(client)
        write_json_atomic(self.deployment_file, {
            "chain_id": DEVNET_CHAIN_ID, "contracts": contracts, "artifacts": artifact_fingerprint(),
        })
        # Persist the fresh deployment at once rather than on the next periodic dump.
        rpc_call(rpc_url, "anvil_mine", ["0x1"])

    def down(self, timeout: float = 15.0) -> bool:
        """Stop the devnet's services and the devnet (it writes its state on the way out). Returns whether the
        devnet was running."""
        with self._lock:
            return self._down(timeout)

    def _down(self, timeout: float) -> bool:
        self.services.stop()
        nodes = self._our_anvils()
        for node in nodes:
            self._stop(node["pid"], timeout)
        self._forget_pid(nodes[0]["port"] if nodes else None)
        return bool(nodes)

    @staticmethod
    def _stop(pid: int, timeout: float) -> None:
        procs.terminate(pid, timeout)  # reaps it when it is our child: no zombie while a long-lived app runs

    def reset(self) -> None:
        """Stop the devnet and forget its chain: state and deployment are removed (a damaged state is kept aside)."""
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        self._down(15.0)
        if self.state_file.exists():
            try:
                self._check_state_file()
                self.state_file.unlink()
            except DevnetError:
                self.state_file.rename(self.state_file.with_name(f"state.damaged-{int(time.time())}.json"))
        self.deployment_file.unlink(missing_ok=True)
