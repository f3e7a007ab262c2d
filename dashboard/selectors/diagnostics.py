"""Diagnostics page: tracking health over the period, read from the precomputed daily tables."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum

from dashboard.models import DiagnosticsDay, UtmViolationDay

from .filters import DashboardFilters


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class DiagnosticsSummary:
    tiktok_sessions: int
    tiktok_sessions_with_ttclid: int
    conversions: int
    pixel_conversions: int
    undeduplicated_duplicates: int
    page_load_conversions: int
    delayed_conversions: int
    utm_violations: int
    days_computed: int
    computed_at: datetime | None

    @property
    def ttclid_capture_rate(self) -> float | None:
        return _share(self.tiktok_sessions_with_ttclid, self.tiktok_sessions)

    @property
    def duplicate_rate(self) -> float | None:
        return _share(self.undeduplicated_duplicates, self.pixel_conversions)

    @property
    def page_load_rate(self) -> float | None:
        return _share(self.page_load_conversions, self.pixel_conversions)

    @property
    def delayed_rate(self) -> float | None:
        return _share(self.delayed_conversions, self.conversions)

    @property
    def utm_violation_rate(self) -> float | None:
        return _share(self.utm_violations, self.tiktok_sessions)


@dataclass(frozen=True)
class UtmViolationRow:
    utm_source: str
    utm_medium: str
    utm_campaign: str
    problems: str
    sessions: int


COUNTERS = (
    "tiktok_sessions",
    "tiktok_sessions_with_ttclid",
    "conversions",
    "pixel_conversions",
    "undeduplicated_duplicates",
    "page_load_conversions",
    "delayed_conversions",
    "utm_violations",
)


def diagnostics_days(*, filters: DashboardFilters) -> list[DiagnosticsDay]:
    """Daily rows of the period, oldest first (1 query)."""
    return list(
        DiagnosticsDay.objects.filter(
            workspace=filters.workspace, day__gte=filters.start, day__lte=filters.end
        ).order_by("day")
    )


def summarize(days: list[DiagnosticsDay]) -> DiagnosticsSummary:
    """Sum daily rows (no query)."""
    totals = {name: sum(getattr(d, name) for d in days) for name in COUNTERS}
    computed = min((d.computed_at for d in days), default=None)
    return DiagnosticsSummary(**totals, days_computed=len(days), computed_at=computed)


def diagnostics_summary(*, filters: DashboardFilters) -> DiagnosticsSummary:
    """Totals and rates over the period (1 query)."""
    return summarize(diagnostics_days(filters=filters))


def utm_violations(*, filters: DashboardFilters, limit: int = 50) -> list[UtmViolationRow]:
    """The tag combinations breaking the convention, most sessions first (1 query)."""
    rows = (
        UtmViolationDay.objects.filter(
            workspace=filters.workspace, day__gte=filters.start, day__lte=filters.end
        )
        .values("utm_source", "utm_medium", "utm_campaign", "problems")
        .annotate(n=Sum("sessions"))
        .order_by("-n", "utm_campaign")[:limit]
    )
    return [
        UtmViolationRow(r["utm_source"], r["utm_medium"], r["utm_campaign"], r["problems"], r["n"])
        for r in rows
    ]
