"""seed_demo's service: create the demo workspace and load generated rows in bulk."""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from attribution import models as am
from attribution.bulk import copy_rows, next_id, reset_sequences
from crm_sync.ad_platforms.levels import with_parent_levels
from crm_sync.ad_platforms.metrics import platform_metrics_upsert
from crm_sync.ad_platforms.rows import ReportRow
from crm_sync.models import Deal, DealStageChange, DealStageRule

from . import catalog
from .generator import (
    CONTACT_COLS,
    CONVERSION_COLS,
    DEAL_COLS,
    STAGE_COLS,
    TOUCH_COLS,
    VISITOR_COLS,
    WINDOWS,
    DemoGenerator,
    Ids,
)

DEMO_SLUG = "acme-outdoor"
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "clickledger-demo"
VIEWER_USERNAME = "marketer"

# Children first: the order in which a reset deletes a workspace's rows.
_WORKSPACE_TABLES = [
    am.AttributionCredit, am.AttributionRollup, am.AttributionRun, am.OutboxEntry,
    DealStageChange, Deal, am.ConversionEvent, am.Touchpoint, am.Visitor, am.Contact,
    am.PlatformDailyMetric, am.Ad, am.AdGroup, am.AdCampaign,
]


@dataclass
class DemoSummary:
    workspace: am.Workspace
    site: am.Site
    secret_key: str
    counts: dict[str, int]


class DemoExists(Exception):
    pass


def demo_seed(*, seed: int = 42, conversions: int = 10_000, days: int = 90,
              end: datetime | None = None, reset: bool = False, progress=None,
              non_converting: float = 3.0) -> DemoSummary:
    """Create (or with ``reset`` recreate) the demo workspace with ``conversions`` conversions,
    and on average ``non_converting`` visitors who never convert per converting person.

    Deterministic for the same seed, size and end date. ``progress(n)`` is called as conversions
    are written (for a progress bar).
    """
    end = end or datetime.combine(datetime.now(UTC).date(), time(0), tzinfo=UTC)
    start = end - timedelta(days=days)
    existing = am.Workspace.objects.filter(slug=DEMO_SLUG).first()
    if existing and not reset:
        raise DemoExists(f"The demo workspace '{DEMO_SLUG}' exists already; pass --reset to "
                         "replace it.")
    if existing:
        _delete_workspace(existing)
    workspace, site, secret = _setup_workspace()
    ads = _create_ads(workspace, random.Random(seed))
    ids = Ids(**{k: next_id(m) for k, m in [
        ("contact", am.Contact), ("visitor", am.Visitor), ("touch", am.Touchpoint),
        ("conversion", am.ConversionEvent), ("deal", Deal), ("stage", DealStageChange)]})
    gen = DemoGenerator(seed=seed, workspace_id=workspace.pk, site_id=site.pk, start=start,
                        end=end, ads=ads, ids=ids, currency=workspace.currency,
                        non_converting=non_converting)
    counts = defaultdict(int)
    for batch in gen.batches(conversions):
        with transaction.atomic():
            for model, cols, rows, key in [
                (am.Contact, CONTACT_COLS, batch.contacts, "contacts"),
                (am.Visitor, VISITOR_COLS, batch.visitors, "visitors"),
                (am.Touchpoint, TOUCH_COLS, batch.touches, "touchpoints"),
                (am.ConversionEvent, CONVERSION_COLS, batch.conversions, "conversions"),
                (Deal, DEAL_COLS, batch.deals, "deals"),
                (DealStageChange, STAGE_COLS, batch.stages, "stage_changes"),
            ]:
                counts[key] += copy_rows(model, cols, rows)
        if progress:
            progress(len(batch.conversions))
    reset_sequences(am.Contact, am.Visitor, am.Touchpoint, am.ConversionEvent, Deal,
                    DealStageChange)
    counts["platform_metrics"] = _platform_metrics(workspace, gen, ads, random.Random(seed + 1))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return DemoSummary(workspace, site, secret, dict(counts))


