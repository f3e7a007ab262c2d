"""Journey reports: top conversion paths, assists, time lag, path length and customer value.

Everything is read from the sums a run stores per day (``attribution.runs.path_selectors``),
never from raw touches: paths ranked by the database (their long tail never leaves it), step
sums for assists, lag × length sums for the distributions, cohort sums for customer value.
Paths do not depend on the attribution model: they are the eligible touches every model splits
a conversion over.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum

from attribution.channels import Channel
from attribution.engine.paths import HORIZON_DAYS, LEVEL_CAMPAIGN, LEVEL_CHANNEL, STEP
from attribution.models import AdCampaign, PathSignature
from attribution.runs.path_selectors import (
    current_customer_value,
    current_lag_rollups,
    current_path_rollups,
    current_step_rollups,
)

from .common import ZERO, in_reporting_currency, ratio
from .filters import DashboardFilters

LEVELS = {"channel": "channel_path", "campaign": "campaign_path"}  # forms of a PathSignature
LEVEL_CODES = {"channel": LEVEL_CHANNEL, "campaign": LEVEL_CAMPAIGN}
TOP_PATHS = 20
OTHER_PATHS = "(other paths)"
UNATTRIBUTED = "(unattributed)"
LAG_BUCKETS = [("same day", 0, 0), ("1 day", 1, 1), ("2 days", 2, 2), ("3 days", 3, 3), ("4 days", 4, 4),
               ("5–7 days", 5, 7), ("8–14 days", 8, 14), ("15–30 days", 15, 30), ("31+ days", 31, None)]
LENGTH_BUCKETS = [("1 touch", 1, 1), ("2 touches", 2, 2), ("3 touches", 3, 3), ("4 touches", 4, 4),
                  ("5 touches", 5, 5), ("6–10 touches", 6, 10), ("11+ touches", 11, None)]


@dataclass(frozen=True)
class TopPath:
    path: str  # display form: "Meta → TikTok"
    steps: list[str]
    conversions: int
    revenue: Decimal
    share: float
    median_days: float | None


@dataclass(frozen=True)
class Assists:
    step: str  # a channel, or a TikTok campaign at campaign level
    last_touch: int  # conversions whose last eligible touch it was
    assisted: int  # conversions it was on the path of, but not last
    first_touch: int
    attributed: int  # all conversions with a path, for the shares

    @property
    def assist_ratio(self) -> Decimal | None:
        return ratio(self.assisted, self.last_touch)

    @property
    def first_share(self) -> float | None:
        return self.first_touch / self.attributed if self.attributed else None

    @property
    def last_share(self) -> float | None:
        return self.last_touch / self.attributed if self.attributed else None


@dataclass(frozen=True)
class Distribution:
    """Conversions per bucket (columns) per first-touch channel (rows)."""

    buckets: list[str]
    rows: dict[str, list[int]]


@dataclass(frozen=True)
class CustomerValue:
    channel: str
    customers: int
    revenue: list[Decimal]  # at each of HORIZON_DAYS, reporting currency

    def per_customer(self, i: int) -> Decimal | None:
        return ratio(self.revenue[i], self.customers)


def _signature_form(level: str, collapsed: bool) -> str:
    """The ``PathSignature`` column of a level, repeats kept or collapsed."""
    return LEVELS[level] + ("_collapsed" if collapsed else "")


def _steps(signature: str) -> list[str]:
    return signature.split(STEP) if signature else []


def top_paths(*, filters: DashboardFilters, level: str = "channel", collapsed: bool = False,
              limit: int = TOP_PATHS) -> list[TopPath]:
    """The ``limit`` paths with most conversions in the period, then "(other paths)" (the rest of
    the attributed conversions), then "(unattributed)" (3 queries, and 1 for the long tail's lags).

    Ranked and summed by the database over the period's path sums; only the top paths' rows
    (per lag, for their median) come back.
    """
    form = _signature_form(level, collapsed)
    rows = current_path_rollups(workspace=filters.workspace).filter(
        day__gte=filters.start, day__lte=filters.end)
    revenue = Sum("value", filter=in_reporting_currency(filters.workspace))
    top = _ranked(rows.exclude(touches=0).values("path_id").annotate(c=Sum("conversions"), v=revenue)
                  .order_by(), form, limit)
    totals = rows.aggregate(c=Sum("conversions"), v=revenue, uc=Sum("conversions", filter=Q(touches=0)),
                            uv=Sum("value", filter=Q(touches=0) & in_reporting_currency(filters.workspace)))
    total = totals["c"] or 0
    lags = defaultdict(lambda: defaultdict(int))
    column = f"path__{form}"
    for r in (rows.filter(**{f"{column}__in": [signature for signature, _, _ in top]})
              .values(column, "lag_days").annotate(c=Sum("conversions")).order_by()):
        lags[r[column]][r["lag_days"]] += r["c"]
    out = [TopPath("", _steps(signature), c, v or ZERO, c / total if total else 0.0,
                   weighted_median(lags[signature])) for signature, c, v in top]
    rest = total - (totals["uc"] or 0) - sum(p.conversions for p in out)
    if rest > 0:
        rest_lags = _lag_histogram(filters)
        for signature, _, _ in top:
            for lag, count in lags[signature].items():
                rest_lags[lag] -= count
        top_revenue = sum((p.revenue for p in out), start=ZERO)
        rest_revenue = (totals["v"] or ZERO) - (totals["uv"] or ZERO) - top_revenue
        out.append(TopPath(OTHER_PATHS, [], rest, rest_revenue, rest / total, weighted_median(rest_lags)))
    if totals["uc"]:
        out.append(TopPath(UNATTRIBUTED, [], totals["uc"], totals["uv"] or ZERO, totals["uc"] / total, None))
    return out


def _ranked(per_path, form: str, limit: int) -> list[tuple[str, int, Decimal | None]]:
    """The top ``limit`` signatures in one form by conversions: [(signature, conversions, revenue)].
    The sums per path id come first (integers: cheap to group), then the forms, which merge ids
    (a collapsed form or a channel path covers several campaign paths), are summed over them."""
    inner, params = per_path.query.sql_with_params()
    table = PathSignature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.{form}, SUM(r.c), SUM(r.v) FROM ({inner}) r JOIN {table} s ON s.key = r.path_id"
            f" GROUP BY s.{form} ORDER BY 2 DESC, 1 LIMIT %s", [*params, limit])
        return [(signature, int(c), _decimal(v)) for signature, c, v in cursor.fetchall()]


def _decimal(value) -> Decimal | None:
    """A raw sum as money (SQLite returns a float: rounded back to the stored micro-units)."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _lag_histogram(filters: DashboardFilters) -> dict[int, int]:
    counts = defaultdict(int)
    for lag, c in (current_lag_rollups(workspace=filters.workspace)
                   .filter(day__gte=filters.start, day__lte=filters.end)
                   .values_list("lag_days").annotate(c=Sum("conversions")).order_by()):
        counts[lag] += c
    return counts


def labelled(paths: list[TopPath], labels: dict[str, str]) -> list[TopPath]:
    """The paths with their display text ("Meta → TikTok: Spring sale")."""
    return [replace(p, path=" → ".join(labels.get(s, s) for s in p.steps)) if p.steps else p for p in paths]


def step_labels(steps) -> dict[str, str]:
    """Display names of steps: channels by name, TikTok campaigns by theirs (1 query if any)."""
    steps = set(steps)
    ids = [int(s.split(":", 1)[1]) for s in steps if ":" in s]
    names = dict(AdCampaign.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    labels = {}
    for step in steps:
        channel, _, campaign = step.partition(":")
        named = f": {names.get(int(campaign), campaign)}" if campaign else ""
        labels[step] = channel_label(channel) + named
    return labels


def channel_label(channel: str) -> str:
    return Channel(channel).label if channel in Channel.values else channel


def weighted_median(counts: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}; between the two middle values when even."""
    counts = {v: c for v, c in counts.items() if c > 0 and v is not None}
    n = sum(counts.values())
    if not n:
        return None
    ordered = sorted(counts.items())

    def at(rank: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if rank < seen:
                return value
        return ordered[-1][0]

    return (at((n - 1) // 2) + at(n // 2)) / 2


def assists(*, filters: DashboardFilters, level: str = "channel") -> list[Assists]:
    """Per step: last-touch, assisted and first-touch conversions (1 query). As in Google
    Analytics, a step assists a conversion when it is on its path before the last touch (counted
    once per conversion, also when the last touch is the same step)."""
    rows = list(current_step_rollups(workspace=filters.workspace)
                .filter(day__gte=filters.start, day__lte=filters.end, level=LEVEL_CODES[level])
                .values("step").annotate(f=Sum("first_touch"), la=Sum("last_touch"), a=Sum("assisted"))
                .order_by())
    attributed = sum(r["la"] for r in rows)  # every attributed conversion has one last touch
    out = [Assists(r["step"], r["la"], r["a"], r["f"], attributed) for r in rows]
    return sorted(out, key=lambda r: (-(r.last_touch + r.assisted), r.step))


def _bucket(value: int, buckets) -> int:
    for i, (_, lo, hi) in enumerate(buckets):
        if value >= lo and (hi is None or value <= hi):
            return i
    return len(buckets) - 1


def distributions(*, filters: DashboardFilters) -> tuple[Distribution, Distribution]:
    """Days from first touch to conversion, and touches per conversion, per first-touch channel
    (1 query)."""
    lag = defaultdict(lambda: [0] * len(LAG_BUCKETS))
    length = defaultdict(lambda: [0] * len(LENGTH_BUCKETS))
    for channel, lag_days, touches, c in (
        current_lag_rollups(workspace=filters.workspace).filter(day__gte=filters.start, day__lte=filters.end)
        .values_list("first_channel", "lag_days", "touches").annotate(c=Sum("conversions")).order_by()
    ):
        lag[channel][_bucket(lag_days, LAG_BUCKETS)] += c
        length[channel][_bucket(touches, LENGTH_BUCKETS)] += c

    def ordered(rows):
        return dict(sorted(rows.items(), key=lambda kv: (-sum(kv[1]), kv[0])))

    return (Distribution([b[0] for b in LAG_BUCKETS], ordered(lag)),
            Distribution([b[0] for b in LENGTH_BUCKETS], ordered(length)))


def customer_value(*, filters: DashboardFilters) -> list[CustomerValue]:
    """Customers whose first touch fell in the period, per first-touch channel, with the revenue
    they brought by 7, 30 and 90 days after it (1 query)."""
    mine = in_reporting_currency(filters.workspace)
    sums = {f"r{h}": Sum(f"revenue_{h}d", filter=mine) for h in HORIZON_DAYS}
    rows = (
        current_customer_value(workspace=filters.workspace)
        .filter(Q(day__gte=filters.start) & Q(day__lte=filters.end))
        .values("channel")
        .annotate(customers=Sum("customers"), **sums)
        .order_by()
    )
    out = [CustomerValue(r["channel"], r["customers"], [r[f"r{h}"] or ZERO for h in HORIZON_DAYS])
           for r in rows if r["customers"]]
    return sorted(out, key=lambda r: (-r.customers, r.channel))
