"""What every dashboard page is filtered by: workspace, period, model and the platform window."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from attribution.models import AttributionModelConfig, Workspace


@dataclass(frozen=True)
class DashboardFilters:
    """A period is inclusive of both days, in the workspace's calendar (rollup days are local days)."""

    workspace: Workspace
    start: date
    end: date
    model: AttributionModelConfig | None
    click_window_days: int = 7
    view_window_days: int = 1
    period: str = "custom"  # the preset the dates came from (dashboard.periods), for links and labels
    compare: bool = False  # show changes against the previous period of the same length

    def previous(self) -> "DashboardFilters":
        """The same selection over the period just before this one (no comparison of its own)."""
        from dashboard.periods import previous_range

        start, end = previous_range(self.start, self.end)
        return replace(self, start=start, end=end, period="custom", compare=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def window_label(self) -> str:
        view = f"{self.view_window_days}-day view" if self.view_window_days else "views off"
        return f"{self.click_window_days}-day click / {view}"

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start of the first day, start of the day after the last) in the workspace's time zone."""
        tz = self.workspace.tzinfo
        return (
            datetime.combine(self.start, time.min, tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tz),
        )
