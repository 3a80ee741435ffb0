"""Creating a wallet: choose a password and a phrase length, write the phrase down, prove it by three words."""

from __future__ import annotations

import secrets

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QRadioButton

from ui.dialogs.mnemonic import PHRASE_WARNING, PhraseGrid, WarningBox
from ui.theme import colour
from ui.views.onboarding_base import Step
from ui.widgets.common import show_error_text
from ui.widgets.password import NewPasswordFields

CONFIRM_WORDS = 3


class PasswordStep(Step):
    continued = Signal()

    def __init__(self) -> None:
        super().__init__(
            "Create a new wallet",
            "Choose a password. It unlocks the wallet on this computer and encrypts your keys. It cannot "
            "restore the wallet elsewhere — your recovery phrase (next step) does that.",
            "Step 1 of 3 · Password")
        self.fields = NewPasswordFields("Password")
        self.content.addWidget(self.fields)
        self.content.addSpacing(6)
        self.content.addWidget(QLabel("Recovery phrase length"))
        row = QHBoxLayout()
        self.words12 = QRadioButton("12 words (standard)")
        self.words24 = QRadioButton("24 words")
        self.words12.setChecked(True)
        self.length_group = QButtonGroup(self)
        self.length_group.addButton(self.words12, 12)
        self.length_group.addButton(self.words24, 24)
        row.addWidget(self.words12)
        row.addSpacing(16)
        row.addWidget(self.words24)
        row.addStretch(1)
        self.content.addLayout(row)
        self.fields.changed.connect(self.update_action)
        self.fields.submitted.connect(self.submit)
        self.action_button.clicked.connect(self.submit)
        self.update_action()

    def words(self) -> int:
        return 24 if self.words24.isChecked() else 12

    def password(self) -> str:
        return self.fields.text()

    def ready(self) -> bool:
        return self.fields.acceptable()

    def submit(self) -> None:
        if not self.busy and self.ready():
            self.continued.emit()

    def set_inputs_enabled(self, on: bool) -> None:
        self.fields.set_enabled(on)
        self.words12.setEnabled(on)
        self.words24.setEnabled(on)

    def reset(self) -> None:
        self.fields.clear()
        self.words12.setChecked(True)
        show_error_text(self.error, "")

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.fields.password.setFocus()


class PhraseStep(Step):
    continued = Signal()

    def __init__(self) -> None:
        super().__init__(
            "Write down your recovery phrase",
            "These words are your wallet. On the next step you will be asked for three of them.",
            "Step 2 of 3 · Recovery phrase")
        self.content.addWidget(WarningBox(PHRASE_WARNING))
        self.content.addSpacing(4)
        self.grid = PhraseGrid()
        self.content.addWidget(self.grid)
        self.content.addSpacing(4)
        self.written = QCheckBox("I have written down these words, in order, and keep them somewhere safe")
        self.content.addWidget(self.written)
        self.written.toggled.connect(self.update_action)
        self.action_button.clicked.connect(self.submit)
        self.update_action()

    def show_phrase(self, words: list[str]) -> None:
        self.grid.set_words(words)
        self.written.setChecked(False)
        self.written.setText(f"I have written down these {len(words)} words, in order, and keep them safe")

    def ready(self) -> bool:
        return self.written.isChecked()

    def submit(self) -> None:
        if not self.busy and self.ready():
            self.continued.emit()

    def reset(self) -> None:
        self.grid.clear()
        self.written.setChecked(False)


