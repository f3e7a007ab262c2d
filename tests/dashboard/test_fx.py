"""Daily euro reference rates: the ECB file, conversion to the cent, and what has no rate."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dashboard.fx import RateBook, convert, parse_ecb_csv
from dashboard.models import ExchangeRate, RateSource
from dashboard.services.fx_import import exchange_rates_import

ECB = """Date,USD,JPY,GBP,CYP,
2026-11-04,1.0800,163.12,0.8300,N/A,
2026-11-03,1.0825,162.90,0.8310,N/A,
"""


def test_conversion_is_exact_to_the_cent_and_rounds_half_to_even():
    assert convert(Decimal("900"), rate_from=Decimal(1), rate_to=Decimal("1.0850")) == Decimal("976.50")
    assert convert(Decimal("2000"), rate_from=Decimal("0.83"), rate_to=Decimal("1.08")) == Decimal("2602.41")
    # 0.125 and 0.135 sit exactly half-way: to the even cent
    assert convert(Decimal("0.125"), rate_from=Decimal(1), rate_to=Decimal(1)) == Decimal("0.12")
    assert convert(Decimal("0.135"), rate_from=Decimal(1), rate_to=Decimal(1)) == Decimal("0.14")


def test_a_day_without_a_recent_rate_converts_to_nothing_rather_than_a_guess():
    book = RateBook.of([(date(2026, 11, 4), "USD", Decimal("1.08"))])
    assert book.convert(Decimal("10"), currency="EUR", to="USD", day=date(2026, 11, 7)) == Decimal("10.80")
    assert book.convert(Decimal("10"), currency="EUR", to="USD", day=date(2026, 11, 9)) is None
    assert book.convert(Decimal("10"), currency="EUR", to="USD", day=date(2026, 11, 3)) is None  # before
    assert book.convert(Decimal("10"), currency="CHF", to="USD", day=date(2026, 11, 4)) is None


def test_the_ecb_file_is_read_skipping_currencies_not_quoted_that_day():
    parsed = parse_ecb_csv(ECB)
    assert parsed.errors == []
    assert (date(2026, 11, 4), "GBP", Decimal("0.8300")) in parsed.rates
    assert len(parsed.rates) == 6 and not any(c == "CYP" for _, c, _ in parsed.rates)


def test_bad_rows_are_reported_by_line_and_the_rest_is_read():
    parsed = parse_ecb_csv("Date,USD\n2026-11-04,1.08\nyesterday,1.1\n2026-11-02,abc\n2026-11-01,-1\n")
    assert parsed.rates == [(date(2026, 11, 4), "USD", Decimal("1.08"))]
    assert [e.split(":")[0] for e in parsed.errors] == ["line 3", "line 4", "line 5"]


def test_a_file_of_another_format_is_refused_as_a_whole():
    assert parse_ecb_csv("day;usd\n").errors == [
        "line 1: the first column must be Date (the ECB file's header)."]


@pytest.mark.django_db
def test_importing_twice_replaces_the_days_rates_and_keeps_one_row_each(tmp_path):
    exchange_rates_import(text=ECB)
    ExchangeRate.objects.filter(currency="USD", day=date(2026, 11, 4)).update(rate=Decimal("9"),
                                                                              source=RateSource.MANUAL)
    report = exchange_rates_import(text=ECB)
    assert (report.stored, report.days, report.currencies) == (6, 2, ["GBP", "JPY", "USD"])
    assert ExchangeRate.objects.count() == 6
    usd = ExchangeRate.objects.get(currency="USD", day=date(2026, 11, 4))
    assert (usd.rate, usd.source) == (Decimal("1.08"), RateSource.ECB)


@pytest.mark.django_db
def test_the_command_imports_the_file_and_refuses_one_with_nothing_to_import(tmp_path, capsys):
    good, bad = tmp_path / "eurofxref-hist.csv", tmp_path / "other.csv"
    good.write_text(ECB)
    bad.write_text("Date,USD\n2026-11-04,abc\n")
    call_command("import_fx_rates", str(good))
    assert "Stored 6 rates for 2 days (GBP, JPY, USD)." in capsys.readouterr().out
    with pytest.raises(CommandError, match="Nothing imported: line 2: USD rate 'abc' is not a number."):
        call_command("import_fx_rates", str(bad))
    assert ExchangeRate.objects.count() == 6
