from datetime import date
from decimal import Decimal

import pytest

from attribution.models import Ad, AdCampaign, PlatformDailyMetric
from crm_sync.tiktok_reporting.csv_import import CsvImportError, ads_manager_csv_import
from crm_sync.tiktok_reporting.services import tiktok_report_import
from crm_sync.tiktok_reporting.tasks import import_tiktok_report
from tests.factories import TikTokIntegrationFactory

from .fake_tiktok import FakeTikTokReporting
from .test_reporting_client import campaign_row


def ad_row(ad_id, day, spend):
    return {
        "dimensions": {"ad_id": ad_id, "stat_time_day": f"{day} 00:00:00"},
        "metrics": {
            "spend": spend,
            "impressions": "500",
            "clicks": "20",
            "conversion": "1",
            "total_complete_payment_rate": "50",
            "currency": "EUR",
            "campaign_id": "c1",
            "campaign_name": "Spring",
            "adgroup_id": "g1",
            "adgroup_name": "Broad",
            "ad_name": "Video A",
        },
    }


@pytest.fixture
def integration(workspace):
    return TikTokIntegrationFactory(workspace=workspace, access_token="tt-token")


def test_api_import_creates_entities_and_stores_the_window(integration, settings):
    with FakeTikTokReporting("tt-token") as fake:
        settings.CLICKLEDGER = {**settings.CLICKLEDGER, "TIKTOK_API_BASE": fake.base_url}
        fake.rows["campaign"] = [campaign_row("c1", "2026-11-02")]
        fake.rows["ad"] = [ad_row("a1", "2026-11-02", "7.25")]
        written = tiktok_report_import(
            integration=integration,
            start=date(2026, 11, 1),
            end=date(2026, 11, 3),
            click_window_days=7,
            view_window_days=1,
        )
    assert written == 2
    ad_metric = PlatformDailyMetric.objects.get(level="ad")
    assert (ad_metric.spend, ad_metric.currency, ad_metric.click_window_days, ad_metric.view_window_days) == (
        Decimal("7.25"),
        "EUR",
        7,
        1,
    )
    ad = Ad.objects.get(external_id="a1")
    assert (ad.name, ad.adgroup.name, ad.campaign.name) == ("Video A", "Broad", "Spring")
    assert ad_metric.ad == ad and ad_metric.campaign == ad.campaign


def test_reimport_updates_in_place_and_keeps_other_windows_apart(integration, settings, workspace):
    with FakeTikTokReporting("tt-token") as fake:
        settings.CLICKLEDGER = {**settings.CLICKLEDGER, "TIKTOK_API_BASE": fake.base_url}
        fake.rows["campaign"] = [campaign_row("c1", "2026-11-02", spend="10")]
        import_tiktok_report(integration.pk, "2026-11-01", "2026-11-03")
        fake.rows["campaign"] = [campaign_row("c1", "2026-11-02", spend="12")]
        import_tiktok_report(integration.pk, "2026-11-01", "2026-11-03")
        tiktok_report_import(
            integration=integration,
            start=date(2026, 11, 1),
            end=date(2026, 11, 3),
            click_window_days=1,
            view_window_days=0,
        )
    rows = PlatformDailyMetric.objects.filter(workspace=workspace, level="campaign").order_by(
        "click_window_days"
    )
    assert [(r.click_window_days, r.spend) for r in rows] == [(1, Decimal("12")), (7, Decimal("12"))]
    assert AdCampaign.objects.filter(workspace=workspace).count() == 1


HEADER = (
    "By Day,Campaign name,Campaign ID,Ad group name,Ad group ID,Cost,Impressions,"
    "Clicks (Destination),Conversions,Total complete payment value,Currency"
)
ADS_MANAGER_CSV = (
    "\ufeff"
    + HEADER
    + """
2026-11-02,Spring,c1,Broad,g1,"1,200.50",10000,300,12,"2,400.00",USD
2026-11-03,Spring,c1,Broad,g1,800,8000,200,-,0,USD
Total of 2 results,,,,,2000.50,18000,500,12,2400,
"""
)


def test_ads_manager_csv_is_imported_at_the_most_detailed_level_it_has(workspace):
    result = ads_manager_csv_import(
        workspace=workspace, file=ADS_MANAGER_CSV, click_window_days=7, view_window_days=1
    )
    assert (result.level, result.rows_written) == ("adgroup", 2)
    first = PlatformDailyMetric.objects.get(date=date(2026, 11, 2))
    assert (first.spend, first.clicks, first.conversions, first.conversion_value, first.source) == (
        Decimal("1200.50"),
        300,
        Decimal("12"),
        Decimal("2400.00"),
        "csv",
    )
    assert first.adgroup.name == "Broad" and first.campaign.name == "Spring"


def test_reimporting_the_same_csv_changes_nothing(workspace):
    for _ in range(2):
        ads_manager_csv_import(
            workspace=workspace, file=ADS_MANAGER_CSV, click_window_days=7, view_window_days=1
        )
    assert PlatformDailyMetric.objects.filter(workspace=workspace).count() == 2


def test_a_csv_without_a_date_column_says_what_to_fix(workspace):
    with pytest.raises(CsvImportError, match="Missing column.*day"):
        ads_manager_csv_import(
            workspace=workspace, file="Campaign ID,Cost\nc1,10\n", click_window_days=7, view_window_days=1
        )


def test_the_daily_import_is_registered_with_celery_and_scheduled(db):
    from django_celery_beat.models import PeriodicTask

    import crm_sync.tiktok_reporting.tasks  # noqa: F401  (config/celery.py autodiscovers it in workers)
    from config.celery import app

    assert "crm_sync.tiktok_reporting.tasks.import_all_tiktok_reports" in app.tasks
    task = PeriodicTask.objects.get(name="Daily TikTok reporting import")
    assert task.task == "crm_sync.tiktok_reporting.tasks.import_all_tiktok_reports" and task.enabled


def test_every_api_import_leaves_a_history_row_as_the_other_platforms_do(integration, settings):
    from attribution.models import PlatformImport
    from crm_sync.tiktok_reporting.client import TikTokReportingError, TikTokRetryableError

    with FakeTikTokReporting("tt-token") as fake:
        settings.CLICKLEDGER = {**settings.CLICKLEDGER, "TIKTOK_API_BASE": fake.base_url}
        fake.rows["campaign"] = [campaign_row("c1", "2026-11-02")]
        fake.rows["ad"] = [ad_row("a1", "2026-11-02", "7.25")]
        assert import_tiktok_report(integration.pk, "2026-11-01", "2026-11-03") == 2
        fake.failures = [(429, {"code": 40100, "message": "Too many requests"})]
        with pytest.raises(TikTokRetryableError):
            import_tiktok_report(integration.pk, "2026-11-01", "2026-11-03")
        integration.access_token = "revoked-token"
        integration.save()
        with pytest.raises(TikTokReportingError):
            import_tiktok_report(integration.pk, "2026-11-01", "2026-11-03")

    rows = list(PlatformImport.objects.order_by("id").values_list(
        "platform", "source", "account", "first_day", "last_day", "status", "rows_written"))
    assert rows == [
        ("tiktok", "api", integration.advertiser_id, date(2026, 11, 1), date(2026, 11, 3), status, written)
        for status, written in (("succeeded", 2), ("retrying", 0), ("failed", 0))]
    failed = PlatformImport.objects.order_by("id").last()
    assert failed.error and failed.finished_at
