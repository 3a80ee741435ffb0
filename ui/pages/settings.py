"""Settings: network (switch, custom RPC), security (auto-lock, password), backup (keystore, recovery phrase),
and the current account's label.

Every change goes through a background operation; each section says what happened in its own status line,
beside what was changed, rather than in a pop-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.controller import AppController
from ui.dialogs.change_password import ChangePasswordDialog
from ui.dialogs.export_keystore import ExportKeystoreDialog
from ui.dialogs.mnemonic import MnemonicDialog
from ui.dialogs.network import NetworkDialog
from ui.dialogs.password import PasswordDialog
from ui.errors import user_message
from ui.ops import change_op, op
from ui.pages.base import Page
from ui.pages.settings_budgets import BudgetsSection
from ui.pages.settings_parts import row as _row
from ui.pages.settings_parts import say, section, status_label
from ui.pages.settings_scheme import SchemeSection
from ui.widgets.common import AddressLabel, subtitle, title
from wallet.networks import NetworkProfile


@dataclass
class Loaded:
    profiles: dict[str, NetworkProfile]
    accounts: list[Any]  # AccountInfo
    current: str | None
    has_mnemonic: bool


class SettingsPage(Page):
    name = "Settings"

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.loaded: Loaded | None = None
        self._select_next: str | None = None  # the network to select once the list is reloaded
        self.dialog: QDialog | None = None  # the dialog open now, if any (tests and screenshots look at it)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inner = QWidget()
        self.column = QVBoxLayout(inner)
        self.column.setContentsMargins(28, 24, 28, 24)
        self.column.setSpacing(16)
        self.column.addWidget(title("Settings"))
        self._network_section()
        self._security_section()
        self.budgets = BudgetsSection(controller)
        self.column.addWidget(self.budgets)
        self.scheme = SchemeSection(controller)
        self.column.addWidget(self.scheme)
        self._backup_section()
        self._account_section()
        self.column.addStretch(1)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        # What the page shows is announced by the core when it changes, whoever changed it.
        controller.signals.accounts_changed.connect(self._reload)
        controller.signals.account_selected.connect(lambda _address: self._reload())
        controller.signals.network_switched.connect(lambda *_: self._reload())
        controller.signals.settings_changed.connect(lambda _name: self._reload())

    # --- layout ---
    def _network_section(self) -> None:
        frame, v = section("Network", "Which chain the wallet talks to. Your accounts are the same on every "
                                      "network; balances and providers are not.")
        self.network = QComboBox()
        self.network.setMinimumWidth(200)
        self.network.currentIndexChanged.connect(lambda _: self._network_selected())
        self.switch_button = QPushButton("Switch to this network")
        self.switch_button.clicked.connect(self.switch_network)
        v.addLayout(_row(self.network, self.switch_button))
        self.network_details = subtitle("")
        self.network_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.network_details)
        self.add_network_button = QPushButton("Add a network…")
        self.add_network_button.clicked.connect(lambda: self.edit_network(None))
        self.edit_network_button = QPushButton("Edit this network…")
        self.edit_network_button.clicked.connect(lambda: self.edit_network(self._selected_profile()))
        self.import_network_button = QPushButton("Import from a file…")
        self.import_network_button.setToolTip("A network profile written by `ai-wallet contracts deploy`: its "
                                              "chain, RPC and contract addresses, checked against the chain")
        self.import_network_button.clicked.connect(self.choose_network_file)
        v.addLayout(_row(self.add_network_button, self.edit_network_button, self.import_network_button))
        self.network_status = status_label()
        v.addWidget(self.network_status)
        self.column.addWidget(frame)

    def _security_section(self) -> None:
        frame, v = section("Security")
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(0, 24 * 60)
        self.auto_lock.setSuffix(" min")
        self.auto_lock.setSpecialValueText("Never")
        self.auto_lock.setToolTip("Lock after this many minutes without activity; 0 never locks by itself.")
        self.auto_lock.setValue(self.service.auto_lock_minutes())
        self._auto_lock_timer = QTimer(self)
        self._auto_lock_timer.setSingleShot(True)
        self._auto_lock_timer.setInterval(500)  # one save after the arrows stop, not one per click
        self._auto_lock_timer.timeout.connect(self._save_auto_lock)
        self.auto_lock.valueChanged.connect(lambda _: self._auto_lock_timer.start())
        form.addRow("Lock automatically after", _row(self.auto_lock))
        self.change_password_button = QPushButton("Change password…")
        self.change_password_button.clicked.connect(self.change_password)
        form.addRow("Wallet password", _row(self.change_password_button))
        v.addLayout(form)
        self.security_status = status_label()
        v.addWidget(self.security_status)
        self.column.addWidget(frame)

    def _backup_section(self) -> None:
        frame, v = section("Backup", "Your recovery phrase restores every account made from it, in any "
                                     "standard wallet. A keystore file holds one account.")
        self.reveal_button = QPushButton("Show recovery phrase…")
        self.reveal_button.clicked.connect(self.reveal_phrase)
        self.export_button = QPushButton("Export keystore file…")
        self.export_button.clicked.connect(self.export_keystore)
        v.addLayout(_row(self.reveal_button, self.export_button))
        self.backup_status = status_label()
        v.addWidget(self.backup_status)
        self.column.addWidget(frame)

    def _account_section(self) -> None:
        frame, v = section("Current account")
        self.account_address = AddressLabel(full=True)
        v.addWidget(self.account_address)
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("A name for this account")
        self.label_edit.setMaxLength(64)
        self.label_edit.setMinimumWidth(260)
        self.label_edit.returnPressed.connect(self.rename_account)
        self.rename_button = QPushButton("Rename")
        self.rename_button.clicked.connect(self.rename_account)
        v.addLayout(_row(QLabel("Name"), self.label_edit, self.rename_button))
        self.account_status = status_label()
        v.addWidget(self.account_status)
        self.column.addWidget(frame)

    # --- loading ---
    def on_shown(self) -> None:
        self._reload()

    def _load(self) -> Loaded:
        s = self.service
        profiles = {name: s.profile if name == s.network_name else s.profile_named(name)
                    for name in s.network_names()}
        return Loaded(profiles, s.accounts(), s.current_account(), s.has_mnemonic())

    def _reload(self) -> None:
        op(self._load, parent=self).success(self._fill).failure(
            lambda e: say(self.network_status, user_message(e), error=True)).run()

    def _fill(self, loaded: Loaded) -> None:
        self.loaded = loaded
        keep = self._select_next or self.network.currentData() or self.service.network_name
        self._select_next = None
        self.network.blockSignals(True)
        self.network.clear()
        for name in sorted(loaded.profiles):
            self.network.addItem(f"{name} (in use)" if name == self.service.network_name else name, name)
        self.network.setCurrentIndex(max(self.network.findData(keep), 0))
        self.network.blockSignals(False)
        self._network_selected()
        if not self._auto_lock_timer.isActive():  # else the user is changing it: theirs is about to be saved
            self.auto_lock.blockSignals(True)
            self.auto_lock.setValue(self.service.auto_lock_minutes())
            self.auto_lock.blockSignals(False)
        self.reveal_button.setEnabled(loaded.has_mnemonic)
        self.reveal_button.setToolTip("" if loaded.has_mnemonic else
                                      "This wallet has no recovery phrase: its accounts were imported one by one.")
        self.export_button.setEnabled(bool(loaded.accounts))
        account = next((a for a in loaded.accounts if a.address == loaded.current), None)
        self.account_address.set_address(account.address if account else "")
        self.label_edit.setText(account.label if account else "")
        self.label_edit.setEnabled(account is not None)
        self.rename_button.setEnabled(account is not None)

    def _open(self, dialog: QDialog) -> None:
        """Open ``dialog``, held only while it is open: a closed one has forgotten its secrets and is let go."""
        self.dialog = dialog

        def forget() -> None:
            if self.dialog is dialog:
                self.dialog = None

        dialog.finished.connect(forget)
        dialog.open()

    # --- network ---
    def _selected_profile(self) -> NetworkProfile | None:
        name = self.network.currentData()
        return self.loaded.profiles.get(name) if self.loaded and name else None

    def _network_selected(self) -> None:
        profile = self._selected_profile()
        if profile is None:
            self.network_details.setText("")
            return
        contracts = ", ".join(f"{k} {v}" for k, v in sorted(profile.contracts.items())) or "no contracts set"
        kind = "local devnet, started by the wallet · " if profile.is_devnet else ""
        self.network_details.setText(f"{kind}chain {profile.chain_id} · {profile.rpc_url}\n{contracts}")
        self.switch_button.setEnabled(profile.name != self.service.network_name)
        self.edit_network_button.setEnabled(not profile.is_devnet)

    def edit_network(self, profile: NetworkProfile | None) -> None:
        dialog = NetworkDialog(self.service, profile, self)

        def saved() -> None:
            if dialog.saved is not None:
                name = dialog.saved.name
                say(self.network_status, f"Saved the network “{name}”." + (
                    "" if name == self.service.network_name else " Switch to it to use it."))
                self._select_next = name
                self._reload()

        dialog.accepted.connect(saved)
        self._open(dialog)

    def choose_network_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a network", "", "Network profiles (*.json);;All files (*)")
        if path:
            self.import_network(Path(path))

    def import_network(self, path: Path) -> None:
        """Read and check the profile in the background (its chain is asked for its id); saved, not switched to."""
        self.import_network_button.setEnabled(False)
        say(self.network_status, f"Reading {path.name} and asking its chain…")

        def done(profile: NetworkProfile) -> None:
            say(self.network_status, f"Imported the network “{profile.name}” (chain {profile.chain_id}). Switch "
                                     "to it to use it.")
            self._select_next = profile.name
            self._reload()

        change_op(lambda: self.service.import_network(path), parent=self).success(done).failure(
            lambda e: say(self.network_status, user_message(e), error=True)).finally_(
            lambda: self.import_network_button.setEnabled(True)).run()

    def switch_network(self) -> None:
        profile = self._selected_profile()
        if profile is None or profile.name == self.service.network_name:
            return
        name = profile.name
        self.switch_button.setEnabled(False)
        self.switch_button.setText("Switching…")
        say(self.network_status, "")

        def work() -> tuple[str, int, str]:
            return self.controller.switch_network(name)

        def done(result: tuple[str, int, str]) -> None:
            new_name, chain_id, problem = result
            if problem:
                say(self.network_status, f"Switched to {new_name}, but it cannot be reached yet: {problem} "
                                         "The wallet keeps trying in the background.", error=True)
            else:
                say(self.network_status, f"Switched to {new_name} (chain {chain_id}). Balances and "
                                         "providers now come from this network.")

        def finish() -> None:
            self.switch_button.setText("Switch to this network")
            self._reload()

        change_op(work, parent=self).success(done).failure(
            lambda e: say(self.network_status, user_message(e), error=True)).finally_(finish).run()

    # --- security ---
    def _save_auto_lock(self) -> None:
        minutes = self.auto_lock.value()

        def done(_: object) -> None:
            say(self.security_status, "Saved: the wallet never locks by itself." if minutes == 0 else
                f"Saved: the wallet locks after {minutes} minute{'s' if minutes != 1 else ''} without activity.")

        change_op(lambda: self.service.set_auto_lock_minutes(minutes), parent=self).success(done).failure(
            lambda e: say(self.security_status, user_message(e), error=True)).run()

    def change_password(self) -> None:
        dialog = ChangePasswordDialog(self.service, self)
        dialog.accepted.connect(lambda: say(
            self.security_status, "Password changed. Use the new password from now on."))
        self._open(dialog)

    # --- backup ---
    def reveal_phrase(self) -> None:
        dialog = PasswordDialog(
            self, action=lambda password: self.service.reveal_mnemonic(password), title="Show recovery phrase",
            text="Enter your wallet password to show your recovery phrase. Make sure nobody can see your screen.",
            ok_text="Show phrase", busy_text="Decrypting…")

        def show() -> None:
            phrase, dialog.result_value = dialog.result_value, None
            self._open(MnemonicDialog(phrase, self))

        dialog.accepted.connect(show)
        self._open(dialog)

    def export_keystore(self) -> None:
        if self.loaded is None:
            return
        dialog = ExportKeystoreDialog(self.service, self.loaded.accounts, self.loaded.current, self)
        dialog.accepted.connect(lambda: say(
            self.backup_status, f"Saved {dialog.saved_path}. Keep it as safe as the password that protects it."))
        self._open(dialog)

    # --- account ---
    def rename_account(self) -> None:
        address, label = self.account_address.address, self.label_edit.text()
        if not address:
            return
        self.rename_button.setEnabled(False)

        def done(_: object) -> None:
            say(self.account_status, "Renamed.")  # the service announces it: the account list follows

        change_op(lambda: self.service.rename_account(address, label), parent=self).success(done).failure(
            lambda e: say(self.account_status, user_message(e), error=True)).finally_(
            lambda: self.rename_button.setEnabled(True)).run()
