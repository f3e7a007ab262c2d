"""Store daily euro reference rates: from the ECB's CSV file (command or admin upload)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dashboard.fx import parse_ecb_csv
from dashboard.models import ExchangeRate, RateSource

BATCH = 5000


@dataclass(frozen=True)
class RatesImportReport:
    stored: int  # rates inserted or replaced
    days: int
    currencies: list[str]
    errors: list[str]  # per rejected line/value; the rest is stored

    def summary(self) -> str:
        currencies = ", ".join(self.currencies) or "none"
        first = f"Stored {self.stored:,} rates for {self.days:,} days ({currencies})."
        if self.errors:
            first += f" {len(self.errors)} value(s) skipped: " + "; ".join(self.errors[:5])
            first += " …" if len(self.errors) > 5 else ""
        return first


def exchange_rates_import(*, text: str, source: str = RateSource.ECB) -> RatesImportReport:
    """Insert or replace the file's rates (one per currency and day) in batches, in one transaction.

    A rate typed by hand for a day the file also has is replaced by the file's.
    """
    parsed = parse_ecb_csv(text)
    now = timezone.now()
    rows = [
        ExchangeRate(day=day, currency=currency, rate=rate, source=source, updated_at=now)
        for day, currency, rate in parsed.rates
    ]
    with transaction.atomic():
        for i in range(0, len(rows), BATCH):
            ExchangeRate.objects.bulk_create(
                rows[i : i + BATCH],
                update_conflicts=True,
                unique_fields=["currency", "day"],
                update_fields=["rate", "source", "updated_at"],
            )
    return RatesImportReport(
        stored=len(rows),
        days=len({r.day for r in rows}),
        currencies=sorted({r.currency for r in rows}),
        errors=parsed.errors,
    )
