"""CRM stage changes that matter become conversions, in bulk, with their outbox rows.

Same result as calling ``attribution.services.conversions.conversion_record`` per change — one
conversion per (workspace, event name, event_id), its outbox row in the same transaction, a repeat
counted not stored — but one query per step for a whole batch. Repeats and insert races fall back to
``conversion_record`` itself, so the rare paths share its code.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from attribution.models import (
    Contact,
    ConversionEvent,
    EventSource,
    OutboxEntry,
    TikTokIntegration,
    Workspace,
)
from attribution.services.conversions import conversion_record


def stage_event_id(*, crm_id: str, event_name: str) -> str:
    """Deterministic, so that re-imports and webhook repeats never double a conversion."""
    return f"deal:{crm_id}:{event_name}"


@dataclass(slots=True)
class StageConversion:
    event_name: str
    crm_id: str
    occurred_at: datetime
    value: Decimal
    currency: str
    contact_id: int | None = None
    visitor_id: int | None = None
    fields: dict = field(default_factory=dict)  # ttclid, email_hash, phone_hash

    @property
    def event_id(self) -> str:
        return stage_event_id(crm_id=self.crm_id, event_name=self.event_name)

    def columns(self) -> dict:
        return {"event_name": self.event_name, "event_id": self.event_id,
                "occurred_at": self.occurred_at, "value": self.value,
                "currency": self.currency.upper(), "contact_id": self.contact_id,
                "visitor_id": self.visitor_id, "external_ref": self.crm_id, **self.fields}


def stage_conversions_record(*, workspace: Workspace, items: list[StageConversion]) -> int:
    """Record every item once; return how many conversions are new."""
    if not items:
        return 0
    existing = set(ConversionEvent.objects.filter(
        workspace=workspace, event_id__in={i.event_id for i in items}).values_list("event_name", "event_id"))
    fresh = [i for i in items if (i.event_name, i.event_id) not in existing]
    repeats = [i for i in items if (i.event_name, i.event_id) in existing]
    created = 0
    if fresh:
        try:
            with transaction.atomic():
                _bulk_insert(workspace, fresh)
            created = len(fresh)
        except IntegrityError:  # someone recorded one of them meanwhile: go one by one
            repeats = items
    for item in repeats:
        created += conversion_record(workspace=workspace, source=EventSource.CRM,
                                     **_record_kwargs(item)).created
    return created


def _record_kwargs(item: StageConversion) -> dict:
    columns = item.columns()
    columns["currency"] = item.currency
    return columns


def _bulk_insert(workspace: Workspace, items: list[StageConversion]) -> None:
    conversions = ConversionEvent.objects.bulk_create(
        [ConversionEvent(workspace=workspace, source=EventSource.CRM, sources_seen=[EventSource.CRM],
                         **i.columns()) for i in items], batch_size=1000)
    _outbox_insert(workspace, conversions)


def _outbox_insert(workspace: Workspace, conversions: list[ConversionEvent]) -> None:
    """Mirror of ``outbox_enqueue_conversion`` for many conversions: one row per destination,
    the first enabled integration that maps the event, none for an opted-out contact."""
    integrations = list(TikTokIntegration.objects.filter(workspace=workspace, enabled=True).order_by("id"))
    if not integrations:
        return
    opted_out = set(Contact.objects.filter(
        pk__in={c.contact_id for c in conversions if c.contact_id}, opted_out=True)
        .values_list("id", flat=True))
    entries = []
    for conversion in conversions:
        if conversion.contact_id in opted_out:
            continue
        for integration in integrations:
            platform_event = (integration.event_mapping or {}).get(conversion.event_name)
            if platform_event:
                entries.append(OutboxEntry(
                    workspace=workspace, conversion=conversion, destination="tiktok",
                    integration=integration, platform_event=platform_event,
                    next_attempt_at=conversion.received_at))
                break  # (conversion, destination) is unique: the first mapping integration wins
    OutboxEntry.objects.bulk_create(entries, batch_size=1000)
