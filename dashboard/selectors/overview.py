"""Overview page: performance by channel, how each model credits channels, and the daily trend."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from attribution.channels import Channel
from attribution.models import ModelKind

from ._current import current_rollups
from .common import ZERO, platform_spend, ratio, revenue_sum
from .currency import CurrencyLine, currency_lines, foreign_revenue, foreign_rows
from .filters import DashboardFilters

KIND_LABELS = dict(ModelKind.choices)


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    label: str
    spend: Decimal | None  # None: we have no spend source for this channel
    conversions: float
    revenue: Decimal
    roas: Decimal | None
    cpa: Decimal | None


@dataclass(frozen=True)
class ModelChannelRow:
    model_id: int
    model_name: str
    channel: str
    conversions: float
    revenue: Decimal


@dataclass(frozen=True)
class TrendRow:
    day: date
    spend: Decimal
    conversions: float
    revenue: Decimal
    roas: Decimal | None


def _rollups_in_period(filters: DashboardFilters):
    return current_rollups(workspace=filters.workspace).filter(day__gte=filters.start, day__lte=filters.end)


def channel_performance(*, filters: DashboardFilters) -> list[ChannelRow]:
    """Spend, credited conversions and revenue, ROAS and CPA per channel under the model (3 queries;
    +2 to convert other currencies).

    Spend comes from the ad platforms' own reporting (TikTok, Meta, Google and any imported by CSV);
    channels without a platform (organic, email, direct) have no spend, hence no ROAS/CPA. A paid
    channel with spend but no credited conversion is listed too, last.
    """
    rows = (
        _rollups_in_period(filters)
        .filter(model_config=filters.model)
        .values("channel")
        .annotate(conv=Sum("conversions"), rev=revenue_sum(filters.workspace),
                  n_foreign=foreign_rows(filters.workspace))
        .order_by("-rev", "channel")
    )
    rows = list(rows)
    converted = foreign_revenue(
        _rollups_in_period(filters).filter(model_config=filters.model), workspace=filters.workspace,
        keys=["channel"], seen=rows,
    )
    for row in rows:
        row["rev"] = (row["rev"] or ZERO) + converted.get(row["channel"], ZERO)
    rows.sort(key=lambda r: (-r["rev"], r["channel"]))
    spend = platform_spend(filters=filters)
    labels = dict(Channel.choices)
    result = []
    for row in rows:
        channel_spend = spend.get(row["channel"])
        result.append(
            ChannelRow(
                channel=row["channel"],
                label=labels.get(row["channel"], row["channel"].title()),
                spend=channel_spend,
                conversions=row["conv"] or 0.0,
                revenue=row["rev"] or ZERO,
                roas=ratio(row["rev"], channel_spend),
                cpa=ratio(channel_spend, row["conv"]),
            )
        )
    credited = {row["channel"] for row in rows}
    for platform, channel_spend in sorted(spend.items(), key=lambda item: -item[1]):
        if platform not in credited:  # spent, credited nothing: shown, with a ROAS of 0
            result.append(ChannelRow(channel=platform, label=labels.get(platform, platform.title()),
                                     spend=channel_spend, conversions=0.0, revenue=ZERO,
                                     roas=ratio(ZERO, channel_spend), cpa=None))
    return result


def model_comparison(*, filters: DashboardFilters) -> list[ModelChannelRow]:
    """Credited conversions and revenue per model × channel over the period (1 query; +2 to convert
    other currencies)."""
    rows = (
        _rollups_in_period(filters)
        .values("model_config_id", "model_config__name", "model_config__kind", "channel")
        .annotate(conv=Sum("conversions"), rev=revenue_sum(filters.workspace),
                  n_foreign=foreign_rows(filters.workspace))
        .order_by("model_config_id", "channel")
    )
    rows = list(rows)
    converted = foreign_revenue(
        _rollups_in_period(filters), workspace=filters.workspace, keys=["model_config_id", "channel"],
        seen=rows,
    )
    return [
        ModelChannelRow(
            model_id=r["model_config_id"],
            model_name=r["model_config__name"]
            or KIND_LABELS.get(r["model_config__kind"], r["model_config__kind"]),
            channel=r["channel"],
            conversions=r["conv"] or 0.0,
            revenue=(r["rev"] or ZERO) + converted.get((r["model_config_id"], r["channel"]), ZERO),
        )
        for r in rows
    ]


def daily_trend(*, filters: DashboardFilters, channel: str | None = None) -> list[TrendRow]:
    """Per day: ad spend, credited conversions and revenue under the model (3 queries; +2 to convert
    other currencies).

    ``channel`` narrows both sides to one channel (e.g. "tiktok": TikTok revenue against TikTok spend);
    without it, all credited revenue is set against all platforms' spend.
    """
    credited = _rollups_in_period(filters).filter(model_config=filters.model)
    if channel:
        credited = credited.filter(channel=channel)
    by_day = {
        r["day"]: r
        for r in credited.values("day")
        .annotate(conv=Sum("conversions"), rev=revenue_sum(filters.workspace),
                  n_foreign=foreign_rows(filters.workspace))
        .order_by()
    }
    converted = foreign_revenue(credited, workspace=filters.workspace, keys=["day"], seen=by_day.values())
    for day, value in converted.items():
        by_day[day]["rev"] = (by_day[day]["rev"] or ZERO) + value
    spend_by_day: dict = {}
    for (day, platform), spend in platform_spend(filters=filters, by_day=True).items():
        if channel is None or platform == channel:
            spend_by_day[day] = spend_by_day.get(day, ZERO) + spend
    rows = []
    for day in sorted(set(by_day) | set(spend_by_day)):
        spend = spend_by_day.get(day) or ZERO
        credit = by_day.get(day) or {}
        revenue = credit.get("rev") or ZERO
        rows.append(
            TrendRow(
                day=day,
                spend=spend,
                conversions=credit.get("conv") or 0.0,
                revenue=revenue,
                roas=ratio(revenue, spend),
            )
        )
    return rows


def other_currencies(*, filters: DashboardFilters, channel: str | None = None) -> list[CurrencyLine]:
    """Credited revenue under the model in currencies other than the workspace's, of one channel or
    all: the original amounts, their conversion, and the days without a rate (1 query, +1 for rates).
    """
    rows = _rollups_in_period(filters).filter(model_config=filters.model)
    if channel:
        rows = rows.filter(channel=channel)
    return currency_lines(rows, workspace=filters.workspace)
