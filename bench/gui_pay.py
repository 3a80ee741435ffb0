"""Pay and run in the desktop app, on the devnet's demo provider: "Pay and run" click → confirmation shown (the
provider asked, the guard run, the terms painted); confirmation → answer shown (sign, send, the provider's answer,
the on-chain check, the receipt painted); beside, in the same run and interleaved, the same task paid by the core
alone (prepare + pay, the baseline of the app's own overhead) and by the CLI (`ai-wallet run --yes`, a process
per task). Then the app's idle memory after one paid task. Prints figures; asserts nothing.

The app is the real one (`ai-wallet --data-dir D`, offscreen) in a child process, driven by a timer: unlock, Run
a task, type a prompt, pay. The devnet (anvil, the demo gateways, their facilitator) runs before it starts.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_pay.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
PASSWORD = "bench password 1"
PROVIDER, MODEL, MAX_OUTPUT = 1, "gpt-4o-mini", 64

APP = r"""
import gc, json, os, subprocess, sys, time
from PySide6.QtCore import QEventLoop, QTimer, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui.main_window import MainWindow

ROUNDS, DATA, PW = int(os.environ["BENCH_ROUNDS"]), os.environ["BENCH_DATA"], os.environ["BENCH_PW"]
out = {"click_to_sheet": [], "click_to_terms": [], "confirm_to_answer": [], "core": [], "cli": []}
state = {"step": "unlock", "round": -1}
app = QApplication(sys.argv[:1])

def rss():
    gc.collect()
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "RssAnon", "RssFile")}

def window():
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None)

def cli_run(i):
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "wallet.cli.main", "--data-dir", DATA, "run", "--provider", "1",
                        "--model", "gpt-4o-mini", "--max-output", "64", "--prompt", f"CLI task {i}: be brief.",
                        "--yes", "--password-file", os.environ["BENCH_PW_FILE"], "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out["cli"].append(time.perf_counter() - t0)

def core_run(service, i):
    from wallet.quote import PromptInput
    t0 = time.perf_counter()
    prepared = service.prepare_payment(1, "gpt-4o-mini", PromptInput.text(f"Core task {i}: be brief."), 64)
    assert service.pay(prepared).tx_hash
    out["core"].append(time.perf_counter() - t0)

def pay_round(page, i):
    page.prompt.setPlainText(f"App task {i}: be brief.")
    page.requote()
    marks = {}
    loop = QEventLoop()  # waits asleep: a busy processEvents loop would hold the interpreter from the workers
    def mark(name):
        marks.setdefault(name, time.perf_counter())
        loop.quit()
    page.payment.confirmation_shown.connect(lambda d: mark("terms"))
    page.payment.finished.connect(lambda r: mark("answer"))
    t0 = time.perf_counter()
    QTest.mouseClick(page.panel.pay_button, Qt.MouseButton.LeftButton)
    dialog = page.payment.dialog
    dialog.repaint()
    t_sheet = time.perf_counter()
    if "terms" not in marks:
        loop.exec()
    dialog.repaint()
    t_terms = time.perf_counter()
    assert dialog.terms.ok, dialog.terms.verdict
    t1 = time.perf_counter()
    QTest.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    if "answer" not in marks:
        loop.exec()
    page.result.repaint()
    t_answer = time.perf_counter()
    assert page.result.tx.tx_hash, page.result.problem.text()
    page.payment.confirmation_shown.disconnect()
    page.payment.finished.disconnect()
    return t_sheet - t0, t_terms - t0, t_answer - t1

