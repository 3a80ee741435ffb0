"""Recognising the anvil processes a data dir started, whatever its records say.

node.json may be missing (the `up` that started anvil was killed before writing it), damaged, or name a pid
that another process has reused. What cannot lie is the process itself: the wallet starts anvil with
``--state <data dir>/devnet/state.json``, so on Linux every anvil of a data dir is found by its command line,
and a recorded pid counts only while its command line still names that state file.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

_PROC = Path("/proc")


@dataclass(frozen=True)
class AnvilRecord:
    pid: int
    port: int | None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited child not yet reaped) still answers kill(0); it is not running.
    stat_fields = _stat_fields(pid)
    return stat_fields is None or stat_fields[0] != "Z"


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None without /proc."""
    try:
        with open(_PROC / str(pid) / "stat", "rb") as f:
            text = f.read(4096).decode("ascii", "replace")
        return text.rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks since boot): with the pid, it names one process for good."""
    fields = _stat_fields(pid)
    try:
        return int(fields[19]) if fields else None
    except (ValueError, IndexError):
        return None


def _cmdline(pid: int) -> list[bytes] | None:
    try:
        with open(_PROC / str(pid) / "cmdline", "rb") as f:
            return f.read(64 * 1024).split(b"\0")
    except OSError:
        return None


def _names_state_file(argv: list[bytes], state_file: Path) -> bool:
    if not argv or b"anvil" not in os.path.basename(argv[0]):
        return False
    target = str(state_file).encode()
    return any(a == b"--state" and b == target for a, b in pairwise(argv))


def _port_of(argv: list[bytes]) -> int | None:
    for a, b in pairwise(argv):
        if a == b"--port" and b.isdigit():
            return int(b)
    return None


def have_proc() -> bool:
    return _PROC.joinpath("self", "cmdline").exists()


def is_our_anvil(pid: int, state_file: Path, ticks: int | None) -> bool:
    """Whether ``pid`` is still an anvil of this data dir, not a process that reused its pid."""
    if not pid_alive(pid):
        return False
    argv = _cmdline(pid)
    if argv is None:
        return not have_proc()  # no /proc (macOS): the caller's port and chain-id checks stand in
    if not _names_state_file(argv, state_file):
        return False
    return ticks is None or start_ticks(pid) == ticks


def find_anvils(state_file: Path) -> list[AnvilRecord]:
    """Every running anvil whose command line names ``state_file`` (empty without /proc)."""
    found = []
    try:
        entries = list(_PROC.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        argv = _cmdline(pid)
        if argv and _names_state_file(argv, state_file) and pid_alive(pid):
            found.append(AnvilRecord(pid, _port_of(argv)))
    return sorted(found, key=lambda r: r.pid)


def terminate(pid: int, timeout: float) -> None:
    """SIGTERM (anvil writes its state on the way out), then SIGKILL if it is still there after ``timeout``."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
