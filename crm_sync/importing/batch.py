"""One batch of parsed rows → upserted deals, their stage history and CRM-stage conversions.

The rows' rules, planned in Python: the write path on SQLite (on PostgreSQL, ``staged.py`` applies
the same rules set-based). A fixed number of queries per batch, whatever its size: fetch the
stored deals, link identities, upsert the changed deals, insert stage changes, record conversions.
Rows whose values equal the stored deal are not written at all, which is what makes re-importing a
file change nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter

from django.db import IntegrityError, transaction
from django.db.models import Max

from attribution import lookups  # noqa: F401  (registers __anyof)
from attribution.bulk import LazyRows, insert_row_maker, models_insert, rows_insert
from attribution.key_probes import in_workspace, index_probes
from attribution.models import EventSource, Workspace
from attribution.services.consent import contacts_opt_out
from attribution.services.conversions import conversion_record_many
from attribution.services.identity import (
    ContactIndex,
    contacts_hold,
    contacts_index,
    contacts_resolve,
    retried_while_contacts_change,
    visitors_identify,
)
from crm_sync.models import Deal, DealStageChange, DealStageRule

from .linking import RowLinks, contact_keys, links_read
from .parsing import stage_key
from .rows import DealRow

_COPIED = ("name", "pipeline", "owner", "utm_source", "utm_medium", "utm_campaign", "utm_content",
           "utm_term", "ttclid", "cl_visitor_id", "closed_at")
DEAL_FIELDS = ("crm", "name", "stage", "pipeline", "amount", "currency", "owner", "created_at_crm",
                "closed_at", "contact_id", "visitor_id", "touchpoint_id", "utm_source", "utm_medium",
                "utm_campaign", "utm_content", "utm_term", "ttclid", "cl_visitor_id")
_UPDATE_FIELDS = [*DEAL_FIELDS, "updated_at"]


@dataclass(frozen=True)
class ImportContext:
    """What every batch of one import shares."""

    workspace: Workspace
    crm: str
    source: str  # "import" or "webhook": written on each stage change
    now: datetime
    closed_stage_keys: frozenset[str]
    rules: dict[str, tuple[str, bool]]  # stage_key → (event name, uses amount)

    @classmethod
    def build(cls, *, workspace: Workspace, crm: str, source: str, now: datetime,
              closed_stage_keys: frozenset[str]) -> "ImportContext":
        rules = {}
        for rule in DealStageRule.objects.filter(workspace=workspace).order_by("id"):
            rules.setdefault(stage_key(rule.crm_stage), (rule.event_name, rule.uses_amount))
        return cls(workspace, crm, source, now, closed_stage_keys, rules)


@dataclass
class BatchCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stage_changes: int = 0
    conversions: int = 0

    def add(self, other: "BatchCounts") -> None:
        for name in ("created", "updated", "unchanged", "stage_changes", "conversions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class _Move:
    row: DealRow
    values: dict
    from_stage: str
    entered_at: datetime


@dataclass
class BatchReads:
    """What a batch's reads found: its stored deals (locked), when their latest recorded stage
    change happened (for rows that say when theirs did), the contacts its keys name, and each
    row's visitor and click."""

    keys: list[dict[str, str]]  # each row's contact keys
    stored: dict[str, dict]  # crm_id → the stored deal's values, with its "id"
    latest: dict[str, datetime]  # crm_id → time of its latest recorded stage change
    contacts: ContactIndex
    links: list[RowLinks]


@dataclass
class BatchPlan:
    """What a batch writes, decided in memory."""

    counts: BatchCounts
    existing: set[str]  # crm ids of deals already stored: upserted, the rest inserted
    writes: dict[str, dict]  # crm_id → the deal's values after this batch
    moves: list[_Move]
    devices: dict[int, int]  # visitor id → contact id
    # Stored contacts that deals newly link to: held before the deals are written (contacts_hold).
    linked: set[int] = field(default_factory=set)
    opted_out: set[int] = field(default_factory=set)  # contacts of rows that say the person opted out


def deals_apply_batch(*, ctx: ImportContext, rows: list[DealRow]) -> BatchCounts:
    """Upsert ``rows`` (unique crm ids) with their side effects, all in one transaction (a
    savepoint inside the import's): should a contact they link to be merged away meanwhile, that
    is rolled back and the batch applied again, read afresh."""
    return retried_while_contacts_change(lambda: _apply_batch(ctx, rows))


@transaction.atomic
def _apply_batch(ctx: ImportContext, rows: list[DealRow]) -> BatchCounts:
    reads = batch_read(ctx, rows)
    resolved = contacts_resolve(workspace=ctx.workspace, key_sets=reads.keys, hold=False,
                                index=reads.contacts)
    if resolved.merged:  # the merge moved deals off the merged contacts: what was read of them is stale
        reads = batch_read(ctx, rows)
    for link, contact_id in zip(reads.links, resolved.ids, strict=True):
        link.contact_id = contact_id
    return batch_write(ctx, batch_plan(ctx, rows, reads.links, reads.stored, reads.latest, reads.contacts))


