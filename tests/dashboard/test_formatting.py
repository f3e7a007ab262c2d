"""Numbers as people read them: counts, credited conversions, money, changes, in the user's locale."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from dashboard import formatting as f
from dashboard.tables import Table, pct


def test_counts_are_integers_with_thousands_separators():
    assert f.count(3076) == "3,076"
    assert f.count(Decimal("3076.00")) == "3,076"
    assert f.count(None) == "–"


def test_credited_conversions_show_a_decimal_only_where_a_model_split_them():
    assert f.credited(1925.0) == "1,925"
    assert f.credited(12.5) == "12.5"
    assert f.credited(2.04) == "2"  # rounds to a whole number: no ".0"
    assert f.credited(0.25) == "0.2"  # half to even


def test_money_carries_its_currency_symbol_and_cents():
    assert f.money(Decimal("639369.05"), "USD") == "$639,369.05"
    assert f.money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert f.money(Decimal("1234.5"), "JPY") == "¥1,234"  # no minor unit
    assert f.money(None, "USD") == "–"


def test_changes_carry_a_sign_and_say_new_when_there_was_nothing_before():
    assert f.change(f.relative_change(120, 100)) == "+20.0%"
    assert f.change(f.relative_change(Decimal("96"), Decimal("100"))) == "−4.0%"
    assert f.change(f.relative_change(100, 100)) == "±0%"
    assert f.change(f.relative_change(5, 0)) == "new"
    assert f.change(f.relative_change(None, 3)) == "–"


def test_the_users_locale_decides_the_separators_and_the_symbols_place():
    with translation.override("de"):
        assert f.count(1234567) == "1.234.567"
        assert f.credited(12.5) == "12,5"
        assert f.money(Decimal("1234.5"), "EUR") == "1.234,50\xa0€"
    with translation.override("fr"):
        assert f.money(Decimal("1234.5"), "USD").startswith("1\u202f234,50")


def test_signed_differences_read_without_colour():
    assert str(f.Signed(2.5)) == "+2.5" and str(f.Signed(-1.0)) == "−1" and str(f.Signed(0.01)) == "±0"
    assert str(f.SignedMoney(Decimal("-3"), "EUR")) == "−€3.00"
    assert str(f.SignedMoney(Decimal("12.5"), "USD")) == "+$12.50"


@pytest.mark.parametrize(
    ("value", "shown", "exported"),
    [
        (f.Money(Decimal("1234.567"), "USD"), "$1,234.57", Decimal("1234.57")),
        (f.Credited(3.0), "3", 3.0),
        (f.Change(0.1234), "+12.3%", 0.1234),
        (f.Percent(0.0951), "9.5%", 0.0951),
        (42, "42", 42),
        (date(2026, 11, 2), "2026-11-02", date(2026, 11, 2)),
        (None, "–", ""),
    ],
)
def test_a_cell_is_formatted_for_the_screen_and_kept_plain_for_the_export(value, shown, exported):
    assert f.display(value) == shown
    assert f.csv_value(value) == exported


def test_an_exports_money_columns_name_their_currency():
    table = Table("t", ["Channel", "Revenue"], [["TikTok", f.Money(Decimal("5"), "EUR")]])
    assert table.to_csv().splitlines() == ["Channel,Revenue (EUR)", "TikTok,5.00"]


def test_percentages_sort_as_numbers_not_as_text():
    table = Table("Gaps", ["Comparison", "Gap"], [["a", pct(0.095)], ["b", pct(0.8)], ["c", pct(None)]])
    sort_values = [cells[1][2] for _, cells in table.display_rows()]
    assert sort_values == ["0.095", "0.8", ""]  # as text, "9.5%" would sort after "80.0%"
    assert [cells[1][1] for _, cells in table.display_rows()] == [False, False, False]  # right-aligned
