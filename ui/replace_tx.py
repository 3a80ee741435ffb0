"""Speeding up or cancelling a stuck transaction, from History or from the pending list of Send & Receive: the
core says what the replacement would pay (``prepare_replacement``), the user confirms it, the core signs it.

    replace_transaction(parent, service, tx_hash, "speed_up", say)   # say(text, is_error)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.dialogs.confirm_tx import ConfirmTransactionDialog
from ui.errors import user_message
from ui.formatting import amount_full, whole_number
from ui.ops import change_op, op
from ui.widgets.tx import short_hash
from wallet.units import format_significant

Say = Callable[[str, bool], None]


def gwei(wei: int) -> str:
    """A fee per gas in gwei (10⁹ wei), to 3 decimals at most."""
    return f"{format_significant(wei, 9, 6)} gwei"


def replace_transaction(parent: QWidget, service: Any, tx_hash: str, how: str, say: Say) -> None:
    """``how``: "speed_up" or "cancel"."""
    op(lambda: service.prepare_replacement(tx_hash), parent=parent).success(
        lambda result: _confirm(parent, service, how, *result, say)).failure(
        lambda e: say(user_message(e), True)).run()


def _confirm(parent: QWidget, service: Any, how: str, record: Any, fees: Any, say: Say) -> None:
    speed = how == "speed_up"
    what = f"{amount_full(record.amount, record.asset)}" if record.amount else "the call"
    rows = [
        ("Transaction", record.tx_hash),
        ("Sends", what if speed else "nothing (0 ETH to your own account)"),
        ("Nonce", whole_number(record.nonce)),
        ("Fee per gas", f"up to {gwei(fees.max_fee_per_gas)} (was up to {gwei(record.max_fee)})"),
        ("Network fee", f"up to {amount_full((record.gas_limit if speed else 21_000) * fees.max_fee_per_gas, 'ETH')}"),
    ]
    note = ("The same transaction again with a higher fee: whichever is mined first, the other never will be."
            if speed else "A transaction that sends nothing takes the stuck one's place: if it is mined first, the "
                          "stuck one never will be, and only its fee is spent.")
    dialog = ConfirmTransactionDialog("Speed up this transaction?" if speed else "Cancel this transaction?", rows,
                                      "Speed up" if speed else "Cancel transaction", note=note, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        action = service.speed_up if speed else service.cancel_transaction
        change_op(lambda: action(record.tx_hash), parent=parent).success(
            lambda new: say(f"{'Sped up' if speed else 'Cancellation sent'}: {short_hash(new.tx_hash)} replaces "
                            f"{short_hash(record.tx_hash)} once mined.", False)).failure(
            lambda e: say(user_message(e), True)).run()

    dialog.accepted.connect(accepted)
    parent.setProperty("openDialog", dialog)  # tests find it here
    dialog.open()

