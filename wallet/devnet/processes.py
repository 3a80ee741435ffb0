"""Recognising and stopping the background processes a devnet started (anvil, the demo gateways, the facilitator).

A process is named for good by its pid together with its start time, and checked to be ours by its command line;
a pid the system has since given to another program is never signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence

# Children started by this process, so stopping them also reaps them (no zombie while a long-lived app runs).
children: dict[int, subprocess.Popen[bytes]] = {}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited child not yet reaped) still answers kill(0); it is not running.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks since boot): with the pid, it names one process for good."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def cmdline(pid: int) -> list[bytes] | None:
    """The process's arguments, or None where /proc is not available (macOS)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return None


def is_ours(pid: int, markers: Sequence[bytes], ticks: int | None, *, program: bytes | None = None) -> bool:
    """Whether ``pid`` is still the process we started: alive, started at ``ticks`` (when known), its program
    name containing ``program`` and every one of ``markers`` among its arguments."""
    if not pid_alive(pid):
        return False
    argv = cmdline(pid)
    if argv is None:
        return True  # no /proc: callers check the port and the answer they get there instead
    if not argv or (program is not None and program not in argv[0]):
        return False
    if not all(any(m in a for a in argv) for m in markers):
        return False
    return ticks is None or start_ticks(pid) == ticks


def terminate(pid: int, timeout: float) -> None:
    """SIGTERM, then SIGKILL after ``timeout``; reaps the process if it is our child."""
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
