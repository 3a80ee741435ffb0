"""GUI tests: Qt offscreen, a real WalletService on a temp data dir, keys in the encrypted file backend
(the Secret Service is covered by the keyring tests), QSettings isolated per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _gui_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from PySide6.QtCore import QCoreApplication, QSettings

    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("AI Token Wallet Tests")
    yield
