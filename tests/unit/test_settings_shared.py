"""The app and a CLI command each hold a copy of the settings: saving one never undoes the other's changes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from wallet.config import DataDir, Settings


def _data_dir(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path).ensure()


def test_a_save_keeps_what_another_copy_changed(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    app, cli = Settings.load(data_dir), Settings.load(data_dir)
    cli.network = "sepolia"
    cli.extra["payment_scheme"] = "exact"
    cli.save(data_dir)
    app.extra["task_choice"] = {"devnet": {"model": "gpt-4o-mini"}}
    app.save(data_dir)

    on_disk = json.loads(data_dir.settings_file.read_text())
    assert on_disk["network"] == "sepolia"
    assert on_disk["payment_scheme"] == "exact"
    assert on_disk["task_choice"] == {"devnet": {"model": "gpt-4o-mini"}}
    # the app's copy has taken the other changes in
    assert app.network == "sepolia" and app.extra["payment_scheme"] == "exact"


def test_a_change_inside_a_nested_setting_and_a_removal_are_saved(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    first = Settings.load(data_dir)
    first.extra["task_choice"] = {"devnet": {"model": "a"}}
    first.extra["old"] = 1
    first.save(data_dir)
    second = Settings.load(data_dir)
    second.extra["task_choice"]["devnet"]["model"] = "b"  # changed in place, as the services do
    del second.extra["old"]
    second.save(data_dir)

    on_disk = json.loads(data_dir.settings_file.read_text())
    assert on_disk["task_choice"] == {"devnet": {"model": "b"}}
    assert "old" not in on_disk


def test_the_same_setting_changed_by_both_is_the_last_writers(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    a, b = Settings.load(data_dir), Settings.load(data_dir)
    a.auto_lock_minutes = 5
    a.save(data_dir)
    b.auto_lock_minutes = 30
    b.save(data_dir)
    assert Settings.load(data_dir).auto_lock_minutes == 30


def test_an_unchanged_default_does_not_overwrite_another_process_setting(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    app = Settings.load(data_dir)  # no file yet: every value is a default
    other = Settings.load(data_dir)
    other.auto_lock_minutes = 3
    other.save(data_dir)
    app.extra["x"] = 1
    app.save(data_dir)
    assert Settings.load(data_dir).auto_lock_minutes == 3


_WRITER = """
import sys
from pathlib import Path
from wallet.config import DataDir, Settings
data_dir, key, rounds = DataDir(Path(sys.argv[1])), sys.argv[2], int(sys.argv[3])
s = Settings.load(data_dir)
for i in range(rounds):
    s.extra[key] = i
    s.save(data_dir)
"""


def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    rounds = 60
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), key, str(rounds)])
               for key in ("from_app", "from_cli")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    on_disk = json.loads(data_dir.settings_file.read_text())
    assert on_disk["from_app"] == rounds - 1
    assert on_disk["from_cli"] == rounds - 1
