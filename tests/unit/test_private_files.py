"""Files the wallet writes for the user (an exported keystore) and for itself (settings, accounts): created
exclusively, never through a symlink, a pipe or a device, and whole even when two processes write at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wallet import files
from wallet.errors import InvalidInput
from wallet.files import check_new_file_target, write_new_private_text, write_private_text


def test_a_new_file_is_created_0600(tmp_path: Path) -> None:
    out = tmp_path / "ks.json"
    write_new_private_text(out, "{}")
    assert out.read_text() == "{}" and out.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ks.json"]


def test_an_existing_file_is_never_replaced_without_asking(tmp_path: Path) -> None:
    out = tmp_path / "ks.json"
    out.write_text("mine")
    with pytest.raises(InvalidInput, match="already exists"):
        write_new_private_text(out, "{}")
    assert out.read_text() == "mine"
    write_new_private_text(out, "{}", replace=True)
    assert out.read_text() == "{}"


def test_a_file_appearing_meanwhile_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ks.json"
    real_check = files.check_new_file_target

    def racing_check(path: Path, *, replace: bool) -> None:
        real_check(path, replace=replace)
        path.write_text("written by someone else in between")  # the race the exclusive create must win

    monkeypatch.setattr(files, "check_new_file_target", racing_check)
    with pytest.raises(InvalidInput, match="appeared while it was being written"):
        write_new_private_text(out, "{}")
    assert out.read_text() == "written by someone else in between"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ks.json"]


@pytest.mark.parametrize("kind", ["fifo", "symlink", "dangling-symlink", "folder"])
def test_force_replaces_only_regular_files(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "ks.json"
    victim = tmp_path / "victim"
    victim.write_text("precious")
    if kind == "fifo":
        os.mkfifo(out)
    elif kind == "symlink":
        out.symlink_to(victim)
    elif kind == "dangling-symlink":
        out.symlink_to(tmp_path / "nowhere")
    else:
        out.mkdir()
    before = os.lstat(out)
    with pytest.raises(InvalidInput, match="only a regular file can be replaced"):
        write_new_private_text(out, "{}", replace=True)
    after = os.lstat(out)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert victim.read_text() == "precious" and not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_devices_are_refused(device: str) -> None:
    # Only the check runs here: were it to pass, a root process would replace the device node.
    with pytest.raises(InvalidInput, match="is a device"):
        check_new_file_target(Path(device), replace=True)


def test_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="its folder does not exist"):
        write_new_private_text(tmp_path / "no" / "ks.json", "{}")


def test_a_planted_symlink_beside_the_target_is_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (tmp_path / "settings.json.tmp").symlink_to(victim)  # the name a fixed temporary file would have had
    write_private_text(tmp_path / "settings.json", '{"a": 1}')
    assert victim.read_text() == "precious"
    assert json.loads((tmp_path / "settings.json").read_text()) == {"a": 1}


WRITER = """
import json, sys
from pathlib import Path
from wallet.files import write_private_text
path, me = Path(sys.argv[1]), sys.argv[2]
sys.stdin.readline()
for i in range(300):
    write_private_text(path, json.dumps({"writer": me, "i": i, "pad": me * 20_000}))
"""


def test_two_processes_writing_one_file_never_leave_half_of_it(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    write_private_text(target, json.dumps({"writer": "none"}))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(target), name], stdin=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    for w in writers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    seen = set()
    while any(w.poll() is None for w in writers):
        data = json.loads(target.read_text())  # always one whole document, never a mix or a truncation
        seen.add(data["writer"])
        assert data.get("pad", data["writer"] * 20_000) == data["writer"] * 20_000
    errors = [w.communicate()[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    assert json.loads(target.read_text())["i"] == 299
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]  # no temporary file left
