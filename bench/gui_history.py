"""History in the desktop app over a wallet database of 100,000 rows: opening the page (click → first rows painted,
and → chart drawn), against the same with 100 rows and against the core's query of the first page alone
(the baseline); then scrolling: a page down at a time, and jumps to the bottom and back, each until every
visible row is painted with its data. Prints figures; asserts nothing.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_history.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("AI_WALLET_KEYRING", "file")
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "gui"))
from common import machine
from historykit import seed_history
from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

import ui  # noqa: F401  (Qt without PySide's import hook, as the app)

ROWS = 100_000
RUNS = int(os.environ.get("BENCH_RUNS", "9"))
PHRASE = "test test test test test test test test test test test junk"


def ms(samples: list[float]) -> str:
    s = sorted(x * 1000 for x in samples)
    return f"median {statistics.median(s):7.1f} ms   p95 {s[round(0.95 * (len(s) - 1))]:7.1f} ms   (n={len(s)})"


def wait_until(app: QApplication, done, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Run the event loop (asleep between events) until ``done()``."""
    end = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError
        loop = QEventLoop()
        QTimer.singleShot(1, loop.quit)
        loop.exec()


def wallet(tmp: Path, rows: int):  # type: ignore[no-untyped-def]
    from wallet.config import DataDir
    from wallet.service import WalletService

    service = WalletService(DataDir(tmp).ensure(), auto_lock=False)
    service.import_mnemonic(PHRASE, "bench password 1")
    seed_history(service.data_dir.database, service.profile.chain_id, service.current_account() or "", rows)
    return service


def open_history(app: QApplication, service) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    """A fresh window; click History; (seconds to the first rows painted, to the chart drawn, the window)."""
    from ui.controller import AppController
    from ui.main_window import MainWindow
    from ui.pages.history import HistoryPage

    controller = AppController(service)
    win = MainWindow(controller)
    win.resize(1100, 720)
    win.show()
    controller._enter("main")
    shell = win.view("main")
    page = next(p for p in shell.page_list if isinstance(p, HistoryPage))
    app.processEvents()
    t0 = time.perf_counter()
    shell.show_page("History")
    wait_until(app, lambda: page.model.row_at(0) is not None)
    page.table.viewport().repaint()
    rows = time.perf_counter() - t0
    wait_until(app, lambda: page.chart is not None and bool(page.chart.periods))
    page.chart.viewport().repaint()
    chart = time.perf_counter() - t0
    return rows, chart, (win, controller, page)


def visible_rows_read(page) -> bool:  # type: ignore[no-untyped-def]
    top = page.table.rowAt(0)
    bottom = page.table.rowAt(page.table.viewport().height() - 1)
    bottom = page.model.rowCount() - 1 if bottom < 0 else bottom
    return all(page.model.row_at(r) is not None for r in range(max(top, 0), bottom + 1))


def scroll_figures(app: QApplication, page) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    bar = page.table.verticalScrollBar()
    steps: list[float] = []
    for _ in range(300):  # page down, 300 times: about 6,000 rows
        t0 = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep())
        wait_until(app, lambda: visible_rows_read(page))
        page.table.viewport().repaint()
        steps.append(time.perf_counter() - t0)
    jumps: list[float] = []
    for target in (bar.maximum(), 0, bar.maximum() // 2, bar.maximum(), 0) * 2:
        t0 = time.perf_counter()
        bar.setValue(target)
        wait_until(app, lambda: visible_rows_read(page))
        page.table.viewport().repaint()
        jumps.append(time.perf_counter() - t0)
    return {"page down": steps, "jump (bottom, top, middle)": jumps}


def main() -> None:
    from wallet.history.model import HistoryFilter

    print(f"machine: {machine()}")
    QCoreApplication.setOrganizationName("AI Token Wallet Bench")
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, f"{tmp}/qsettings")
        big, small = wallet(Path(tmp) / "big", ROWS), wallet(Path(tmp) / "small", 100)
        opened: dict[str, list[float]] = {"rows_big": [], "chart_big": [], "rows_small": [], "chart_small": [],
                                          "query": []}
        flt = HistoryFilter()
        big.history_page(flt, 0, 200)  # SQLite's first read of the file
        kept = None
        for i in range(RUNS):  # interleaved: a slow spell of the machine hits every side alike
            t0 = time.perf_counter()
            big.history_page(flt, 0, 200)
            opened["query"].append(time.perf_counter() - t0)
            for name, service in (("big", big), ("small", small)):
                rows, chart, held = open_history(app, service)
                opened[f"rows_{name}"].append(rows)
                opened[f"chart_{name}"].append(chart)
                win, controller, page = held  # type: ignore[misc]
                if name == "big" and i == RUNS - 1:
                    kept = held
                else:
                    win.close()
                    controller.shutdown()
                    win.deleteLater()
                    app.processEvents()
        win, controller, page = kept  # type: ignore[misc]
        scrolled = scroll_figures(app, page)
        print("\nOpening History (click → painted), window 1100×720")
        print(f"{'core: the first page of 200 rows (baseline)':<46} {ms(opened['query'])}")
        print(f"{'100 rows: first rows painted':<46} {ms(opened['rows_small'])}")
        print(f"{f'{ROWS:,} rows: first rows painted':<46} {ms(opened['rows_big'])}   "
              f"{statistics.median(opened['rows_big']) / statistics.median(opened['query']):.1f}× baseline")
        print(f"{'100 rows: chart drawn':<46} {ms(opened['chart_small'])}")
        print(f"{f'{ROWS:,} rows: chart drawn':<46} {ms(opened['chart_big'])}")
        print(f"\nScrolling {ROWS:,} rows (until every visible row is painted with its data)")
        for name, samples in scrolled.items():
            print(f"{name:<46} {ms(samples)}")
        win.close()
        controller.shutdown()
        big.close()
        small.close()


if __name__ == "__main__":
    main()
