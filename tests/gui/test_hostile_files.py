"""Files the app is given (a dropped or chosen keystore) may be a pipe, a device or nested JSON: each is a
clear error in the import view, never a hang or a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ui.views.onboarding_import import read_keystore
from wallet.errors import InvalidInput

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]


@pytest.mark.parametrize(("kind", "message"), [
    ("fifo", "is a pipe"),
    ("zero", "character device"),
    ("loop", "Too many levels of symbolic links"),
    ("deep", "nested more than 8 levels"),
    ("huge", "larger than 64 KiB"),
])
def test_a_hostile_keystore_file(tmp_path: Path, kind: str, message: str) -> None:
    path = tmp_path / "keystore.json"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: reading it the plain way would wait forever
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "deep":
        path.write_text("[" * 1_000 + "]" * 1_000)  # within the size bound: the depth bound refuses it
    else:
        with open(path, "wb") as f:
            f.truncate(100 * 1024 * 1024)
    with pytest.raises(InvalidInput, match=message):
        read_keystore(path)
