"""Screenshots for docs/screenshots/, taken from the GUI tests when AIT_SCREENSHOTS=1.

``save_shot(widget, "settings")`` renders the widget in the light and the dark theme and writes
``docs/screenshots/settings-light.png`` and ``settings-dark.png`` (or into ``$AIT_SCREENSHOTS_DIR``). Without
the variable it does nothing, so the tests cost the same as before.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

# Elsewhere, to look at every one: docs/screenshots keeps only those the README shows.
SHOTS_DIR = Path(os.environ.get("AIT_SCREENSHOTS_DIR") or Path(__file__).resolve().parents[2] / "docs/screenshots")
WINDOW_SIZE = (1100, 720)


def shots_enabled() -> bool:
    return os.environ.get("AIT_SCREENSHOTS") == "1"


def save_shot(widget: QWidget, name: str) -> list[Path]:
    if not shots_enabled():
        return []
    from ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    saved = []
    for dark in (False, True):
        apply_theme(app, dark=dark)
        for _ in range(3):  # style sheets and layouts settle over a few passes of the event loop
            app.processEvents()
        path = SHOTS_DIR / f"{name}-{'dark' if dark else 'light'}.png"
        widget.grab().save(str(path))
        saved.append(path)
    apply_theme(app, dark=False)
    app.processEvents()
    return saved
