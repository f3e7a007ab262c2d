"""Currency conversion with daily euro reference rates. Pure: no Django.

Rates are quoted as the ECB publishes them: units of a currency per 1 euro on a day. An amount in
currency A becomes currency B as ``amount / rate(A) * rate(B)`` (the euro's own rate is 1), rounded
once, half to even, to the cent. The rate of a day is the reference rate in force that day: the one
published that day, or on the last publishing day before it (the ECB publishes on working days
only) but never older than ``MAX_RATE_AGE_DAYS``; beyond that there is no rate, and callers say so.
"""

import csv
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from io import StringIO

EURO = "EUR"
CENT = Decimal("0.01")
MAX_RATE_AGE_DAYS = 4  # Good Friday to Easter Monday: the longest ECB gap
MAX_CURRENCY_LEN = 3


def convert(amount: Decimal, *, rate_from: Decimal, rate_to: Decimal) -> Decimal:
    """``amount`` in the currency quoted ``rate_from`` per euro, in the one quoted ``rate_to``,
    to the cent."""
    exact = Decimal(amount) * Decimal(rate_to) / Decimal(rate_from)
    return exact.quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass
class RateBook:
    """Daily rates per currency, looked up by the day an amount belongs to."""

    by_currency: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows) -> "RateBook":
        """From (day, currency, rate) rows in any order."""
        book = cls()
        for day, currency, rate in sorted(rows):
            book.by_currency.setdefault(currency, []).append((day, Decimal(rate)))
        return book

    def rate(self, currency: str, day: date) -> Decimal | None:
        """Units of ``currency`` per euro in force on ``day``; None when none was published recently."""
        if currency == EURO:
            return Decimal(1)
        series = self.by_currency.get(currency, [])
        i = bisect_right(series, (day, Decimal("Infinity"))) - 1
        if i < 0 or day - series[i][0] > timedelta(days=MAX_RATE_AGE_DAYS):
            return None
        return series[i][1]

    def convert(self, amount: Decimal, *, currency: str, to: str, day: date) -> Decimal | None:
        """``amount`` of ``currency`` on ``day`` in ``to``, to the cent; None without both rates."""
        if currency == to:
            return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_EVEN)
        rate_from, rate_to = self.rate(currency, day), self.rate(to, day)
        if rate_from is None or rate_to is None:
            return None
        return convert(amount, rate_from=rate_from, rate_to=rate_to)


@dataclass(frozen=True)
class ParsedRates:
    rates: list[tuple[date, str, Decimal]]
    errors: list[str]  # "line 12: …", one per rejected row or value


def parse_ecb_csv(text: str) -> ParsedRates:
    """Rates from the ECB's euro reference-rates file (eurofxref-hist.csv / eurofxref.csv):
    a header ``Date,USD,JPY,…`` then one row per day. "N/A" and empty cells mean "not quoted that
    day" and are skipped; an unreadable date or rate is reported by line and skipped."""
    reader = csv.reader(StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in next(reader, [])]
    if not header or header[0].lower() != "date":
        return ParsedRates([], ["line 1: the first column must be Date (the ECB file's header)."])
    currencies = header[1:]
    bad = [c for c in currencies if c and (len(c) != MAX_CURRENCY_LEN or not c.isalpha())]
    if bad:
        return ParsedRates([], [f"line 1: not ISO currency codes: {', '.join(bad)}."])
    rates, errors = [], []
    for line, row in enumerate(reader, start=2):
        if not row or not row[0].strip():
            continue
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            errors.append(f"line {line}: {row[0]!r} is not a date (YYYY-MM-DD).")
            continue
        for currency, cell in zip(currencies, row[1:], strict=False):
            cell = cell.strip()
            if not currency or cell in ("", "N/A"):
                continue
            try:
                rate = Decimal(cell)
            except InvalidOperation:
                errors.append(f"line {line}: {currency} rate {cell!r} is not a number.")
                continue
            if not rate.is_finite() or rate <= 0:
                errors.append(f"line {line}: {currency} rate {cell!r} must be above zero.")
                continue
            rates.append((day, currency.upper(), rate))
    return ParsedRates(rates, errors)
