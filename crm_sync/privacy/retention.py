"""Retention: raw personal data older than a workspace's policy is anonymized, in batches.

Each batch is its own short transaction (rows found by the time index, updated by primary key), so
no purge holds locks on more than one batch at a time and collectors and imports keep writing.
What attribution reads — a touch's time, visitor, kind, channel and campaign, a conversion's
value, time and links — stays, so the current output and a rerun's are unchanged. Opt-outs
(``Contact.opted_out``) are never purged: they are what keeps a person from being synced again.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from attribution.models import ConversionEvent, Touchpoint
from crm_sync.models import Deal

from .erasure import CONVERSION_PERSONAL, TOUCH_PERSONAL
from .models import RetentionPolicy

LOST_STAGE = r"lost"  # closedlost (HubSpot), Closed Lost (Salesforce), lost (generic CRMs)
DEAL_PERSONAL = {"name": "", "ttclid": "", "cl_visitor_id": ""}


@dataclass
class PurgeStats:
    rows: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    longest_batch_seconds: float = 0.0  # the longest any batch held its row locks


def retention_purge(*, policy: RetentionPolicy, now: datetime | None = None,
                    batch_size: int | None = None) -> PurgeStats:
    """Anonymize what ``policy`` says is too old; record the purge on the policy."""
    now = now or timezone.now()
    batch = batch_size or settings.CLICKLEDGER["RETENTION_BATCH_ROWS"]
    stats = PurgeStats()
    ws = policy.workspace_id
    if policy.touch_days is not None:
        cutoff = now - timedelta(days=policy.touch_days)
        # Touches arrive at most EVENT_MAX_AGE_DAYS late (the collector refuses older ones), so
        # the walk restarts that far before where the last one stopped, not at the beginning.
        since = policy.touches_purged_through and (
            policy.touches_purged_through
            - timedelta(days=settings.CLICKLEDGER["EVENT_MAX_AGE_DAYS"]))
        stats.rows["touchpoints"] = _purge(Touchpoint, ws, "occurred_at", since, cutoff,
                                           _any_set(TOUCH_PERSONAL), TOUCH_PERSONAL, batch, stats)
        policy.touches_purged_through = cutoff
    if policy.event_detail_days is not None:
        # Conversions are walked whole: a CRM import can record a stage change of any age.
        cutoff = now - timedelta(days=policy.event_detail_days)
        stats.rows["conversions"] = _purge(
            ConversionEvent, ws, "occurred_at", None, cutoff,
            _any_set(CONVERSION_PERSONAL), CONVERSION_PERSONAL, batch, stats)
        policy.events_purged_through = cutoff
    if policy.lost_deal_days is not None:
        cutoff = now - timedelta(days=policy.lost_deal_days)
        lost = Q(stage__iregex=LOST_STAGE) & _any_set(DEAL_PERSONAL)
        stats.rows["lost_deals"] = _purge(Deal, ws, "closed_at", None, cutoff, lost,
                                          DEAL_PERSONAL, batch, stats)
    policy.last_purge_at = now
    policy.last_purge_counts = stats.rows
    policy.save(update_fields=["touches_purged_through", "events_purged_through",
                               "last_purge_at", "last_purge_counts"])
    return stats


def _any_set(columns: dict) -> Q:
    q = Q()
    for column, empty in columns.items():
        q |= ~Q(**{column: empty})
    return q


def _purge(model, ws: int, time_column: str, since: datetime | None, cutoff: datetime,
           personal: Q, blank: dict, batch: int, stats: PurgeStats) -> int:
    """Walk ``model``'s rows of workspace ``ws`` with ``since <= time < cutoff`` in (time, id)
    order, a batch at a time, and blank the personal columns of those that still have any."""
    done, after = 0, None
    rows = model._base_manager.filter(workspace_id=ws, **{f"{time_column}__lt": cutoff})
    if since is not None:
        rows = rows.filter(**{f"{time_column}__gte": since})
    while True:
        page = rows
        if after is not None:
            page = page.filter(Q(**{f"{time_column}__gt": after[0]})
                               | Q(**{time_column: after[0], "pk__gt": after[1]}))
        keys = list(page.order_by(time_column, "pk").values_list(time_column, "pk")[:batch])
        if not keys:
            return done
        after = keys[-1]
        ids = [pk for _, pk in keys]
        started = time.perf_counter()
        with transaction.atomic():
            done += model._base_manager.filter(personal, pk__in=ids).update(**blank)
        stats.batches += 1
        stats.longest_batch_seconds = max(stats.longest_batch_seconds,
                                          time.perf_counter() - started)
