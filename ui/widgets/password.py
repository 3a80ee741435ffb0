"""Choosing a password: a local strength estimate said in words, and a password + repeat pair.

The estimate is deliberately simple and runs on every keystroke without leaving the GUI thread: length,
kinds of characters, and a short list of the passwords every guesser tries first. It only advises; the wallet
password is stretched with scrypt and kept in the OS keyring, so the rule enforced is "fair or better".
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QVBoxLayout, QWidget

from ui.theme import colour
from wallet.accounts import MIN_PASSWORD_LENGTH

_COMMON = """
password passw0rd password1 123456 1234567 12345678 123456789 1234567890 87654321 11111111 00000000
qwerty qwertyuiop qwerty123 asdfghjkl asdfasdf 1q2w3e4r 1qaz2wsx zaq12wsx abc123 abcdefgh iloveyou admin
administrator welcome letmein monkey dragon football baseball sunshine princess master shadow trustno1
superman starwars computer whatever michelle jennifer changeme secret internet freedom mustang access
bitcoin ethereum crypto wallet metamask satoshi blockchain hello123 aaaaaaaa
"""
COMMON_PASSWORDS = frozenset(_COMMON.split())

LEVELS = ("too short", "weak", "fair", "strong")
_AMBER = "#c98a00"


def min_password_length() -> int:
    return MIN_PASSWORD_LENGTH


@dataclass(frozen=True)
class Strength:
    level: str  # "" (empty) | "too short" | "weak" | "fair" | "strong"
    reason: str

    @property
    def acceptable(self) -> bool:
        return self.level in ("fair", "strong")

    @property
    def score(self) -> int:
        """0-3, for a meter."""
        return LEVELS.index(self.level) if self.level in LEVELS else 0


def _kinds(password: str) -> int:
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    kinds = sum(any(c in cls for c in password) for cls in classes)
    # Spaces and punctuation count as "symbols"; so does any non-ASCII letter, which guessers rarely try.
    kinds += any(not (c.isascii() and c.isalnum()) for c in password)
    return kinds


def _is_common(password: str) -> bool:
    low = password.lower()
    stripped = low.rstrip(string.digits + string.punctuation + " ")
    return low in COMMON_PASSWORDS or stripped in COMMON_PASSWORDS or len(set(low)) <= 2


def password_strength(password: str, min_length: int | None = None) -> Strength:
    minimum = min_password_length() if min_length is None else min_length
    if not password:
        return Strength("", f"Use at least {minimum} characters. A few unrelated words make a strong password.")
    if len(password) < minimum:
        return Strength("too short", f"Too short: use at least {minimum} characters ({len(password)} so far).")
    if _is_common(password):
        return Strength("weak", "Weak: this is one of the first passwords anyone would try.")
    n = len(password)
    length_points = 0 if n < 10 else 1 if n < 14 else 2 if n < 20 else 3
    kinds = _kinds(password)
    kind_points = 0 if kinds == 1 else 1 if kinds == 2 else 2
    score = length_points + kind_points
    what = f"{n} characters, {kinds} kind{'s' if kinds != 1 else ''} of character"
    if score <= 1:
        return Strength("weak", f"Weak: {what}. Make it longer, or mix upper case, digits and symbols.")
    if score <= 3:
        return Strength("fair", f"Fair: {what}. Longer is stronger — a few unrelated words work well.")
    return Strength("strong", f"Strong: {what}.")


def password_field(placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)  # Qt also refuses to copy or cut from such a field
    field.setPlaceholderText(placeholder)
    return field


class StrengthMeter(QWidget):
    """A thin three-step bar and the verdict in words beneath it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strength = Strength("", "")
        self.bar = QProgressBar()
        self.bar.setRange(0, 3)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.bar.setAccessibleName("Password strength")
        self.text = QLabel()
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.bar)
        layout.addWidget(self.text)

    def set_strength(self, strength: Strength) -> None:
        self.strength = strength
        self.bar.setValue(strength.score)
        self.text.setText(strength.reason)
        self._paint()

    def _paint(self) -> None:
        level = self.strength.level
        tint = {"too short": colour("danger"), "weak": colour("danger"), "fair": _AMBER,
                "strong": colour("success")}.get(level, colour("muted"))
        bar_css = (f"QProgressBar {{ border: none; border-radius: 3px; background: palette(mid); }}"
                   f"QProgressBar::chunk {{ border-radius: 3px; background: {tint}; }}")
        text_css = f"color: {tint if level in ('too short', 'weak') else colour('muted')};"
        # Restyling sends another PaletteChange: only restyle when something changed.
        if bar_css != self.bar.styleSheet():
            self.bar.setStyleSheet(bar_css)
        if text_css != self.text.styleSheet():
            self.text.setStyleSheet(text_css)

    def changeEvent(self, event: QEvent) -> None:
        # Colours come from the light or dark theme; follow a theme change while shown.
        if event.type() == QEvent.Type.PaletteChange:
            self._paint()
        super().changeEvent(event)


class NewPasswordFields(QWidget):
    """Password, strength, repeat, and whether the two match. ``changed`` fires on every edit;
    ``submitted`` when Enter is pressed in the repeat field while the pair is acceptable."""

    changed = Signal()
    submitted = Signal()

    def __init__(self, label: str = "Password", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.min_length = min_password_length()
        self.password = password_field(f"At least {self.min_length} characters")
        self.password.setAccessibleName(label)
        self.repeat = password_field("Type it again")
        self.repeat.setAccessibleName(f"Repeat {label.lower()}")
        self.meter = StrengthMeter()
        self.match = QLabel()
        self.match.setWordWrap(True)
        self.match.setProperty("role", "error")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(QLabel(label))
        layout.addWidget(self.password)
        layout.addWidget(self.meter)
        layout.addSpacing(4)
        layout.addWidget(QLabel(f"Repeat {label.lower()}"))
        layout.addWidget(self.repeat)
        layout.addWidget(self.match)
        self.password.textChanged.connect(self._update)
        self.repeat.textChanged.connect(self._update)
        self.repeat.returnPressed.connect(self._enter)
        self.password.returnPressed.connect(self.repeat.setFocus)
        self._update()

    def text(self) -> str:
        return self.password.text()

    def strength(self) -> Strength:
        return password_strength(self.password.text(), self.min_length)

    def matches(self) -> bool:
        return self.password.text() == self.repeat.text()

    def acceptable(self) -> bool:
        return self.strength().acceptable and self.matches()

    def clear(self) -> None:
        self.password.clear()
        self.repeat.clear()

    def set_enabled(self, on: bool) -> None:
        self.password.setEnabled(on)
        self.repeat.setEnabled(on)

    def _update(self) -> None:
        self.meter.set_strength(self.strength())
        mismatch = bool(self.repeat.text()) and not self.matches()
        self.match.setText("The two passwords do not match." if mismatch else "")
        self.match.setVisible(mismatch)
        self.changed.emit()

    def _enter(self) -> None:
        if self.acceptable():
            self.submitted.emit()