class ConfirmStep(Step):
    """Asks for a few words at random positions; the phrase itself is held by the view, not here."""

    confirmed = Signal()

    def __init__(self) -> None:
        super().__init__(
            "Confirm your recovery phrase",
            "Type the words at these positions from what you wrote down. This proves the backup is "
            "complete before the wallet is created.",
            "Step 3 of 3 · Confirm", action_text="Create wallet")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnStretch(1, 1)
        self.content.addLayout(self.grid)
        self.positions: list[int] = []  # 0-based, ascending
        self._wrong: list[int] = []  # positions said to be wrong, until each is typed again
        self.inputs: list[QLineEdit] = []
        self.labels: list[QLabel] = []
        for i in range(CONFIRM_WORDS):
            label = QLabel()
            field = QLineEdit()
            field.setFixedWidth(260)
            self._mark(field, False)
            field.textChanged.connect(self._edited)
            self.grid.addWidget(label, i, 0)
            self.grid.addWidget(field, i, 1, Qt.AlignmentFlag.AlignLeft)
            self.labels.append(label)
            self.inputs.append(field)
        for a, b in zip(self.inputs, self.inputs[1:], strict=False):
            a.returnPressed.connect(b.setFocus)
        # Checking the words is safe to do on Enter: the wallet is created only if every one is right.
        self.inputs[-1].returnPressed.connect(self.submit)
        self.action_button.clicked.connect(self.submit)
        self._expected: list[str] = []

    def ask(self, words: list[str]) -> None:
        self.positions = sorted(secrets.SystemRandom().sample(range(len(words)), CONFIRM_WORDS))
        self._expected = [words[p] for p in self.positions]
        for label, field, pos in zip(self.labels, self.inputs, self.positions, strict=True):
            label.setText(f"Word #{pos + 1}")
            field.clear()
            field.setAccessibleName(f"Word number {pos + 1}")
            self._mark(field, False)
        self._wrong = []
        show_error_text(self.error, "")
        self.update_action()
        self.inputs[0].setFocus()

    def ready(self) -> bool:
        return bool(self._expected) and all(f.text().strip() for f in self.inputs)

    def wrong_positions(self) -> list[int]:
        return [pos for pos, field, want in zip(self.positions, self.inputs, self._expected, strict=True)
                if field.text().strip().lower() != want]

    def submit(self) -> None:
        if self.busy or not self.ready():
            return
        wrong = self.wrong_positions()
        for field, pos in zip(self.inputs, self.positions, strict=True):
            self._mark(field, pos in wrong)
        self._wrong = wrong
        self._say_wrong()
        if wrong:
            self.inputs[self.positions.index(wrong[0])].selectAll()
            self.inputs[self.positions.index(wrong[0])].setFocus()
            return
        self.confirmed.emit()

    def _say_wrong(self) -> None:
        """The words still marked wrong, or nothing once each has been typed again."""
        wrong = self._wrong
        if not wrong:
            show_error_text(self.error, "")
            return
        which = ", ".join(f"#{p + 1}" for p in wrong)
        noun = "Word" if len(wrong) == 1 else "Words"
        verb = "does" if len(wrong) == 1 else "do"
        show_error_text(self.error, f"{noun} {which} {verb} not match your recovery phrase. Check what you "
                                    "wrote down, or go Back to see the phrase again.")

    def _edited(self) -> None:
        field = self.sender()
        if isinstance(field, QLineEdit):
            self._mark(field, False)
            pos = self.positions[self.inputs.index(field)] if field in self.inputs else None
            if pos in self._wrong:  # being typed again: no longer said to be wrong
                self._wrong = [p for p in self._wrong if p != pos]
                self._say_wrong()
        self.update_action()

    @staticmethod
    def _mark(field: QLineEdit, wrong: bool) -> None:
        # The same frame in both states, so that marking a field wrong does not change its size.
        border = colour("danger") if wrong else "palette(mid)"
        focus = "" if wrong else "QLineEdit:focus { border-color: palette(highlight); }"
        field.setStyleSheet(f"QLineEdit {{ font-family: monospace; font-size: 14px; padding: 4px 6px;"
                            f" border: 1px solid {border}; border-radius: 4px; background: palette(base); }}" + focus)

    def set_inputs_enabled(self, on: bool) -> None:
        for field in self.inputs:
            field.setEnabled(on)

    def reset(self) -> None:
        for field in self.inputs:
            field.clear()
        self._expected = []
        self.positions = []
        self._wrong = []
        show_error_text(self.error, "")
