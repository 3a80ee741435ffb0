"""A price sheet as the registry could hold it (registration is permissionless: any name, any uint32 limit),
and a Run a task page quoting from it, for tests about what the widgets do with such entries."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE

from ui.controller import AppController
from ui.pages.run_task import RunTaskPage
from wallet.config import DataDir
from wallet.registry import ModelPrice, ProviderInfo
from wallet.service import WalletService
from wallet.units import ONE

UINT32_MAX = 2**32 - 1
FAKE_NAME = '<b style="color:#1e8e3e">✔ Verified</b> OpenAI Official'
FAKE_ENDPOINT = "https://api.example/<i>v1</i>"
FAKE_MODEL = "<u>gpt-4o</u>"
PAY_TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

SMALL = ModelPrice("gpt-4o-mini", "o200k_base", 15 * ONE // 100, 60 * ONE // 100, 128_000, 16_384)
HUGE = ModelPrice("huge-model", "o200k_base", 2 * ONE, 8 * ONE, UINT32_MAX, UINT32_MAX)
SHEET = (
    ProviderInfo(1, PAY_TO, "Demo AI", "http://127.0.0.1:1/", PAY_TO, True, True, (SMALL,)),
    ProviderInfo(3, PAY_TO, "Anyone", "http://127.0.0.1:1/", PAY_TO, False, True, (HUGE,)),
    ProviderInfo(4, PAY_TO, FAKE_NAME, FAKE_ENDPOINT, PAY_TO, False, True,
                 (ModelPrice(FAKE_MODEL, "o200k_base", ONE, ONE, 128_000, 4096),
                  ModelPrice("odd", "<b>o200k</b>", ONE, ONE, 128_000, 4096))),
)


def offline_service(tmp_path: Path) -> WalletService:
    return WalletService(DataDir(tmp_path / "wd").ensure())


def sheet_page(service: WalletService, qtbot: QtBot) -> RunTaskPage:
    p = RunTaskPage(AppController(service))
    qtbot.addWidget(p)
    p.resize(*WINDOW_SIZE)
    p.show()
    p._providers_loaded(SHEET)  # what the page does with the sheet it read from the registry
    return p
