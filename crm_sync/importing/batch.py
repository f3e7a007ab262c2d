"""One batch of parsed rows → upserted deals, their stage history and CRM-stage conversions.

The single write path for CSV imports and webhooks. A fixed number of queries per batch, whatever
its size: fetch the stored deals, link identities, upsert the changed deals, insert stage changes,
record conversions. Rows whose values equal the stored deal are not written at all, which is what
makes re-importing a file change nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from attribution.models import Workspace
from crm_sync.models import Deal, DealStageChange, DealStageRule

from .linking import RowLinks, links_resolve, visitors_identify
from .parsing import stage_key
from .rows import DealRow
from .stage_conversions import StageConversion, stage_conversions_record

_COPIED = ("name", "pipeline", "owner", "utm_source", "utm_medium", "utm_campaign", "utm_content",
           "utm_term", "ttclid", "cl_visitor_id", "closed_at")
_DEAL_FIELDS = ("crm", "name", "stage", "pipeline", "amount", "currency", "owner", "created_at_crm",
                "closed_at", "contact_id", "visitor_id", "touchpoint_id", "utm_source", "utm_medium",
                "utm_campaign", "utm_content", "utm_term", "ttclid", "cl_visitor_id")
_LINKS = ("contact_id", "visitor_id", "touchpoint_id")
_UPDATE_FIELDS = [f.removesuffix("_id") if f in _LINKS else f for f in _DEAL_FIELDS] + ["updated_at"]


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
    created_ids: list[str] = field(default_factory=list, repr=False)

    def add(self, other: "BatchCounts") -> None:
        for name in ("created", "updated", "unchanged", "stage_changes", "conversions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@transaction.atomic
def deals_apply_batch(*, ctx: ImportContext, rows: list[DealRow]) -> BatchCounts:
    """Upsert ``rows`` (unique crm ids) with their side effects, all in one transaction."""
    stored = {d["crm_id"]: d for d in Deal.objects.select_for_update().filter(
        workspace=ctx.workspace, crm_id__in=[r.crm_id for r in rows]).values("id", "crm_id", *_DEAL_FIELDS)}
    links = links_resolve(workspace=ctx.workspace, rows=rows)
    counts = BatchCounts()
    writes: list[Deal] = []
    moves: list[tuple[DealRow, Deal, str]] = []
    devices: dict[int, int] = {}
    for row, link in zip(rows, links, strict=True):
        before = stored.get(row.crm_id)
        values = _merged(row, link, before, ctx)
        if values["contact_id"] and values["visitor_id"]:
            devices[values["visitor_id"]] = values["contact_id"]
        if before and all(before[k] == values[k] for k in _DEAL_FIELDS):
            counts.unchanged += 1
            continue
        # No pk: the upsert conflicts on (workspace, crm_id), and a given pk would conflict first.
        deal = Deal(workspace=ctx.workspace, crm_id=row.crm_id, **values)
        writes.append(deal)
        if before:
            counts.updated += 1
        else:
            counts.created += 1
        from_stage = before["stage"] if before else ""
        if stage_key(from_stage) != stage_key(values["stage"]):
            moves.append((row, deal, from_stage))
    _deals_write(writes)
    for deal in writes:
        deal.pk = deal.pk or stored[deal.crm_id]["id"]
    counts.stage_changes = _stage_changes_write(ctx, moves)
    counts.conversions = stage_conversions_record(workspace=ctx.workspace,
                                                  items=_conversions_due(ctx, moves))
    visitors_identify(pairs=devices)
    return counts


def _merged(row: DealRow, link: RowLinks, before: dict | None, ctx: ImportContext) -> dict:
    """The deal's values after this row: fields the source did not carry keep their stored value."""
    values = dict(before) if before else {
        "crm": ctx.crm, "name": "", "pipeline": "", "amount": None, "currency": "", "owner": "",
        "created_at_crm": None, "closed_at": None, "contact_id": None, "visitor_id": None,
        "touchpoint_id": None, **dict.fromkeys(_COPIED[3:10], "")}
    values.pop("id", None)
    values.pop("crm_id", None)
    present = row.present
    values["stage"] = row.stage
    for name in _COPIED:
        if name in present:
            values[name] = getattr(row, name)
    if "created_at" in present:
        values["created_at_crm"] = row.created_at
    if "amount" in present:
        values["amount"] = row.amount
    if "amount" in present or "currency" in present:
        values["currency"] = row.currency
    for name in ("contact_id", "visitor_id", "touchpoint_id"):
        if getattr(link, name):
            values[name] = getattr(link, name)
    return values


def _deals_write(deals: list[Deal]) -> None:
    if deals:
        Deal.objects.bulk_create(deals, batch_size=1000, update_conflicts=True,
                                 unique_fields=["workspace", "crm_id"], update_fields=_UPDATE_FIELDS)


def _changed_at(ctx: ImportContext, row: DealRow, to_stage: str, is_new: bool) -> datetime:
    """When the deal entered its stage: the export's own date when it has one, else now."""
    if row.stage_changed_at:
        return row.stage_changed_at
    if row.closed_at and stage_key(to_stage) in ctx.closed_stage_keys:
        return row.closed_at
    if is_new and row.created_at:
        return row.created_at
    return ctx.now


def _stage_changes_write(ctx: ImportContext, moves: list[tuple[DealRow, Deal, str]]) -> int:
    changes = [DealStageChange(workspace=ctx.workspace, deal_id=deal.pk, from_stage=from_stage,
                               to_stage=deal.stage, source=ctx.source, recorded_at=ctx.now,
                               changed_at=_changed_at(ctx, row, deal.stage, not from_stage))
               for row, deal, from_stage in moves]
    DealStageChange.objects.bulk_create(changes, batch_size=1000)
    for (_row, deal, _from), change in zip(moves, changes, strict=True):
        deal.entered_stage_at = change.changed_at
    return len(changes)


def _conversions_due(ctx: ImportContext, moves: list[tuple[DealRow, Deal, str]]) -> list[StageConversion]:
    due = []
    for row, deal, _from in moves:
        rule = ctx.rules.get(stage_key(deal.stage))
        if not rule:
            continue
        event_name, uses_amount = rule
        due.append(StageConversion(
            event_name=event_name, crm_id=deal.crm_id, occurred_at=deal.entered_stage_at,
            value=deal.amount if uses_amount and deal.amount is not None else Decimal(0),
            currency=deal.currency, contact_id=deal.contact_id, visitor_id=deal.visitor_id,
            fields={"ttclid": deal.ttclid, "email_hash": row.email_hash, "phone_hash": row.phone_hash}))
    return due
