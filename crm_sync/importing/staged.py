"""One batch of parsed rows → deals, stage history, links and conversions, set-based (PostgreSQL).

Python resolves the batch's contacts (``contacts_resolve``: its rules are ordered — key sets in
file order, a contact never loses a key — and live there once), then COPYs the rows into a
temporary staging table, and the database does the rest in a fixed number of statements: link
visitors and clicks, lock the stored deals, work out each deal's values after its row (a staging
table of its own), update and insert deals, insert stage changes. The conversions those stage
changes make go through ``conversion_record_many`` (outbox rows included), devices through
``visitors_identify``: the import has no rules of its own for either.

The rules of a row, as in ``batch.py``: fields the row does not carry keep their stored values; a
row older than its deal's latest recorded stage change is ignored; a row equal to its deal writes
nothing; a changed stage is a stage change, entered at the export's own date when it has one.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal

from django.db import connection

from attribution.key_probes import index_probes
from attribution.models import EventSource, Touchpoint, Visitor
from attribution.services.consent import contacts_opt_out
from attribution.services.conversions import conversion_record_many
from attribution.services.identity import contacts_resolve, visitors_identify
from crm_sync.models import Deal, DealStageChange

from .batch import DEAL_FIELDS, BatchCounts, ImportContext, carried_fields, stage_event_id
from .linking import contact_keys
from .parsing import stage_key
from .rows import DealRow

ROWS = "_cl_deal_rows"  # the batch's rows, as parsed, with their contact, visitor and click
AFTER = "_cl_deal_after"  # each row's deal after it, and what the row does to it

_TEXT = ("name", "pipeline", "currency", "owner", "utm_source", "utm_medium", "utm_campaign",
         "utm_content", "utm_term", "ttclid", "cl_visitor_id", "email_hash", "phone_hash")
_ROW_COLUMNS = (
    ("pos", "int4"), ("crm_id", "text"), ("stage", "text"), ("stage_key", "text"),
    *((name, "text") for name in _TEXT), ("amount", "numeric"), ("created_at", "timestamptz"),
    ("closed_at", "timestamptz"), ("stage_changed_at", "timestamptz"), ("visitor_uid", "uuid"),
    ("contact_id", "int8"), ("closes", "bool"), ("event_name", "text"), ("uses_amount", "bool"),
    ("opt_out", "bool"))
_NULLABLE = {"amount", "created_at_crm", "closed_at", "contact_id", "visitor_id", "touchpoint_id"}
_LINKS = ("contact_id", "visitor_id", "touchpoint_id")  # a row's link, when found, wins


def deals_apply_staged(*, ctx: ImportContext, rows: list[DealRow]) -> BatchCounts:
    """Upsert ``rows`` (unique crm ids) with their side effects, inside the caller's transaction."""
    resolved = contacts_resolve(workspace=ctx.workspace, key_sets=[contact_keys(r) for r in rows])
    counts = BatchCounts()
    for present, group in _by_carried(rows, resolved.ids):
        counts.add(_apply_group(ctx, present, group))
    return counts


def _by_carried(rows: list[DealRow], contact_ids: list[int | None]) -> Iterator[tuple[frozenset, list]]:
    """Rows grouped by the fields they carry (one group for a file), with their contact ids."""
    groups: dict[frozenset, list] = {}
    for position, (row, contact_id) in enumerate(zip(rows, contact_ids, strict=True)):
        groups.setdefault(row.present, []).append((position, row, contact_id))
    return iter(groups.items())


