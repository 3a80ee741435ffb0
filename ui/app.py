"""Entry point of the desktop app: paint the window first, then start everything heavy in the background."""

from __future__ import annotations

import logging
import signal
import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from wallet.config import DataDir


def run_app(data_dir: DataDir, network: str | None = None, argv: list[str] | None = None) -> int:
    from ui.controller import AppController
    from ui.main_window import MainWindow
    from ui.theme import apply_theme
    from wallet.service import WalletService

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    QCoreApplication.setOrganizationName("AI Token Wallet")
    QCoreApplication.setApplicationName("AI Token Wallet")
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    apply_theme(app)  # type: ignore[arg-type]
    service = WalletService(data_dir.ensure(), network=network)
    controller = AppController(service)
    window = MainWindow(controller)
    window.show()
    # Start the network and warm-ups once the first frame is on screen.
    QTimer.singleShot(0, controller.start)
    app.aboutToQuit.connect(controller.shutdown)  # type: ignore[union-attr]
    # Ctrl+C in the terminal quits cleanly (stopping a devnet the app started).
    signal.signal(signal.SIGINT, lambda *_: app.quit())  # type: ignore[union-attr]
    signal.signal(signal.SIGTERM, lambda *_: app.quit())  # type: ignore[union-attr]
    timer = QTimer()
    timer.start(250)
    timer.timeout.connect(lambda: None)  # lets Python handle signals while Qt's loop runs
    return int(app.exec())  # type: ignore[union-attr]
