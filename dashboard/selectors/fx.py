"""Exchange rates as the pages need them: one query for the currencies and days of a selection."""

from datetime import date, timedelta

from dashboard.fx import EURO, MAX_RATE_AGE_DAYS, RateBook
from dashboard.models import ExchangeRate


def rate_book(*, currencies, start: date, end: date) -> RateBook:
    """Rates of ``currencies`` (the euro needs none) in force from ``start`` to ``end`` (1 query, none
    when only euros are asked for)."""
    wanted = sorted({c for c in currencies if c and c != EURO})
    if not wanted:
        return RateBook()
    rows = ExchangeRate.objects.filter(
        currency__in=wanted, day__gte=start - timedelta(days=MAX_RATE_AGE_DAYS), day__lte=end
    ).values_list("day", "currency", "rate")
    return RateBook.of(rows)
