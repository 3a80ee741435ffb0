"""Launch of the desktop app, each figure measured from process start in a fresh interpreter, each launch
interleaved with a bare PySide6 window started the same way:

* first painted window (goal ≤ 1.3× the bare window);
* a usable lock screen (a wallet exists) and a usable onboarding (no wallet): the view painted with its
  field focused (goal ≤ 2× the bare window), and which heavy libraries were loaded by then (goal: none);
* a usable home screen: unlocked through the lock screen, devnet started, balances shown;
* idle memory (RSS) after one quote typed into Run a task, once everything has loaded (goal ≤ 180 MiB).

Then, in one more fresh process, where that memory goes: what each part adds when imported in the app's order.
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

RUNS = int(os.environ.get("BENCH_RUNS", "9"))
PASSWORD = "bench password 1"
HEAVY = ("web3", "eth_account", "tiktoken")

BARE = r"""
import os, sys, time, json
T0 = float(os.environ["BENCH_T0"])
from PySide6.QtCore import QEvent, QObject
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

# The real entry point (`ai-wallet --data-dir D`). Only the window's and the first screen's own paint events
# are watched: an application-wide Python event filter would make PySide wrap every object of every event.
APP = r"""
import os, sys, time, json, gc
T0 = float(os.environ["BENCH_T0"])
import ui  # first, as `ai-wallet` imports it
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from ui.main_window import MainWindow
HEAVY = os.environ["BENCH_HEAVY"].split(",")
out = {}
SCREENS = ("locked", "onboarding")

def rss():
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "RssAnon", "RssFile")}

class Painted(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint:
            if isinstance(o, MainWindow) and "paint" not in out:
                out["paint"] = time.time() - T0
            elif "screen" not in out and o.window().controller.mode in SCREENS:
                out["screen"] = time.time() - T0
                out["mode"] = o.window().controller.mode
                out["heavy_loaded"] = [m for m in HEAVY if m in sys.modules]
                if out["mode"] == "onboarding":  # done: leave before anything loads behind it
                    print(json.dumps(out), flush=True)
                    os._exit(0)
        return False
painted = Painted()
_show = MainWindow.show
def show(self):
    self.installEventFilter(painted)
    _show(self)
MainWindow.show = show
_set_mode = MainWindow.set_mode
def set_mode(self, mode):
    _set_mode(self, mode)
    if mode in SCREENS:
        self.modes.currentWidget().installEventFilter(painted)
MainWindow.set_mode = set_mode

_app = QApplication(sys.argv[:1])  # timers need the application to exist; run_app reuses it
state = {"step": "unlock"}
def window():
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None)
def tick():
    w = window()
    c = getattr(w, "controller", None)
    if c is None or "screen" not in out:
        return
    if state["step"] == "unlock" and c.mode == "locked":
        view = w.modes.currentWidget()
        view.password.setText(os.environ["BENCH_PW"])
        view.unlock()
        state["step"] = "home"
    elif state["step"] == "home" and c.mode == "main":
        shell = w.view("main")
        if shell.page_list[0].balances is not None:
            out["home"] = time.time() - T0
            state["step"] = "quote"
    elif state["step"] == "quote" and not c._loading:  # the key library, network and tokenizer are in
        shell = w.view("main")
        page = next(p for p in shell.page_list if p.name == "Run a task")
        shell.show_page("Run a task")
        if page.panel.state == "empty" and page.picker.model() is not None:
            page.prompt.setPlainText("Summarise the design of a wallet. " * 50)
        elif page.panel.state == "ok":
            out["model"] = page.picker.model().model
            gc.collect()
            out.update(rss())
            from wallet import tokenizers
            out["encodings"] = [e for e in tokenizers.SUPPORTED_ENCODINGS if tokenizers.is_loaded(e)]
            print(json.dumps(out), flush=True)
            QApplication.instance().quit()
t = QTimer(); t.timeout.connect(tick); t.start(5)
from wallet.cli.main import main
sys.exit(main(["--data-dir", os.environ["BENCH_DATA"]]))
"""

