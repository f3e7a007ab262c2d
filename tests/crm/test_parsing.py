"""The pure parsers: amounts, dates and stage names as CRM exports write them."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_sync.importing.parsing import parse_amount, parse_currency, parse_datetime, stage_key

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("text", "expected"), [
    ("1234", (Decimal("1234"), "")),
    ("12,500.50", (Decimal("12500.50"), "")),
    ("$7,500.00", (Decimal("7500.00"), "USD")),
    ("USD 1,200,000.00", (Decimal("1200000.00"), "USD")),
    ("99.90 eur", (Decimal("99.90"), "EUR")),
    ("€ 10", (Decimal("10"), "EUR")),
    ("-250", (Decimal("-250"), "")),
    ("", (None, "")),
])
def test_amounts_in_point_notation(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("12.500,00", Decimal("12500.00")),
    ("1 250,50", Decimal("1250.50")),
    ("1\u00a0250,50", Decimal("1250.50")),
    ("99,9", Decimal("99.9")),
    ("1.234.567", Decimal("1234567")),
])
def test_amounts_in_european_notation(text, expected):
    assert parse_amount(text, decimal_comma=True)[0] == expected


@pytest.mark.parametrize("text", ["1.234,56", "twelve", "1,23", "12..5", "1,2345.00", "--5"])
def test_ambiguous_or_broken_amounts_are_refused_not_guessed(text):
    with pytest.raises(ValueError, match="is not a number like 1,234.56"):
        parse_amount(text)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_any_amount_written_with_thousands_separators_reads_back(value):
    assert parse_amount(f"{value:,.2f}")[0] == value
    european = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert parse_amount(european, decimal_comma=True)[0] == value


@pytest.mark.parametrize(("text", "day_first", "expected"), [
    ("2026-11-03", False, datetime(2026, 11, 2, 23, tzinfo=UTC)),
    ("2026-11-03 14:22", False, datetime(2026, 11, 3, 13, 22, tzinfo=UTC)),
    ("2026-11-03T14:22:05.000Z", False, datetime(2026, 11, 3, 14, 22, 5, tzinfo=UTC)),
    ("2026-11-03T14:22:05+0000", False, datetime(2026, 11, 3, 14, 22, 5, tzinfo=UTC)),
    ("11/3/2026", False, datetime(2026, 11, 2, 23, tzinfo=UTC)),
    ("11/3/2026 2:22 PM", False, datetime(2026, 11, 3, 13, 22, tzinfo=UTC)),
    ("11/3/2026 12:05 AM", False, datetime(2026, 11, 2, 23, 5, tzinfo=UTC)),
    ("03/11/2026 14:22", True, datetime(2026, 11, 3, 13, 22, tzinfo=UTC)),
    ("03.11.2026", False, datetime(2026, 11, 2, 23, tzinfo=UTC)),
    ("3.11.26 09:00", False, datetime(2026, 11, 3, 8, tzinfo=UTC)),
    ("2026-07-01 12:00", False, datetime(2026, 7, 1, 10, tzinfo=UTC)),  # summer time
    ("1762179725000", False, datetime(2025, 11, 3, 14, 22, 5, tzinfo=UTC)),
])
def test_dates_as_exports_write_them_are_read_in_the_workspace_zone(text, day_first, expected):
    assert parse_datetime(text, tz=BERLIN, day_first=day_first) == expected


@pytest.mark.parametrize("text", ["13/13/2026", "31/12/2026", "2026-02-30", "next tuesday",
                                  "11/3/2026 13:00 PM"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValueError, match="is not a date like"):
        parse_datetime(text, tz=BERLIN)


def test_an_empty_date_is_none():
    assert parse_datetime("  ", tz=BERLIN) is None


def test_currency_codes_are_upper_cased_and_checked():
    assert parse_currency(" eur ") == "EUR"
    with pytest.raises(ValueError, match="3-letter ISO code"):
        parse_currency("Euro")


def test_stage_names_compare_without_case_spaces_or_punctuation():
    assert stage_key("Closed Won") == stage_key("closedwon") == stage_key("CLOSED_WON")
    assert stage_key("Decision Maker Bought-In") == "decisionmakerboughtin"
