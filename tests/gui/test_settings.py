"""The Settings page and its dialogs through the real widgets, on a real WalletService with the encrypted file
keyring (see conftest.py). No chain is needed for any of it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shots import save_shot

from ui.dialogs.change_password import ChangePasswordDialog
from ui.dialogs.export_keystore import ExportKeystoreDialog
from ui.dialogs.mnemonic import MnemonicDialog
from ui.dialogs.network import NetworkDialog
from ui.dialogs.password import PasswordDialog
from ui.main_window import MainWindow
from ui.pages.settings import SettingsPage
from wallet.config import Settings
from wallet.errors import InvalidPassword

pytestmark = pytest.mark.gui
PASSWORD = "correct horse battery"
NEW_PASSWORD = "staple Battery 42 horse"
TEST_PHRASE = "test test test test test test test test test test test junk"  # public (anvil's, Hardhat's)
TEST_ADDR0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(unlocked_window: MainWindow) -> MainWindow:
    return unlocked_window


@pytest.fixture
def page(settings_page: SettingsPage) -> SettingsPage:
    return settings_page


def dialog_of(page: SettingsPage, cls: type) -> object:
    assert isinstance(page.dialog, cls), page.dialog
    assert page.dialog.isVisible()
    return page.dialog


def test_page_shows_the_wallet(window: MainWindow, page: SettingsPage) -> None:
    assert page.account_address.address == TEST_ADDR0
    assert page.label_edit.text() == "Account 1"
    assert page.network.currentData() == "devnet"
    assert "chain 31337" in page.network_details.text()
    assert page.reveal_button.isEnabled()
    assert not page.switch_button.isEnabled()  # devnet is the network in use
    save_shot(window, "settings")


def test_auto_lock_is_saved(page: SettingsPage, qtbot: QtBot) -> None:
    service = page.service
    assert page.auto_lock.value() == 10
    page.auto_lock.setValue(3)
    qtbot.waitUntil(lambda: "3 minutes" in page.security_status.text(), timeout=5_000)
    assert service.settings.auto_lock_minutes == 3
    assert Settings.load(service.data_dir).auto_lock_minutes == 3
    page.auto_lock.setValue(0)
    assert page.auto_lock.text() == "Never"
    qtbot.waitUntil(lambda: "never locks" in page.security_status.text(), timeout=5_000)
    assert Settings.load(service.data_dir).auto_lock_minutes == 0


def test_change_password(window: MainWindow, page: SettingsPage, qtbot: QtBot) -> None:
    service = page.service
    qtbot.mouseClick(page.change_password_button, LEFT)
    dialog = dialog_of(page, ChangePasswordDialog)
    assert isinstance(dialog, ChangePasswordDialog)
    qtbot.keyClicks(dialog.current, "not the password")
    qtbot.keyClicks(dialog.new.password, NEW_PASSWORD)
    qtbot.keyClicks(dialog.new.repeat, NEW_PASSWORD)
    save_shot(dialog, "dialog-change-password")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=15_000)
    assert "Wrong password" in dialog.error.text()
    assert dialog.isVisible()

    dialog.current.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20_000)
    assert "Password changed" in page.security_status.text()
    service.lock()
    with pytest.raises(InvalidPassword):
        service.unlock(PASSWORD)
    service.unlock(NEW_PASSWORD)
    assert not service.is_locked()


def test_reveal_recovery_phrase_asks_the_password_first(page: SettingsPage, qtbot: QtBot) -> None:
    qtbot.mouseClick(page.reveal_button, LEFT)
    ask = dialog_of(page, PasswordDialog)
    assert isinstance(ask, PasswordDialog)
    assert ask.cancel_button.isDefault()  # revealing a secret: Cancel is the default
    qtbot.keyClicks(ask.password, "wrong password")
    qtbot.keyClick(ask.password, Qt.Key.Key_Return)  # Enter in the field checks it; Cancel is not pressed
    assert ask.isVisible()
    qtbot.waitUntil(lambda: "Wrong password" in ask.error.text(), timeout=15_000)
    ask.password.setText(PASSWORD)
    save_shot(ask, "dialog-password")
    qtbot.mouseClick(ask.ok_button, LEFT)
    qtbot.waitUntil(lambda: isinstance(page.dialog, MnemonicDialog), timeout=15_000)
    shown = page.dialog
    assert isinstance(shown, MnemonicDialog)
    assert shown.grid.words() == TEST_PHRASE.split()
    assert ask.result_value is None  # the dialog that fetched it does not keep it
    save_shot(shown, "dialog-mnemonic")
    qtbot.mouseClick(shown.hide_button, LEFT)
    assert not shown.shown()
    assert shown.hide_button.text() == "Show"
    shown.reject()
    assert shown.grid.words() == []


def test_export_keystore_writes_a_private_file(page: SettingsPage, qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "out" / "account.json"
    target.parent.mkdir()
    qtbot.mouseClick(page.export_button, LEFT)
    dialog = dialog_of(page, ExportKeystoreDialog)
    assert isinstance(dialog, ExportKeystoreDialog)
    assert dialog.cancel_button.isDefault()
    assert dialog.address() == TEST_ADDR0
    dialog.choose_path = lambda suggested: target  # type: ignore[method-assign]
    qtbot.keyClicks(dialog.password, PASSWORD)
    save_shot(dialog, "dialog-export-keystore")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    assert dialog.saved_path == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    blob = json.loads(target.read_text())
    assert blob["address"].lower() == TEST_ADDR0[2:].lower()
    assert str(target) in page.backup_status.text()


def test_custom_network_is_validated_and_saved(page: SettingsPage, qtbot: QtBot) -> None:
    service = page.service
    qtbot.mouseClick(page.add_network_button, LEFT)
    dialog = dialog_of(page, NetworkDialog)
    assert isinstance(dialog, NetworkDialog)
    qtbot.keyClicks(dialog.fields["name"], "my-chain")
    qtbot.keyClicks(dialog.fields["chain_id"], "12x")
    assert "whole number" in dialog.errors["chain_id"].text()
    dialog.fields["chain_id"].setText("4242")
    qtbot.keyClicks(dialog.fields["rpc_url"], "http://127.0.0.1:1")
    # A mixed-case address whose checksum is wrong (one letter's case flipped).
    qtbot.keyClicks(dialog.fields["AIToken"], "0xf39fd6e51aad88F6F4ce6aB8827279cffFb92266")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.errors["AIToken"].isVisible(), timeout=10_000)
    assert "checksum" in dialog.errors["AIToken"].text()
    save_shot(dialog, "dialog-network")
    dialog.fields["AIToken"].setText(TEST_ADDR0)
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert "my-chain" in service.network_names()
    assert service.profile_named("my-chain").contracts == {"AIToken": TEST_ADDR0}
    qtbot.waitUntil(lambda: page.switch_button.isEnabled(), timeout=5_000)
    assert page.network.currentData() == "my-chain"
    assert "chain 4242" in page.network_details.text()

    qtbot.mouseClick(page.switch_button, LEFT)  # nothing listens there: switching works, reaching it does not
    qtbot.waitUntil(lambda: "my-chain" in page.network_status.text(), timeout=20_000)
    assert service.network_name == "my-chain"
    assert Settings.load(service.data_dir).network == "my-chain"
    assert "cannot be reached" in page.network_status.text()
    assert window_status_text(page) == "my-chain · chain 4242"


def window_status_text(page: SettingsPage) -> str:
    return page.window().status.network.text()  # type: ignore[attr-defined]


def test_rename_account(page: SettingsPage, qtbot: QtBot) -> None:
    service = page.service
    page.label_edit.setText("Research budget")
    qtbot.mouseClick(page.rename_button, LEFT)
    qtbot.waitUntil(lambda: page.account_status.text() == "Renamed.", timeout=10_000)
    assert service.accounts()[0].label == "Research budget"
    shell = page.window().view("main")  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "Research budget" in shell.accounts.itemText(0), timeout=5_000)
