"""Adding or editing a custom network: name, chain id, RPC URL and the three contract addresses.

Each field says what is wrong with it beside it. Addresses are checked for their EIP-55 checksum on Save,
in the background (the checksum code is a slow first import), together with writing networks.json.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.dialogs.layout import add_buttons, dialog_layout
from ui.errors import user_message
from ui.ops import change_op
from ui.widgets.common import error_label, primary_button, show_error_text, subtitle
from wallet.addresses import parse_address
from wallet.errors import InvalidInput
from wallet.networks import BUILTIN_PROFILES, CONTRACT_NAMES, NetworkProfile
from wallet.service import WalletService

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$")
_ADDRESS_SHAPE = re.compile(r"^0[xX][0-9a-fA-F]{0,40}$")
CONTRACT_HINTS = {
    "AIToken": "the AI Token (AIT) contract — without it only ETH balances are shown",
    "ProviderRegistry": "where providers and their prices are listed",
    "TokenSale": "where AIT is bought with ETH (top-up)",
}


class NetworkDialog(QDialog):
    """After Accepted, ``saved`` is the profile that was written."""

    def __init__(self, service: WalletService, profile: NetworkProfile | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.saved: NetworkProfile | None = None
        self.busy = False
        self.setWindowTitle("Custom network")
        self.setMinimumWidth(560)
        layout = dialog_layout(self, "Add or edit a network")
        layout.addWidget(subtitle(
            "Any EVM chain where the AI Token contracts are deployed. The wallet checks that the RPC URL "
            "serves this chain id when it connects."))
        form = QFormLayout()
        form.setVerticalSpacing(4)
        form.setHorizontalSpacing(12)
        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self._add(form, "name", "Name", "e.g. my-testnet")
        self._add(form, "chain_id", "Chain id", "e.g. 11155111")
        self._add(form, "rpc_url", "RPC URL", "https://…")
        for cname in CONTRACT_NAMES:
            self._add(form, cname, cname, f"0x… ({CONTRACT_HINTS[cname]})")
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.save_button = primary_button("Save network")
        self.save_button.setDefault(True)  # saving a profile spends nothing and reveals nothing
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        add_buttons(layout, buttons)
        if profile is not None:
            self.fields["name"].setText(profile.name)
            self.fields["chain_id"].setText(str(profile.chain_id))
            self.fields["rpc_url"].setText(profile.rpc_url)
            for cname, addr in profile.contracts.items():
                if cname in self.fields:
                    self.fields[cname].setText(addr)
        for key, field in self.fields.items():
            field.textChanged.connect(lambda _=None, k=key: self._check_field(k))
        self._update_button()

    def _add(self, form: QFormLayout, key: str, label: str, placeholder: str) -> None:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 4)
        v.setSpacing(2)
        field = QLineEdit()
        field.setPlaceholderText(placeholder)
        field.setAccessibleName(label)
        if key in CONTRACT_NAMES:
            field.setStyleSheet("font-family: monospace;")
        err = error_label()
        v.addWidget(field)
        v.addWidget(err)
        form.addRow(label, box)
        self.fields[key] = field
        self.errors[key] = err

    # --- checks as you type: shape only; checksums on save ---
    def field_problem(self, key: str) -> str:
        text = self.fields[key].text().strip()
        if key == "name":
            if not text:
                return "Give the network a name."
            if text in BUILTIN_PROFILES and BUILTIN_PROFILES[text].is_devnet:
                return "The devnet is set up by the wallet itself; choose another name."
            if not _NAME.match(text):
                return "Use letters, digits, spaces, dots, dashes or underscores (up to 40)."
        elif key == "chain_id":
            if not text:
                return "Enter the chain id (a whole number)."
            if not text.isdigit() or int(text) <= 0:
                return "The chain id is a positive whole number."
        elif key == "rpc_url":
            if not text.startswith(("http://", "https://")) or len(text) < 10:
                return "The RPC URL starts with http:// or https://."
        elif text and (not _ADDRESS_SHAPE.match(text) or len(text) != 42):
            return "An address is 0x followed by 40 hexadecimal characters."
        return ""

    def _check_field(self, key: str) -> None:
        # Say nothing about an empty field until Save: an empty form should not open as a wall of errors.
        problem = self.field_problem(key) if self.fields[key].text() else ""
        show_error_text(self.errors[key], problem)
        show_error_text(self.error, "")
        self._update_button()

    def _update_button(self) -> None:
        self.save_button.setEnabled(not self.busy and all(f.text().strip() for k, f in self.fields.items()
                                                          if k in ("name", "chain_id", "rpc_url")))

    def submit(self) -> None:
        if self.busy:
            return
        problems = {k: self.field_problem(k) for k in self.fields}
        for key, problem in problems.items():
            show_error_text(self.errors[key], problem)
        if any(problems.values()):
            return
        text = {k: f.text().strip() for k, f in self.fields.items()}
        self._set_busy(True)
        change_op(lambda: self._build_and_save(text), parent=self).success(self._done).failure(
            self._failed).finally_(lambda: self._set_busy(False)).run()

    def _build_and_save(self, text: dict[str, str]) -> NetworkProfile:
        contracts = {}
        for cname in CONTRACT_NAMES:
            if text[cname]:
                try:
                    contracts[cname] = parse_address(text[cname])
                except InvalidInput as e:
                    raise FieldError(cname, e.user_message) from None
        profile = NetworkProfile(text["name"], int(text["chain_id"]), text["rpc_url"], contracts)
        self.service.save_network(profile)
        return profile

    def _done(self, profile: NetworkProfile) -> None:
        self.saved = profile
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, FieldError):
            show_error_text(self.errors[exc.field], exc.user_message)
            self.fields[exc.field].setFocus()
        else:
            show_error_text(self.error, user_message(exc))

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        for f in self.fields.values():
            f.setEnabled(not on)
        self.save_button.setText("Saving…" if on else "Save network")
        self._update_button()


class FieldError(InvalidInput):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
