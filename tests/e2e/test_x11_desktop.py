"""The app on a real X server (Xvfb) through Qt's xcb platform, driven by real key presses (xdotool): it
opens on the lock screen, unlocks with the typed password, opens Run a task with Ctrl+2 and quits with Ctrl+Q,
stopping the devnet it started."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetManager
from wallet.service import WalletService

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
PHRASE = "test test test test test test test test test test test junk"

# `ai-wallet --data-dir D`, saying on stdout each screen it shows, each page it opens, and when its window
# has the keyboard focus.
APP = """
import sys
import ui
from PySide6.QtGui import QGuiApplication
from ui.main_window import MainWindow

_set_mode = MainWindow.set_mode
def set_mode(self, mode):
    _set_mode(self, mode)
    print("MODE:" + mode, flush=True)
    if mode == "locked":
        QGuiApplication.instance().focusWindowChanged.connect(
            lambda w: print("FOCUSED" if w is not None else "UNFOCUSED", flush=True))
    if mode == "main":
        shell = self.view("main")
        shell.pages.currentChanged.connect(
            lambda i: print("PAGE:" + shell.page_list[i].name, flush=True))
MainWindow.set_mode = set_mode
from wallet.cli.main import main
sys.exit(main(["--data-dir", sys.argv[1]]))
"""


class Lines:
    """The lines a process writes, read on a thread, to wait for one of them."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, wanted: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while wanted not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"never saw {wanted!r}; saw {self.seen}")
            try:
                self.seen.append(self._queue.get(timeout=left))
            except queue.Empty:
                continue


@pytest.fixture
def display() -> Iterator[str]:
    """A private X server; -displayfd has it pick a free display number and tell us."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as f:
            number = f.readline().strip()
        assert number.isdigit(), "Xvfb did not start (scripts/install.sh installs it)"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def xdotool(display: str, *args: str) -> str:
    out = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_lock_unlock_navigate_and_quit_with_the_keyboard(display: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")  # the app below reads the same vault
    data_dir = DataDir(tmp_path / "wallet").ensure()
    service = WalletService(data_dir)
    service.import_mnemonic(PHRASE, PASSWORD)
    service.close()
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # Qt picks xcb, as on a desktop
    env.update(DISPLAY=display, AI_WALLET_KEYRING="file", AI_WALLET_DEVNET_PORT=str(free_port()),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    app = subprocess.Popen([sys.executable, "-c", APP, str(data_dir.root)], env=env, cwd=REPO, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = Lines(app)
        lines.wait_for("MODE:locked")
        window = xdotool(display, "search", "--sync", "--onlyvisible", "--name", "AI Token Wallet").split()[0]
        xdotool(display, "windowfocus", "--sync", window)  # no window manager: focus it ourselves
        lines.wait_for("FOCUSED")  # keys reach Qt only once it knows its window has the focus
        xdotool(display, "type", "--delay", "10", PASSWORD)
        xdotool(display, "key", "Return")
        lines.wait_for("MODE:main")
        xdotool(display, "key", "ctrl+2")
        lines.wait_for("PAGE:Run a task")
        xdotool(display, "key", "ctrl+q")
        assert app.wait(60) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        DevnetManager(data_dir).down()  # whatever happened, no chain left running
    assert "Traceback" not in (app.stderr.read() if app.stderr else "")
