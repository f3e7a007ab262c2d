"""Recording conversions: one row per (workspace, event name, event_id), whoever sends it first."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from attribution.models import ConversionEvent, Workspace

from .outbox import outbox_enqueue_conversion


@dataclass(frozen=True)
class RecordedConversion:
    conversion: ConversionEvent
    created: bool


def conversion_record(*, workspace: Workspace, event_name: str, event_id: str,
                      occurred_at: datetime, source: str, value: Decimal = Decimal(0),
                      currency: str = "", **fields) -> RecordedConversion:
    """Store a conversion once and queue it for sync; a repeat of its event_id is counted, not stored.

    ``fields`` are other ConversionEvent columns (site, visitor, contact, ttclid, email_hash, …).
    The outbox row is written in the same transaction as the conversion.
    """
    try:
        with transaction.atomic():
            conversion = ConversionEvent.objects.create(
                workspace=workspace, event_name=event_name, event_id=event_id,
                occurred_at=occurred_at, source=source, value=value, currency=currency.upper(),
                sources_seen=[source], **fields)
            outbox_enqueue_conversion(conversion=conversion)
            return RecordedConversion(conversion, created=True)
    except IntegrityError:
        pass
    existing = ConversionEvent.objects.get(workspace=workspace, event_name=event_name,
                                           event_id=event_id)
    updates = {"duplicates_seen": F("duplicates_seen") + 1}
    if source not in existing.sources_seen:
        updates["sources_seen"] = [*existing.sources_seen, source]
    ConversionEvent.objects.filter(pk=existing.pk).update(**updates)
    existing.refresh_from_db(fields=["duplicates_seen", "sources_seen"])
    return RecordedConversion(existing, created=False)
