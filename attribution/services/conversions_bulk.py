"""Recording many conversions at once, with ``conversion_record``'s semantics in a few queries.

Stored once per (workspace, event name, event_id); a repeat bumps ``duplicates_seen`` and adds its
source to ``sources_seen``; every new conversion gets its outbox rows in the same transaction.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from attribution.models import (
    ConversionEvent,
    OutboxEntry,
    Workspace,
)

from .conversions import conversion_record
from .outbox import outbox_rows_for


@dataclass(frozen=True)
class ConversionOutcome:
    event_name: str
    event_id: str
    created: bool


def conversion_record_many(*, workspace: Workspace,
                           events: list[ConversionEvent]) -> list[ConversionOutcome]:
    """Store unsaved ``events`` (all of ``workspace``); return one outcome per event, in order.

    The first copy of an (event name, event_id) in the list wins, as it would over the wire. When
    another writer inserts the same key concurrently, the batch falls back to one-by-one recording.
    """
    for event in events:
        event.workspace = workspace
        event.currency = (event.currency or "").upper()
        event.sources_seen = [event.source]
    try:
        with transaction.atomic():
            return _record_in_bulk(workspace, events)
    except IntegrityError:
        return [ConversionOutcome(e.event_name, e.event_id, _record_one(workspace, e))
                for e in events]


def _record_one(workspace: Workspace, event: ConversionEvent) -> bool:
    fields = {f.attname: getattr(event, f.attname) for f in ConversionEvent._meta.concrete_fields
              if f.attname not in {"id", "workspace_id", "event_name", "event_id", "occurred_at",
                                   "source", "value", "currency", "sources_seen",
                                   "duplicates_seen", "received_at"}}
    return conversion_record(workspace=workspace, event_name=event.event_name,
                             event_id=event.event_id, occurred_at=event.occurred_at,
                             source=event.source, value=event.value, currency=event.currency,
                             **fields).created


def _record_in_bulk(workspace: Workspace, events: list[ConversionEvent]) -> list[ConversionOutcome]:
    ids = {e.event_id for e in events}
    existing = {(c.event_name, c.event_id): c for c in ConversionEvent.objects.select_for_update()
                .filter(workspace=workspace, event_id__in=ids)
                .only("id", "event_name", "event_id", "sources_seen")}
    new: dict[tuple[str, str], ConversionEvent] = {}
    repeats: Counter = Counter()
    repeat_sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    outcomes = []
    for event in events:
        key = (event.event_name, event.event_id)
        created = key not in existing and key not in new
        if created:
            new[key] = event
        else:
            repeats[key] += 1
            repeat_sources[key].add(event.source)
        outcomes.append(ConversionOutcome(event.event_name, event.event_id, created))
    created_rows = ConversionEvent.objects.bulk_create(list(new.values()), batch_size=500)
    _enqueue_outbox(workspace, created_rows)
    _count_repeats(existing | new, repeats, repeat_sources)
    return outcomes


def _count_repeats(rows: dict, repeats: Counter, sources: dict) -> None:
    """Bump duplicates_seen with one UPDATE per distinct (count, sources) — usually one."""
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
    for key, count in repeats.items():
        row = rows[key]
        seen = list(row.sources_seen) + sorted(sources[key] - set(row.sources_seen))
        groups[(count, tuple(seen))].append(row.pk)
    for (count, seen), pks in groups.items():
        ConversionEvent.objects.filter(pk__in=pks).update(
            duplicates_seen=F("duplicates_seen") + count, sources_seen=list(seen))


def _enqueue_outbox(workspace: Workspace, conversions: list[ConversionEvent]) -> None:
    rows = outbox_rows_for(workspace_id=workspace.pk, conversions=conversions)
    OutboxEntry.objects.bulk_create([OutboxEntry(**row) for row in rows], batch_size=500)
