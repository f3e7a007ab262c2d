"""Writing conversion-sync outbox rows, in the caller's transaction.

A conversion that can never be sent (too old for TikTok, its contact opted out, no pixel code or
event set id to send it to) still gets a row, marked ``skipped`` with the reason in ``last_error``,
so the admin shows why it did not go out.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from attribution import lookups  # noqa: F401  (registers __anyof)
from attribution.bulk import models_insert
from attribution.key_probes import index_probes
from attribution.models import (
    Contact,
    ConversionEvent,
    EventSource,
    OutboxEntry,
    OutboxStatus,
    TikTokEventSource,
    TikTokIntegration,
)

DESTINATION_TIKTOK = "tiktok"


@dataclass(slots=True)
class StoredConversion:
    """What ``outbox_rows_for`` reads of a newly stored conversion. Bulk writers pass these rather
    than model instances, which cost some 20 times more to build on their hot paths."""

    pk: int
    event_name: str
    occurred_at: datetime
    contact_id: int | None
    source: str


def outbox_rows_for(*, workspace_id: int, conversions: list[ConversionEvent | StoredConversion],
                    now: datetime | None = None) -> list[dict]:
    """Outbox column values for newly stored conversions: for each, the first enabled integration
    that maps its event name, with its event source and the reason it is skipped, if any (mapping,
    event source, skips); integrations and opt-outs are read once for the batch.

    ``conversions`` need ``pk``, ``contact_id``, ``event_name``, ``occurred_at`` and ``source``;
    the caller inserts the rows in its own transaction, in whatever bulk way suits it.
    """
    if not conversions:
        return []
    integrations = list(TikTokIntegration.objects.filter(workspace_id=workspace_id, enabled=True)
                        .order_by("id"))
    if not integrations:
        return []
    contact_ids = {c.contact_id for c in conversions if c.contact_id}
    opted_out = set()
    if contact_ids:
        with index_probes():  # planned freely, a scan of every contact for a batch's few
            opted_out = set(Contact.objects.filter(pk__anyof=contact_ids, opted_out=True)
                            .values_list("pk", flat=True))
    now = now or timezone.now()
    rows = []
    for conversion in conversions:
        for integration in integrations:
            platform_event = (integration.event_mapping or {}).get(conversion.event_name)
            if not platform_event:
                continue
            event_source = tiktok_event_source(conversion=conversion, integration=integration)
            reason = sync_skip_reason(opted_out=conversion.contact_id in opted_out,
                                      occurred_at=conversion.occurred_at, integration=integration,
                                      event_source=event_source, now=now)
            rows.append({"workspace_id": workspace_id, "conversion_id": conversion.pk,
                         "destination": DESTINATION_TIKTOK, "integration_id": integration.pk,
                         "platform_event": platform_event, "event_source": event_source,
                         "status": OutboxStatus.SKIPPED if reason else OutboxStatus.QUEUED,
                         "last_error": reason, "next_attempt_at": now})
            break  # one row per (conversion, destination), like get_or_create: the first match
    return rows


def outbox_insert_new(*, workspace_id: int, conversions: list[StoredConversion],
                      now: datetime | None = None) -> int:
    """Write the outbox rows of conversions created in the caller's transaction, in bulk (one COPY
    on PostgreSQL): being new, they can have no rows yet, so nothing can conflict. Returns how many."""
    rows = outbox_rows_for(workspace_id=workspace_id, conversions=conversions, now=now)
    models_insert(OutboxEntry, rows)
    return len(rows)


def tiktok_event_source(*, conversion: ConversionEvent, integration: TikTokIntegration) -> str:
    """CRM stages go to the event set (crm or offline); pixel and server events to the pixel (web)."""
    if conversion.source == EventSource.CRM:
        return integration.crm_event_source
    return TikTokEventSource.WEB


def sync_skip_reason(*, opted_out: bool, occurred_at: datetime, integration: TikTokIntegration,
                     event_source: str, now: datetime) -> str:
    """Why a conversion must not be sent to TikTok now, or "" when it may be."""
    if opted_out:
        return "contact opted out of data sharing"
    if event_source == TikTokEventSource.WEB and not integration.pixel_code:
        return "integration has no pixel code for web events"
    if event_source != TikTokEventSource.WEB and not integration.event_set_id:
        return f"integration has no event set id for {event_source} events"
    return too_old_reason(occurred_at=occurred_at, event_source=event_source, now=now)


def too_old_reason(*, occurred_at: datetime, event_source: str, now: datetime) -> str:
    cfg = settings.CLICKLEDGER
    if event_source == TikTokEventSource.WEB:
        limit, setting = cfg["TIKTOK_WEB_EVENT_MAX_AGE_DAYS"], "TIKTOK_WEB_EVENT_MAX_AGE_DAYS"
    else:
        limit, setting = cfg["TIKTOK_OFFLINE_EVENT_MAX_AGE_DAYS"], "TIKTOK_OFFLINE_EVENT_MAX_AGE_DAYS"
    if (now - occurred_at).total_seconds() <= limit * 86400:
        return ""
    # One wording per limit (the conversion shows when it occurred), so a batch skips in one write.
    return f"too old for TikTok: {event_source} events are accepted up to {limit} days ({setting})"
