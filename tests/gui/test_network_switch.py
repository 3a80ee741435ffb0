"""Switching networks in Settings: every figure of the old network goes at once, and the new one's come in.

The window runs on a devnet of its own with a funded account; "elsewhere" is a second chain (another wallet's
devnet, a few blocks further on, with one more provider registered). At the very moment the switch is
announced — in a slot that runs after every widget's own — nothing of the old network may still be on screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from guikit import keep_window
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE

from ui.controller import AppController
from ui.main_window import MainWindow
from ui.ops import wait_for_all
from ui.pages.home import HomePage
from ui.pages.providers import ProvidersPage
from ui.pages.run_task import RunTaskPage
from ui.pages.settings import SettingsPage
from ui.shell import Shell
from ui.widgets.quote_panel import DASH
from wallet.chain.client import ChainClient
from wallet.chain.contracts import ProviderRegistry
from wallet.config import DataDir
from wallet.devnet.anvil import free_port, rpc_call
from wallet.devnet.demo import DEV_KEYS
from wallet.devnet.manager import DevnetManager
from wallet.networks import NetworkProfile
from wallet.registry import ModelPrice
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = [pytest.mark.gui, pytest.mark.chain]
PASSWORD = "correct horse battery"
ELSEWHERE_PROVIDER = "Elsewhere AI"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NetworkProfile, int]]:
    """Another chain: (its profile as a custom network, its latest block)."""
    manager = DevnetManager(DataDir(tmp_path_factory.mktemp("elsewhere")))
    status, _ = manager.up(free_port())
    profile = NetworkProfile("elsewhere", status.chain_id, status.rpc_url, dict(status.contracts))
    client = ChainClient(profile)
    registry = ProviderRegistry(client, profile.contract("ProviderRegistry"))
    owner = Account.from_key(DEV_KEYS[4])
    pid = registry.register_provider(owner, ELSEWHERE_PROVIDER, "http://127.0.0.1:9", owner.address)
    registry.set_model_price(owner, pid, ModelPrice("gpt-4o-mini", "o200k_base", 10 * ONE, 10 * ONE, 128_000, 1000))
    rpc_call(status.rpc_url, "anvil_mine", ["0x7"])  # so its block number is not the home devnet's
    try:
        yield profile, client.block_number()
    finally:
        manager.down()


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot, elsewhere: tuple[NetworkProfile, int],
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    data_dir = DataDir(tmp_path / "wd").ensure()
    DevnetManager(data_dir).up(free_port())
    service = WalletService(data_dir)
    service.create_wallet(PASSWORD)
    address = service.current_account()
    assert address is not None
    service.devnet_faucet(address, ONE // 2, 7 * ONE)
    service.save_network(elsewhere[0])
    controller = AppController(service)
    win = MainWindow(controller)
    keep_window(qtbot, win, controller)
    win.resize(*WINDOW_SIZE)
    win.show()
    controller.start()
    qtbot.waitUntil(lambda: controller.mode == "main", timeout=30_000)
    yield win
    wait_for_all()
    controller.shutdown()
    DevnetManager(data_dir).down()


def page_of(window: MainWindow, cls: type) -> object:
    shell = window.modes.currentWidget()
    assert isinstance(shell, Shell)
    return next(p for p in shell.page_list if isinstance(p, cls))


def switch_in_settings(window: MainWindow, qtbot: QtBot, name: str) -> SettingsPage:
    shell = window.modes.currentWidget()
    assert isinstance(shell, Shell)
    shell.show_page("Settings")
    settings = page_of(window, SettingsPage)
    assert isinstance(settings, SettingsPage)
    qtbot.waitUntil(lambda: settings.network.findData(name) >= 0, timeout=10_000)
    settings.network.setCurrentIndex(settings.network.findData(name))
    assert settings.switch_button.isEnabled()
    qtbot.mouseClick(settings.switch_button, LEFT)
    return settings


def at_the_switch(window: MainWindow, snapshot) -> list[object]:  # type: ignore[no-untyped-def]
    """What ``snapshot()`` saw when the switch was announced; connected last, so it runs after the widgets."""
    seen: list[object] = []
    window.controller.signals.network_switched.connect(lambda *_: seen.append(snapshot()))
    return seen


def test_home_and_the_status_bar_forget_the_old_network_at_once(window: MainWindow, qtbot: QtBot,
                                                                elsewhere: tuple[NetworkProfile, int]) -> None:
    home = page_of(window, HomePage)
    assert isinstance(home, HomePage)
    status = window.status
    qtbot.waitUntil(lambda: home.balances == (ONE // 2, 7 * ONE), timeout=20_000)
    qtbot.waitUntil(lambda: status.block.text() != "block —" and status.state.text() == "connected", timeout=20_000)
    old_block = status.block.text()
    assert home.ait_value.text() == "7 AIT" and status.network.text() == "devnet · chain 31337"

    seen = at_the_switch(window, lambda: (home.ait_value.text(), home.eth_value.text(), home.balances,
                                          status.network.text(), status.block.text(), status.state.text()))
    switch_in_settings(window, qtbot, "elsewhere")
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    assert seen[0] == ("…", "…", None, "elsewhere · chain 31337", "block —", "connecting…")

    # Then the new network's own figures: this account holds nothing there.
    qtbot.waitUntil(lambda: home.balances == (0, 0), timeout=20_000)
    assert home.ait_value.text() == "0 AIT" and home.eth_value.text() == "0 ETH"
    new_block = f"block {elsewhere[1]:,}"
    qtbot.waitUntil(lambda: status.block.text() == new_block and status.state.text() == "connected",
                    timeout=20_000)
    assert new_block != old_block


def test_run_a_task_and_providers_forget_the_old_registry_at_once(window: MainWindow, qtbot: QtBot) -> None:
    shell = window.modes.currentWidget()
    assert isinstance(shell, Shell)
    run, providers = page_of(window, RunTaskPage), page_of(window, ProvidersPage)
    assert isinstance(run, RunTaskPage) and isinstance(providers, ProvidersPage)
    shell.show_page("Providers")
    qtbot.waitUntil(lambda: len(providers.cards) == 2, timeout=20_000)
    shell.show_page("Run a task")
    qtbot.waitUntil(lambda: run.picker.model() is not None, timeout=20_000)
    qtbot.keyClicks(run.prompt, "Summarise the attached report in three bullet points.")
    qtbot.waitUntil(lambda: run.panel.state == "ok", timeout=20_000)
    names = [run.picker.provider_box.itemText(i) for i in range(run.picker.provider_box.count())]
    assert not any(ELSEWHERE_PROVIDER in n for n in names)

    seen = at_the_switch(window, lambda: (
        run.providers, run.picker.provider(), run.picker.model(), run.picker.provider_box.count(),
        run.panel.state, run.panel.price.text(), run.panel.balance.text(), run.stack.currentWidget() is run.content,
        dict(providers.cards), providers.stack.currentWidget() is providers.scroll))
    switch_in_settings(window, qtbot, "elsewhere")
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    assert seen[0] == (None, None, None, 0, "loading", DASH, DASH, False, {}, False)

    # Then the new registry: one provider more, and the prompt priced there.
    qtbot.waitUntil(lambda: len(providers.cards) == 3, timeout=20_000)
    assert ELSEWHERE_PROVIDER in [c.provider.name for c in providers.cards.values()]
    qtbot.waitUntil(lambda: run.providers is not None and run.panel.state in ("ok", "refused"), timeout=20_000)
    names = [run.picker.provider_box.itemText(i) for i in range(run.picker.provider_box.count())]
    assert any(ELSEWHERE_PROVIDER in n for n in names)
    assert run.stack.currentWidget() is run.content
