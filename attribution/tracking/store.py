"""Storing accepted collector records in bulk: visitors, touchpoints and pixel conversions.

A record is the JSON-safe dict ``collector_*_accept`` builds (see ``records``): the same function
stores one record on the request (no buffer) or hundreds drained from the buffer. Storing is
idempotent: touches by ``touch_key``, conversions by event_id, visitors by their uid. Rows go in
as plain tuples through ``attribution.bulk`` (binary COPY on PostgreSQL): model instances and
bulk_create's client-side quoting cost the drain most of its CPU, on the cores gunicorn needs.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from attribution.bulk import rows_insert
from attribution.models import EventSource, Site, Touchpoint, Visitor, Workspace
from attribution.services.conversions import conversion_record_many

from .ad_links import NO_LINK, ad_links
from .channels import TouchSignals, classify
from .rules import channel_rules_for

TOUCH_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
                "ttclid", "fbclid", "gclid", "landing_url", "referrer")
# Rows are written as tuples in these orders (``attribution.bulk``: binary COPY on PostgreSQL).
_VISITOR_COLUMNS = ("workspace", "site", "uid", "first_seen_at", "last_seen_at")
_TOUCH_COLUMNS = ("workspace", "site", "visitor", "occurred_at", "channel", "kind", "touch_key",
                  "ip_truncated", "user_agent", "ad", "adgroup", "campaign", "created_at",
                  *TOUCH_FIELDS)


@dataclass(frozen=True)
class StoreResult:
    touches_received: int = 0
    conversions_created: int = 0
    conversions_repeated: int = 0


def records_store(*, records: list[dict]) -> StoreResult:
    """Store touch and event records (any mix of workspaces) in one transaction per workspace."""
    by_workspace: dict[int, list[dict]] = defaultdict(list)
    for record in records:
        by_workspace[record["ws"]].append(record)
    totals = [0, 0, 0]
    for workspace_id, group in by_workspace.items():
        with transaction.atomic():
            visitors = visitors_upsert(workspace_id=workspace_id, records=group)
            touches = [r for r in group if r["t"] == "touch"]
            events = [r for r in group if r["t"] == "event"]
            _touches_store(workspace_id, touches, visitors)
            created = _events_store(workspace_id, events, visitors)
        totals[0] += len(touches)
        totals[1] += created
        totals[2] += len(events) - created
    return StoreResult(*totals)


def visitors_upsert(*, workspace_id: int,
                    records: list[dict]) -> dict[uuid.UUID, tuple[int, int | None]]:
    """Create missing visitors of records (``v``: uid, ``site``, ``at``) and mark every one seen
    now, in one statement; uid → (id, contact id)."""
    uids: dict[uuid.UUID, dict] = {}
    for record in records:
        uids.setdefault(uuid.UUID(record["v"]), record)
    now = timezone.now()
    rows = [(workspace_id, r["site"], uid, _at(r), now) for uid, r in uids.items()]
    found = rows_insert(Visitor, _VISITOR_COLUMNS, rows, conflict=("workspace", "uid"),
                        update=("last_seen_at",), returning=("uid", "id", "contact_id"))
    # SQLite hands the uid back as its stored hex text.
    return {uid if isinstance(uid, uuid.UUID) else uuid.UUID(uid): (pk, contact_id)
            for uid, pk, contact_id in found}


def _touches_store(workspace_id: int, records: list[dict], visitors: dict) -> None:
    if not records:
        return
    rules = channel_rules_for(workspace_id=workspace_id)
    domains = _site_domains({r["site"] for r in records})
    now = timezone.now()
    classified = []
    for record in records:
        fields = record["f"]
        signals = TouchSignals(**{k: fields[k] for k in ("utm_source", "utm_medium", "ttclid",
                                                         "fbclid", "gclid", "referrer")})
        classified.append(classify(signals, rules=rules, own_domains=domains.get(record["site"], ())))
    keys = [(channel, record["f"]["utm_content"], record["f"]["utm_campaign"])
            for record, (channel, _) in zip(records, classified, strict=True)]
    links = ad_links(workspace_id=workspace_id, touches=keys)
    rows = []
    for record, (channel, kind), key in zip(records, classified, keys, strict=True):
        fields = record["f"]
        rows.append((workspace_id, record["site"], visitors[uuid.UUID(record["v"])][0],
                     _at(record, fields.get("time")), channel, kind, fields["touch_key"],
                     record["ip"], record["ua"], *links.get(key, NO_LINK), now,
                     *[fields[name] for name in TOUCH_FIELDS]))
    # A resent touch_key is skipped, as by touch_unique_key (a partial index: no conflict target).
    rows_insert(Touchpoint, _TOUCH_COLUMNS, rows, ignore_conflicts=True)


def _events_store(workspace_id: int, records: list[dict], visitors: dict) -> int:
    if not records:
        return 0
    rows = []
    for record in records:
        fields = record["f"]
        visitor_id, contact_id = visitors[uuid.UUID(record["v"])]
        rows.append({
            "site_id": record["site"], "event_name": fields["event"],
            "event_id": fields["event_id"], "occurred_at": _at(record, fields.get("time")),
            "value": Decimal(fields["value"]), "currency": fields["currency"],
            "source": EventSource.PIXEL, "visitor_id": visitor_id, "contact_id": contact_id,
            "ttclid": fields["ttclid"], "ttp": fields["ttp"], "page_url": fields["page_url"],
            "referrer": fields["referrer"], "ip_truncated": record["ip"],
            "user_agent": record["ua"], "properties": fields["properties"]})
    outcomes = conversion_record_many(workspace=Workspace(pk=workspace_id), events=rows)
    return sum(o.created for o in outcomes)


def _at(record: dict, explicit: str | None = None) -> datetime:
    return datetime.fromisoformat(explicit or record["at"])


def _site_domains(site_ids: set[int]) -> dict[int, tuple[str, ...]]:
    return {pk: tuple(domains or ()) for pk, domains in
            Site.objects.filter(pk__in=site_ids).values_list("pk", "domains")}