def tick():
    w = window()
    c = getattr(w, "controller", None)
    if c is None or state["step"] == "busy":
        return
    if state["step"] == "unlock" and c.mode == "locked":
        view = w.modes.currentWidget()
        view.password.setText(PW)
        view.unlock()
        state["step"] = "task"
    elif state["step"] == "task" and c.mode == "main" and not c._loading:
        shell = w.view("main")
        page = next(p for p in shell.page_list if p.name == "Run a task")
        shell.show_page("Run a task")
        if page.picker.model() is None or page.balance is None:
            return
        page.panel.set_budget(64)
        state["step"] = "busy"
        page.prompt.setPlainText("App task: be brief.")  # quoted, then idle: the memory before any payment
        page.requote()
        loop = QEventLoop()
        QTimer.singleShot(3000, loop.quit)
        loop.exec()
        out["before"] = rss()["VmRSS"]
        pay_round(page, -1)  # one paid task, then idle
        state.update(step="idle", page=page, since=time.perf_counter())
    elif state["step"] == "idle" and time.perf_counter() - state["since"] > 3:
        out.update(rss())
        state["step"] = "busy"
        page, service = state["page"], c.service
        for i in range(ROUNDS):  # interleaved: a slow spell of the machine hits every side alike
            sheet, terms, answer = pay_round(page, i)
            out["click_to_sheet"].append(sheet)
            out["click_to_terms"].append(terms)
            out["confirm_to_answer"].append(answer)
            core_run(service, i)
            cli_run(i)
        print(json.dumps(out), flush=True)
        app.quit()

t = QTimer(); t.timeout.connect(tick); t.start(5)
from wallet.cli.main import main
sys.exit(main(["--data-dir", DATA]))
"""


def ms(samples: list[float]) -> str:
    s = sorted(x * 1000 for x in samples)
    return f"median {statistics.median(s):7.1f} ms   p95 {s[round(0.95 * (len(s) - 1))]:7.1f} ms   (n={len(s)})"


def main() -> None:
    from wallet.config import DataDir
    from wallet.devnet.anvil import free_port
    from wallet.devnet.manager import DevnetManager
    from wallet.service import WalletService
    from wallet.units import ONE

    print(f"machine: {machine()}")
    os.environ["AI_WALLET_KEYRING"] = "file"
    with tempfile.TemporaryDirectory() as tmp:
        data = DataDir(Path(tmp) / "wallet").ensure()
        manager = DevnetManager(data)
        manager.up(free_port())
        try:
            service = WalletService(data)
            service.create_wallet(PASSWORD)
            address = service.current_account() or ""
            service.devnet_faucet(address, 0, 100 * ONE)
            service.set_payment_budgets(None, None)
            service.close()
            pw_file = Path(tmp) / "pw"
            pw_file.write_text(PASSWORD + "\n")
            env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BENCH_DATA": str(data.root), "BENCH_PW": PASSWORD,
                   "BENCH_PW_FILE": str(pw_file), "BENCH_ROUNDS": str(ROUNDS), "XDG_CONFIG_HOME": f"{tmp}/config"}
            proc = subprocess.run([sys.executable, "-c", APP], capture_output=True, text=True, env=env, timeout=900)
            line = next((x for x in reversed(proc.stdout.splitlines()) if x.startswith("{")), None)
            if line is None:
                raise RuntimeError(f"the app printed no figures:\n{proc.stdout}\n{proc.stderr[-3000:]}")
            out = json.loads(line)
        finally:
            manager.down()
    print(f"\nPay and run, demo provider, {MODEL}, output budget {MAX_OUTPUT}")
    print(f"{'click → confirmation sheet open':<44} {ms(out['click_to_sheet'])}")
    print(f"{'click → confirmation shown (terms, verdict)':<44} {ms(out['click_to_terms'])}")
    print(f"{'confirmation → answer shown':<44} {ms(out['confirm_to_answer'])}")
    app_total = [a + b for a, b in zip(out["click_to_terms"], out["confirm_to_answer"], strict=True)]
    print(f"{'app: click → answer (both above)':<44} {ms(app_total)}")
    print(f"{'core alone: prepare + pay (baseline)':<44} {ms(out['core'])}   "
          f"app {statistics.median(app_total) / statistics.median(out['core']):.2f}× core")
    print(f"{'CLI: ai-wallet run --yes (a process each)':<44} {ms(out['cli'])}   "
          f"app {statistics.median(app_total) / statistics.median(out['cli']):.2f}× CLI")
    print(f"\nidle RSS, a task quoted, before any payment: {out['before']:.0f} MiB")
    print(f"idle RSS after one paid task: {out['VmRSS']:.0f} MiB "
          f"(heap {out['RssAnon']:.0f} MiB, files {out['RssFile']:.0f} MiB)")


if __name__ == "__main__":
    main()
