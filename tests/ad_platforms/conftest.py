"""Shared by the ad platform tests: a workspace buying on three platforms, imported by the importers."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from attribution import models as am
from crm_sync.ad_platforms.csv_import import platform_csv_import
from crm_sync.ad_platforms.metrics import platform_metrics_upsert
from crm_sync.ad_platforms.rows import ReportRow
from dashboard.selectors.filters import DashboardFilters
from tests.dashboard.factories import RollupFactory, RunFactory
from tests.factories import DealFactory, ModelConfigFactory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ad_platforms"
META_CAMPAIGN, GOOGLE_CAMPAIGN = "120210000000000002", "20111111111"


@pytest.fixture
def three_platforms(workspace):
    """Meta: 1,304.56 spent (7-day click / 1-day view); Google: 1,602.60 (30/1); TikTok: 100 (7/1)."""
    model = ModelConfigFactory(workspace=workspace, kind=am.ModelKind.LAST_CLICK, name="Last click")
    platform_csv_import(workspace=workspace, file=(FIXTURES / "meta_ads_manager.csv").read_bytes(),
                        preset="meta")
    platform_csv_import(workspace=workspace, file=(FIXTURES / "google_ads_report.csv").read_bytes(),
                        preset="google", click_window_days=30, view_window_days=1)
    platform_metrics_upsert(
        workspace=workspace, platform="tiktok", source="api", click_window_days=7, view_window_days=1,
        rows=[ReportRow(level="campaign", day=date(2026, 11, 2), campaign_id="tt1", campaign_name="TT",
                        spend=Decimal("100"), conversions=Decimal("4"), conversion_value=Decimal("400"))])
    run = RunFactory(workspace=workspace, finished_at=datetime(2026, 11, 20, tzinfo=UTC))
    campaigns = {c.external_id: c for c in am.AdCampaign.objects.filter(workspace=workspace)}
    for channel, campaign, conv, revenue in (("meta", META_CAMPAIGN, 10.0, "2609.12"),
                                             ("google", GOOGLE_CAMPAIGN, 20.0, "2500"),
                                             ("tiktok", "tt1", 2.0, "200")):
        RollupFactory(run=run, model_config=model, day=date(2026, 11, 2), channel=channel,
                      conversions=conv, revenue=Decimal(revenue), campaign=campaigns[campaign])
    closed = datetime(2026, 11, 3, 15, tzinfo=UTC)
    DealFactory(workspace=workspace, stage="closedwon", closed_at=closed, amount=Decimal("900"),
                utm_source="facebook")
    DealFactory(workspace=workspace, stage="closedwon", closed_at=closed, amount=Decimal("400"),
                utm_source="Google")
    return DashboardFilters(workspace=workspace, start=date(2026, 11, 1), end=date(2026, 11, 7), model=model)


