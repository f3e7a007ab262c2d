"""Accepting what the tracker and customer servers send: validated data in, stored rows out.

Collector touches and pixel events become JSON-safe records, buffered in Redis or stored at once
(see ``buffer``); identify calls and server-side events are stored on the request, because the
caller needs their outcome (stitching, created/duplicate per event).
"""

import uuid
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from attribution.models import Contact, EventSource, Site, Visitor
from attribution.services.consent import contacts_opt_out, visitor_opt_out
from attribution.services.conversions import ConversionOutcome, conversion_record_many
from attribution.services.identity import contacts_resolve, visitor_identify, visitors_identify

from .buffer import (
    QUEUED_DRAIN_NEEDED,
    THROTTLED,
    ThrottleWindow,
    buffer_admit,
    buffer_enabled,
)
from .fields import truncate_ip
from .store import TOUCH_FIELDS, records_store, visitors_upsert


def _record(kind: str, *, site: Site, visitor_id: uuid.UUID, ip: str, user_agent: str,
            fields: dict) -> dict:
    return {"t": kind, "site": site.pk, "ws": site.workspace_id, "v": str(visitor_id),
            "at": timezone.now().isoformat(), "ip": ip, "ua": user_agent[:1024], "f": fields}


def _accept(record: dict, throttle: ThrottleWindow | None) -> bool:
    """Store or buffer the record; False when the buffer's throttle refused it."""
    if not buffer_enabled():
        records_store(records=[record])
        return True
    outcome = buffer_admit(record, throttle=throttle)
    if outcome == QUEUED_DRAIN_NEEDED:
        from .tasks import collector_drain  # the task module imports the store, not the reverse

        # The delay lets a batch gather: fewer, larger transactions for the same beacons.
        collector_drain.apply_async(countdown=settings.CLICKLEDGER["COLLECTOR_DRAIN_DELAY_SECONDS"])
    return outcome != THROTTLED


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def collector_touch_accept(*, site: Site, data: dict, ip: str, user_agent: str,
                           throttle: ThrottleWindow | None = None) -> bool:
    """Accept a landing's touch (stored once per touch_key); False when throttled."""
    fields = {name: data[name] for name in TOUCH_FIELDS}
    fields.update(touch_key=data["touch_key"], time=_when(data.get("time")))
    return _accept(_record("touch", site=site, visitor_id=data["visitor_id"], ip=ip,
                           user_agent=user_agent, fields=fields), throttle)


def collector_event_accept(*, site: Site, data: dict, ip: str, user_agent: str,
                           throttle: ThrottleWindow | None = None) -> bool:
    """Accept a pixel conversion (once per event name + event_id); False when throttled."""
    fields = {name: data[name] for name in ("event", "event_id", "currency", "properties",
                                            "page_url", "referrer", "ttclid", "ttp")}
    fields.update(value=str(data["value"]), time=_when(data.get("time")))
    return _accept(_record("event", site=site, visitor_id=data["visitor_id"], ip=ip,
                           user_agent=user_agent, fields=fields), throttle)


def collector_identify(*, site: Site, visitor_id: uuid.UUID, email_hash: str = "",
                       phone_hash: str = "", external_id_hash: str = "") -> Contact | None:
    """Link the visitor (created if new) to the contact its hashed keys resolve to."""
    visitor, _ = Visitor.objects.get_or_create(workspace_id=site.workspace_id, uid=visitor_id,
                                               defaults={"site": site})
    visitor.workspace = site.workspace
    return visitor_identify(visitor=visitor, email_hash=email_hash, phone_hash=phone_hash,
                            external_id_hash=external_id_hash)


def collector_opt_out(*, site: Site, visitor_id: uuid.UUID) -> Contact:
    """The visitor withdrew consent: opt out the person behind it (created if new)."""
    visitor, _ = Visitor.objects.get_or_create(workspace_id=site.workspace_id, uid=visitor_id,
                                               defaults={"site": site})
    return visitor_opt_out(visitor=visitor)


