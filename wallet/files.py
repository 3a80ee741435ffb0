"""Files only their owner may read: written atomically, created 0600 and never briefly wider."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def write_private_text(path: Path, text: str) -> None:
    """Atomic write of a file only its owner can read: created 0600, never briefly wider."""
    with private_atomic_writer(path) as f:
        f.write(text)


@contextlib.contextmanager
def private_atomic_writer(path: Path, *, newline: str | None = None, binary: bool = False) -> Iterator[Any]:
    """A text file written beside ``path`` (0600 from creation) and renamed over it when the block ends
    without an error; on an error nothing is left behind and ``path`` is untouched."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # the .tmp may be left over from a crash, with other permissions
            f: IO[Any]
            with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)) as f:
                fd = -1
                yield f
                f.flush()
                os.fsync(f.fileno())
        finally:
            if fd >= 0:
                os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # never leave the content beside a target that could not be written
        raise
    _fsync_dir(path.parent)


def write_private_json(path: Path, data: Any) -> None:
    write_private_text(path, json.dumps(data, indent=1, sort_keys=True))


def _fsync_dir(directory: Path) -> None:
    # The rename is only durable once the directory entry is; without this a power cut could bring the old file
    # back after the caller has moved on (e.g. deleted the old keyring entries during a password change).
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class ProcessLock:
    """A re-entrant lock shared by the threads of this process and, through ``flock`` on ``path``, by every
    process using the same data dir (the app and a CLI command, say), so their writes never interleave."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> ProcessLock:
        self._thread_lock.acquire()
        try:
            if self._depth == 0:
                self._fd = self._acquire_file()
            self._depth += 1
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._depth -= 1
            if self._depth == 0 and self._fd is not None:
                fd, self._fd = self._fd, None
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
        finally:
            self._thread_lock.release()

    def _acquire_file(self) -> int | None:
        if fcntl is None:  # no flock (Windows): the in-process lock still serializes this process
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        return fd
