"""The demo seeds Meta and Google numbers as the importers write them: every level, both windows."""

from io import StringIO

from django.core.management import call_command

from attribution import models as am
from crm_sync.demo.services import DEMO_SLUG


def test_the_demo_has_meta_and_google_days_at_every_level_and_their_accounts(db):
    call_command("seed_demo", "--conversions", "300", "--seed", "3", "--end-date", "2026-11-01",
                 "--verbosity", "0", stdout=StringIO())
    workspace = am.Workspace.objects.get(slug=DEMO_SLUG)
    for platform in ("meta", "google"):
        metrics = am.PlatformDailyMetric.objects.filter(workspace=workspace, platform=platform,
                                                        click_window_days=7)
        assert set(metrics.values_list("level", flat=True)) == {"campaign", "adgroup", "ad"}
        ads = sum(m.spend for m in metrics.filter(level="ad"))
        assert ads == sum(m.spend for m in metrics.filter(level="campaign")) > 0
        campaign = metrics.filter(level="campaign").select_related("campaign").first()
        assert campaign.campaign.name and campaign.campaign.name != campaign.entity_external_id
    assert am.MetaAdAccount.objects.filter(workspace=workspace, enabled=False).exists()
    assert am.GoogleAdsAccount.objects.filter(workspace=workspace, enabled=False).exists()