def _apply_group(ctx: ImportContext, present: frozenset, group: list) -> BatchCounts:
    workspace_id = ctx.workspace.pk
    with connection.cursor() as cursor, index_probes():
        _stage_rows(cursor, ctx, group)
        with _rows_probe_tables(cursor):
            stage_keys = _lock_deals(cursor, workspace_id)
            _deals_after(cursor, ctx, present, stage_keys)
            _deals_update(cursor, ctx)
        _deals_insert(cursor, ctx)
        cursor.execute(f"INSERT INTO {_table(DealStageChange)} (workspace_id, deal_id, from_stage, to_stage,"
                       f" changed_at, source, recorded_at) SELECT %s, deal_id, from_stage, stage, changed_at,"
                       f" %s, %s FROM {AFTER} WHERE moves ORDER BY pos", [workspace_id, ctx.source, ctx.now])
        counts = _counts(cursor)
        cursor.execute(f"SELECT DISTINCT contact_id FROM {AFTER} WHERE NOT stale AND opt_out"
                       f" AND contact_id IS NOT NULL")
        opted_out = [contact_id for (contact_id,) in cursor.fetchall()]
        cursor.execute(f"SELECT visitor_id, contact_id FROM {AFTER} WHERE NOT stale"
                       f" AND contact_id IS NOT NULL AND visitor_id IS NOT NULL ORDER BY pos")
        devices = dict(cursor.fetchall())
        due = _conversions_due(cursor)
    contacts_opt_out(ids=opted_out)  # before the conversions' outbox rows, which read opt-outs
    counts.conversions = sum(o.created for o in conversion_record_many(workspace=ctx.workspace, events=due))
    visitors_identify(pairs=devices)
    return counts


