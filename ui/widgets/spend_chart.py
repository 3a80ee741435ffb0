"""AIT spent per day or week, stacked by provider: Qt Charts (PySide6-Addons), imported only when History first
draws its chart.

The figures are the core's (``WalletService.spend_series``: integers in base units). A bar's height is a float
because that is what a chart draws with; every number written — the axis' unit aside, the tooltips and the
totals — comes from the integers. Clicking a provider in the legend hides or shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QLegend,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

from ui.formatting import amount_full, amount_short
from ui.theme import is_dark
from wallet.units import ONE

MAX_BARS = 14  # the most recent days (or weeks) shown: each bar keeps a readable date under it

# One colour per provider, in the order they first appear; readable on the light and the dark palette.
SERIES_COLOURS = ("#2f6fde", "#e08a1e", "#1e8e3e", "#a23bbf", "#c0392b", "#0f9fa8", "#7a7f87", "#b5a31c")


def periods_up_to(latest: str, period: str, n: int) -> list[str]:
    """The ``n`` days (or weeks, by their Mondays) ending with ``latest``, oldest first, as ISO dates."""
    end = date.fromisoformat(latest)
    step = timedelta(days=7 if period == "week" else 1)
    return [(end - step * i).isoformat() for i in range(n - 1, -1, -1)]


def months_of(periods: Sequence[str]) -> str:
    """The axis' title: the months the bars fall in ("Nov 2026", "Oct – Nov 2026", "Dec 2025 – Jan 2026")."""
    if not periods:
        return ""
    first, last = date.fromisoformat(periods[0]), date.fromisoformat(periods[-1])
    if (first.year, first.month) == (last.year, last.month):
        return last.strftime("%b %Y")
    return f"{first.strftime('%b' if first.year == last.year else '%b %Y')} – {last.strftime('%b %Y')}"


def label_format(span: float, ticks: int) -> str:
    """Plain decimals, as many as the step between ticks needs: "%g" writes small spending as "5e-05"."""
    step = Decimal(f"{span / max(ticks - 1, 1):.6g}").normalize()
    return f"%.{len(format(step, 'f').partition('.')[2])}f"


class SpendChart(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(150)
        self.chart_ = QChart()
        self.chart_.setMargins(QMargins(4, 4, 4, 4))
        self.chart_.setBackgroundRoundness(0)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart_.legend().setMarkerShape(QLegend.MarkerShape.MarkerShapeRectangle)
        self.setChart(self.chart_)
        self.periods: list[str] = []
        self.period = "day"
        self.providers: list[str] = []
        self.amounts: dict[tuple[str, str], int] = {}  # (period, provider) -> base units
        self.hidden: set[str] = set()
        self._draw()

    # --- data ---
    def set_points(self, points: Sequence[Any], period: str = "day") -> None:
        """``points``: objects with .period (ISO date of the day, or of the week's Monday), .provider, .amount
        (base units). The chart shows the ``MAX_BARS`` periods up to the latest one, days without spending
        included (as no bar)."""
        self.period = period
        latest = max((str(p.period) for p in points), default=None)
        self.periods = [] if latest is None else periods_up_to(latest, period, MAX_BARS)
        shown = set(self.periods)
        self.amounts = {}
        for p in points:
            key = (str(p.period), str(p.provider or "—"))
            if key[0] in shown:
                self.amounts[key] = self.amounts.get(key, 0) + int(p.amount)
        self.providers = sorted({provider for _, provider in self.amounts}, key=str.lower)
        self.hidden &= set(self.providers)
        self._draw()

    def total(self, period: str) -> int:
        return sum(a for (p, who), a in self.amounts.items() if p == period and who not in self.hidden)

    def toggle(self, provider: str) -> None:
        self.hidden ^= {provider}
        self._draw()

    # --- drawing ---
    def _draw(self) -> None:
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        # The theme first: it recolours whatever series exist when it is set.
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if is_dark() else QChart.ChartTheme.ChartThemeLight)
        chart.setTitle("" if self.amounts else "No AIT spent on providers yet")
        chart.legend().setVisible(bool(self.amounts))
        if not self.amounts:
            self._style()
            return
        series = QStackedBarSeries()
        series.setBarWidth(0.7)
        for i, provider in enumerate(self.providers):
            bars = QBarSet(provider)
            tone = QColor(SERIES_COLOURS[i % len(SERIES_COLOURS)])
            if provider in self.hidden:
                tone.setAlpha(40)
            bars.setColor(tone)
            bars.setBorderColor(tone)
            for period in self.periods:
                amount = 0 if provider in self.hidden else self.amounts.get((period, provider), 0)
                bars.append(float(Decimal(amount) / ONE))  # drawing only: every figure shown is from the ints
            series.append(bars)
        series.hovered.connect(self._hovered)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        # Day numbers fit under narrow bars; the months are the axis' title, the whole date each tooltip's.
        x.append([str(date.fromisoformat(p).day) for p in self.periods] or [""])
        x.setTitleText(("Weeks starting " if self.period == "week" else "") + months_of(self.periods))
        y = QValueAxis()
        y.setTitleText("AIT")
        y.setMin(0)
        top = max((self.total(p) for p in self.periods), default=0)
        y.setMax(max(float(Decimal(top) / ONE) * 1.1, 1e-9))
        y.applyNiceNumbers()
        y.setLabelFormat(label_format(y.max() - y.min(), y.tickCount()))
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        for marker in chart.legend().markers(series):
            marker.clicked.connect(lambda m=marker: self.toggle(m.label()))
        self._style()

    def _hovered(self, status: bool, index: int, bars: QBarSet) -> None:
        if not status or not 0 <= index < len(self.periods):
            QToolTip.hideText()
            return
        period, provider = self.periods[index], bars.label()
        amount = self.amounts.get((period, provider), 0)
        QToolTip.showText(self.cursor().pos(), f"{provider}, {period}: {amount_full(amount)}\n"
                                               f"All providers that day: {amount_short(self.total(period))}")

    def _style(self) -> None:
        """The window's palette over the theme's: the chart sits on the page like any other field."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        self.chart_.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        self.chart_.setTitleBrush(palette.color(QPalette.ColorRole.PlaceholderText))
        self.chart_.legend().setLabelColor(text)
        for axis in self.chart_.axes():
            axis.setLabelsColor(text)
            axis.setTitleBrush(text)
        self.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._draw()
