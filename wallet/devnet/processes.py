"""Recognising and stopping the background processes a devnet started (anvil, the demo gateways, the facilitator).

A process is named for good by its pid together with its start time, and checked to be ours by its command line;
a pid the system has since given to another program is never signalled. Records (node.json, services.json) may be
missing (the `up` that started a process was killed before writing them), damaged, or name a reused pid; what
cannot lie is the process itself: anvil runs with ``--state <data dir>/devnet/state.json``, so every anvil of a
data dir is also found by its command line.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

_PROC = Path("/proc")
# Children started by this process, so stopping them also reaps them (no zombie while a long-lived app runs).
children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class AnvilRecord:
    pid: int
    port: int | None


def have_proc() -> bool:
    return _PROC.joinpath("self", "cmdline").exists()


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None without /proc."""
    try:
        with open(_PROC / str(pid) / "stat", "rb") as f:
            text = f.read(4096).decode("ascii", "replace")
        return text.rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited child not yet reaped) still answers kill(0); it is not running.
    fields = _stat_fields(pid)
    return fields is None or fields[0] != "Z"


def start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks since boot): with the pid, it names one process for good."""
    fields = _stat_fields(pid)
    try:
        return int(fields[19]) if fields else None
    except (ValueError, IndexError):
        return None


def cmdline(pid: int) -> list[bytes] | None:
    """The process's arguments, or None where /proc is not available (macOS) or the process is gone."""
    try:
        with open(_PROC / str(pid) / "cmdline", "rb") as f:
            return f.read(64 * 1024).split(b"\0")
    except OSError:
        return None


def is_ours(pid: int, markers: Sequence[bytes], ticks: int | None, *, program: bytes | None = None) -> bool:
    """Whether ``pid`` is still the process we started: alive, started at ``ticks`` (when known), its program
    name containing ``program`` and every one of ``markers`` among its arguments."""
    if not pid_alive(pid):
        return False
    argv = cmdline(pid)
    if argv is None:
        return not have_proc()  # no /proc: callers check the port and the answer they get there instead
    if not argv or (program is not None and program not in os.path.basename(argv[0])):
        return False
    if not all(any(m in a for a in argv) for m in markers):
        return False
    return ticks is None or start_ticks(pid) == ticks


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


def is_our_anvil(pid: int, state_file: Path, ticks: int | None) -> bool:
    """Whether ``pid`` is still an anvil of this data dir, not a process that reused its pid."""
    if not pid_alive(pid):
        return False
    argv = cmdline(pid)
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
        argv = cmdline(pid)
        if argv and _names_state_file(argv, state_file) and pid_alive(pid):
            found.append(AnvilRecord(pid, _port_of(argv)))
    return sorted(found, key=lambda r: r.pid)


def terminate(pid: int, timeout: float) -> None:
    """SIGTERM (anvil writes its state on the way out), then SIGKILL after ``timeout``; reaps our children."""
    child = children.pop(pid, None)
    if child is not None:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout)
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
