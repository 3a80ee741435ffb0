"""The charge to expect beside the live quote, if the provider meters the payment (``upto``).

The expectation comes from this wallet's earlier answers from the chosen model (``WalletService.fill_ratio``), a
database read: it runs in the background when the provider or model changes and again whenever a payment is
recorded or settles, never per keystroke. Each quote is then priced from the ratio held here
(``FillRatio.apply``, the same formula as ``WalletService.expected_charge``), so typing never touches the database
and a locked database never holds up the GUI thread: the row shows a dash until the ratio has been read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ui.bridge import CoreSignals
from ui.errors import report
from ui.ops import op
from ui.widgets.model_picker import ModelPicker
from ui.widgets.quote_panel import QuotePanel
from wallet.quote import Quote
from wallet.registry import ModelPrice, ProviderInfo
from wallet.service import WalletService

if TYPE_CHECKING:
    from wallet.payments.expected import FillRatio


class ExpectedFigure(QObject):
    def __init__(self, service: WalletService, signals: CoreSignals, picker: ModelPicker, panel: QuotePanel,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service, self.panel = service, panel
        self.target: tuple[int, str] | None = None  # (provider id, model) the ratio is read for
        self.ratio: FillRatio | None = None  # None: not read yet for ``target``
        self._reads = 0  # one per read started: only the latest one's answer is kept
        self._quote: Quote | None = None  # the quote the panel shows, if it shows one
        picker.changed.connect(self._target_changed)
        signals.payment_settled.connect(self._settled)
        signals.payment_recorded.connect(lambda _id, _status: self.reload())  # an answer's tokens are counted
        signals.network_switched.connect(lambda _name, _chain, _devnet: self._switched())

    def show(self, quote: Quote | None) -> None:
        """Called with each quote the panel shows (None when it shows none)."""
        self._quote = quote
        ratio = self.ratio
        if quote is None or ratio is None or (quote.provider_id, quote.model) != self.target:
            self.panel.show_expected(None)
        else:
            self.panel.show_expected(ratio.apply(quote))

    def reload(self) -> None:
        """Read the ratio again (the history of the target changed); the one held is used meanwhile."""
        if self.target is None:
            return
        self._reads += 1
        read, (provider_id, model) = self._reads, self.target
        service = self.service

        def loaded(ratio: FillRatio) -> None:
            if read == self._reads:
                self.ratio = ratio
                self.show(self._quote)

        def failed(exc: BaseException) -> None:
            report(exc, "reading the earlier answers for the expected charge")

        op(lambda: service.fill_ratio(provider_id, model), parent=self).success(loaded).failure(failed).run()

    def _target_changed(self, provider: ProviderInfo, model: ModelPrice) -> None:
        target = (provider.id, model.model)
        if target != self.target:
            self.target, self.ratio = target, None
            self.show(self._quote)
            self.reload()

    def _settled(self, _intent_id: int, _account: str, provider_id: int, _amount: object, _tx: str) -> None:
        if self.target is not None and provider_id == self.target[0]:
            self.reload()

    def _switched(self) -> None:
        """Another chain, another history: nothing held is valid."""
        self.ratio = None
        self.show(self._quote)
        self.reload()
