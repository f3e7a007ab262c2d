"""Small building blocks shared by the page selectors."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from attribution.channels import Channel, Platform
from attribution.models import (
    AttributionModelConfig,
    LookbackWindow,
    MetricLevel,
    PlatformDailyMetric,
    Workspace,
)

from .filters import DashboardFilters

ZERO = Decimal("0")


def in_reporting_currency(workspace: Workspace) -> Q:
    """Rows whose money the database adds up as it is: in the workspace's reporting currency, or in
    none (a conversion without a value). Amounts in other currencies are converted day by day
    (``selectors.currency``) and added to those; days without a rate are reported, not guessed."""
    return Q(currency__in=(workspace.currency, ""))


def revenue_sum(workspace: Workspace) -> Sum:
    """``Sum("revenue")`` over the rows in the reporting currency only (add ``foreign_revenue``)."""
    return Sum("revenue", filter=in_reporting_currency(workspace))


@dataclass(frozen=True)
class OtherCurrency:
    """Money in one currency other than the workspace's: left out of the page's revenue."""

    currency: str
    count: float  # credited conversions, or closed deals
    amount: Decimal


def ratio(numerator, denominator) -> Decimal | None:
    """numerator / denominator as Decimal, or None when the denominator is zero or unknown."""
    if denominator in (None, 0) or numerator is None:
        return None
    return (Decimal(str(numerator)) / Decimal(str(denominator))).quantize(Decimal("0.0001"))


def active_models(*, workspace: Workspace) -> list[AttributionModelConfig]:
    """The workspace's active models in a stable order (1 query)."""
    return list(AttributionModelConfig.objects.filter(workspace=workspace, is_active=True).order_by("id"))


def tiktok_metrics(*, filters: DashboardFilters, level: str) -> QuerySet[PlatformDailyMetric]:
    """TikTok's own daily numbers at one level, for the period and the selected window only.

    Rows reported under another window are other facts; mixing them would double-count spend.
    """
    return platform_metrics(filters=filters, platform=Platform.TIKTOK, level=level,
                            window=(filters.click_window_days, filters.view_window_days))


def platform_metrics(*, filters: DashboardFilters, platform: str, level: str,
                     window: tuple[int, int]) -> QuerySet[PlatformDailyMetric]:
    """One platform's own daily numbers at one level, for the period, under one window only."""
    return PlatformDailyMetric.objects.filter(
        workspace=filters.workspace,
        platform=platform,
        level=level,
        date__gte=filters.start,
        date__lte=filters.end,
        click_window_days=window[0],
        view_window_days=window[1],
    )


def _preferred_windows(filters: DashboardFilters) -> dict[str, tuple[int, int]]:
    """The window each platform's numbers are read under, where we have a preference (1 query):
    the selected one for TikTok, the workspace's lookback window for the others."""
    preferred = {Channel.TIKTOK.value: (filters.click_window_days, filters.view_window_days)}
    for channel, click, view in LookbackWindow.objects.filter(workspace=filters.workspace).values_list(
        "channel", "click_days", "view_days"
    ):
        preferred.setdefault(channel, (click, view))
    return preferred


def _window_for(platform: str, preferred: dict, available: set) -> tuple[int, int] | None:
    """The preferred window when the platform reported under it (always, for TikTok), else the
    first window found, else None (no numbers)."""
    want = preferred.get(platform)
    if platform == Channel.TIKTOK or want in available:
        return want
    return min(available) if available else None


def platform_window(*, filters: DashboardFilters, platform: str) -> tuple[int, int] | None:
    """The window the dashboard reads ``platform``'s numbers under in the period (2 queries), or
    None when the platform reported nothing then (TikTok: always the selected window)."""
    available = set(
        PlatformDailyMetric.objects.filter(
            workspace=filters.workspace, platform=platform, level=MetricLevel.CAMPAIGN,
            date__gte=filters.start, date__lte=filters.end,
        ).values_list("click_window_days", "view_window_days").distinct().order_by()
    )
    return _window_for(platform, _preferred_windows(filters), available)


def platform_spend(*, filters: DashboardFilters, by_day: bool = False) -> dict:
    """Spend per channel (or per (day, channel)) from every ad platform's campaign-level days (2 queries).

    A platform stores one copy of each day per window it reported under; spend is the same in each,
    so one window is read per platform (``_window_for``).
    """
    preferred = _preferred_windows(filters)
    keys = ["platform", "click_window_days", "view_window_days"] + (["date"] if by_day else [])
    rows = (
        PlatformDailyMetric.objects.filter(
            workspace=filters.workspace,
            level=MetricLevel.CAMPAIGN,
            date__gte=filters.start,
            date__lte=filters.end,
        )
        .values(*keys)
        .annotate(s=Sum("spend"))
        .order_by("platform", "click_window_days", "view_window_days")
    )
    rows = list(rows)
    available = defaultdict(set)
    for r in rows:
        available[r["platform"]].add((r["click_window_days"], r["view_window_days"]))

    out: dict = {}
    for r in rows:
        if (r["click_window_days"], r["view_window_days"]) != _window_for(
                r["platform"], preferred, available[r["platform"]]):
            continue
        key = (r["date"], r["platform"]) if by_day else r["platform"]
        out[key] = out.get(key, ZERO) + (r["s"] or ZERO)
    return out
