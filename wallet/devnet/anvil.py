"""Finding and running the anvil binary (the local chain) as a child process on loopback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wallet.errors import DevnetError
from wallet.safe_io import KIB, MIB, loads_bounded

ANVIL_ENV = "AI_WALLET_ANVIL"
REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = (
    "Install it with `npm install --prefix contracts` in the wallet's source folder (it brings the pinned "
    "@foundry-rs/anvil), or set AI_WALLET_ANVIL to the path of an anvil binary."
)
# anvil's well-known development mnemonic; its accounts are public and only ever funded on a devnet.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
# The probes ask for a chain id, a block number or a contract's code: small answers.
MAX_RPC_RESPONSE = 4 * MIB
MAX_RPC_DEPTH = 32
_LOG_TAIL_BYTES = 8 * KIB


def find_anvil() -> Path:
    """The anvil binary: $AI_WALLET_ANVIL, then the pinned npm copy in contracts/, then PATH."""
    env = os.environ.get(ANVIL_ENV)
    if env:
        p = Path(env)
        if p.is_file() and os.access(p, os.X_OK):
            return p
        raise DevnetError(f"AI_WALLET_ANVIL points at {env}, which is not an executable file. {INSTALL_HINT}")
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(os.uname().machine, "")
    plat = {"linux": "linux", "darwin": "darwin"}.get(sys.platform, sys.platform)
    candidate = REPO_ROOT / "contracts" / "node_modules" / "@foundry-rs" / f"anvil-{plat}-{arch}" / "bin" / "anvil"
    if candidate.is_file():
        return candidate
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise DevnetError(f"The local chain program (anvil) was not found. {INSTALL_HINT}")


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rpc_call(rpc_url: str, method: str, params: list[object] | None = None, timeout: float = 2.0) -> object:
    """A bare JSON-RPC call (no web3 import): used to probe whether a chain answers."""
    import urllib.request  # ~0.1 s of imports; the app's first paint should not wait for them

    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(rpc_url, data=body, headers={"Content-Type": "application/json"})
    deadline = time.monotonic() + 2 * timeout
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        # Whatever answers on the port may be hostile: the body is read up to a bound and within one deadline
        # (a server dripping bytes must not hold `devnet up`), and parsed with a depth bound.
        body = b""
        while len(body) <= MAX_RPC_RESPONSE and time.monotonic() < deadline:
            chunk = resp.read1(64 * KIB)
            if not chunk:
                break
            body += chunk
        else:
            if len(body) <= MAX_RPC_RESPONSE:
                raise DevnetError(f"The chain at {rpc_url} did not finish answering {method} in time.")
    data = loads_bounded(body, max_bytes=MAX_RPC_RESPONSE, max_depth=MAX_RPC_DEPTH,
                         what=f"the answer of {rpc_url} to {method}", error=DevnetError)
    if not isinstance(data, dict):
        raise DevnetError(f"The answer of {rpc_url} to {method} is not a JSON-RPC response.")
    if "error" in data:
        raise DevnetError(f"The chain at {rpc_url} answered {method} with an error: {data['error']}")
    return data.get("result")


def chain_id_at(rpc_url: str, timeout: float = 1.0) -> int | None:
    """The chain id answered at ``rpc_url``, or None when nothing JSON-RPC answers there."""
    try:
        result = rpc_call(rpc_url, "eth_chainId", timeout=timeout)
    except (OSError, ValueError, DevnetError):  # URLError is an OSError
        return None
    return int(str(result), 16) if isinstance(result, str) else None


@dataclass
class AnvilProcess:
    """A running anvil we started; ``stop()`` ends it (and dumps state when a state file is used)."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path | None

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM lets anvil write its --state file
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)


def start_anvil(
    port: int,
    *,
    state_file: Path | None = None,
    log_path: Path | None = None,
    chain_id: int = 31337,
    detach: bool = False,
    block_time: int | None = None,
    startup_timeout: float = 20.0,
    on_spawn: Callable[[AnvilProcess], None] | None = None,
) -> AnvilProcess:
    """Start anvil bound to 127.0.0.1:``port`` and return once it answers JSON-RPC.

    ``on_spawn`` runs as soon as the process exists, before it answers: the devnet records its pid there, so a
    caller killed while anvil starts still leaves a record of it.
    """
    binary = find_anvil()
    if not port_is_free(port):
        raise DevnetError(
            f"Port {port} on 127.0.0.1 is already in use by another program. "
            "Choose another port with --port, or stop the program using it."
        )
    args = [
        str(binary), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id),
        "--mnemonic", DEV_MNEMONIC, "--accounts", "10", "--silent",
    ]
    if state_file is not None:
        # --state loads the file if present and dumps to it on exit; interval dumps limit loss on a crash.
        args += ["--state", str(state_file), "--state-interval", "5"]
    if block_time:
        args += ["--block-time", str(block_time)]
    out = _open_log(log_path) if log_path else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=detach,
        )
    finally:
        if log_path:
            os.close(out)
    node = AnvilProcess(proc, port, log_path)
    try:
        if on_spawn is not None:
            on_spawn(node)
        deadline = time.monotonic() + startup_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = _log_tail(log_path)
                raise DevnetError(
                    f"The local chain stopped right after starting (exit code {proc.returncode}).{tail}")
            if chain_id_at(node.rpc_url, timeout=0.5) == chain_id:
                return node
            time.sleep(0.05)
    except BaseException:  # Ctrl+C or a failed record: never leave a half-started chain behind
        node.stop()
        raise
    node.stop()
    raise DevnetError(f"The local chain did not answer within {startup_timeout:.0f} s.{_log_tail(log_path)}")


def _open_log(log_path: Path) -> int:
    """anvil's log, opened for appending; a pipe or device put in its place is refused, not blocked on."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(log_path, flags, 0o600)
    except OSError as e:
        raise DevnetError(f"Cannot open the devnet log {log_path}: {e.strerror or e}.") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DevnetError(f"The devnet log {log_path} is not a regular file; move it aside and try again.")
    return fd


def _log_tail(log_path: Path | None) -> str:
    """The last lines of anvil's log, read from its end and bounded (the log may have grown large)."""
    if not log_path or not log_path.is_file():  # never open a pipe or device that would block
        return ""
    try:
        with open(log_path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - _LOG_TAIL_BYTES))
            tail = f.read(_LOG_TAIL_BYTES)
    except OSError:
        return ""
    lines = tail.decode("utf-8", "replace").strip().splitlines()[-5:]
    return (" Last lines of its log:\n" + "\n".join(lines)) if lines else ""
