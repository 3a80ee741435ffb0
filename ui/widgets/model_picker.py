"""Provider and model pickers, with the chosen model's price line, limits and the provider's verified badge."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QLocale, QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.formatting import amount_short_price, whole_number
from ui.theme import colour
from ui.widgets.common import plain_label
from wallet.registry import ModelPrice, ProviderInfo


def count_text(n: int) -> str:
    """A whole count (tokens) grouped as the locale groups digits."""
    return whole_number(n)


def price_text(base_units: int) -> str:
    """A price per 1M tokens with at least two decimals, as prices are usually read: "0.60 AIT", "30.00 AIT";
    rounded up, like every price shown."""
    number = amount_short_price(base_units).removesuffix(" AIT")
    point = QLocale().decimalPoint() or "."
    whole, _, frac = number.partition(point)
    return f"{whole}{point}{frac.ljust(2, '0')} AIT"


def model_prices_line(m: ModelPrice) -> str:
    return f"{price_text(m.input_price)} / 1M input tokens · {price_text(m.output_price)} / 1M output tokens"


def model_limits_line(m: ModelPrice) -> str:
    return (f"{count_text(m.context_window)}-token context window · up to {count_text(m.max_output)} output tokens"
            f" · metered by {m.encoding}")


THEME_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


def restyle(widget: QWidget, css: str) -> None:
    """Set a style sheet only if it differs: setting one changes the palette, which would call back forever."""
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)


class VerifiedBadge(QLabel):
    """A pill: green "✓ verified" when the registry's curator vouches for the provider, muted otherwise.
    Its colours follow a light/dark switch while it is shown."""

    def __init__(self, verified: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_verified(verified)

    def set_verified(self, verified: bool) -> None:
        self.verified = verified
        self.setText("✓ verified" if verified else "not verified")
        self.setToolTip("The registry's curator has verified this provider." if verified
                        else "The registry's curator has not verified this provider. Check its name and address.")
        self._colour()

    def _colour(self) -> None:
        tone = colour("success") if self.verified else colour("muted")
        restyle(self, f"color: {tone}; border: 1px solid {tone}; border-radius: 8px; padding: 0px 7px;"
                      " font-size: 11px; font-weight: 600;")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in THEME_EVENTS:
            self._colour()


def verified_badge(verified: bool) -> VerifiedBadge:
    return VerifiedBadge(verified)


class ModelPicker(QWidget):
    """Emits ``changed(provider, model)`` whenever the choice changes (also when a reload moves it)."""

    changed = Signal(object, object)  # ProviderInfo, ModelPrice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._providers: list[ProviderInfo] = []
        self.provider_box = QComboBox()
        self.provider_box.setMinimumWidth(200)
        self.provider_box.setToolTip("Who runs the task (from the on-chain provider registry)")
        self.model_box = QComboBox()
        self.model_box.setMinimumWidth(180)
        self.model_box.setToolTip("The model, at the provider's registered prices")
        self.badge = verified_badge(False)
        self.prices = plain_label()
        self.prices.setStyleSheet("font-weight: 600;")
        self.limits = plain_label()  # names the registry's encoding: shown literally
        self.limits.setProperty("role", "subtitle")

        top = QHBoxLayout()
        top.setSpacing(8)
        provider_label = QLabel("&Provider")
        provider_label.setBuddy(self.provider_box)
        model_label = QLabel("&Model")
        model_label.setBuddy(self.model_box)
        top.addWidget(provider_label)
        top.addWidget(self.provider_box)
        top.addSpacing(12)
        top.addWidget(model_label)
        top.addWidget(self.model_box)
        top.addSpacing(8)
        top.addWidget(self.badge)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.prices)
        layout.addWidget(self.limits)
        self.provider_box.currentIndexChanged.connect(self._provider_chosen)
        self.model_box.currentIndexChanged.connect(self._model_chosen)

    # --- state ---
    def provider(self) -> ProviderInfo | None:
        i = self.provider_box.currentIndex()
        return self._providers[i] if 0 <= i < len(self._providers) else None

    def model(self) -> ModelPrice | None:
        p = self.provider()
        i = self.model_box.currentIndex()
        return p.models[i] if p is not None and 0 <= i < len(p.models) else None

    def set_providers(self, providers: Sequence[ProviderInfo]) -> None:
        """Fill the pickers, keeping the current provider and model when they are still offered."""
        keep_provider = self.provider()
        keep_model = self.model()
        self._providers = [p for p in providers if p.models]
        with QSignalBlocker(self.provider_box):  # unblocked even if an odd registry entry raises
            self.provider_box.clear()
            for p in self._providers:
                self.provider_box.addItem(p.name + ("  ✓" if p.verified else ""), p.id)
            idx = self.provider_box.findData(keep_provider.id) if keep_provider else -1
            self.provider_box.setCurrentIndex(max(idx, 0) if self._providers else -1)
        self._fill_models(keep_model.model if keep_model else None)

    def select(self, provider_id: int, model: str) -> None:
        idx = self.provider_box.findData(provider_id)
        if idx < 0:
            return
        with QSignalBlocker(self.provider_box):
            self.provider_box.setCurrentIndex(idx)
        self._fill_models(model)

    # --- reactions ---
    def _provider_chosen(self, _index: int) -> None:
        current = self.model()
        self._fill_models(current.model if current else None)

    def _fill_models(self, prefer: str | None) -> None:
        p = self.provider()
        with QSignalBlocker(self.model_box):
            self.model_box.clear()
            if p is not None:
                for m in p.models:
                    self.model_box.addItem(m.model, m.model)
                idx = self.model_box.findData(prefer) if prefer else -1
                self.model_box.setCurrentIndex(max(idx, 0))
        self._model_chosen()

    def _model_chosen(self, _index: int = -1) -> None:
        p, m = self.provider(), self.model()
        if p is None or m is None:
            self.prices.setText("")
            self.limits.setText("")
            self.badge.hide()
            return
        self.badge.show()
        self.badge.set_verified(p.verified)
        self.prices.setText(model_prices_line(m))
        self.limits.setText(model_limits_line(m))
        self.changed.emit(p, m)
