"""Unlocked key material, the idle auto-lock and the wrong-password throttle.

The idle lock is a deadline (``touch`` pushes it, ``expired`` compares against it) plus an optional daemon
timer so that keys leave memory when the deadline passes even if nobody asks. The throttle is persisted in the
data dir so that restarting the app does not reset it; it refuses attempts before a time rather than sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wallet.errors import KeystoreError, TooManyAttempts
from wallet.files import write_private_json
from wallet.safe_io import KIB, load_json_file


def wipe(buf: bytearray | None) -> None:
    """Overwrite our copy. Best effort: libraries may hold their own immutable copies while they sign."""
    if buf is not None:
        for i in range(len(buf)):
            buf[i] = 0


@dataclass
class Session:
    """Decrypted secrets, held only between unlock and lock."""

    seed: bytearray | None = None
    keys: dict[str, bytearray] = field(default_factory=dict)  # checksum address -> 32-byte key
    missing: set[str] = field(default_factory=set)  # addresses whose keyring entry was not found

    def wipe(self) -> None:
        wipe(self.seed)
        self.seed = None
        for key in self.keys.values():
            wipe(key)
        self.keys.clear()
        self.missing.clear()


class IdleTimer:
    """Fires ``on_expire`` once ``timeout`` seconds pass without ``touch``. Thread-safe."""

    def __init__(
        self,
        timeout: float | None,
        on_expire: Callable[[], None],
        *,
        clock: Callable[[], float] = time.monotonic,
        background: bool = True,
    ) -> None:
        self._timeout = timeout if timeout and timeout > 0 else None
        self._on_expire = on_expire
        self._clock = clock
        self._background = background
        self._lock = threading.Lock()
        self._deadline: float | None = None
        self._timer: threading.Timer | None = None

    @property
    def timeout(self) -> float | None:
        return self._timeout

    def set_timeout(self, timeout: float | None) -> None:
        with self._lock:
            self._timeout = timeout if timeout and timeout > 0 else None
            if self._deadline is not None:
                self._arm_locked()

    def start(self) -> None:
        with self._lock:
            self._arm_locked()

    def touch(self) -> None:
        with self._lock:
            if self._deadline is not None and self._timeout is not None:
                # The running timer notices the moved deadline when it fires and re-arms itself; re-creating
                # a thread on every keystroke of activity would be wasteful.
                self._deadline = self._clock() + self._timeout

    def expired(self) -> bool:
        with self._lock:
            return self._deadline is not None and self._clock() >= self._deadline

    def stop(self) -> None:
        with self._lock:
            self._deadline = None
            self._cancel_locked()

    def _arm_locked(self) -> None:
        self._cancel_locked()
        if self._timeout is None:
            self._deadline = float("inf")
            return
        self._deadline = self._clock() + self._timeout
        self._schedule_locked(self._timeout)

    def _schedule_locked(self, delay: float) -> None:
        if not self._background:
            return
        timer = threading.Timer(max(delay, 0.0), self._fire)
        timer.daemon = True
        timer.name = "wallet-auto-lock"
        self._timer = timer
        timer.start()

    def _cancel_locked(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        with self._lock:
            if self._deadline is None or self._timer is not threading.current_thread():
                return
            remaining = self._deadline - self._clock()
            if remaining > 0:
                self._schedule_locked(remaining)
                return
            self._timer = None
        self._on_expire()


class Throttle:
    """A growing wait after repeated wrong passwords, persisted across restarts.

    The first ``FREE_ATTEMPTS`` mistakes cost nothing (typos happen); after that each one doubles the wait, up
    to ``MAX_DELAY`` seconds. It slows down guessing through the app; it is no defence against someone who has
    copied the encrypted blobs, which is what scrypt is for.
    """

    FREE_ATTEMPTS = 3
    MAX_DELAY = 300

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock

    @staticmethod
    def delay_after(failures: int) -> int:
        if failures <= Throttle.FREE_ATTEMPTS:
            return 0
        return min(2 ** (failures - Throttle.FREE_ATTEMPTS), Throttle.MAX_DELAY)

    def check(self) -> None:
        failures, not_before = self._read()
        now = self._clock()
        wait = not_before - now
        if wait > self.MAX_DELAY:
            # The clock moved back; never let that turn into an unbounded lock-out.
            not_before = int(now) + self.MAX_DELAY
            self._write(failures, not_before)
            wait = not_before - now
        if wait > 0:
            seconds = math.ceil(wait)
            raise TooManyAttempts(
                f"Too many wrong passwords. Try again in {seconds} second{'s' if seconds != 1 else ''}.",
                seconds,
            )

    def failure(self) -> int:
        """Record a wrong password; return the wait before the next attempt, in seconds."""
        failures, _ = self._read()
        failures += 1
        delay = self.delay_after(failures)
        self._write(failures, math.ceil(self._clock()) + delay if delay else 0)
        return delay

    def success(self) -> None:
        failures, not_before = self._read()
        if failures or not_before:
            self._write(0, 0)

    @property
    def failures(self) -> int:
        return self._read()[0]

    def _read(self) -> tuple[int, int]:
        try:
            data = load_json_file(self.path, max_bytes=4 * KIB, max_depth=2, what="the unlock attempts record",
                                  must_exist=False, error=KeystoreError)
            failures, not_before = int(data["failures"]), int(data["not_before"])
        except FileNotFoundError:
            return 0, 0
        except (KeystoreError, ValueError, KeyError, TypeError):
            # A damaged record must not become a way around the wait: treat it as the longest one.
            return self.FREE_ATTEMPTS + 16, math.ceil(self._clock()) + self.MAX_DELAY
        return max(failures, 0), max(not_before, 0)

    def _write(self, failures: int, not_before: int) -> None:
        write_private_json(self.path, {"failures": failures, "not_before": not_before})