def batch_read(ctx: ImportContext, rows: list[DealRow]) -> BatchReads:
    """The batch's reads, a fixed number of queries, all index probes; nothing is written."""
    keys = [contact_keys(r) for r in rows]
    with index_probes():
        stored = {d["crm_id"]: d for d in deals_by_crm_id(ctx.workspace.pk, [r.crm_id for r in rows])}
        index = contacts_index(ctx.workspace.pk, keys)
        links = links_read(workspace=ctx.workspace, rows=rows)
        latest = _latest_changes(rows, stored)
    return BatchReads(keys, stored, latest, index, links)


def batch_write(ctx: ImportContext, plan: BatchPlan) -> BatchCounts:
    """Write a planned batch: deals, stage history, opt-outs, conversions, devices."""
    contacts_hold(plan.linked)
    ids = _deals_write(ctx, plan.writes, plan.existing)
    stage_changes = _stage_changes_write(ctx, plan.moves, ids)
    contacts_opt_out(ids=plan.opted_out)  # before their outbox rows
    due = _conversions_due(ctx, plan.moves)
    conversions = sum(o.created for o in conversion_record_many(workspace=ctx.workspace, events=due))
    visitors_identify(pairs=plan.devices)
    return replace(plan.counts, stage_changes=stage_changes, conversions=conversions)


def deals_by_crm_id(workspace_id: int, crm_ids: list[str]):
    """The stored deals among ``crm_ids``, locked: a probe of deal_unique_crm_id per id.

    Run it inside ``index_probes()`` (attribution/key_probes.py) on PostgreSQL.
    """
    return (in_workspace(Deal.objects.select_for_update(), workspace_id)
            .filter(crm_id__anyof=crm_ids).values("id", "crm_id", *DEAL_FIELDS))


def batch_plan(ctx: ImportContext, rows: list[DealRow], links: list[RowLinks], stored: dict[str, dict],
               latest: dict[str, datetime], contacts: ContactIndex) -> BatchPlan:
    """Decide, in memory, what each row changes: nothing, a new deal, or an update (and a move).
    ``contacts``: the stored contacts the rows' keys named when read (those it may newly link)."""
    plan = BatchPlan(BatchCounts(), set(stored), {}, [], {})
    for row, link in zip(rows, links, strict=True):
        before = stored.get(row.crm_id)
        if before and _is_stale(row, latest.get(row.crm_id)):
            plan.counts.unchanged += 1  # an older state arriving late (webhook retry, old file): ignored
            continue
        values = _merged(row, link, before, ctx)
        contact_id = values["contact_id"]
        if contact_id and values["visitor_id"]:
            plan.devices[values["visitor_id"]] = contact_id
        if row.opt_out and contact_id:
            plan.opted_out.add(contact_id)
        if before and all(before[k] == values[k] for k in DEAL_FIELDS):
            plan.counts.unchanged += 1
            continue
        plan.writes[row.crm_id] = values
        if contact_id in contacts.contacts and not (before and before["contact_id"] == contact_id):
            plan.linked.add(contact_id)
        if before:
            plan.counts.updated += 1
        else:
            plan.counts.created += 1
        from_stage = before["stage"] if before else ""
        if stage_key(from_stage) != stage_key(values["stage"]):
            plan.moves.append(_Move(row, values, from_stage,
                                    _changed_at(ctx, row, values["stage"], not from_stage)))
    return plan


def _is_stale(row: DealRow, latest: datetime | None) -> bool:
    return bool(row.stage_changed_at and latest and row.stage_changed_at < latest)


def _latest_changes(rows: list[DealRow], stored: dict[str, dict]) -> dict[str, datetime]:
    """crm_id → time of its deal's latest recorded stage change, for rows that say when theirs was."""
    crm_ids = {stored[r.crm_id]["id"]: r.crm_id for r in rows if r.stage_changed_at and r.crm_id in stored}
    if not crm_ids:
        return {}
    return {crm_ids[deal_id]: latest for deal_id, latest in
            DealStageChange.objects.filter(deal_id__in=crm_ids).values("deal_id")
            .annotate(latest=Max("changed_at")).values_list("deal_id", "latest")}


_NEW_DEAL = {"name": "", "pipeline": "", "amount": None, "currency": "", "owner": "",
             "created_at_crm": None, "closed_at": None, "contact_id": None, "visitor_id": None,
             "touchpoint_id": None, **dict.fromkeys(_COPIED[3:10], "")}


