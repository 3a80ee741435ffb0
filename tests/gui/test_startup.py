"""When the wallet cannot start (a damaged settings file), the window says why instead of "Starting…" forever,
and can still be closed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.app import attach_controller
from ui.main_window import MainWindow
from ui.theme import colour
from wallet.config import DataDir

pytestmark = pytest.mark.gui

# The app as `ai-wallet` runs it; prints what the start-up view says once it says something else than
# "Starting…" (or after 20 s), then quits.
APP = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.app import run_app
from wallet.config import DataDir

app = QApplication(sys.argv[:1])
t0 = time.monotonic()

def poll():
    window = next((w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow"), None)
    text = window.starting.progress.text() if window is not None else ""
    if text and text != "Starting…" or time.monotonic() - t0 > 20:
        print("VIEW:" + text.replace("\\n", " | "), flush=True)
        app.quit()

timer = QTimer()
timer.timeout.connect(poll)
timer.start(100)
sys.exit(run_app(DataDir(Path(sys.argv[1]))))
"""


def test_a_damaged_settings_file_is_said_in_the_window(tmp_path: Path, qtbot: QtBot) -> None:
    data_dir = DataDir(tmp_path / "wallet").ensure()
    data_dir.settings_file.write_text('{"network": ', encoding="utf-8")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()

    assert attach_controller(window, data_dir, None) is None
    assert window.modes.currentWidget() is window.starting
    text = window.starting.progress.text()
    assert text.startswith("The wallet could not start.\n")
    assert f"The settings file {data_dir.settings_file} is damaged" in text
    assert colour("danger") in window.starting.progress.styleSheet()
    assert window.starting.quit_button.isVisible()
    qtbot.mouseClick(window.starting.quit_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()


def test_a_data_folder_that_cannot_be_made(tmp_path: Path, qtbot: QtBot) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    window = MainWindow()
    qtbot.addWidget(window)
    assert attach_controller(window, DataDir(blocker / "wallet"), None) is None
    assert "The wallet's data folder" in window.starting.progress.text()
    assert "cannot be used" in window.starting.progress.text()


def test_the_app_process_says_it_and_quits_cleanly(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "wallet").ensure()
    data_dir.settings_file.write_text("[1, 2", encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.run([sys.executable, "-c", APP, str(data_dir.root)], env=env, capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert proc.returncode == 0, proc.stderr
    view = next(line for line in proc.stdout.splitlines() if line.startswith("VIEW:"))
    assert view.startswith("VIEW:The wallet could not start. | The settings file"), view
    assert "Traceback" not in proc.stderr