@contextmanager
def _rows_probe_tables(cursor):
    """Join the staged rows to the tables they look up by nested loops of index probes, whatever the
    statistics say: a hash or merge join reads a whole table (or index) per batch, in tables growing
    with every batch (``attribution/key_probes.py`` says why statistics cannot be trusted here)."""
    cursor.execute("SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin'),"
                   " set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)")
    hashjoin, mergejoin = cursor.fetchone()[:2]
    yield
    cursor.execute("SELECT set_config('enable_hashjoin', %s, true), set_config('enable_mergejoin', %s, true)",
                   [hashjoin, mergejoin])


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _stage_rows(cursor, ctx: ImportContext, group: list) -> None:
    """COPY the group's rows into ``ROWS`` (made once per transaction, emptied per batch)."""
    columns = ", ".join(f"{name} {kind}" for name, kind in _ROW_COLUMNS)
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {ROWS} ({columns}) ON COMMIT DROP")
    cursor.execute(f"TRUNCATE {ROWS}")
    names = ", ".join(name for name, _ in _ROW_COLUMNS)
    with connection.wrap_database_errors, cursor.cursor.copy(
            f"COPY {ROWS} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([kind for _, kind in _ROW_COLUMNS])
        for position, row, contact_id in group:
            key = stage_key(row.stage)
            event_name, uses_amount = ctx.rules.get(key, (None, False))
            copy.write_row((
                position, row.crm_id, row.stage, key, *(getattr(row, name) for name in _TEXT), row.amount,
                row.created_at, row.closed_at, row.stage_changed_at,
                uuid.UUID(row.visitor_uid) if row.visitor_uid else None, contact_id,
                key in ctx.closed_stage_keys, event_name, uses_amount, row.opt_out))


def _linked_rows() -> str:
    """``ROWS`` with each row's visitor (by its cl_visitor_id) and click (the latest touchpoint with
    its ttclid, whose visitor it takes when it has none; else its visitor's latest touch with its
    utm_source and utm_campaign): index probes per row. ``OFFSET 0`` keeps each probe a probe: with
    the ``LIMIT`` beside it, the planner may walk a whole index in time order instead."""
    touch = _table(Touchpoint)
    return (
        f"SELECT r.*, coalesce(v.id, c.visitor_id) AS visitor_id, coalesce(c.id, u.id) AS touchpoint_id"
        f" FROM {ROWS} r LEFT JOIN LATERAL (SELECT v.id FROM {_table(Visitor)} v WHERE v.uid = r.visitor_uid"
        f"  AND v.workspace_id + 0 = %(ws)s OFFSET 0) v ON true"
        f" LEFT JOIN LATERAL (SELECT * FROM (SELECT t.id, t.visitor_id, t.occurred_at FROM {touch} t"
        f"  WHERE t.ttclid = r.ttclid AND t.ttclid <> '' AND t.workspace_id = %(ws)s OFFSET 0) t"
        f"  ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1) c ON r.ttclid <> ''"
        f" LEFT JOIN LATERAL (SELECT * FROM (SELECT t.id, t.occurred_at FROM {touch} t"
        f"  WHERE t.visitor_id = v.id AND t.utm_source = r.utm_source AND t.utm_campaign = r.utm_campaign"
        f"  OFFSET 0) t ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1) u"
        f"  ON c.id IS NULL AND v.id IS NOT NULL AND r.utm_source <> '' AND r.utm_campaign <> ''")


def _lock_deals(cursor, workspace_id: int) -> dict[str, str]:
    """Lock the batch's stored deals; return how each of their stages compares (``stage_key``)."""
    cursor.execute(f"WITH stored AS (SELECT d.stage FROM {_table(Deal)} d"
                   f" WHERE d.crm_id = ANY(ARRAY(SELECT crm_id FROM {ROWS})) AND d.workspace_id + 0 = %s"
                   f" FOR UPDATE OF d) SELECT DISTINCT stage FROM stored", [workspace_id])
    return {stage: stage_key(stage) for (stage,) in cursor.fetchall()}


def _deals_after(cursor, ctx: ImportContext, present: frozenset, stage_keys: dict[str, str]) -> None:
    """Fill ``AFTER``: per row, its deal's values after it, whether it is stale, writes, moves."""
    targets, sources = carried_fields(present)
    carried = dict(zip(targets, sources, strict=True))
    after = []
    for name in DEAL_FIELDS:
        if name in carried:
            value = f"r.{carried[name]}"
        elif name in _LINKS:
            value = f"coalesce(r.{name}, d.{name})"
        elif name == "crm":
            value = "coalesce(d.crm, %(crm)s)"
        else:
            value = f"d.{name}" if name in _NULLABLE else f"coalesce(d.{name}, '')"
        after.append(value)
    fields = ", ".join(DEAL_FIELDS)
    writes = "NOT stale AND (deal_id IS NULL OR NOT same)"
    cursor.execute(f"DROP TABLE IF EXISTS {AFTER}")
    cursor.execute(
        f"CREATE TEMP TABLE {AFTER} ON COMMIT DROP AS"
        f" SELECT pos, crm_id, deal_id, deal_id IS NULL AS is_new, from_stage, event_name, uses_amount,"
        f"  opt_out, email_hash, phone_hash, {fields}, changed_at, stale, {writes} AS writes,"
        f"  {writes} AND stage_moved AS moves"
        f" FROM (SELECT r.pos, r.crm_id, d.id AS deal_id, coalesce(d.stage, '') AS from_stage,"
        f"  coalesce(k.key, '') <> r.stage_key AS stage_moved, r.event_name, r.uses_amount, r.opt_out,"
        f"  r.email_hash, r.phone_hash,"
        f"  {', '.join(f'{value} AS {name}' for value, name in zip(after, DEAL_FIELDS, strict=True))},"
        f"  coalesce(r.stage_changed_at, CASE WHEN r.closes THEN r.closed_at END,"
        f"   CASE WHEN coalesce(d.stage, '') = '' THEN r.created_at END, %(now)s) AS changed_at,"
        f"  coalesce(r.stage_changed_at < s.latest, false) AS stale,"
        f"  ({', '.join(f'd.{name}' for name in DEAL_FIELDS)}) IS NOT DISTINCT FROM ({', '.join(after)})"
        f"  AS same"
        f"  FROM ({_linked_rows()}) r"
        f"  LEFT JOIN LATERAL (SELECT * FROM {_table(Deal)} d WHERE d.crm_id = r.crm_id"
        f"   AND d.workspace_id + 0 = %(ws)s OFFSET 0) d ON true"
        f"  LEFT JOIN LATERAL (SELECT max(c.changed_at) AS latest FROM {_table(DealStageChange)} c"
        f"   WHERE c.deal_id = d.id) s ON r.stage_changed_at IS NOT NULL"
        f"  LEFT JOIN unnest(%(stages)s::text[], %(keys)s::text[]) k(stage, key) ON k.stage = d.stage) a",
        {"crm": ctx.crm, "now": ctx.now, "ws": ctx.workspace.pk,
         "stages": list(stage_keys), "keys": list(stage_keys.values())})


def _deals_update(cursor, ctx: ImportContext) -> None:
    """Write the changed stored deals."""
    values = ", ".join(f"a.{name}" for name in DEAL_FIELDS)
    cursor.execute(f"UPDATE {_table(Deal)} d SET ({', '.join(DEAL_FIELDS)}, updated_at) = ({values}, %s)"
                   f" FROM {AFTER} a WHERE d.id = a.deal_id AND a.writes", [ctx.now])


def _deals_insert(cursor, ctx: ImportContext) -> None:
    """Insert the new deals (upserted: a webhook may have stored one since the lock); note their ids."""
    deal, fields = _table(Deal), ", ".join(DEAL_FIELDS)
    update = ", ".join(f"{name} = excluded.{name}" for name in (*DEAL_FIELDS, "updated_at"))
    cursor.execute(
        f"WITH new AS (INSERT INTO {deal} (workspace_id, crm_id, {fields}, imported_at, updated_at)"
        f" SELECT %s, crm_id, {fields}, %s, %s FROM {AFTER} WHERE deal_id IS NULL ORDER BY pos"
        f" ON CONFLICT (crm_id, workspace_id) DO UPDATE SET {update} RETURNING id, crm_id)"
        f" UPDATE {AFTER} a SET deal_id = new.id FROM new WHERE a.crm_id = new.crm_id",
        [ctx.workspace.pk, ctx.now, ctx.now])


def _counts(cursor) -> BatchCounts:
    cursor.execute(f"SELECT count(*) FILTER (WHERE writes AND is_new),"
                   f" count(*) FILTER (WHERE writes AND NOT is_new), count(*) FILTER (WHERE NOT writes),"
                   f" count(*) FILTER (WHERE moves) FROM {AFTER}")
    created, updated, unchanged, moves = cursor.fetchone()
    return BatchCounts(created=created, updated=updated, unchanged=unchanged, stage_changes=moves)


def _conversions_due(cursor) -> list[dict]:
    """The conversions the batch's stage changes make, as ``conversion_record_many`` takes them."""
    cursor.execute(f"SELECT crm_id, event_name, uses_amount, changed_at, amount, currency, contact_id,"
                   f" visitor_id, ttclid, email_hash, phone_hash, created_at_crm FROM {AFTER}"
                   f" WHERE moves AND event_name IS NOT NULL ORDER BY pos")
    return [_conversion(*values) for values in cursor.fetchall()]


def _conversion(crm_id: str, event_name: str, uses_amount: bool, occurred_at: datetime,
                amount: Decimal | None, currency: str, contact_id, visitor_id, ttclid: str,
                email_hash: str, phone_hash: str, created_at_crm: datetime | None) -> dict:
    return {"event_name": event_name, "event_id": stage_event_id(crm_id=crm_id, event_name=event_name),
            "occurred_at": occurred_at, "source": EventSource.CRM,
            "value": amount if uses_amount and amount is not None else Decimal(0),
            "currency": currency, "contact_id": contact_id, "visitor_id": visitor_id,
            "external_ref": crm_id, "ttclid": ttclid, "email_hash": email_hash, "phone_hash": phone_hash,
            # A deal closes weeks after the clicks that made it: windows count back from its
            # creation, the end of its marketing journey.
            "lookback_from": created_at_crm}
