"""Importing a wallet: a recovery phrase, a private key or a keystore file, then this wallet's password.

The phrase is checked as it is typed, in the background (the word list lives in the key libraries, which the
GUI does not import): word count, unknown words by position, checksum. Nothing is stored until Import.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.errors import user_message
from ui.ops import change_op, op
from ui.theme import colour
from ui.views.onboarding_base import Step
from ui.widgets.common import show_error_text, subtitle
from ui.widgets.password import NewPasswordFields, password_field
from wallet.accounts import MAX_KEYSTORE_BYTES, MAX_KEYSTORE_DEPTH
from wallet.addresses import parse_address
from wallet.errors import InvalidInput
from wallet.safe_io import loads_bounded, read_text
from wallet.service import WalletService

PHRASE_LENGTHS = (12, 15, 18, 21, 24)
_HEX64 = re.compile(r"^(0[xX])?[0-9a-fA-F]{64}$")
TABS = ("phrase", "key", "keystore")


def read_keystore(path: Path) -> tuple[str, str]:
    """(the file's text, the address it states) — or ``InvalidInput`` saying why it is not a keystore."""
    # A dropped "file" may be a pipe, a device or deeply nested JSON: read and parse with bounds.
    text = read_text(path, max_bytes=MAX_KEYSTORE_BYTES, what="the keystore file")
    data = loads_bounded(text, max_bytes=MAX_KEYSTORE_BYTES, max_depth=MAX_KEYSTORE_DEPTH,
                         what=f"{path.name}, as a keystore file,")
    if not isinstance(data, dict) or not isinstance(data.get("crypto") or data.get("Crypto"), dict):
        raise InvalidInput(f"{path.name} is JSON but not a keystore file: it has no encrypted key.")
    stated = data.get("address")
    try:
        address = parse_address("0x" + stated.lower().removeprefix("0x")) if isinstance(stated, str) else ""
    except InvalidInput:
        address = ""  # the address is only shown; decrypting the file is what proves which account it is
    return text, address


class DropArea(QFrame):
    """Accepts one dropped local file."""

    dropped = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropArea")
        self.setAcceptDrops(True)
        self.setStyleSheet(
            "QFrame#dropArea { border: 1px dashed palette(placeholder-text); border-radius: 6px; }")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()
            self.dropped.emit(Path(urls[0].toLocalFile()))


class ImportStep(Step):
    imported = Signal()

    def __init__(self, service: WalletService) -> None:
        super().__init__(
            "Import a wallet",
            "Restore a wallet from its recovery phrase, or bring in one account from a private key or a "
            "keystore file. Nothing leaves this computer.", action_text="Import")
        self.service = service
        self.phrase_verdict: bool | None = None  # None: not checked (yet) for the current text
        self._phrase_generation = 0
        self.keystore_text = ""
        self.tabs = QTabWidget()
        self.tabs.addTab(self._phrase_tab(), "Recovery phrase")
        self.tabs.addTab(self._key_tab(), "Private key")
        self.tabs.addTab(self._keystore_tab(), "Keystore file")
        self.tabs.currentChanged.connect(lambda _: self._changed())
        self.content.addWidget(self.tabs)
        self.content.addSpacing(6)
        self.fields = NewPasswordFields("Wallet password")
        self.content.addWidget(self.fields)
        self.fields.changed.connect(self._changed)
        # Importing reveals and spends nothing, so Enter in the last password field may start it.
        self.fields.submitted.connect(self.submit)
        self.action_button.clicked.connect(self.submit)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(250)
        self._check_timer.timeout.connect(self._check_phrase)
        self.update_action()

    # --- the three tabs ---
    def _phrase_tab(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        self.phrase = QPlainTextEdit()
        self.phrase.setPlaceholderText("Type or paste the 12, 15, 18, 21 or 24 words, separated by spaces")
        self.phrase.setTabChangesFocus(True)
        self.phrase.setFixedHeight(76)
        self.phrase.setAccessibleName("Recovery phrase")
        self.phrase.textChanged.connect(self._phrase_edited)
        self.phrase_feedback = subtitle("")
        v.addWidget(self.phrase)
        v.addWidget(self.phrase_feedback)
        return w

    def _key_tab(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.addWidget(QLabel("Private key"))
        self.key = password_field("64 hexadecimal characters, with or without 0x")
        self.key.setAccessibleName("Private key")
        self.key.textChanged.connect(self._key_edited)
        self.key_feedback = subtitle("The key of one account. The wallet cannot derive more accounts from it.")
        v.addWidget(self.key)
        v.addWidget(self.key_feedback)
        v.addStretch(1)
        return w

    def _keystore_tab(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        self.drop = DropArea()
        d = QVBoxLayout(self.drop)
        d.setContentsMargins(12, 8, 12, 8)
        self.file_label = subtitle("Drop a keystore file (JSON, from MetaMask or Geth) here, or")
        self.file_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.clicked.connect(self._choose_clicked)
        d.addWidget(self.file_label)
        d.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.drop.dropped.connect(self.load_keystore)
        v.addWidget(self.drop)
        v.addWidget(QLabel("Password of the keystore file"))
        self.keystore_password = password_field("The password the file was saved with")
        self.keystore_password.setAccessibleName("Keystore file password")
        self.keystore_password.textChanged.connect(lambda _: self._changed())
        v.addWidget(self.keystore_password)
        return w

    def kind(self) -> str:
        return TABS[self.tabs.currentIndex()]

    # --- feedback as you type ---
    def _phrase_edited(self) -> None:
        self.phrase_verdict = None
        self._phrase_generation += 1
        words = self.phrase.toPlainText().split()
        if not words:
            self._feedback(self.phrase_feedback, "", None)
        elif len(words) not in PHRASE_LENGTHS:
            self._feedback(self.phrase_feedback,
                           f"{len(words)} word{'s' if len(words) != 1 else ''} — a recovery phrase has "
                           "12, 15, 18, 21 or 24.", None)
        else:
            self._feedback(self.phrase_feedback, f"{len(words)} words — checking…", None)
            self._check_timer.start()
        self._changed()

    def _check_phrase(self) -> None:
        generation = self._phrase_generation
        text = self.phrase.toPlainText()

        def done(count: int) -> None:
            if generation == self._phrase_generation:
                self.phrase_verdict = True
                self._feedback(self.phrase_feedback, f"✓ {count} words — looks valid.", True)
                self._changed()

        def failed(exc: BaseException) -> None:
            if generation == self._phrase_generation:
                self.phrase_verdict = False
                self._feedback(self.phrase_feedback, user_message(exc), False)
                self._changed()

        op(lambda: self.service.check_recovery_phrase(text), parent=self).success(done).failure(failed).run()

    def _key_edited(self) -> None:
        text = self.key.text().strip()
        if not text:
            self._feedback(self.key_feedback,
                           "The key of one account. The wallet cannot derive more accounts from it.", None)
        elif _HEX64.match(text):
            self._feedback(self.key_feedback, "✓ 64 hexadecimal characters.", True)
        else:
            digits = len(text) - (2 if text[:2] in ("0x", "0X") else 0)
            self._feedback(self.key_feedback, f"A private key is 64 hexadecimal characters; this has {digits}.", False)
        self._changed()

    @staticmethod
    def _feedback(label: QLabel, text: str, good: bool | None) -> None:
        label.setText(text)
        tint = {True: colour("success"), False: colour("danger")}.get(good)  # type: ignore[call-overload]
        label.setStyleSheet(f"color: {tint};" if tint else "")

    # --- keystore file ---
    def choose_file(self) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self, "Open keystore file", str(Path.home()),
                                              "Keystore files (*.json *.keystore);;All files (*)")
        return Path(path) if path else None

    def _choose_clicked(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.load_keystore(path)

    def load_keystore(self, path: Path) -> None:
        self.tabs.setCurrentIndex(TABS.index("keystore"))

        def loaded(result: tuple[str, str]) -> None:
            self.keystore_text, address = result
            self.file_label.setText(f"{path.name}" + (f" · account {address}" if address else ""))
            self.file_label.setStyleSheet("")
            self.keystore_password.setFocus()
            self._changed()

        def failed(exc: BaseException) -> None:
            self.keystore_text = ""
            self.file_label.setText(user_message(exc))
            self.file_label.setStyleSheet(f"color: {colour('danger')};")
            self._changed()

        op(lambda: read_keystore(path), parent=self).success(loaded).failure(failed).run()

    # --- import ---
    def secret_ready(self) -> bool:
        kind = self.kind()
        if kind == "phrase":
            return len(self.phrase.toPlainText().split()) in PHRASE_LENGTHS and self.phrase_verdict is not False
        if kind == "key":
            return bool(_HEX64.match(self.key.text().strip()))
        return bool(self.keystore_text and self.keystore_password.text())

    def ready(self) -> bool:
        return self.secret_ready() and self.fields.acceptable()

    def _changed(self) -> None:
        show_error_text(self.error, "")
        self.update_action()

    def submit(self) -> None:
        """Import what the current tab holds. The service has the last word on whether it is valid."""
        if self.busy or not self.fields.acceptable():
            return
        kind, password = self.kind(), self.fields.text()
        if kind == "phrase":
            phrase = self.phrase.toPlainText()
            work, busy = (lambda: self.service.import_mnemonic(phrase, password)), "Encrypting…"
        elif kind == "key":
            key = self.key.text()
            work, busy = (lambda: self.service.import_private_key(key, password)), "Encrypting…"
        else:
            text, ks_password = self.keystore_text, self.keystore_password.text()
            work, busy = (lambda: self.service.import_keystore(text, ks_password, password)), "Opening the file…"
        show_error_text(self.error, "")
        self.set_busy(True, busy)
        change_op(work, parent=self).success(lambda _: self.imported.emit()).failure(
            lambda e: show_error_text(self.error, user_message(e))).finally_(lambda: self.set_busy(False)).run()

    def set_inputs_enabled(self, on: bool) -> None:
        for w in (self.tabs, self.phrase, self.key, self.keystore_password, self.choose_button):
            w.setEnabled(on)
        self.fields.set_enabled(on)

    def reset(self) -> None:
        self.phrase.clear()
        self.key.clear()
        self.keystore_password.clear()
        self.keystore_text = ""
        self.file_label.setText("Drop a keystore file (JSON, from MetaMask or Geth) here, or")
        self.file_label.setStyleSheet("")
        self.fields.clear()
        self.tabs.setCurrentIndex(0)
        show_error_text(self.error, "")
