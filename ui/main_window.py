"""The window. It paints first with only the start-up view; the controller, the status bar and every other
view are attached after that first frame, so nothing heavy is imported before the window is on screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from ui.controller import AppController
    from ui.shell import Shell
    from ui.status_bar import StatusBar


# Every page fits at this size without clipping (Run a task's quote panel scrolls below it); the Providers
# page's model table sets the width.
MINIMUM_SIZE = (940, 600)


def centred(widget: QWidget) -> QHBoxLayout:
    """``widget`` centred between stretches. Not an alignment flag: an aligned item gets only its size hint,
    which ignores how tall word-wrapped labels become; and the Qt namespace costs ~15 ms on first use, which
    the first frame should not pay."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget)
    row.addStretch(1)
    return row


class StartingView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        heading = QLabel("AI Token Wallet")
        heading.setProperty("role", "title")
        font = heading.font()  # the style sheet arrives after the first frame; the heading looks right before
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        layout.addLayout(centred(heading))
        self.progress = QLabel("Starting…")
        self.progress.setProperty("role", "subtitle")
        layout.addLayout(centred(self.progress))
        self.quit_button = QPushButton("Quit")  # only when the wallet cannot start
        self.quit_button.clicked.connect(lambda: self.window().close())
        self.quit_button.hide()
        layout.addLayout(centred(self.quit_button))
        layout.addStretch(2)

    def show_error(self, text: str) -> None:
        """The wallet could not start: say why, in the error colour, and offer to quit."""
        from PySide6.QtCore import Qt

        from ui.theme import colour

        self.progress.setTextFormat(Qt.TextFormat.PlainText)  # the message may quote a path
        self.progress.setWordWrap(True)
        self.progress.setMaximumWidth(560)
        self.progress.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress.setStyleSheet(f"color: {colour('danger')};")
        self.progress.setText(text)
        self.quit_button.show()


class MainWindow(QMainWindow):
    def __init__(self, controller: AppController | None = None) -> None:
        super().__init__()
        self.setWindowTitle("AI Token Wallet")
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(1100, 720)
        self.modes = QStackedWidget()
        self.setCentralWidget(self.modes)
        self.starting = StartingView()
        self.modes.addWidget(self.starting)
        self._views: dict[str, QWidget] = {"starting": self.starting}
        self._tracking = False
        self._restore_geometry()
        if controller is not None:
            self.attach(controller)

    def attach(self, controller: AppController) -> None:
        """Connect the window to the app's controller: status bar, modes, activity tracking."""
        from ui.menu import AppMenus
        from ui.status_bar import StatusBar

        self.controller = controller
        self.menus = AppMenus(self, controller)
        self.status: StatusBar = StatusBar(controller)
        self.statusBar().addPermanentWidget(self.status, 1)
        self.status.pending_clicked.connect(lambda: self.view("main").go_to("History", "pending"))  # type: ignore[attr-defined]
        controller.startup_progress.connect(self.starting.progress.setText)
        controller.mode_changed.connect(self.set_mode)

    def view(self, mode: str) -> QWidget:
        """Views are built on first use."""
        if mode not in self._views:
            if mode == "main":
                from ui.shell import Shell

                shell = Shell(self.controller)
                self._restore_splitter(shell)
                self.menus.add_pages(shell)
                widget: QWidget = shell
            elif mode == "locked":
                from ui.views.lock import LockView

                widget = LockView(self.controller)
            else:
                from ui.views.onboarding import OnboardingView

                widget = OnboardingView(self.controller)
            self._views[mode] = widget
            self.modes.addWidget(widget)
        return self._views[mode]

    def set_mode(self, mode: str) -> None:
        if mode == "locked":
            from ui.dialogs.secret import close_all_dialogs

            close_all_dialogs()  # dialogs are windows above the lock screen: nothing stays readable
        widget = self.view(mode)
        self.modes.setCurrentWidget(widget)
        self._track_activity(mode == "main")
        if mode == "main":
            widget.activate()  # type: ignore[attr-defined]
        elif hasattr(widget, "on_shown"):
            widget.on_shown()

    # --- activity, geometry ---
    def _track_activity(self, on: bool) -> None:
        """Input anywhere in the app pushes the auto-lock back, which matters only while unlocked. The filter
        sees every event of every object, and PySide wraps each of them for Python (initialising the
        Python side of every Qt class it meets): the lock screen and onboarding go without it."""
        app = QApplication.instance()
        if on and not self._tracking:
            app.installEventFilter(self)  # type: ignore[union-attr]
        elif not on and self._tracking:
            app.removeEventFilter(self)  # type: ignore[union-attr]
        self._tracking = on

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            self.controller.activity()
        return False

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)  # a QByteArray written by saveGeometry

    def _restore_splitter(self, shell: Shell) -> None:
        state = QSettings().value("window/splitter")
        if state is not None:
            shell.splitter.restoreState(state)
        else:
            shell.splitter.setSizes([210, 890])

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        shell = self._views.get("main")
        if shell is not None:
            settings.setValue("window/splitter", shell.splitter.saveState())  # type: ignore[attr-defined]
        self._track_activity(False)
        super().closeEvent(event)