@lru_cache(maxsize=64)
def carried_fields(present: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The deal fields a row carrying the fields ``present`` sets, and the row's fields they take."""
    pairs = [("stage", "stage"), *((name, name) for name in _COPIED if name in present)]
    if "created_at" in present:
        pairs.append(("created_at_crm", "created_at"))
    if "amount" in present:
        pairs.append(("amount", "amount"))
    if "amount" in present or "currency" in present:
        pairs.append(("currency", "currency"))
    targets, sources = zip(*pairs, strict=True)
    return targets, sources


@lru_cache(maxsize=64)
def _carried(present: frozenset[str]) -> tuple[tuple[str, ...], Callable[[DealRow], tuple]]:
    """The deal fields a file's rows carry, and a getter of their values from a row (in C).

    Every row of one file carries the same columns, so this is worked out once per file.
    """
    targets, sources = carried_fields(present)
    getter = attrgetter(*sources) if len(sources) > 1 else lambda row: (row.stage,)
    return targets, getter


def _merged(row: DealRow, link: RowLinks, before: dict | None, ctx: ImportContext) -> dict:
    """The deal's values after this row: fields the source did not carry keep their stored value."""
    if before:
        values = dict(before)
        del values["id"], values["crm_id"]
    else:
        values = {"crm": ctx.crm, **_NEW_DEAL}
    targets, getter = _carried(row.present)
    values.update(zip(targets, getter(row), strict=True))
    if link.contact_id:
        values["contact_id"] = link.contact_id
    if link.visitor_id:
        values["visitor_id"] = link.visitor_id
    if link.touchpoint_id:
        values["touchpoint_id"] = link.touchpoint_id
    return values


def _deals_write(ctx: ImportContext, writes: dict[str, dict], existing: set[str]) -> dict[str, int]:
    """Insert new deals, upsert changed ones on (workspace, crm_id); return crm_id → deal id.

    Deals not stored when the batch began are plain inserts (on PostgreSQL one COPY straight into
    the table); should another writer (a webhook) have stored one of them meanwhile, the unique
    constraint refuses the insert and the whole batch takes the upsert instead.
    """
    columns, make = insert_row_maker(Deal, {"workspace_id": ctx.workspace.pk, "imported_at": ctx.now})

    def row(crm_id: str) -> tuple:  # made as COPY takes it
        return make(writes[crm_id], {"crm_id": crm_id})

    new = [crm_id for crm_id in writes if crm_id not in existing]
    ids: dict[str, int] = {}
    if new:
        try:
            with transaction.atomic():
                created = rows_insert(Deal, columns, LazyRows(new, row), returning=("id",))
            ids = {crm_id: deal_id for crm_id, (deal_id,) in zip(new, created, strict=True)}
        except IntegrityError:
            ids = {}
    rest = [crm_id for crm_id in writes if crm_id not in ids]
    written = rows_insert(Deal, columns, LazyRows(rest, row), conflict=("workspace", "crm_id"),
                          update=_UPDATE_FIELDS, returning=("crm_id", "id"))
    ids.update(written)
    return ids


def _changed_at(ctx: ImportContext, row: DealRow, to_stage: str, is_new: bool) -> datetime:
    """When the deal entered its stage: the export's own date when it has one, else now."""
    if row.stage_changed_at:
        return row.stage_changed_at
    if row.closed_at and stage_key(to_stage) in ctx.closed_stage_keys:
        return row.closed_at
    if is_new and row.created_at:
        return row.created_at
    return ctx.now


def _stage_changes_write(ctx: ImportContext, moves: list[_Move], ids: dict[str, int]) -> int:
    workspace_id, source, now = ctx.workspace.pk, ctx.source, ctx.now
    models_insert(DealStageChange, LazyRows(moves, lambda move: {
        "workspace_id": workspace_id, "deal_id": ids[move.row.crm_id], "from_stage": move.from_stage,
        "to_stage": move.values["stage"], "changed_at": move.entered_at, "source": source,
        "recorded_at": now}))
    return len(moves)


def stage_event_id(*, crm_id: str, event_name: str) -> str:
    """Deterministic, so that re-imports and webhook repeats never double a conversion."""
    return f"deal:{crm_id}:{event_name}"


def _conversions_due(ctx: ImportContext, moves: list[_Move]) -> list[dict]:
    """The conversions the batch's stage changes make, as ``conversion_record_many`` takes them."""
    due = []
    for move in moves:
        values = move.values
        rule = ctx.rules.get(stage_key(values["stage"]))
        if not rule:
            continue
        event_name, uses_amount = rule
        amount = values["amount"]
        crm_id = move.row.crm_id
        due.append({
            "event_name": event_name, "event_id": stage_event_id(crm_id=crm_id, event_name=event_name),
            "occurred_at": move.entered_at, "source": EventSource.CRM,
            "value": amount if uses_amount and amount is not None else Decimal(0),
            "currency": values["currency"], "contact_id": values["contact_id"],
            "visitor_id": values["visitor_id"], "external_ref": crm_id, "ttclid": values["ttclid"],
            "email_hash": move.row.email_hash, "phone_hash": move.row.phone_hash,
            # A deal closes weeks after the clicks that made it: windows count back
            # from its creation, the end of its marketing journey.
            "lookback_from": values["created_at_crm"]})
    return due
