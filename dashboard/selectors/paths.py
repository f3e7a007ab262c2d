"""Journey reports: top conversion paths, assists, time lag, path length and customer value.

Everything is read from the path sums a run stores (``attribution.runs.path_selectors``), never
from raw touches: one query for the paths of the period (grouped by signature, lag and currency;
a few thousand rows at most), one for customer value, one for campaign names. The rest is
arithmetic over those rows. Paths do not depend on the attribution model: they are the eligible
touches every model splits the conversion over.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from attribution.channels import Channel
from attribution.engine.paths import HORIZON_DAYS, STEP, collapse
from attribution.models import AdCampaign
from attribution.runs.path_selectors import current_customer_value, current_path_rollups

from .common import ZERO, in_reporting_currency, ratio
from .filters import DashboardFilters

LEVELS = {"channel": "channel_path", "campaign": "campaign_path"}
TOP_PATHS = 20
OTHER_PATHS = "(other paths)"
UNATTRIBUTED = "(unattributed)"
LAG_BUCKETS = [("same day", 0, 0), ("1 day", 1, 1), ("2 days", 2, 2), ("3 days", 3, 3), ("4 days", 4, 4),
               ("5–7 days", 5, 7), ("8–14 days", 8, 14), ("15–30 days", 15, 30), ("31+ days", 31, None)]
LENGTH_BUCKETS = [("1 touch", 1, 1), ("2 touches", 2, 2), ("3 touches", 3, 3), ("4 touches", 4, 4),
                  ("5 touches", 5, 5), ("6–10 touches", 6, 10), ("11+ touches", 11, None)]


@dataclass(frozen=True)
class PathGroup:
    """Conversions of one path signature in the period: raw, with each lag and currency apart."""

    signature: str
    lag_days: int | None
    conversions: int
    revenue: Decimal  # in the reporting currency only

    @property
    def steps(self) -> list[str]:
        return self.signature.split(STEP) if self.signature else []


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


def path_groups(*, filters: DashboardFilters, level: str = "channel") -> list[PathGroup]:
    """The period's conversions per (path signature, lag days), raw, at ``level`` (1 query)."""
    column = LEVELS[level]
    rows = (
        current_path_rollups(workspace=filters.workspace)
        .filter(day__gte=filters.start, day__lte=filters.end)
        .values(column, "lag_days")
        .annotate(c=Sum("conversions"), v=Sum("value", filter=in_reporting_currency(filters.workspace)))
        .order_by()
    )
    return [PathGroup(r[column], r["lag_days"], r["c"], r["v"] or ZERO) for r in rows if r["c"]]


def step_labels(groups: list[PathGroup]) -> dict[str, str]:
    """Display names of every step: channels by name, TikTok campaigns by theirs (1 query)."""
    steps = {s for g in groups for s in g.steps}
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


def top_paths(groups: list[PathGroup], labels: dict[str, str], *, collapsed: bool,
              limit: int = TOP_PATHS) -> list[TopPath]:
    """The ``limit`` paths with most conversions, then "(other paths)", then "(unattributed)"."""
    total = sum(g.conversions for g in groups)
    merged: dict[str, list[PathGroup]] = defaultdict(list)
    for g in groups:
        merged[collapse(g.signature) if collapsed else g.signature].append(g)
    unattributed = merged.pop("", [])
    ranked = sorted(merged.items(), key=lambda kv: (-sum(g.conversions for g in kv[1]), kv[0]))
    out = [_top_path(" → ".join(labels[s] for s in sig.split(STEP)), sig.split(STEP), parts, total)
           for sig, parts in ranked[:limit]]
    rest = [g for _, parts in ranked[limit:] for g in parts]
    if rest:
        out.append(_top_path(OTHER_PATHS, [], rest, total))
    if unattributed:
        out.append(_top_path(UNATTRIBUTED, [], unattributed, total))
    return out


def _top_path(label: str, steps: list[str], parts: list[PathGroup], total: int) -> TopPath:
    conversions = sum(g.conversions for g in parts)
    lags = {}
    for g in parts:
        if g.lag_days is not None:
            lags[g.lag_days] = lags.get(g.lag_days, 0) + g.conversions
    return TopPath(label, steps, conversions, sum((g.revenue for g in parts), start=ZERO),
                   conversions / total if total else 0.0, weighted_median(lags))


def weighted_median(counts: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}; between the two middle values when even."""
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


def assists(groups: list[PathGroup]) -> list[Assists]:
    """Per step: last-touch, assisted and first-touch conversions. As in Google Analytics, a step
    assists a conversion when it appears anywhere on its path but the last touch (counted once
    per conversion, and also when the last touch is the same step)."""
    last, assisted, first = defaultdict(int), defaultdict(int), defaultdict(int)
    attributed = 0
    for g in groups:
        steps = g.steps
        if not steps:
            continue
        attributed += g.conversions
        last[steps[-1]] += g.conversions
        first[steps[0]] += g.conversions
        for step in set(steps[:-1]):
            assisted[step] += g.conversions
    names = set(last) | set(assisted) | set(first)
    rows = [Assists(s, last[s], assisted[s], first[s], attributed) for s in names]
    return sorted(rows, key=lambda r: (-(r.last_touch + r.assisted), r.step))


def _bucket(value: int, buckets) -> int:
    for i, (_, lo, hi) in enumerate(buckets):
        if value >= lo and (hi is None or value <= hi):
            return i
    return len(buckets) - 1


def distributions(groups: list[PathGroup]) -> tuple[Distribution, Distribution]:
    """Days from first touch to conversion, and touches per conversion, per first-touch channel."""
    lag = defaultdict(lambda: [0] * len(LAG_BUCKETS))
    length = defaultdict(lambda: [0] * len(LENGTH_BUCKETS))
    for g in groups:
        steps = g.steps
        if not steps or g.lag_days is None:
            continue
        channel = steps[0].split(":", 1)[0]
        lag[channel][_bucket(g.lag_days, LAG_BUCKETS)] += g.conversions
        length[channel][_bucket(len(steps), LENGTH_BUCKETS)] += g.conversions

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
