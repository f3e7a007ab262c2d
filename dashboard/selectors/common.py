"""Small building blocks shared by the page selectors."""

from decimal import Decimal

from django.db.models import QuerySet

from attribution.channels import Platform
from attribution.models import AttributionModelConfig, PlatformDailyMetric, Workspace

from .filters import DashboardFilters

ZERO = Decimal("0")


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
    return PlatformDailyMetric.objects.filter(
        workspace=filters.workspace,
        platform=Platform.TIKTOK,
        level=level,
        date__gte=filters.start,
        date__lte=filters.end,
        click_window_days=filters.click_window_days,
        view_window_days=filters.view_window_days,
    )
