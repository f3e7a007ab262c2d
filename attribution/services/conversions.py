"""Recording conversions: one row per (workspace, event name, event_id), whoever sends it first.

One implementation serves one event and many (the events API, the collector's drain, CRM stage
changes): ``conversion_record`` is ``conversion_record_many`` of a single event. Its rules:
- the first copy of an (event name, event_id) is stored; a repeat bumps ``duplicates_seen`` and
  adds its source to ``sources_seen``, whether it repeats a stored row or one earlier in the list;
- every new conversion gets its outbox rows (``attribution.services.outbox``) in the same
  transaction;
- a row another writer stores concurrently is a repeat, not an error.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from attribution import lookups  # noqa: F401  (registers __anyof)
from attribution.bulk import models_insert
from attribution.key_probes import in_workspace, index_probes
from attribution.models import ConversionEvent, Workspace

from .outbox import StoredConversion, outbox_insert_new

_KEY_COLUMNS = ("workspace", "event_name", "event_id")


@dataclass(frozen=True)
class ConversionOutcome:
    event_name: str
    event_id: str
    created: bool
    pk: int


@dataclass(frozen=True)
class RecordedConversion:
    conversion: ConversionEvent
    created: bool


def conversion_record(*, workspace: Workspace, event_name: str, event_id: str,
                      occurred_at: datetime, source: str, value: Decimal = Decimal(0),
                      currency: str = "", **fields) -> RecordedConversion:
    """Store a conversion once and queue it for sync; a repeat of its event_id is counted, not stored.

    ``fields`` are other ConversionEvent fields (site or site_id, visitor, contact, ttclid,
    email_hash, …). ``conversion_record_many`` of this one event.
    """
    columns = {ConversionEvent._meta.get_field(name).attname: getattr(value, "pk", value)
               for name, value in fields.items()}
    event = {**columns, "event_name": event_name, "event_id": event_id, "occurred_at": occurred_at,
             "source": source, "value": value, "currency": currency}
    (outcome,) = conversion_record_many(workspace=workspace, events=[event])
    return RecordedConversion(ConversionEvent.objects.get(pk=outcome.pk), outcome.created)


def conversion_record_many(*, workspace: Workspace, events: list[dict]) -> list[ConversionOutcome]:
    """Store ``events`` (ConversionEvent columns by attname, all of ``workspace``); return one
    outcome per event, in order. The dicts are completed in place (workspace, currency, sources).

    A fixed number of statements whatever the list's length: the stored rows among the keys
    (locked: repeats update them), one insert of the new ones (binary COPY on PostgreSQL), their
    outbox rows, one UPDATE per distinct repeat count.
    """
    if not events:
        return []
    received_at = timezone.now()  # one clock: the new rows' receipt is their outbox rows' first attempt
    for event in events:
        event["workspace_id"] = workspace.pk
        event.setdefault("received_at", received_at)
        event["currency"] = (event.get("currency") or "").upper()
        event["sources_seen"] = [event["source"]]
    with transaction.atomic(savepoint=False):  # nothing here is caught: no savepoint needed
        stored = _stored(workspace.pk, {e["event_id"] for e in events})
        new: dict[tuple[str, str], dict] = {}
        for event in events:
            key = (event["event_name"], event["event_id"])
            if key not in stored:
                new.setdefault(key, event)
        inserted = _insert(list(new.values()))
        if lost := new.keys() - inserted.keys():  # stored by another writer since the lookup
            stored |= _stored(workspace.pk, {event_id for _, event_id in lost})
        outbox_insert_new(workspace_id=workspace.pk, now=received_at, conversions=[
            StoredConversion(pk, new[key]["event_name"], new[key]["occurred_at"],
                             new[key].get("contact_id"), new[key]["source"])
            for key, pk in inserted.items()])
        outcomes = []
        repeats: Counter = Counter()
        repeat_sources: dict[tuple[str, str], set[str]] = defaultdict(set)
        for event in events:
            key = (event["event_name"], event["event_id"])
            created = key in inserted and new[key] is event
            if not created:
                repeats[key] += 1
                repeat_sources[key].add(event["source"])
            outcomes.append(ConversionOutcome(key[0], key[1], created,
                                              inserted[key] if key in inserted else stored[key][0]))
        _count_repeats(stored | {key: (pk, new[key]["sources_seen"]) for key, pk in inserted.items()},
                       repeats, repeat_sources)
    return outcomes


def conversions_by_event_id(workspace_id: int, event_ids: Iterable[str]):
    """(id, event name, event id, sources seen) of the stored conversions among ``event_ids``,
    whatever their name, locked. By event id alone: a probe of conversion_unique_event_id, which
    it leads, per id (run it inside ``index_probes()``, attribution/key_probes.py)."""
    return (in_workspace(ConversionEvent.objects.select_for_update(), workspace_id)
            .filter(event_id__anyof=set(event_ids))
            .values_list("id", "event_name", "event_id", "sources_seen"))


def _stored(workspace_id: int, event_ids: set[str]) -> dict[tuple[str, str], tuple[int, list]]:
    """(event name, event id) → (id, sources seen) of the stored conversions among ``event_ids``."""
    with index_probes():
        return {(name, event_id): (pk, seen)
                for pk, name, event_id, seen in conversions_by_event_id(workspace_id, event_ids)}


def _insert(rows: list[dict]) -> dict[tuple[str, str], int]:
    """Insert ``rows`` (none stored when looked up); return (event name, event id) → id of those
    written. Straight into the table first (one COPY on PostgreSQL); should a concurrent writer
    have stored one meanwhile, the unique index refuses it and the insert skips what exists."""
    if not rows:
        return {}
    try:
        with transaction.atomic():
            ids = models_insert(ConversionEvent, rows, returning=("id",))
        return {(row["event_name"], row["event_id"]): pk for row, (pk,) in zip(rows, ids, strict=True)}
    except IntegrityError:
        written = models_insert(ConversionEvent, rows, conflict=_KEY_COLUMNS,
                                returning=("id", "event_name", "event_id"))
        return {(name, event_id): pk for pk, name, event_id in written}


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
