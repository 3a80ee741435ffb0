"""Fusion with a restrained palette that follows the system's light/dark preference; one accent colour."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#2f6fde"
ACCENT_DARK = "#5b8ef0"
DANGER = "#c0392b"
DANGER_DARK = "#ff7b6e"
SUCCESS = "#1e8e3e"
SUCCESS_DARK = "#5bd17f"
CARD_LIGHT, CARD_DARK = "#ffffff", "#26292d"  # cards sit between the window and the (lighter) fields


def system_prefers_dark(*, exact: bool = True) -> bool:
    """The system's light/dark preference.

    ``exact=False`` reads it from the platform palette instead of the colour-scheme hint: the hint's enum
    lives in the ``Qt`` namespace, whose first use costs ~15 ms — too much before the first frame.
    """
    if exact:
        from PySide6.QtCore import Qt

        scheme = QGuiApplication.styleHints().colorScheme()
        if scheme != Qt.ColorScheme.Unknown:
            return scheme == Qt.ColorScheme.Dark
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def follow_system_scheme(app: QApplication) -> None:
    """After the first frame: the exact light/dark choice, the style sheet, and following the system."""
    apply_theme(app, system_prefers_dark())
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    # In the dark palette text fields and check boxes (Base) are lighter than the window, as in most dark
    # themes, so they stand out on cards and backgrounds alike; Light/Dark/Shadow give Fusion visible edges.
    if dark:
        window, base, alt, text, mid = "#1f2124", "#2c2f34", "#26292d", "#e6e6e6", "#4a4e55"
        accent, disabled = ACCENT_DARK, "#8a8f98"
        bevel = {QPalette.ColorRole.Light: "#4d5158", QPalette.ColorRole.Dark: "#121315",
                 QPalette.ColorRole.Shadow: "#0b0c0d"}
    else:
        window, base, alt, text, mid = "#f4f5f7", "#ffffff", "#eef0f3", "#1d1f23", "#c9ccd1"
        accent, disabled = ACCENT, "#9a9ea6"
        bevel = {}
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: alt,
        QPalette.ColorRole.Text: text, QPalette.ColorRole.Button: alt,
        QPalette.ColorRole.ButtonText: text, QPalette.ColorRole.ToolTipBase: base,
        QPalette.ColorRole.ToolTipText: text, QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Highlight: accent, QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: accent, QPalette.ColorRole.Mid: mid, QPalette.ColorRole.Midlight: mid,
        QPalette.ColorRole.Accent: accent,
    }
    for role, colour in {**roles, **bevel}.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return p


def is_dark(app: QApplication | None = None) -> bool:
    app = app or QApplication.instance()  # type: ignore[assignment]
    return bool(app and app.property("aitDark"))


def colour(name: str) -> str:
    """A semantic colour for the current palette: accent, danger, success."""
    dark = is_dark()
    return {
        "accent": ACCENT_DARK if dark else ACCENT,
        "danger": DANGER_DARK if dark else DANGER,
        "success": SUCCESS_DARK if dark else SUCCESS,
        "muted": "#9a9ea6" if dark else "#6b7079",
        "card": CARD_DARK if dark else CARD_LIGHT,
    }[name]


def _dark_indicators(accent: str) -> str:
    """Fusion outlines check boxes a shade darker than the window, which is invisible on a dark one."""
    check = Path(__file__).resolve().parents[1] / "resources" / "icons" / "check.svg"
    return f"""
        QCheckBox::indicator, QRadioButton::indicator {{ width: 13px; height: 13px; background: #2c2f34;
            border: 1px solid #8a8f98; }}
        QCheckBox::indicator {{ border-radius: 2px; }}
        QRadioButton::indicator {{ border-radius: 7px; }}
        QCheckBox::indicator:checked {{ background: {accent}; border-color: {accent};
            image: url({check.as_posix()}); }}
        QRadioButton::indicator:checked {{ background: qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5,
            fy:0.5, stop:0 #ffffff, stop:0.35 #ffffff, stop:0.45 {accent}, stop:1 {accent});
            border-color: {accent}; }}
        QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{ border-color: #4a4e55; }}
    """


def apply_theme(app: QApplication, dark: bool | None = None, *, exact: bool = True, sheet: bool = True) -> None:
    """Fusion, the palette and (unless ``sheet`` is False: the first frame does without) the style sheet."""
    dark = system_prefers_dark(exact=exact) if dark is None else dark
    if app.style().name().lower() != "fusion":  # creating a style costs ~7 ms; keep one already in place
        app.setStyle("Fusion")
    app.setProperty("aitDark", dark)
    app.setPalette(_palette(dark))
    accent = ACCENT_DARK if dark else ACCENT
    if not sheet:
        return
    app.setStyleSheet(f"""
        QPushButton {{ padding: 5px 12px; }}
        QSplitter::handle {{ background: transparent; }}
        QPushButton[primary="true"] {{ background: {accent}; color: white; border: none;
            padding: 6px 16px; border-radius: 4px; font-weight: 600; }}
        QPushButton[primary="true"]:disabled {{ background: palette(mid); color: {"#9da2aa" if dark else "#f4f5f7"}; }}
        QLabel[role="title"] {{ font-size: 20px; font-weight: 600; }}
        QLabel[role="subtitle"] {{ color: palette(placeholder-text); }}
        QLabel[role="amount"] {{ font-size: 26px; font-weight: 600; }}
        QLabel[role="error"] {{ color: {DANGER_DARK if dark else DANGER}; }}
        QFrame[role="card"] {{ background: {CARD_DARK if dark else CARD_LIGHT}; border: 1px solid palette(mid);
            border-radius: 6px; }}
        QListWidget#sidebar {{ background: palette(alternate-base); border: none; font-size: 14px;
            padding-top: 6px; outline: 0; }}
        QListWidget#sidebar::item {{ padding: 8px 14px; border-radius: 4px; margin: 1px 6px; }}
        QListWidget#sidebar::item:selected {{ background: {accent}; color: white; }}
        QPushButton#choice {{ text-align: left; border: 1px solid palette(mid); border-radius: 6px;
            background: palette(base); }}
        QPushButton#choice:hover, QPushButton#choice:focus {{ border: 1px solid palette(highlight); }}
        QPushButton#choice:pressed {{ background: palette(alternate-base); }}
        QLabel[role="choiceHeading"] {{ font-size: 15px; font-weight: 600; }}
        QLabel[role="choiceHeading"][primary="true"] {{ color: palette(highlight); }}
    """ + (_dark_indicators(accent) if dark else ""))
