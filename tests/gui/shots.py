"""Screenshots for docs/screenshots/, taken by the GUI tests when AIT_SCREENSHOTS=1.

    save_shot(widget, "run-task")   # → docs/screenshots/run-task-light.png or -dark.png (the current theme)

The theme is whatever ``ui.theme.apply_theme`` last set; tests that want both call it twice.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from ui.theme import is_dark

SHOTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def enabled() -> bool:
    return os.environ.get("AIT_SCREENSHOTS") == "1"


def save_shot(widget: QWidget, name: str) -> Path | None:
    """Render ``widget`` as it is now and save it; None when screenshots are off."""
    if not enabled():
        return None
    app = QApplication.instance()
    for _ in range(3):  # let layouts and style changes settle before grabbing
        app.processEvents()  # type: ignore[union-attr]
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SHOTS_DIR / f"{name}-{'dark' if is_dark() else 'light'}.png"
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path
