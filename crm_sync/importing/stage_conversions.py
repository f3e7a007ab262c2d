"""CRM stage changes that matter become conversions, in bulk, with their outbox rows.

Same result as calling ``attribution.services.conversions.conversion_record`` per change — one
conversion per (workspace, event name, event_id), its outbox row in the same transaction, a repeat
counted not stored — but one statement per step for a whole batch. Repeats and insert races fall
back to ``conversion_record`` itself, so the rare paths share its code.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from attribution import lookups  # noqa: F401  (registers __anyof)
from attribution.bulk import LazyRows, models_insert
from attribution.key_probes import in_workspace, index_probes
from attribution.models import (
    ConversionEvent,
    EventSource,
    Workspace,
)
from attribution.services.conversions import conversion_record
from attribution.services.outbox import StoredConversion, outbox_insert_new


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


def conversion_keys_by_event_id(workspace_id: int, event_ids: set[str]):
    """(event name, event id) of the stored conversions among ``event_ids``, whatever their name.

    By event id alone: a probe of conversion_unique_event_id, which it leads, per id (run it inside
    ``index_probes()``, attribution/key_probes.py). A pair with another event name matches nothing
    the caller looks for.
    """
    return (in_workspace(ConversionEvent.objects, workspace_id).filter(event_id__anyof=event_ids)
            .values_list("event_name", "event_id"))


def stage_conversions_record(*, workspace: Workspace, items: list[StageConversion]) -> int:
    """Record every item once; return how many conversions are new."""
    if not items:
        return 0
    with index_probes():
        existing = set(conversion_keys_by_event_id(workspace.pk, {i.event_id for i in items}))
    fresh = [i for i in items if (i.event_name, i.event_id) not in existing]
    received_at = timezone.now()
    common = {"workspace_id": workspace.pk, "source": EventSource.CRM, "sources_seen": [EventSource.CRM],
              "received_at": received_at}
    stored = _conversions_insert(fresh, LazyRows(fresh, lambda i: {**common, **i.columns()}))
    outbox_insert_new(workspace_id=workspace.pk, now=received_at, conversions=[
        StoredConversion(conversion_id, item.event_name, item.occurred_at, item.contact_id, EventSource.CRM)
        for conversion_id, item in stored])
    # Repeats, and any a concurrent writer stored first, count as duplicates the one-by-one way.
    written = {(item.event_name, item.event_id) for _, item in stored}
    for item in items:
        if (item.event_name, item.event_id) not in written:
            conversion_record(workspace=workspace, source=EventSource.CRM, **item.columns())
    return len(stored)


def _conversions_insert(fresh: list[StageConversion],
                        rows: Sequence[dict]) -> list[tuple[int, StageConversion]]:
    """Insert the conversions not stored when the batch began; return (id, item) of those written.

    They go straight into the table (on PostgreSQL one COPY); should a concurrent writer have
    stored one of them meanwhile, the unique index refuses the insert and the batch takes the
    upsert, which skips what exists.
    """
    try:
        with transaction.atomic():
            ids = models_insert(ConversionEvent, rows, returning=("id",))
        return [(conversion_id, item) for (conversion_id,), item in zip(ids, fresh, strict=True)]
    except IntegrityError:
        inserted = models_insert(ConversionEvent, rows, conflict=("workspace", "event_name", "event_id"),
                                 returning=("id", "event_name", "event_id"))
        return list(zip([row[0] for row in inserted], _in_order(fresh, inserted), strict=True))


def _in_order(fresh: list[StageConversion], inserted: list[tuple]) -> list[StageConversion]:
    by_key = {(i.event_name, i.event_id): i for i in fresh}
    return [by_key[(name, event_id)] for _, name, event_id in inserted]
