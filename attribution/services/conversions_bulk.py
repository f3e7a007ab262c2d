"""Recording many conversions at once, with ``conversion_record``'s semantics in a few queries.

Stored once per (workspace, event name, event_id); a repeat bumps ``duplicates_seen`` and adds its
source to ``sources_seen``; every new conversion gets its outbox rows in the same transaction.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from attribution.bulk import models_insert
from attribution.key_probes import in_workspace, index_probes
from attribution.models import (
    ConversionEvent,
    Workspace,
)

from .conversions import conversion_record
from .outbox import StoredConversion, outbox_insert_new


@dataclass(frozen=True)
class ConversionOutcome:
    event_name: str
    event_id: str
    created: bool


def conversion_record_many(*, workspace: Workspace, events: list[dict]) -> list[ConversionOutcome]:
    """Store ``events`` (ConversionEvent columns by attname, all of ``workspace``); return one
    outcome per event, in order. The dicts are completed in place (workspace, currency, sources).

    The first copy of an (event name, event_id) in the list wins, as it would over the wire. When
    another writer inserts the same key concurrently, the batch falls back to one-by-one recording.
    New rows go in through ``attribution.bulk`` (binary COPY on PostgreSQL), without model instances.
    """
    for event in events:
        event["workspace_id"] = workspace.pk
        event["currency"] = (event.get("currency") or "").upper()
        event["sources_seen"] = [event["source"]]
    try:
        with transaction.atomic():
            return _record_in_bulk(workspace, events)
    except IntegrityError:
        return [ConversionOutcome(e["event_name"], e["event_id"], _record_one(workspace, e))
                for e in events]


_RECORD_ARGUMENTS = {"event_name", "event_id", "occurred_at", "source", "value", "currency"}


def _record_one(workspace: Workspace, event: dict) -> bool:
    fields = {name: value for name, value in event.items()
              if name not in _RECORD_ARGUMENTS | {"workspace_id", "sources_seen"}}
    return conversion_record(workspace=workspace, event_name=event["event_name"],
                             event_id=event["event_id"], occurred_at=event["occurred_at"],
                             source=event["source"], value=event.get("value", Decimal(0)),
                             currency=event["currency"], **fields).created


def _record_in_bulk(workspace: Workspace, events: list[dict]) -> list[ConversionOutcome]:
    ids = {e["event_id"] for e in events}
    # key → (id, sources_seen), locked: the repeats below update these rows.
    with index_probes():
        existing = {(name, event_id): (pk, seen) for pk, name, event_id, seen in
                    in_workspace(ConversionEvent.objects.select_for_update(), workspace.pk)
                    .filter(event_id__in=ids)
                    .values_list("id", "event_name", "event_id", "sources_seen")}
    new: dict[tuple[str, str], dict] = {}
    repeats: Counter = Counter()
    repeat_sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    outcomes = []
    for event in events:
        key = (event["event_name"], event["event_id"])
        created = key not in existing and key not in new
        if created:
            new[key] = event
        else:
            repeats[key] += 1
            repeat_sources[key].add(event["source"])
        outcomes.append(ConversionOutcome(key[0], key[1], created))
    # No conflict clause: a concurrent insert of the same key raises IntegrityError (see above).
    inserted = models_insert(ConversionEvent, list(new.values()), returning=("id",))
    stored = {key: (pk, event["sources_seen"])
              for (key, event), (pk,) in zip(new.items(), inserted, strict=True)}
    outbox_insert_new(workspace_id=workspace.pk, conversions=[
        StoredConversion(stored[key][0], e["event_name"], e["occurred_at"], e.get("contact_id"), e["source"])
        for key, e in new.items()])
    _count_repeats(existing | stored, repeats, repeat_sources)
    return outcomes


def _count_repeats(rows: dict, repeats: Counter, sources: dict) -> None:
    """Bump duplicates_seen with one UPDATE per distinct (count, sources) — usually one."""
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
    for key, count in repeats.items():
        pk, sources_seen = rows[key]
        seen = list(sources_seen) + sorted(sources[key] - set(sources_seen))
        groups[(count, tuple(seen))].append(pk)
    for (count, seen), pks in groups.items():
        ConversionEvent.objects.filter(pk__in=pks).update(
            duplicates_seen=F("duplicates_seen") + count, sources_seen=list(seen))