def _delete_workspace(workspace: am.Workspace) -> None:
    """Delete a (possibly huge) workspace table by table, not through Django's collector."""
    with transaction.atomic(), connection.cursor() as cursor:
        for by_run in (am.AttributionRunChunk, am.AttributionModelFit):
            cursor.execute(f"DELETE FROM {by_run._meta.db_table} WHERE run_id IN (SELECT id FROM"
                           f" {am.AttributionRun._meta.db_table} WHERE workspace_id = %s)", [workspace.pk])
        for model in _WORKSPACE_TABLES:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE workspace_id = %s",
                           [workspace.pk])
        workspace.delete()


def _setup_workspace():
    workspace = am.Workspace.objects.create(
        name="Acme Outdoor (demo)", slug=DEMO_SLUG, timezone="America/New_York", currency="USD",
        attributed_event_names=["CompletePayment", "SubmitForm", "ClosedWon"])
    users = get_user_model().objects
    admin = users.filter(username=ADMIN_USERNAME).first() or users.create_superuser(
        ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD)
    viewer = users.filter(username=VIEWER_USERNAME).first() or users.create_user(
        VIEWER_USERNAME, "marketer@example.com", ADMIN_PASSWORD, is_staff=True)
    am.Membership.objects.create(user=admin, workspace=workspace, role=am.Role.ADMIN)
    am.Membership.objects.create(user=viewer, workspace=workspace, role=am.Role.ANALYST)
    site = am.Site.objects.create(
        workspace=workspace, name="acme-outdoor.example", domains=["acme-outdoor.example"],
        allowed_origins=["https://acme-outdoor.example", "http://127.0.0.1:8000",
                         "http://localhost:8000"])
    _, secret = site.issue_secret_key(label="demo backend")
    for kind, params in [("last_click", {}), ("first_click", {}), ("last_non_direct", {}),
                         ("linear", {}), ("time_decay", {"half_life_days": 7}),
                         ("position_based", {"first": 0.4, "last": 0.4}),
                         ("markov", {"order": 1}), ("shapley", {"value": "conversion_rate"})]:
        am.AttributionModelConfig.objects.create(workspace=workspace, kind=kind, params=params)
    for channel, click, view in [("tiktok", 7, 1), ("meta", 7, 1), ("google", 28, 0),
                                 ("email", 7, 0)]:
        am.LookbackWindow.objects.create(workspace=workspace, channel=channel, click_days=click,
                                         view_days=view)
    DealStageRule.objects.bulk_create([
        DealStageRule(workspace=workspace, crm_stage="appointmentscheduled", event_name="Lead"),
        DealStageRule(workspace=workspace, crm_stage="qualifiedtobuy", event_name="QualifiedLead"),
        DealStageRule(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon",
                      uses_amount=True),
    ])
    am.TikTokIntegration.objects.create(
        workspace=workspace, name="TikTok (demo, disabled)", enabled=False,
        advertiser_id="7301234567890123456", pixel_code="CDEMOPIXEL0123456789",
        event_set_id="7309876543210987654", access_token="demo-token-replace-me",
        test_event_code="TEST12345")
    # The ad accounts whose numbers the demo seeds (without credentials: nothing to import).
    am.MetaAdAccount.objects.create(workspace=workspace, name="Meta (demo, disabled)", enabled=False,
                                    ad_account_id="100000000000001", currency=workspace.currency)
    am.GoogleAdsAccount.objects.create(workspace=workspace, name="Google Ads (demo, disabled)",
                                       enabled=False, customer_id="1234567890",
                                       client_id="demo.apps.googleusercontent.com",
                                       currency=workspace.currency)
    return workspace, site, secret


