from datetime import date
from decimal import Decimal
from pathlib import Path

from attribution.models import AdCsvMapping, PlatformDailyMetric, PlatformImport
from crm_sync.ad_platforms.csv_import import platform_csv_import

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ad_platforms"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def metric(**filters) -> PlatformDailyMetric:
    return PlatformDailyMetric.objects.get(**filters)


def test_a_meta_ads_manager_export_lands_at_every_level_under_its_attribution_setting(workspace):
    record = platform_csv_import(workspace=workspace, file=read("meta_ads_manager.csv"), preset="meta",
                                 file_name="meta_ads_manager.csv")
    assert record.status == "succeeded", record.error_sample
    assert (record.first_day, record.last_day) == (date(2026, 11, 1), date(2026, 11, 2))
    ad = metric(level="ad", entity_external_id="120210000000001001", date=date(2026, 11, 1))
    assert (ad.platform, ad.spend, ad.conversions, ad.conversion_value, ad.currency) == (
        "meta", Decimal("25.40"), Decimal("2"), Decimal("118.00"), "USD")
    assert (ad.click_window_days, ad.view_window_days, ad.source) == (7, 1, "csv")
    campaign = metric(level="campaign", entity_external_id="120210000000000001", date=date(2026, 11, 1))
    assert (campaign.spend, campaign.impressions, campaign.clicks) == (Decimal("40.00"), 5130, 63)
    assert metric(level="campaign", entity_external_id="120210000000000002").spend == Decimal("1234.56")
    assert record.rows_written == PlatformDailyMetric.objects.count() == 4 + 3 + 3


def test_a_decimal_comma_export_is_read_as_written(workspace):
    record = platform_csv_import(workspace=workspace, file=read("meta_ads_manager_de.csv"), preset="meta")
    assert record.status == "succeeded", record.error_sample
    ad = metric(level="ad", entity_external_id="120210000000003001")
    assert (ad.spend, ad.impressions, ad.conversion_value, ad.currency) == (
        Decimal("1234.56"), 45000, Decimal("1460.50"), "EUR")
    assert metric(level="campaign").spend == Decimal("1244.96")


def test_a_file_with_bad_rows_names_each_line_and_imports_nothing(workspace):
    record = platform_csv_import(workspace=workspace, file=read("meta_ads_manager_bad_row.csv"),
                                 preset="meta")
    assert record.status == "failed" and record.rows_failed == 2
    assert record.error_sample == [[3, "cannot read the date '2026-13-45' (use YYYY-MM-DD)"],
                                   [4, "not a number: 'twelve'"]]
    assert "nothing was imported" in record.error
    assert not PlatformDailyMetric.objects.exists()


def test_a_google_ads_report_skips_its_title_and_totals_and_keeps_cost_as_written(workspace):
    record = platform_csv_import(workspace=workspace, file=read("google_ads_report.csv"), preset="google",
                                 click_window_days=30, view_window_days=1)
    assert record.status == "succeeded", (record.error, record.error_sample)
    ad = metric(level="ad", entity_external_id="690000000001")
    assert (ad.platform, ad.spend, ad.impressions, ad.conversions, ad.conversion_value) == (
        "google", Decimal("1204.50"), 12400, Decimal("41.50"), Decimal("3120.00"))
    assert (ad.click_window_days, ad.view_window_days) == (30, 1)
    assert metric(level="campaign", entity_external_id="20111111111").spend == Decimal("1292.60")
    assert metric(level="ad", entity_external_id="690000000003").conversion_value == 0


def test_an_excel_csv_download_in_utf16_with_tabs_is_read(workspace):
    tabbed = "\n".join("\t".join(cells) for cells in [
        ["Ad report"], ["November 1, 2026 - November 1, 2026"],
        ["Day", "Campaign", "Campaign ID", "Ad group", "Ad group ID", "Ad ID", "Currency code", "Cost",
         "Impr.", "Clicks", "Conversions", "Conv. value"],
        ["2026-11-01", "Brand search", "20111111111", "Brand exact", "150000000001", "690000000001", "USD",
         "1,204.50", "12,400", "830", "41.50", "3,120.00"],
    ])
    record = platform_csv_import(workspace=workspace, file=tabbed.encode("utf-16"), preset="google",
                                 click_window_days=30, view_window_days=1)
    assert record.status == "succeeded", (record.error, record.error_sample)
    assert metric(level="ad", entity_external_id="690000000001").spend == Decimal("1204.50")


def test_a_file_without_a_window_must_be_told_one(workspace):
    record = platform_csv_import(workspace=workspace, file=read("google_ads_report.csv"), preset="google")
    assert record.status == "failed" and "attribution setting" in record.error
    assert not PlatformDailyMetric.objects.exists()


def test_a_reimport_updates_in_place(workspace):
    platform_csv_import(workspace=workspace, file=read("meta_ads_manager.csv"), preset="meta")
    changed = read("meta_ads_manager.csv").replace(b",25.40,", b",26.40,")
    platform_csv_import(workspace=workspace, file=changed, preset="meta")
    assert PlatformDailyMetric.objects.count() == 10
    ad = metric(level="ad", entity_external_id="120210000000001001", date=date(2026, 11, 1))
    assert ad.spend == Decimal("26.40")
    assert PlatformImport.objects.filter(status="succeeded").count() == 2


def test_any_other_platform_is_read_with_a_saved_mapping(workspace):
    mapping = AdCsvMapping.objects.create(
        workspace=workspace, name="LinkedIn campaigns", platform="linkedin",
        columns={"day": "Start Date (in UTC)", "campaign_id": "Campaign ID",
                 "campaign_name": "Campaign Name", "currency": "Currency", "spend": "Total Spent",
                 "impressions": "Impressions", "clicks": "Clicks", "conversions": "Conversions",
                 "conversion_value": "Total Conversion Value"},
        click_window_days=30, view_window_days=7)
    record = platform_csv_import(workspace=workspace, file=read("linkedin_campaigns.csv"), mapping=mapping)
    assert record.status == "succeeded", (record.error, record.error_sample)
    day = metric(level="campaign", date=date(2026, 11, 1))
    assert (day.platform, day.spend, day.currency, day.click_window_days, day.view_window_days) == (
        "linkedin", Decimal("210.33"), "EUR", 30, 7)


def test_a_file_without_the_needed_columns_says_which(workspace):
    record = platform_csv_import(workspace=workspace, file=b"Campaign,Cost\nBrand,12\n", preset="google")
    assert record.status == "failed"
    assert "day (Day / Date)" in record.error and "campaign_id (Campaign ID)" in record.error
