"""Settings → Payment scheme: how the wallet prefers to pay a provider that offers both schemes.

Automatic pays metered (``upto``: a signed maximum, charged for the output generated) when the provider offers
it, else exact; Metered only refuses providers that do not meter; Exact always prepays the whole quote. The
preference is the core's (the command line's ``run --scheme`` default too): this section reads and saves it
through the service and follows its announcement (``settings_changed("payment_scheme")``), whoever made it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.errors import user_message
from ui.ops import change_op, op
from ui.pages.settings_parts import row, say, section, status_label
from ui.widgets.common import subtitle

SETTING = "payment_scheme"
CHOICES = (("auto", "Automatic — metered when the provider offers it"),
           ("upto", "Metered only — pay for the tokens generated"),
           ("exact", "Exact only — prepay the whole quote"))
EXPLAINED = {
    "auto": "A metered provider is paid for what the answer used, never more than the quote; the others are "
            "paid the quote.",
    "upto": "Only providers that meter are paid; the others are refused before anything is signed.",
    "exact": "Every task is paid its whole quote up front, even by a provider that meters.",
}


class SchemeSection(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, v = section("Payment scheme", "A metered payment signs the quote as a maximum and is charged for "
                                             "the output generated; the wallet checks the charge against its "
                                             "own count of the answer.")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.service = controller.service
        self.choice = QComboBox()
        for value, text in CHOICES:
            self.choice.addItem(text, value)
        self.choice.setAccessibleName("Preferred payment scheme")
        self.choice.activated.connect(lambda _index: self.save())  # the user's pick, not a reload
        v.addLayout(row(self.choice))
        self.explained = subtitle("")
        v.addWidget(self.explained)
        self.status = status_label()
        v.addWidget(self.status)
        controller.signals.settings_changed.connect(lambda name: name == SETTING and self.reload())
        self.reload()

    def value(self) -> str:
        return str(self.choice.currentData())

    def reload(self) -> None:
        op(self.service.payment_scheme, parent=self).success(self._show).failure(
            lambda e: say(self.status, user_message(e), error=True)).run()

    def _show(self, scheme: str) -> None:
        index = self.choice.findData(scheme)
        if index >= 0:
            self.choice.setCurrentIndex(index)
        self.explained.setText(EXPLAINED.get(scheme, ""))

    def save(self) -> None:
        scheme = self.value()
        self.explained.setText(EXPLAINED[scheme])
        change_op(lambda: self.service.set_payment_scheme(scheme), parent=self).success(
            lambda _: say(self.status, "Saved.")).failure(
            lambda e: say(self.status, user_message(e), error=True)).run()