def _create_ads(workspace, rng: random.Random) -> dict[str, list[catalog.AdRef]]:
    refs: dict[str, list[catalog.AdRef]] = defaultdict(list)
    plans = {"tiktok": catalog.TIKTOK_CAMPAIGNS, "meta": catalog.META_CAMPAIGNS,
             "google": catalog.GOOGLE_CAMPAIGNS}
    ext = 1_700_000_000_000
    for platform, campaigns in plans.items():
        for campaign_name, (groups, efficiency) in campaigns.items():
            ext += 1
            campaign = am.AdCampaign.objects.create(workspace=workspace, platform=platform,
                                                    external_id=str(ext), name=campaign_name,
                                                    status="ENABLE")
            for group_name in groups:
                ext += 1
                group = am.AdGroup.objects.create(workspace=workspace, platform=platform,
                                                  campaign=campaign, external_id=str(ext),
                                                  name=group_name, status="ENABLE")
                for n in range(catalog.ADS_PER_GROUP[platform]):
                    ext += 1
                    ad = am.Ad.objects.create(workspace=workspace, platform=platform,
                                              campaign=campaign, adgroup=group,
                                              external_id=str(ext), status="ENABLE",
                                              name=f"{group_name} · creative {n + 1}")
                    cpc = catalog.CPC[platform] / efficiency * rng.uniform(0.7, 1.4)
                    refs[platform].append(catalog.AdRef(
                        platform, ad.pk, group.pk, campaign.pk, ad.external_id, campaign_name,
                        weight=rng.uniform(0.5, 2.0), cpc=cpc))
    return dict(refs)


def _platform_metrics(workspace, gen: DemoGenerator, ads, rng: random.Random) -> int:
    """Daily numbers per ad as each platform would report them, written as the importers write
    theirs (``platform_metrics_upsert``; ad groups and campaigns are the ads' sums)."""
    by_ad = {ref.ad_id: ref for refs in ads.values() for ref in refs}
    names = {
        model: {pk: (ext, name) for pk, ext, name in
                model.objects.filter(workspace=workspace).values_list("pk", "external_id", "name")}
        for model in (am.Ad, am.AdGroup, am.AdCampaign)
    }
    cells: dict[tuple, dict] = defaultdict(dict)  # (platform, window) → (ad, day) → numbers
    for (ad_id, day), (true_clicks, windows) in sorted(gen.ad_days.items()):
        ref = by_ad[ad_id]
        # The demo stores converters' journeys only; the platform also bills the clicks of the
        # many who never convert (about 1 in 30 to 40 clicks converts) and of bounces before the
        # tracker loads.
        clicks = round(true_clicks * catalog.CLICKS_PER_TRACKED_CLICK * rng.uniform(1.05, 1.25))
        spend = Decimal(clicks * ref.cpc).quantize(Decimal("0.01"), ROUND_HALF_UP)
        impressions = int(clicks * rng.uniform(60, 140))
        over = rng.uniform(1.1, 1.35) if ref.platform == "tiktok" else rng.uniform(1.0, 1.15)
        for window in WINDOWS:
            conv, value = windows[window]
            reported = Decimal(round(conv * over))
            reported_value = (value * Decimal(str(round(over, 3)))).quantize(Decimal("0.01"))
            cells[(ref.platform, window)][(ad_id, day)] = (spend, impressions, clicks, reported,
                                                          reported_value)
    written = 0
    for (platform, (click_days, view_days)), days in cells.items():
        rows = [_report_row(by_ad[ad_id], day, numbers, names) for (ad_id, day), numbers in days.items()]
        written += platform_metrics_upsert(
            workspace=workspace, platform=platform, rows=with_parent_levels(rows),
            click_window_days=click_days, view_window_days=view_days, source="api")
    return written


def _report_row(ref, day, numbers, names) -> ReportRow:
    spend, impressions, clicks, conversions, value = numbers
    (ad_ext, ad_name) = names[am.Ad][ref.ad_id]
    (group_ext, group_name), (campaign_ext, campaign_name) = (
        names[am.AdGroup][ref.adgroup_id], names[am.AdCampaign][ref.campaign_id])
    return ReportRow(level="ad", day=day, campaign_id=campaign_ext, campaign_name=campaign_name,
                     adgroup_id=group_ext, adgroup_name=group_name, ad_id=ad_ext, ad_name=ad_name,
                     spend=spend, impressions=impressions, clicks=clicks, conversions=conversions,
                     conversion_value=value)
