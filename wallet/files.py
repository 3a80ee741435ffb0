"""Files only their owner may read: written atomically, created 0600 and never briefly wider."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from wallet.errors import InvalidInput

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def write_private_text(path: Path, text: str) -> None:
    """Atomic write of a file only its owner can read: created 0600, never briefly wider.

    The content goes to a temporary file of a unique name (created exclusively, so never through a symlink
    planted in its place), then is renamed over ``path``: two processes writing the same file at once each
    rename a whole file, and the last one wins, rather than both writing into one shared temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = _write_temp(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # never leave the content beside a target that could not be written
        raise
    _fsync_dir(path.parent)


def _write_temp(path: Path, text: str) -> Path:
    """``text`` in a new file beside ``path``: a unique name created exclusively (never through a planted
    symlink), mode 0600, flushed to disk. The caller renames or removes it."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


@contextlib.contextmanager
def private_atomic_writer(path: Path, *, newline: str | None = None, binary: bool = False) -> Iterator[IO[Any]]:
    """A file for the user written piece by piece (an export of any size), then renamed over ``path``: created
    0600 under a unique name beside it; ``path`` may be replaced only if it is a regular file (never a symlink,
    a FIFO, a device or a folder). On an error nothing is left behind and ``path`` is untouched. Text (UTF-8)
    unless ``binary``."""
    check_new_file_target(path, replace=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        f: IO[Any]
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe (FIFO)"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def check_new_file_target(path: Path, *, replace: bool) -> None:
    """Refuse, with ``InvalidInput``, a target a new file must not take the place of: any existing file unless
    ``replace``, and anything but a regular file even then (a symlink, a FIFO, a device, a folder)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise InvalidInput(f"Cannot write {path}: its folder does not exist.") from None
        return
    except OSError as e:
        raise InvalidInput(f"Cannot write {path}: {e.strerror or e}.") from None
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(f"{path} is {_kind(st.st_mode)}; only a regular file can be replaced. Choose another file.")
    if not replace:
        raise InvalidInput(f"{path} already exists; choose another file or add --force to replace it.")


def write_new_private_text(path: Path, text: str, *, replace: bool = False) -> None:
    """Create a file for the user (an exported keystore) that only its owner can read, with all its content at
    once: an exclusive create, so that a file appearing meanwhile is never overwritten; with ``replace``, only a
    regular file is replaced, and by a rename, so nothing is ever written into a symlink's target, a FIFO or a
    device. Refusals are ``InvalidInput``; nothing is left behind on failure."""
    check_new_file_target(path, replace=replace)
    try:
        tmp = _write_temp(path, text)
    except OSError as e:
        raise InvalidInput(f"Cannot write {path}: {e.strerror or e}.") from None
    try:
        if replace:
            check_new_file_target(path, replace=True)  # once more, as close to the rename as can be
            os.replace(tmp, path)
        else:
            _link_exclusive(tmp, path)
    except FileExistsError:
        raise InvalidInput(f"{path} appeared while it was being written; it was left as it is.") from None
    except OSError as e:
        raise InvalidInput(f"Cannot write {path}: {e.strerror or e}.") from None
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _link_exclusive(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the name ``path`` only if nothing has that name (``FileExistsError`` otherwise)."""
    try:
        os.link(tmp, path)  # fails if the name exists, whatever it is: no race can make it overwrite
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links: an exclusive create, written in place.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(tmp.read_bytes())
            f.flush()
            os.fsync(f.fileno())


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
