"""`ai-wallet` with no command: the desktop app on the selected network (devnet by default)."""

from __future__ import annotations

import sys
from pathlib import Path


def launch_app(data_dir: str | None, network: str | None) -> int:
    """Open the desktop app. Imports are kept to the minimum until its window is on screen."""
    try:
        from ui.app import run_app
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith("PySide6"):
            raise
        from wallet.cli.exits import FAILURE

        print("error: the desktop app needs PySide6 (pip install PySide6-Essentials); "
              "every other command works without it.", file=sys.stderr)
        return FAILURE
    return run_app(Path(data_dir).expanduser() if data_dir else None, network)
