"""Land TikTok's reported numbers in PlatformDailyMetric: entities first, then one upsert per batch.

Re-importing the same (entity, day, window) updates the row in place (unique constraint + upsert),
so the daily job can safely re-read the last days that TikTok is still revising.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from attribution.channels import Platform
from attribution.models import Ad, AdCampaign, AdGroup, PlatformDailyMetric, TikTokIntegration, Workspace

from .client import TikTokReportingClient
from .rows import ReportRow

BATCH = 1000
UPDATE_FIELDS = [
    "campaign",
    "adgroup",
    "ad",
    "currency",
    "spend",
    "impressions",
    "clicks",
    "conversions",
    "conversion_value",
    "source",
    "updated_at",
]
UNIQUE_FIELDS = [
    "workspace",
    "platform",
    "level",
    "entity_external_id",
    "date",
    "click_window_days",
    "view_window_days",
]


def _ensure(model, workspace, wanted: dict[str, dict]) -> dict[str, object]:
    """external id → row, creating missing ones and renaming changed ones (3 queries at most)."""
    if not wanted:
        return {}
    existing = {
        e.external_id: e
        for e in model.objects.filter(
            workspace=workspace, platform=Platform.TIKTOK, external_id__in=list(wanted)
        )
    }
    missing = [
        model(workspace=workspace, platform=Platform.TIKTOK, external_id=ext, **fields)
        for ext, fields in wanted.items()
        if ext not in existing
    ]
    model.objects.bulk_create(missing, batch_size=BATCH, ignore_conflicts=True)
    renamed = [e for ext, e in existing.items() if wanted[ext].get("name") and e.name != wanted[ext]["name"]]
    for e in renamed:
        e.name = wanted[e.external_id]["name"]
    model.objects.bulk_update(renamed, ["name"], batch_size=BATCH)
    if missing:  # ignore_conflicts leaves pks unset: read them back
        existing = {
            e.external_id: e
            for e in model.objects.filter(
                workspace=workspace, platform=Platform.TIKTOK, external_id__in=list(wanted)
            )
        }
    return existing


def _entities(workspace: Workspace, rows: list[ReportRow]):
    campaigns = _ensure(
        AdCampaign,
        workspace,
        {r.campaign_id: {"name": r.campaign_name or r.campaign_id} for r in rows if r.campaign_id},
    )
    adgroups = _ensure(
        AdGroup,
        workspace,
        {
            r.adgroup_id: {"name": r.adgroup_name or r.adgroup_id, "campaign": campaigns[r.campaign_id]}
            for r in rows
            if r.adgroup_id and r.campaign_id
        },
    )
    ads = _ensure(
        Ad,
        workspace,
        {
            r.ad_id: {
                "name": r.ad_name or r.ad_id,
                "adgroup": adgroups[r.adgroup_id],
                "campaign": campaigns[r.campaign_id],
            }
            for r in rows
            if r.ad_id and r.adgroup_id and r.campaign_id
        },
    )
    return campaigns, adgroups, ads


def platform_metrics_upsert(
    *,
    workspace: Workspace,
    rows: Iterable[ReportRow],
    click_window_days: int,
    view_window_days: int,
    source: str,
) -> int:
    """Insert or update one PlatformDailyMetric per row under the given window; returns rows written."""
    written = 0
    batch: list[ReportRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            written += _upsert_batch(workspace, batch, click_window_days, view_window_days, source)
            batch = []
    if batch:
        written += _upsert_batch(workspace, batch, click_window_days, view_window_days, source)
    return written


@transaction.atomic
def _upsert_batch(workspace, rows, click_window_days, view_window_days, source) -> int:
    campaigns, adgroups, ads = _entities(workspace, rows)
    metrics = {}
    for r in rows:  # the last copy of a (level, entity, day) in a batch wins, as in a re-import
        metrics[(r.level, r.entity_external_id, r.day)] = PlatformDailyMetric(
            workspace=workspace,
            platform=Platform.TIKTOK,
            level=r.level,
            entity_external_id=r.entity_external_id,
            date=r.day,
            campaign=campaigns.get(r.campaign_id),
            adgroup=adgroups.get(r.adgroup_id),
            ad=ads.get(r.ad_id),
            currency=r.currency or workspace.currency,
            spend=r.spend,
            impressions=r.impressions,
            clicks=r.clicks,
            conversions=r.conversions,
            conversion_value=r.conversion_value,
            click_window_days=click_window_days,
            view_window_days=view_window_days,
            source=source,
        )
    PlatformDailyMetric.objects.bulk_create(
        list(metrics.values()),
        update_conflicts=True,
        unique_fields=UNIQUE_FIELDS,
        update_fields=UPDATE_FIELDS,
    )
    return len(metrics)


def tiktok_report_import(
    *,
    integration: TikTokIntegration,
    start: date,
    end: date,
    click_window_days: int,
    view_window_days: int,
    client: TikTokReportingClient | None = None,
) -> int:
    """Fetch campaign, ad group and ad days from the reporting API and upsert them (window stored)."""
    own_client = client is None
    client = client or TikTokReportingClient(access_token=integration.access_token)
    try:
        return sum(
            platform_metrics_upsert(
                workspace=integration.workspace,
                rows=client.daily_report(
                    advertiser_id=integration.advertiser_id, level=level, start=start, end=end
                ),
                click_window_days=click_window_days,
                view_window_days=view_window_days,
                source="api",
            )
            for level in ("campaign", "adgroup", "ad")
        )
    finally:
        if own_client:
            client.close()
