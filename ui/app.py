"""Entry point of the desktop app: paint the window first, then the screen a person can use, then bring in
everything heavy behind it.

Before the first frame only PySide6 and the bare window are imported. The service, the controller, the status
bar and the first screen (onboarding or the lock screen, decided from accounts.json alone) follow right
after it; the key library, the network, the devnet and the tokenizer load once that screen is painted.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from ui.controller import AppController
    from ui.main_window import MainWindow
    from wallet.config import DataDir

log = logging.getLogger(__name__)


class _FirstPaint(QObject):
    def __init__(self, target: QWidget, then: Callable[[], None]) -> None:
        super().__init__(target)
        self._then = then
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


def use_one_malloc_arena() -> None:
    """glibc gives each thread that allocates its own malloc arena, and what a worker frees (network replies,
    the tokenizer's build, key derivation) stays in that arena for it alone: ~11 MiB more resident memory at
    idle. The app's Python work is serialized by the interpreter anyway, so one arena costs no speed. Called
    before the app starts its worker threads; a no-op where libc is not glibc."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    m_arena_max = -8  # glibc's malloc.h
    with contextlib.suppress(OSError, AttributeError):  # musl and others: no per-thread arenas to limit
        ctypes.CDLL("libc.so.6").mallopt(m_arena_max, 1)


def attach_controller(window: MainWindow, data_dir: DataDir, network: str | None) -> AppController | None:
    """Make the service and its controller and attach them to the window. If that fails (a damaged settings
    file, a data folder that cannot be created), the start-up view says why and the window stays open, to be
    read and closed; None is returned."""
    from ui.controller import AppController
    from ui.errors import user_message
    from wallet.service import WalletService

    try:
        controller = AppController(WalletService(data_dir.ensure(), network=network))
    except Exception as exc:
        if isinstance(exc, OSError):
            message = f"The wallet's data folder {data_dir.root} cannot be used: {exc.strerror or exc}."
            log.error("the wallet could not start: %s", message)
        else:
            message = user_message(exc, "starting the wallet")  # logged with its traceback if unexpected
        window.starting.show_error(f"The wallet could not start.\n{message}")
        return None
    window.attach(controller)
    return controller


def run_app(data_dir: DataDir | Path | None, network: str | None = None, argv: list[str] | None = None) -> int:
    """``data_dir``: a DataDir, a folder, or None for the platform's default (resolved after the first frame:
    even platformdirs' import is kept off that path)."""
    from ui.main_window import MainWindow
    from ui.theme import apply_theme, follow_system_scheme
    from ui.x11_check import x11_problem

    if QApplication.instance() is None and (problem := x11_problem()):
        print(f"error: {problem}", file=sys.stderr)  # instead of Qt's abort, which names the wrong library
        return 1
    QCoreApplication.setOrganizationName("AI Token Wallet")
    QCoreApplication.setApplicationName("AI Token Wallet")
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    apply_theme(app, exact=False, sheet=False)  # type: ignore[arg-type]
    window = MainWindow()
    state: dict[str, object] = {}

    def attach() -> None:
        from wallet.config import DataDir, default_data_dir
        from wallet.logs import setup_logging

        use_one_malloc_arena()
        folder = data_dir if isinstance(data_dir, DataDir) else DataDir(data_dir or default_data_dir())
        setup_logging(folder, "app")  # console and <data dir>/logs/app.log, secrets redacted
        follow_system_scheme(app)  # type: ignore[arg-type]
        controller = attach_controller(window, folder, network)
        if controller is None:
            return
        state["controller"] = controller
        app.aboutToQuit.connect(controller.shutdown)  # type: ignore[union-attr]
        controller.show_first_screen()
        # Only once that screen is on screen does anything heavy load: a thread importing web3 would hold
        # the interpreter while the GUI thread paints.
        _FirstPaint(window.modes.currentWidget(), controller.load_behind)

    _FirstPaint(window, attach)
    window.show()
    # Ctrl+C in the terminal quits cleanly (stopping a devnet the app started).
    signal.signal(signal.SIGINT, lambda *_: app.quit())  # type: ignore[union-attr]
    signal.signal(signal.SIGTERM, lambda *_: app.quit())  # type: ignore[union-attr]
    timer = QTimer()
    timer.start(250)
    timer.timeout.connect(lambda: None)  # lets Python handle signals while Qt's loop runs
    return int(app.exec())  # type: ignore[union-attr]
