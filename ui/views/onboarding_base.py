"""What every onboarding step looks like: a centred column with its step number, heading, intro and content,
and a row with Back on the left and the step's one primary action on the right."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.main_window import centred
from ui.widgets.common import error_label, primary_button, subtitle, title

COLUMN_WIDTH = 600


class Step(QWidget):
    back_requested = Signal()

    def __init__(self, heading: str, intro: str, step_text: str = "", action_text: str = "Continue",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy = False
        self._action_text = action_text
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        column = QWidget()
        column.setFixedWidth(COLUMN_WIDTH)
        self.body = QVBoxLayout(column)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(10)
        self.step_label = QLabel(step_text)
        self.step_label.setProperty("role", "subtitle")
        self.step_label.setVisible(bool(step_text))
        self.body.addWidget(self.step_label)
        self.body.addWidget(title(heading))
        self.intro = subtitle(intro)
        self.body.addWidget(self.intro)
        self.body.addSpacing(6)
        self.content = QVBoxLayout()
        self.content.setSpacing(8)
        self.body.addLayout(self.content)
        self.error = error_label()
        self.body.addWidget(self.error)
        self.body.addSpacing(8)
        row = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.back_button.setToolTip("Back (Esc)")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.go_back)
        self.action_button = primary_button(action_text)
        self.action_button.setMinimumWidth(150)
        self.back_button.setMinimumWidth(96)
        for b in (self.back_button, self.action_button):
            b.setMinimumHeight(30)  # the same height for the plain and the accent button
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.action_button)
        self.body.addLayout(row)
        outer.addLayout(centred(column))
        outer.addStretch(2)

    def go_back(self) -> None:
        if not self.busy:
            self.back_requested.emit()

    def set_busy(self, on: bool, text: str = "") -> None:
        """While an operation runs: inputs and Back are disabled and the action says what is happening."""
        self.busy = on
        self.back_button.setEnabled(not on)
        self.action_button.setText(text if on else self._action_text)
        self.set_inputs_enabled(not on)
        self.update_action()

    def set_inputs_enabled(self, on: bool) -> None:
        """Overridden by steps with inputs."""

    def ready(self) -> bool:
        return True

    def update_action(self) -> None:
        self.action_button.setEnabled(not self.busy and self.ready())

    def reset(self) -> None:
        """Forget everything typed or shown (secrets included) and return to the initial state."""
