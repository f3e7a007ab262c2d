import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from dashboard.models import AuditReport
from tests.factories import (
    ContactFactory,
    ConversionEventFactory,
    TouchpointFactory,
    UserFactory,
    VisitorFactory,
)

PAGES = ["overview", "tiktok", "compare", "diagnostics", "journeys"]
NOV = {"start": "2026-11-01", "end": "2026-11-07", "window": "7-1"}


@pytest.mark.parametrize("name", PAGES + ["audits"])
def test_pages_require_login(client, db, name):
    response = client.get(reverse(f"dashboard:{name}"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.fixture
def converting_contact(workspace):
    contact = ContactFactory(workspace=workspace)
    visitor = VisitorFactory(workspace=workspace, contact=contact)
    TouchpointFactory(visitor=visitor, occurred_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    ConversionEventFactory(
        workspace=workspace, contact=contact, occurred_at=datetime(2026, 11, 2, 10, tzinfo=UTC)
    )
    return contact


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.usefixtures("converting_contact")
def test_each_page_renders_server_side_figures_for_the_members_workspace(logged_in, world, workspace, name):
    response = logged_in.get(reverse(f"dashboard:{name}"), {**NOV, "model": world.last_click.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Plotly.newPlot" in html and "/static/vendor/plotly.min.js" in html
    assert "cdn.plot.ly" not in html
    assert response.context["filters"].workspace == workspace


def test_another_workspace_id_in_the_url_is_never_shown(logged_in, world, workspace, other_workspace):
    response = logged_in.get(reverse("dashboard:overview"), {**NOV, "ws": other_workspace.pk})
    assert response.context["filters"].workspace == workspace


def test_an_invalid_period_shows_the_error_and_the_defaults(logged_in, world):
    response = logged_in.get(reverse("dashboard:overview"), {"start": "2026-11-09", "end": "2026-11-01"})
    assert "The start date must be on or before the end date." in response.content.decode()
    assert response.context["filters"].start < response.context["filters"].end


def test_switching_the_model_changes_the_numbers(logged_in, world):
    linear = logged_in.get(reverse("dashboard:overview"), {**NOV, "model": world.linear.pk})
    tiktok = next(r for r in linear.context["tables"]["channels"].rows if r[0] == "TikTok")
    assert tiktok[2].value == 2.0  # linear credits TikTok 1.5 + 0.5


def test_tiktok_page_drills_from_campaign_to_ad_groups(logged_in, world):
    response = logged_in.get(
        reverse("dashboard:tiktok"), {**NOV, "level": "adgroup", "parent": world.ad1.campaign_id}
    )
    assert [r[0] for r in response.context["tables"]["entities"].rows] == ["Spring broad"]
    assert "Spring Sale" in response.content.decode()  # breadcrumb


def test_every_table_exports_as_csv(logged_in, world):
    response = logged_in.get(
        reverse("dashboard:export", args=["overview", "channels"]), {**NOV, "model": world.last_click.pk}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Channel", "Spend (USD)", "Conversions", "Revenue (USD)", "ROAS", "CPA (USD)",
                       "Conversions vs previous", "Revenue vs previous"]
    assert rows[1] == ["TikTok", "140.00", "3.0", "250.00", "1.7857", "46.67", "new", "new"]


def test_exporting_an_unknown_table_is_not_found(logged_in, world):
    assert logged_in.get(reverse("dashboard:export", args=["overview", "nope"])).status_code == 404


def test_audit_of_another_workspace_is_not_found(logged_in, other_workspace):
    report = AuditReport.objects.create(
        workspace=other_workspace, period_start="2026-11-01", period_end="2026-11-07"
    )
    assert logged_in.get(reverse("dashboard:audit_detail", args=[report.pk])).status_code == 404


def test_a_user_without_workspace_is_told_to_ask_an_admin(client, db):
    client.force_login(UserFactory())
    assert "Ask an admin" in client.get(reverse("dashboard:overview")).content.decode()


def test_admin_lists_only_audits_of_the_members_workspaces(client, member, workspace, other_workspace):
    mine = AuditReport.objects.create(workspace=workspace, period_start="2026-11-01", period_end="2026-11-07")
    AuditReport.objects.create(workspace=other_workspace, period_start="2026-11-01", period_end="2026-11-07")
    client.force_login(member)
    response = client.get("/admin/dashboard/auditreport/")
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [mine]


def test_audits_page_lists_the_workspaces_reports_and_exports_them(logged_in, workspace, other_workspace):
    mine = AuditReport.objects.create(
        workspace=workspace,
        period_start="2026-11-01",
        period_end="2026-11-07",
        worst_severity="warning",
        findings=[
            {
                "code": "utm",
                "severity": "warning",
                "title": "UTM naming violations",
                "detail": "d",
                "value": 0.1,
                "threshold": 0.05,
            }
        ],
    )
    AuditReport.objects.create(workspace=other_workspace, period_start="2026-11-01", period_end="2026-11-07")
    response = logged_in.get(reverse("dashboard:audits"))
    assert [row[0] for row in response.context["tables"]["reports"].rows] == ["2026-11-01 – 2026-11-07"]
    assert reverse("dashboard:audit_detail", args=[mine.pk]) in response.content.decode()
    exported = logged_in.get(reverse("dashboard:export", args=["audits", "reports"])).content.decode()
    assert "[warning] UTM naming violations" in exported
    detail = logged_in.get(reverse("dashboard:audit_detail", args=[mine.pk]))
    assert detail.status_code == 200 and "UTM naming violations" in detail.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_pages_query_count_does_not_grow_with_the_data(logged_in, world, workspace, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AdCampaignFactory

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert (
                logged_in.get(reverse(f"dashboard:{name}"), {**NOV, "model": world.last_click.pk}).status_code
                == 200
            )
        return len(queries)

    before = count()
    AdCampaignFactory.create_batch(25, workspace=workspace)
    assert count() == before


def test_times_are_shown_in_the_workspaces_time_zone(logged_in, world, workspace, converting_contact):
    workspace.timezone = "America/New_York"
    workspace.save()
    response = logged_in.get(reverse("dashboard:journeys"), {**NOV, "model": world.last_click.pk})
    html = response.content.decode()
    assert "2026-11-02 05:00" in html and "2026-11-02 10:00" not in html  # 10:00 UTC is 05:00 EST
