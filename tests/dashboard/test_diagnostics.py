from datetime import date

from dashboard.models import DiagnosticsDay, UtmViolationDay
from dashboard.selectors.diagnostics import diagnostics_summary, utm_violations
from dashboard.selectors.filters import DashboardFilters
from dashboard.services.diagnostics import diagnostics_refresh

from .diag_world import build_diagnostics_day

NOV = {"start": date(2026, 11, 1), "end": date(2026, 11, 7)}


def test_refresh_counts_each_problem_once(workspace):
    build_diagnostics_day(workspace)
    assert diagnostics_refresh(workspace=workspace, **NOV) == 1
    day = DiagnosticsDay.objects.get(workspace=workspace)
    assert (day.tiktok_sessions, day.tiktok_sessions_with_ttclid) == (4, 3)
    assert (day.conversions, day.pixel_conversions) == (5, 3)
    assert (day.undeduplicated_duplicates, day.page_load_conversions, day.delayed_conversions) == (1, 1, 1)
    assert day.utm_violations == 2


def test_refresh_is_idempotent(workspace):
    build_diagnostics_day(workspace)
    diagnostics_refresh(workspace=workspace, **NOV)
    diagnostics_refresh(workspace=workspace, **NOV)
    assert DiagnosticsDay.objects.filter(workspace=workspace).count() == 1
    assert UtmViolationDay.objects.filter(workspace=workspace).count() == 2


def test_summary_reads_rates_in_one_query(workspace, django_assert_num_queries):
    build_diagnostics_day(workspace)
    diagnostics_refresh(workspace=workspace, **NOV)
    filters = DashboardFilters(workspace=workspace, model=None, **NOV)
    with django_assert_num_queries(1):
        summary = diagnostics_summary(filters=filters)
    assert summary.ttclid_capture_rate == 0.75
    assert summary.duplicate_rate == summary.page_load_rate == 1 / 3
    assert summary.delayed_rate == 0.2 and summary.utm_violation_rate == 0.5


def test_utm_violations_say_what_is_wrong(workspace):
    build_diagnostics_day(workspace)
    diagnostics_refresh(workspace=workspace, **NOV)
    rows = utm_violations(filters=DashboardFilters(workspace=workspace, model=None, **NOV))
    problems = {r.utm_campaign + "/" + r.utm_medium: r.problems for r in rows}
    assert problems == {
        "Spring Sale/cpc": "utm_medium is cpc, expected paid_social",
        "spring_sale_v2/paid_social": "utm_campaign matches no TikTok campaign name",
    }
