"""The admin as a non-developer sets a workspace up: sections in setup order, names that read right,
the TikTok event mapping as rows, a setup checklist, exchange rates."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from attribution.models import RunStatus, TikTokIntegration
from dashboard.models import ExchangeRate
from tests.factories import TikTokIntegrationFactory, UserFactory

pytestmark = pytest.mark.django_db
CLOSED_WON = {"ClosedWon": "CompletePayment"}


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def _section_names(response) -> list[str]:
    return [app["name"] for app in response.context["app_list"]]


def test_the_index_lists_the_sections_in_the_order_a_setup_follows(superuser):
    names = _section_names(superuser.get("/admin/"))
    assert names[:7] == [
        "1. Workspace and members", "2. Sites and snippet", "3. Integrations", "4. CRM stage rules",
        "5. Attribution windows and models", "6. Runs, imports and audits", "7. Privacy",
    ]
    assert names[-2:] == ["Schedules (periodic tasks)", "Technical tables"]


def test_every_registered_model_is_still_listed_once(superuser):
    from django.contrib import admin

    listed = [m["object_name"] for app in superuser.get("/admin/").context["app_list"] for m in app["models"]]
    assert len(listed) == len(set(listed)) == len(admin.site._registry)


def test_an_apps_own_page_keeps_djangos_listing(superuser):
    assert _section_names(superuser.get("/admin/attribution/")) == ["Tracking & attribution"]


def test_the_tiktok_integration_is_named_as_such(superuser):
    page = superuser.get("/admin/attribution/tiktokintegration/").content.decode()
    assert "TikTok integrations" in page and "Tik tok" not in page


def _integration_form(workspace, rows: list[tuple[str, str]]) -> dict:
    form = {"workspace": workspace.pk, "name": "TikTok", "enabled": "on", "advertiser_id": "1",
            "pixel_code": "CPIXEL", "event_set_id": "7", "crm_event_source": "crm", "access_token": "",
            "test_event_code": "", "event_mapping-rows": str(len(rows))}
    for i, (source, target) in enumerate(rows):
        form[f"event_mapping-source-{i}"], form[f"event_mapping-target-{i}"] = source, target
    return form


def test_the_event_mapping_is_edited_as_rows_with_the_json_underneath(superuser, workspace):
    integration = TikTokIntegrationFactory(workspace=workspace, event_mapping=CLOSED_WON)
    url = f"/admin/attribution/tiktokintegration/{integration.pk}/change/"
    page = superuser.get(url).content.decode()
    assert 'name="event_mapping-source-0" value="ClosedWon"' in page
    assert '<option value="PlaceAnOrder">PlaceAnOrder</option>' in page and "As stored (JSON)" in page

    rows = [("ClosedWon", "PlaceAnOrder"), ("QualifiedLead", "QualifyLead"), ("", "")]
    assert superuser.post(url, _integration_form(workspace, rows)).status_code == 302
    integration.refresh_from_db()
    assert integration.event_mapping == {"ClosedWon": "PlaceAnOrder", "QualifiedLead": "QualifyLead"}


def test_a_stage_mapped_twice_or_half_filled_is_refused_with_what_to_fix(superuser, workspace):
    integration = TikTokIntegrationFactory(workspace=workspace, event_mapping=CLOSED_WON)
    url = f"/admin/attribution/tiktokintegration/{integration.pk}/change/"
    rows = [("ClosedWon", "PlaceAnOrder"), ("ClosedWon", "Purchase"), ("Lead", "")]
    page = superuser.post(url, _integration_form(workspace, rows)).content.decode()
    assert "“ClosedWon” is mapped twice; keep one row for it." in page
    assert "Row “Lead”: choose both our event and a TikTok event." in page
    integration.refresh_from_db()
    assert integration.event_mapping == {"ClosedWon": "CompletePayment"}


def test_the_workspace_page_shows_its_setup_checklist_with_links(superuser, workspace):
    page = superuser.get(f"/admin/attribution/workspace/{workspace.pk}/change/").content.decode()
    assert "Setup checklist" in page and "0 of 7 steps done." in page
    assert "/admin/attribution/site/add/" in page and "/admin/crm_sync/dealimport/add/" in page
    TikTokIntegrationFactory(workspace=workspace, access_token="tok",
                             test_event_accepted_at=datetime(2026, 11, 2, tzinfo=UTC))
    from tests.dashboard.factories import RunFactory

    RunFactory(workspace=workspace, status=RunStatus.SUCCEEDED)
    page = superuser.get(f"/admin/attribution/workspace/{workspace.pk}/change/").content.decode()
    assert "3 of 7 steps done." in page
    assert f"/admin/attribution/tiktokintegration/{TikTokIntegration.objects.get().pk}/change/" in page


def test_an_ecb_file_uploaded_in_the_admin_fills_the_rates_table(superuser):
    ecb = b"Date,USD,JPY,\n2026-11-04,1.0800,163.12,\n"
    response = superuser.post("/admin/dashboard/exchangerate/upload/",
                              {"file": SimpleUploadedFile("eurofxref.csv", ecb)}, follow=True)
    assert "Stored 2 rates for 1 days (JPY, USD)." in response.content.decode()
    assert ExchangeRate.objects.get(currency="USD", day=date(2026, 11, 4)).rate == Decimal("1.08")


def test_an_unreadable_upload_is_refused_and_stores_nothing(superuser):
    response = superuser.post("/admin/dashboard/exchangerate/upload/",
                              {"file": SimpleUploadedFile("rates.csv", b"day;usd\n1;2\n")})
    assert "Nothing imported. line 1: the first column must be Date" in response.content.decode()
    assert ExchangeRate.objects.count() == 0


def test_a_workspace_admin_who_is_not_a_superuser_reads_rates_but_cannot_upload(client, member):
    client.force_login(member)
    assert client.get("/admin/dashboard/exchangerate/").status_code == 200
    assert client.get("/admin/dashboard/exchangerate/upload/").status_code == 403
