"""Revenue in currencies other than the workspace's, converted to its reporting currency.

The database sums the reporting currency's rows as before (``revenue_sum``); rows in other
currencies are summed per key, day and currency, and each such sum is converted with the rate of
its day (``dashboard.fx``), to the cent. Days without a rate are left out and reported by
``currency_lines``: the pages say what could not be converted instead of guessing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate

from attribution.models import Workspace

from .common import ZERO, in_reporting_currency
from .fx import rate_book


@dataclass
class CurrencyLine:
    """Money in one other currency within a selection: what it was, what it became, what could not be."""

    currency: str
    count: float = 0.0  # credited conversions, or closed deals
    original: Decimal = ZERO
    converted: Decimal = ZERO  # in the reporting currency
    unconverted: Decimal = ZERO  # original amounts of the days without a rate
    missing_days: list[date] = field(default_factory=list)


def _foreign(rows: QuerySet, *, workspace: Workspace, keys: list[str], day: str, amount: str, counted):
    foreign = rows.exclude(in_reporting_currency(workspace))
    if day != "day":
        foreign = foreign.annotate(day=TruncDate(day, tzinfo=workspace.tzinfo))
    grouped = list(
        foreign.values(*keys, "day", "currency").annotate(a=Sum(amount), n=counted).order_by()
    )
    if not grouped:
        return [], None
    days = [r["day"] for r in grouped]
    book = rate_book(
        currencies={r["currency"] for r in grouped} | {workspace.currency}, start=min(days), end=max(days)
    )
    return grouped, book


def foreign_rows(workspace: Workspace) -> Count:
    """An annotation counting the rows in other currencies than the workspace's: add it to the
    main query and pass its results as ``seen`` so that ``foreign_revenue`` skips its query when
    there are none (the common case costs no extra scan)."""
    return Count("pk", filter=~in_reporting_currency(workspace))


def foreign_revenue(rows: QuerySet, *, workspace: Workspace, keys: list[str], day: str = "day",
                    amount: str = "revenue", seen=None) -> dict:
    """Converted revenue of the rows in other currencies per key value (a tuple when several keys)
    (1 query, +1 for the rates when there are such rows; none when ``seen``, rows annotated with
    ``n_foreign=foreign_rows(...)``, shows no such row).

    ``day``: the rows' date field, or a moment field whose workspace-local date is the day.
    """
    if seen is not None and not any(r.get("n_foreign") for r in seen):
        return {}
    grouped, book = _foreign(rows, workspace=workspace, keys=keys, day=day, amount=amount,
                             counted=Count("id"))
    out: dict = {}
    for r in grouped:
        value = book.convert(r["a"] or ZERO, currency=r["currency"], to=workspace.currency, day=r["day"])
        if value is None:
            continue
        key = r[keys[0]] if len(keys) == 1 else tuple(r[k] for k in keys)
        out[key] = out.get(key, ZERO) + value
    return out


def currency_lines(rows: QuerySet, *, workspace: Workspace, day: str = "day", amount: str = "revenue",
                   counted=None) -> list[CurrencyLine]:
    """Per other currency: original amount, its conversion, and the days without a rate (1–2 queries).

    ``counted``: what a row counts (default: credited conversions, ``Sum("conversions")``).
    """
    grouped, book = _foreign(rows, workspace=workspace, keys=[], day=day, amount=amount,
                             counted=counted if counted is not None else Sum("conversions"))
    lines: dict[str, CurrencyLine] = defaultdict(lambda: CurrencyLine(""))
    for r in sorted(grouped, key=lambda r: r["day"]):
        line = lines[r["currency"]]
        line.currency = r["currency"]
        amount_ = r["a"] or ZERO
        line.count += float(r["n"] or 0)
        line.original += amount_
        value = book.convert(amount_, currency=r["currency"], to=workspace.currency, day=r["day"])
        if value is None:
            line.unconverted += amount_
            line.missing_days.append(r["day"])
        else:
            line.converted += value
    return sorted(lines.values(), key=lambda line: (-line.original, line.currency))
