"""Files only their owner may read: written atomically, created 0600 and never briefly wider."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_private_text(path: Path, text: str) -> None:
    """Atomic write of a file only its owner can read: created 0600, never briefly wider."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # the .tmp may be left over from a crash, with other permissions
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            fd = -1
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    finally:
        if fd >= 0:
            os.close(fd)
    os.replace(tmp, path)
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
