"""Money and counts as the user reads them: a price is never shown below what will be charged, a balance never
above what is held, and digits are grouped as the locale groups them."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from ui.formatting import amount_full, amount_short, amount_short_price, price_per_million, round_up_significant
from ui.widgets.model_picker import count_text, price_text
from ui.widgets.quote_panel import QuotePanel
from wallet.quote import Quote
from wallet.units import ONE

pytestmark = pytest.mark.gui
MICRO = ONE // 10**6
NANO = ONE // 10**9


@pytest.fixture
def locale() -> Iterator[callable]:
    saved = QLocale()

    def use(name: str) -> None:
        QLocale.setDefault(QLocale(name))

    use("en_US")
    yield use
    QLocale.setDefault(saved)


@pytest.mark.parametrize(("base_units", "price", "balance"), [
    (ONE + 900 * NANO, "1.000001 AIT", "1 AIT"),                 # 1.0000009
    (ONE + 1, "1.000001 AIT", "1 AIT"),                          # one base unit over 1 AIT
    (614_400 * ONE // 10**9, "0.0006144 AIT", "0.0006144 AIT"),  # exact at 6 significant decimals
    (123_456_789 * 10**7, "0.00123457 AIT", "0.00123456 AIT"),      # 0.00123456789
    (ONE - 100 * NANO, "1 AIT", "0.999999 AIT"),                 # 0.9999999 rounds up across the point
    (999_999_999_999_999_999, "1 AIT", "0.999999 AIT"),
    (1, "0.000000000000000001 AIT", "0.000000000000000001 AIT"),  # the smallest unit: nothing to round
    (0, "0 AIT", "0 AIT"),
    (12 * ONE + 5 * MICRO // 10, "12.000001 AIT", "12 AIT"),     # 12.0000005
])
def test_prices_round_up_and_balances_truncate(locale: callable, base_units: int, price: str,
                                               balance: str) -> None:
    assert amount_short_price(base_units) == price
    assert amount_short(base_units) == balance
    assert round_up_significant(base_units) >= base_units


def test_rounding_up_is_exact_on_huge_amounts(locale: callable) -> None:
    value = 123_456_789_012_345_678_901 * ONE + 1  # far past any float's precision
    assert round_up_significant(value) == 123_456_789_012_345_678_901 * ONE + MICRO
    assert amount_short_price(value) == "123,456,789,012,345,678,901.000001 AIT"
    assert amount_full(value) == "123,456,789,012,345,678,901.000000000000000001 AIT"


def test_prices_per_million_round_up(locale: callable) -> None:
    assert price_text(15 * ONE // 100) == "0.15 AIT"
    assert price_text(ONE + 1) == "1.000001 AIT"
    assert price_per_million(ONE + 1) == "1.000001 AIT / 1M"


def test_indian_grouping(locale: callable) -> None:
    locale("hi_IN")
    assert amount_short(1_234_567 * ONE + ONE // 2) == "12,34,567.5 AIT"
    assert amount_short_price(1_234_567 * ONE + 1) == "12,34,567.000001 AIT"
    assert amount_full(-(1_234_567 * ONE + ONE // 2)) == "-12,34,567.5 AIT"
    assert count_text(1_047_576) == "10,47,576"


@pytest.mark.parametrize(("name", "amount", "count"), [
    ("en_US", "1,234,567.5 AIT", "1,047,576"),
    ("C", "1,234,567.5 AIT", "1,047,576"),  # LANG=C: Qt omits separators by default, amounts keep them
    ("de_DE", "1.234.567,5 AIT", "1.047.576"),
    ("de_CH", "1’234’567.5 AIT", "1’047’576"),
    ("fr_FR", "1\u202f234\u202f567,5 AIT", "1\u202f047\u202f576"),
    ("ar_EG", "1٬234٬567٫5 AIT", "1٬047٬576"),  # the locale's separators, Latin digits throughout
])
def test_locale_separators(locale: callable, name: str, amount: str, count: str) -> None:
    locale(name)
    sep = QLocale().groupSeparator()
    amount, count = amount.replace("’", sep), count.replace("’", sep)
    assert amount_short(1_234_567 * ONE + ONE // 2) == amount
    assert count_text(1_047_576) == count


def test_past_64_bits_groups_by_three(locale: callable) -> None:
    assert amount_short(10**19 * ONE) == "10,000,000,000,000,000,000 AIT"
    assert count_text(2**63) == "9,223,372,036,854,775,808"


def test_the_quote_panel_never_shows_a_price_below_the_charge(locale: callable, qtbot: QtBot) -> None:
    panel = QuotePanel()
    qtbot.addWidget(panel)
    price = ONE + 900 * NANO  # 1.0000009 AIT
    quote = Quote(1, "Demo AI", True, "gpt-4o-mini", "o200k_base", 1000, 1024,
                  Decimal(ONE + 500 * NANO) + Decimal("0.25"), Decimal(400 * NANO) - Decimal("0.25"), price,
                  2 * ONE - price)
    panel.set_balance(2 * ONE)
    panel.show_quote(quote)
    assert panel.price.text() == "1.000001 AIT"
    assert panel.price.toolTip().startswith("1.0000009 AIT")
    assert panel.input_cost.text() == "1.000001 AIT"        # 1.0000005 and a quarter of a base unit
    assert panel.output_cost.text() == "0.0000004 AIT"      # just under 0.0000004: rounded up to it
    assert panel.balance.text() == "2 AIT"
    assert panel.balance_after.text() == "0.999999 AIT"     # 0.9999991 held after paying: truncated

    short = Quote(1, "Demo AI", True, "gpt-4o-mini", "o200k_base", 1000, 1024, Decimal(price), Decimal(0),
                  price, ONE // 2 - price)
    panel.show_quote(short)
    assert panel.state == "refused"
    assert panel.status.text() == ("Your balance (0.5 AIT) does not cover this price: 0.500001 AIT more is "
                                   "needed. Top up first.")


def test_prices_in_a_column_share_their_decimals() -> None:
    from ui.formatting import aligned_prices

    prices = [1_798_240_000_000_000, 1_966_200_000_000_000, 6_281_000_000_000_000, 26_216_000_000_000_000,
              3 * ONE + 1]
    assert aligned_prices(prices) == ["0.00179824 AIT", "0.00196620 AIT", "0.00628100 AIT", "0.02621600 AIT",
                                      "3.00000100 AIT"]  # 3 AIT and one base unit: rounded up, never down
    assert aligned_prices([ONE, 2 * ONE]) == ["1 AIT", "2 AIT"]
    assert aligned_prices([]) == []
