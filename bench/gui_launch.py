"""Launch of the desktop app, each figure measured from process start in a fresh interpreter:

* first painted window, against a bare PySide6 window in the same run (goal ≤ 1.3×);
* a usable home screen: devnet running, connected, wallet unlocked, balances shown;
* idle memory (RSS) after one quote.

Runs offscreen (QT_QPA_PLATFORM=offscreen) so it needs no display.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine

RUNS = 9
PASSWORD = "bench password 1"

BARE = r"""
import os, sys, time, json
T0 = float(os.environ["BENCH_T0"])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1100, 720)
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint and o is w:
            print(json.dumps({"paint": time.time() - T0})); app.quit()
        return False
f = F(); w.installEventFilter(f); w.show(); app.exec()
"""

APP = r"""
import os, sys, time, json, resource
T0 = float(os.environ["BENCH_T0"])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from ui.main_window import MainWindow
out = {}
def find():
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None)
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint and "paint" not in out:
            out["paint"] = time.time() - T0
        return False
f = F()
# Watch the window's own events only, as the bare side does: an application-wide Python filter would make
# PySide wrap every object of every event, which costs the app tens of milliseconds the user never pays.
_show = MainWindow.show
def show(self):
    self.installEventFilter(f)
    _show(self)
MainWindow.show = show
_app = QApplication(sys.argv[:1])  # timers need the application to exist; run_app reuses it
def tick():
    w = find()
    if w is None:
        return
    c = getattr(w, "controller", None)
    if c is None:
        return
    if c.mode == "locked" and "locked" not in out:
        out["locked"] = time.time() - T0
        c.service.unlock(os.environ["BENCH_PW"])
    if c.mode == "main" and "home" not in out:
        home = w.view("main").page_list[0]
        if home.balances is not None:
            out["home"] = time.time() - T0
            from wallet.quote import PromptInput
            from wallet import tokenizers
            tokenizers.warm_up().result()
            prompt = PromptInput.text("Summarise the design of a wallet. " * 50)
            q = c.service.quote(1, "gpt-4o-mini", prompt, 256)
            out["quote_price"] = q.price_base_units
            import gc; gc.collect()
            with open("/proc/self/status") as s:
                out["rss_mb"] = next(int(l.split()[1]) for l in s if l.startswith("VmRSS")) / 1024
            print(json.dumps(out), flush=True)
            QApplication.instance().quit()
t = QTimer(); t.timeout.connect(tick); t.start(5)
QTimer.singleShot(0, tick)
from wallet.cli.main import main  # the real entry point: `ai-wallet --data-dir D`
sys.exit(main(["--data-dir", os.environ["BENCH_DATA"]]))
"""


def run_child(code: str, env: dict[str, str]) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env, "BENCH_T0": repr(time.time())}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"child printed no figures:\n{out.stdout}\n{out.stderr[-2000:]}")


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as d:
        env = {"BENCH_DATA": d, "BENCH_PW": PASSWORD, "AI_WALLET_KEYRING": "file"}
        from wallet.config import DataDir
        from wallet.devnet.manager import DevnetManager
        from wallet.service import WalletService

        os.environ["AI_WALLET_KEYRING"] = "file"
        service = WalletService(DataDir(Path(d)))
        service.create_wallet(PASSWORD)
        addr = service.current_account()
        service.devnet_up()
        assert addr is not None
        service.devnet_faucet(addr, 10**18, 100 * 10**18)
        service.close()
        DevnetManager(DataDir(Path(d))).down()  # each app launch starts it itself, as a user's would

        bare: list[float] = []
        apps: list[dict[str, float]] = []
        for _ in range(RUNS):  # interleaved, so a slow spell of the machine hits both sides alike
            bare.append(run_child(BARE, {})["paint"])
            apps.append(run_child(APP, env))
    paint = [a["paint"] for a in apps]
    b = statistics.median(bare)
    print(f"bare PySide6 window, first paint   median {b * 1000:7.0f} ms")
    print(f"wallet window, first paint          median {statistics.median(paint) * 1000:7.0f} ms   "
          f"{statistics.median(paint) / b:4.2f}x bare")
    print(f"lock screen ready (devnet started)  median {statistics.median(a['locked'] for a in apps) * 1000:7.0f} ms")
    print(f"usable home (unlocked, balances)    median {statistics.median(a['home'] for a in apps) * 1000:7.0f} ms")
    print(f"idle RSS after one quote            median {statistics.median(a['rss_mb'] for a in apps):7.0f} MB")


if __name__ == "__main__":
    main()
