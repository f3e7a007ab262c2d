"""Land any platform's reported days in PlatformDailyMetric: entities first, then one upsert per batch.

Every importer (TikTok, Meta and Google reporting APIs, every CSV export, the demo) writes through
``platform_metrics_upsert``. Re-importing the same (platform, entity, day, window) updates the row in
place (unique constraint + upsert), so a daily job can safely re-read the last days a platform is
still revising.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from attribution.bulk import rows_insert
from attribution.models import Ad, AdCampaign, AdGroup, PlatformDailyMetric, Workspace

from .rows import ReportRow

BATCH = 1000
UPDATE_FIELDS = [
    "campaign", "adgroup", "ad", "currency", "spend", "impressions", "clicks", "conversions",
    "conversion_value", "source", "updated_at",
]
UNIQUE_FIELDS = [
    "workspace", "platform", "level", "entity_external_id", "date", "click_window_days",
    "view_window_days",
]


def _ensure(model, workspace, platform: str, wanted: dict[str, dict]) -> dict[str, object]:
    """external id → row, creating missing ones and renaming changed ones (3 queries at most)."""
    if not wanted:
        return {}

    def read():
        return {e.external_id: e for e in model.objects.filter(
            workspace=workspace, platform=platform, external_id__in=list(wanted))}

    existing = read()
    missing = [model(workspace=workspace, platform=platform, external_id=ext, **fields)
               for ext, fields in wanted.items() if ext not in existing]
    model.objects.bulk_create(missing, batch_size=BATCH, ignore_conflicts=True)
    renamed = [e for ext, e in existing.items() if wanted[ext].get("name") and e.name != wanted[ext]["name"]]
    for e in renamed:
        e.name = wanted[e.external_id]["name"]
    model.objects.bulk_update(renamed, ["name"], batch_size=BATCH)
    return read() if missing else existing  # ignore_conflicts leaves pks unset: read them back


def _entities(workspace: Workspace, platform: str, rows: list[ReportRow]):
    campaigns = _ensure(AdCampaign, workspace, platform, {
        r.campaign_id: {"name": r.campaign_name or r.campaign_id} for r in rows if r.campaign_id})
    adgroups = _ensure(AdGroup, workspace, platform, {
        r.adgroup_id: {"name": r.adgroup_name or r.adgroup_id, "campaign": campaigns[r.campaign_id]}
        for r in rows if r.adgroup_id and r.campaign_id})
    ads = _ensure(Ad, workspace, platform, {
        r.ad_id: {"name": r.ad_name or r.ad_id, "adgroup": adgroups[r.adgroup_id],
                  "campaign": campaigns[r.campaign_id]}
        for r in rows if r.ad_id and r.adgroup_id and r.campaign_id})
    return campaigns, adgroups, ads


def platform_metrics_upsert(
    *,
    workspace: Workspace,
    platform: str,
    rows: Iterable[ReportRow],
    click_window_days: int,
    view_window_days: int,
    source: str,
    currency: str = "",
) -> int:
    """Insert or update one PlatformDailyMetric per row of ``platform`` under the given window.

    A row's own currency wins; else ``currency`` (the account's); else the workspace's. Returns the
    rows written. Each batch is one transaction; wrap the call in one to make a whole file atomic.
    """
    written = 0
    batch: list[ReportRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            written += _upsert_batch(workspace, platform, batch, click_window_days, view_window_days,
                                     source, currency)
            batch = []
    if batch:
        written += _upsert_batch(workspace, platform, batch, click_window_days, view_window_days,
                                 source, currency)
    return written


_COLUMNS = ("workspace", "platform", "level", "entity_external_id", "date", "campaign", "adgroup", "ad",
            "currency", "spend", "impressions", "clicks", "conversions", "conversion_value",
            "click_window_days", "view_window_days", "source", "updated_at")


@transaction.atomic
def _upsert_batch(workspace, platform, rows, click_window_days, view_window_days, source, currency) -> int:
    campaigns, adgroups, ads = _entities(workspace, platform, rows)
    fallback_currency = currency or workspace.currency
    now = timezone.now()

    def pk(entities, key):
        entity = entities.get(key)
        return entity.pk if entity is not None else None

    metrics = {}
    for r in rows:  # the last copy of a (level, entity, day) in a batch wins, as in a re-import
        metrics[(r.level, r.entity_external_id, r.day)] = (
            workspace.pk, platform, r.level, r.entity_external_id, r.day, pk(campaigns, r.campaign_id),
            pk(adgroups, r.adgroup_id), pk(ads, r.ad_id), r.currency or fallback_currency, r.spend,
            r.impressions, r.clicks, r.conversions, r.conversion_value, click_window_days,
            view_window_days, source, now)
    # Tuples through attribution.bulk (binary COPY + one INSERT … ON CONFLICT on PostgreSQL):
    # bulk_create compiled every value of every row and cost most of an import's CPU.
    rows_insert(PlatformDailyMetric, _COLUMNS, list(metrics.values()), conflict=UNIQUE_FIELDS,
                update=UPDATE_FIELDS)
    return len(metrics)
