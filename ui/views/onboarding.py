"""First run: the window shows only this until a wallet exists. Welcome → Create (password → phrase → confirm)
or Import (phrase, private key or keystore file, then a password).

Design choice — the wallet is created only after its recovery phrase was confirmed. Create asks the service
for a fresh phrase that is stored nowhere (``new_recovery_phrase``), shows it, asks for three of its words,
and only then stores it with ``import_mnemonic`` under the chosen password. So there is never a wallet whose
backup was not checked: quitting before the confirmation leaves no wallet (and no address anyone could have
been paid at), and the next start simply offers Create again. The alternative (``create_wallet`` first, then
a "backup not confirmed" flag and a reminder) leaves a funded-looking wallet behind with an unproven backup.
The phrase lives only in this view's memory in between, is never on the clipboard, and is dropped as soon as
the wallet is stored or the user goes back to Welcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.errors import user_message
from ui.ops import change_op, op
from ui.views.onboarding_base import Step, centred
from ui.widgets.common import show_error_text, subtitle, title

if TYPE_CHECKING:
    from ui.views.onboarding_create import ConfirmStep, PasswordStep, PhraseStep
    from ui.views.onboarding_import import ImportStep


class ChoiceButton(QPushButton):
    """A large button with a heading and a line of explanation."""

    def __init__(self, heading: str, text: str, primary: bool = False) -> None:
        super().__init__()
        self.setObjectName("choice")
        self.setMinimumHeight(76)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(heading)
        self.setAccessibleDescription(text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(4)
        head = QLabel(heading)
        head.setProperty("role", "choiceHeading")  # styled by the app's style sheet (ui/theme.py): one sheet
        head.setProperty("primary", primary)      # to parse, not one per widget on the first screen
        body = subtitle(text)
        for label in (head, body):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)


class WelcomeStep(QWidget):
    create_chosen = Signal()
    import_chosen = Signal()

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        column = QWidget()
        column.setFixedWidth(520)
        v = QVBoxLayout(column)
        v.setSpacing(12)
        v.addWidget(title("Welcome to AI Token Wallet"))
        v.addWidget(subtitle(
            "Hold AI Tokens (AIT) and pay AI providers with them. You see what every task costs before you "
            "pay, and nothing is signed behind your back."))
        v.addSpacing(12)
        self.create_button = ChoiceButton(
            "Create a new wallet", "A new recovery phrase and your first account. Takes about a minute.", True)
        self.import_button = ChoiceButton(
            "Import a wallet", "From a recovery phrase, a private key or a keystore file.")
        self.create_button.clicked.connect(self.create_chosen)
        self.import_button.clicked.connect(self.import_chosen)
        v.addWidget(self.create_button)
        v.addWidget(self.import_button)
        v.addSpacing(12)
        v.addWidget(subtitle(
            "Your keys stay on this computer, encrypted with your password and kept in the system keyring."))
        outer.addLayout(centred(column))
        outer.addStretch(2)


class OnboardingView(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.service = controller.service
        self._phrase: str | None = None  # the new wallet's phrase, between showing it and storing it
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.welcome = WelcomeStep()
        self.stack.addWidget(self.welcome)
        self.welcome.create_chosen.connect(lambda: self.show_step(self.password_step))
        self.welcome.import_chosen.connect(lambda: self.show_step(self.import_step))
        # The other steps are built when first needed: Welcome is the app's first screen, and should not wait.
        self._steps: dict[str, Step] = {}

    def _step(self, name: str) -> Step:
        step = self._steps.get(name)
        if step is None:
            step = self._steps[name] = self._build_step(name)
            self.stack.addWidget(step)
        return step

    def _build_step(self, name: str) -> Step:
        from ui.views.onboarding_create import ConfirmStep, PasswordStep, PhraseStep
        from ui.views.onboarding_import import ImportStep

        if name == "password":
            password = PasswordStep()
            password.back_requested.connect(self.restart)
            password.continued.connect(self._make_phrase)
            return password
        if name == "phrase":
            phrase = PhraseStep()
            phrase.back_requested.connect(lambda: self.show_step(self.password_step))
            phrase.continued.connect(self._ask_words)
            return phrase
        if name == "confirm":
            confirm = ConfirmStep()
            confirm.back_requested.connect(lambda: self.show_step(self.phrase_step))
            confirm.confirmed.connect(self._store_wallet)
            return confirm
        imported = ImportStep(self.service)
        imported.back_requested.connect(self.restart)
        imported.imported.connect(self._finish)
        return imported

    @property
    def password_step(self) -> PasswordStep:
        return self._step("password")  # type: ignore[return-value]

    @property
    def phrase_step(self) -> PhraseStep:
        return self._step("phrase")  # type: ignore[return-value]

    @property
    def confirm_step(self) -> ConfirmStep:
        return self._step("confirm")  # type: ignore[return-value]

    @property
    def import_step(self) -> ImportStep:
        return self._step("import")  # type: ignore[return-value]

    def on_shown(self) -> None:
        self.restart()

    def current(self) -> QWidget:
        return self.stack.currentWidget()

    def show_step(self, step: QWidget) -> None:
        self.stack.setCurrentWidget(step)
        if isinstance(step, Step):
            step.update_action()
        step.setFocus()
        if step is self.import_step:
            self.import_step.phrase.setFocus()

    def restart(self) -> None:
        """Back to Welcome, forgetting everything typed or shown so far."""
        self._phrase = None
        for step in self._steps.values():
            step.reset()
        self.stack.setCurrentWidget(self.welcome)
        self.welcome.create_button.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc goes back one step. Fields leave Esc unhandled, so it reaches here from wherever the focus is.
        step = self.current()
        if event.key() == Qt.Key.Key_Escape and isinstance(step, Step):
            step.go_back()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- create ---
    def _make_phrase(self) -> None:
        words = self.password_step.words()
        if self._phrase is not None and len(self._phrase.split()) == words:
            # Back and forth keeps the phrase already shown: it may be half written down.
            self._show_phrase(self._phrase)
            return
        self.password_step.set_busy(True, "Preparing…")
        op(lambda: self.service.new_recovery_phrase(words), parent=self).success(self._show_phrase).failure(
            lambda e: show_error_text(self.password_step.error, user_message(e))).finally_(
            lambda: self.password_step.set_busy(False)).run()

    def _show_phrase(self, phrase: str) -> None:
        self._phrase = phrase
        self.phrase_step.show_phrase(phrase.split())
        self.show_step(self.phrase_step)

    def _ask_words(self) -> None:
        if self._phrase is None:
            return
        self.confirm_step.ask(self._phrase.split())
        self.show_step(self.confirm_step)
        self.confirm_step.inputs[0].setFocus()

    def _store_wallet(self) -> None:
        phrase, password = self._phrase, self.password_step.password()
        if phrase is None:
            return
        self.confirm_step.set_busy(True, "Encrypting…")
        change_op(lambda: self.service.import_mnemonic(phrase, password), parent=self).success(
            lambda _: self._finish()).failure(
            lambda e: show_error_text(self.confirm_step.error, user_message(e))).finally_(
            lambda: self.confirm_step.set_busy(False)).run()

    def _finish(self) -> None:
        self.restart()
        self.controller.wallet_ready()
