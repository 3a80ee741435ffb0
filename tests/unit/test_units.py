from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.errors import InvalidAmount
from wallet.units import ONE, format_amount, format_significant, parse_amount, to_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("1", ONE),
        ("12.5", 12 * ONE + ONE // 2),
        (".5", ONE // 2),
        ("5.", 5 * ONE),
        ("0.000000000000000001", 1),
        ("  3  ", 3 * ONE),
        ("123456789012345678901234567890", 123456789012345678901234567890 * ONE),
    ],
)
def test_parse_amount_accepts_plain_decimals(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-1", "negative"),
        ("-0.5", "negative"),
        ("abc", "not an amount"),
        ("", "not an amount"),
        (".", "not an amount"),
        ("1e18", "not an amount"),
        ("1,000", "not an amount"),
        ("0x10", "not an amount"),
        ("NaN", "not an amount"),
        ("inf", "not an amount"),
        ("1.2.3", "not an amount"),
        ("0.0000000000000000001", "19 decimal places"),
    ],
)
def test_parse_amount_refuses_bad_input_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidAmount) as e:
        parse_amount(text)
    assert reason in e.value.user_message


def test_parse_amount_zero_can_be_refused() -> None:
    with pytest.raises(InvalidAmount, match="more than zero"):
        parse_amount("0.0", allow_zero=False)


def test_parse_amount_other_decimals() -> None:
    assert parse_amount("1.5", decimals=6) == 1_500_000
    with pytest.raises(InvalidAmount):
        parse_amount("1.5000001", decimals=6)


def test_format_never_scientific_and_drops_trailing_zeros() -> None:
    assert format_amount(1) == "0.000000000000000001"
    assert format_amount(10**30) == "1000000000000"
    assert format_amount(12 * ONE + ONE // 2) == "12.5"
    assert format_amount(-ONE // 4) == "-0.25"
    assert "e" not in format_amount(7 * 10**40).lower()


def test_format_significant_truncates() -> None:
    assert format_significant(1_234_567_891_234_567_891) == "1.234567"
    assert format_significant(1_999_999_999 * 10**9) == "1.999999"
    assert format_significant(123) == "0.000000000000000123"
    assert format_significant(123_456_789_123) == "0.000000123456"
    assert format_significant(3 * ONE) == "3"


def test_to_decimal_is_exact() -> None:
    assert to_decimal(1) == Decimal("1E-18")
    assert to_decimal(123456789 * ONE + 1) == Decimal("123456789.000000000000000001")
    with pytest.raises(TypeError):
        to_decimal(1.5)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**40))
def test_round_trip(value: int) -> None:
    assert parse_amount(format_amount(value)) == value
    assert to_decimal(value) == Decimal(format_amount(value))