# Where the idle memory goes: each part of the app imported (and the encoding loaded) in the app's order.
BREAKDOWN = r"""
import gc, json, sys
import ui
def rss():
    gc.collect()
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
rows = [("Python", rss())]
def step(name, fn):
    fn(); rows.append((name, rss()))
from PySide6.QtWidgets import QApplication
step("Qt (QtWidgets, an application)", lambda: QApplication([]))
step("the app's windows and pages", lambda: [__import__(m) for m in (
    "ui.shell", "ui.views.lock", "ui.views.onboarding", "ui.pages.run_task", "ui.pages.home",
    "ui.pages.providers", "ui.pages.settings")])
step("the key library (eth_account)", lambda: __import__("wallet.keys.manager"))
step("the chain library (web3)", lambda: __import__("wallet.chain.client"))
from wallet import tokenizers
step("o200k_base encoding", lambda: tokenizers.get_encoding("o200k_base"))
step("cl100k_base encoding (not loaded unless a model needs it)", lambda: tokenizers.get_encoding("cl100k_base"))
print(json.dumps(rows))
"""


def run_child(code: str, env: dict[str, str]) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BENCH_HEAVY": ",".join(HEAVY), **env,
           "BENCH_T0": repr(time.time())}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app has its bytecode compiled
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith(("{", "[")):
            return json.loads(line)
    raise RuntimeError(f"child printed no figures:\n{out.stdout}\n{out.stderr[-2000:]}")


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.0f} ms"


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as wallet_dir, tempfile.TemporaryDirectory() as empty_root:
        env = {"BENCH_PW": PASSWORD, "AI_WALLET_KEYRING": "file", "XDG_CONFIG_HOME": f"{empty_root}/config"}
        from wallet.config import DataDir
        from wallet.devnet.manager import DevnetManager
        from wallet.service import WalletService

        os.environ["AI_WALLET_KEYRING"] = "file"
        service = WalletService(DataDir(Path(wallet_dir)))
        service.create_wallet(PASSWORD)
        addr = service.current_account()
        service.devnet_up()
        assert addr is not None
        service.devnet_faucet(addr, 10**18, 100 * 10**18)
        service.close()
        DevnetManager(DataDir(Path(wallet_dir))).down()  # each app launch starts it itself, as a user's would

        def app(data: str) -> dict:
            try:
                return run_child(APP, {**env, "BENCH_DATA": data})
            finally:  # the app stops the devnet it started; a child killed by the timeout could not
                DevnetManager(DataDir(Path(data))).down()

        run_child(BARE, env)  # bytecode and disk caches, as on a machine where the app was run before
        app(f"{empty_root}/warm-up")
        bare: list[float] = []
        locked: list[dict] = []
        onboarding: list[dict] = []
        for i in range(RUNS):  # interleaved, so a slow spell of the machine hits every side alike
            bare.append(run_child(BARE, env)["paint"])
            locked.append(app(wallet_dir))
            onboarding.append(app(f"{empty_root}/new-{i}"))
        breakdown = run_child(BREAKDOWN, env)

    b = statistics.median(bare)

    def row(name: str, samples: list[float]) -> None:
        print(f"{name:<44}median {ms(samples)}   {statistics.median(samples) / b:4.2f}x bare")

    print(f"{'bare PySide6 window, first paint':<44}median {ms(bare)}")
    row("wallet window, first paint", [a["paint"] for a in locked + onboarding])
    row("lock screen usable (painted, field focused)", [a["screen"] for a in locked])
    row("onboarding usable (painted)", [a["screen"] for a in onboarding])
    heavy = sorted({m for a in locked + onboarding for m in a["heavy_loaded"]})
    print(f"heavy libraries loaded by the first screen: {', '.join(heavy) or 'none'}")
    print(f"{'usable home (unlocked, devnet up, balances)':<44}median {ms([a['home'] for a in locked])}")
    print(f"idle RSS after one quote ({locked[0]['model']}; encodings loaded: "
          f"{', '.join(locked[0]['encodings'])})")
    for key, what in (("VmRSS", "resident"), ("RssAnon", "  of which heap"), ("RssFile", "  of which files")):
        print(f"  {what:<20}median {statistics.median(a[key] for a in locked):6.0f} MiB")
    print("where it goes (one fresh process, parts imported in the app's order):")
    previous = 0.0
    for name, total in breakdown:
        print(f"  {name:<58}{total - previous:+7.1f} MiB  = {total:6.1f} MiB")
        previous = total


if __name__ == "__main__":
    main()