def server_events_record(*, site: Site, events: list[dict]) -> list[ConversionOutcome]:
    """Store validated server-side events (see ``ServerEventIn``); one outcome per event."""
    now = timezone.now()
    uids = [{"v": str(e["visitor_id"]), "site": site.pk, "at": now.isoformat()}
            for e in events if e.get("visitor_id")]
    visitors = visitors_upsert(workspace_id=site.workspace_id, records=uids) if uids else {}
    contacts = _contacts_for(site, events, visitors)
    _opt_outs(site, events, visitors, contacts)
    rows = []
    for index, event in enumerate(events):
        user, page = event.get("user") or {}, event.get("page") or {}
        visitor = visitors.get(event.get("visitor_id"))
        rows.append({
            "site_id": site.pk, "event_name": event["event"], "event_id": event["event_id"],
            "occurred_at": event.get("event_time") or now,
            "value": event.get("value") or Decimal(0), "currency": event.get("currency", ""),
            "source": EventSource.SERVER, "visitor_id": visitor[0] if visitor else None,
            "contact_id": contacts.get(index) or (visitor[1] if visitor else None),
            "ttclid": user.get("ttclid", ""), "ttp": user.get("ttp", ""),
            "email_hash": user.get("email", ""), "phone_hash": user.get("phone", ""),
            "external_id_hash": user.get("external_id", ""),
            "page_url": page.get("url", ""), "referrer": page.get("referrer", ""),
            "ip_truncated": truncate_ip(user.get("ip") or ""),
            "user_agent": user.get("user_agent", ""), "properties": event.get("properties") or {}})
    return conversion_record_many(workspace=site.workspace, events=rows)


def _opt_outs(site: Site, events: list[dict], visitors: dict, contacts: dict[int, int]) -> None:
    """Events whose user opted out: their contacts are marked before the conversions' outbox rows
    are written (outbox.sync_skip_reason then skips them); an event naming nobody gets a contact
    without keys to hold the opt-out."""
    opted = set()
    for index, event in enumerate(events):
        if not (event.get("user") or {}).get("opt_out"):
            continue
        visitor = visitors.get(event.get("visitor_id"))
        contact_id = contacts.get(index) or (visitor[1] if visitor else None)
        if contact_id is None:
            if visitor:
                contact_id = visitor_opt_out(visitor=Visitor.objects.get(pk=visitor[0])).pk
                visitors[event["visitor_id"]] = (visitor[0], contact_id)
            else:
                contact_id = Contact.objects.create(workspace_id=site.workspace_id,
                                                    opted_out=True).pk
            contacts[index] = contact_id
        opted.add(contact_id)
    contacts_opt_out(ids=opted)


def _contacts_for(site: Site, events: list[dict], visitors: dict) -> dict[int, int]:
    """Each identified event's contact (index → id), its keys resolved in one batch; the event's
    visitor becomes that contact's device (stitching)."""
    keyed = {index: keys for index, event in enumerate(events)
             if any(keys := _keys(event.get("user") or {}))}
    if not keyed:
        return {}
    distinct = list(dict.fromkeys(keyed.values()))
    ids = contacts_resolve(workspace=site.workspace, key_sets=[
        {"email_hash": email, "phone_hash": phone, "external_id_hash": external}
        for email, phone, external in distinct]).ids
    by_keys = dict(zip(distinct, ids, strict=True))
    by_index = {index: by_keys[keys] for index, keys in keyed.items()}
    devices = {}
    for index, contact_id in by_index.items():
        visitor = visitors.get(events[index].get("visitor_id"))
        if visitor and contact_id:
            devices[visitor[0]] = contact_id
            visitors[events[index]["visitor_id"]] = (visitor[0], contact_id)
    visitors_identify(pairs=devices)
    return by_index


def _keys(user: dict) -> tuple[str, str, str]:
    return user.get("email", ""), user.get("phone", ""), user.get("external_id", "")


