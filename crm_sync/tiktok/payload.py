"""Events API 1.3 ``event/track`` request bodies, built from plain values. Pure: no Django, no I/O.

Field names follow TikTok's Events API 1.3 (docs/developers/conversion-sync.md lists the sources):
``event_source`` / ``event_source_id`` / ``test_event_code`` / ``data[]`` at the top; per event
``event``, ``event_time`` (Unix seconds), ``event_id``, ``user``, ``properties``, ``page``, ``lead``
and ``limited_data_use``. Identity values arrive already normalized and SHA-256-hashed.
"""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

# Keys of ConversionEvent.properties that TikTok understands inside ``properties``.
PASSTHROUGH_PROPERTIES = ("content_type", "contents", "content_id", "content_name",
                          "content_category", "order_id", "shop_id", "description", "query",
                          "quantity", "price")


@dataclass(frozen=True)
class EventInput:
    """One conversion as the Events API needs it; hashes are SHA-256 hex of normalized values."""

    event: str
    event_id: str
    occurred_at: datetime
    value: Decimal | None = None
    currency: str = ""
    ttclid: str = ""
    ttp: str = ""
    email_hash: str = ""
    phone_hash: str = ""
    external_id_hash: str = ""
    ip: str = ""
    user_agent: str = ""
    page_url: str = ""
    referrer: str = ""
    lead_id: str = ""
    lead_event_source: str = ""
    limited_data_use: bool = False
    properties: dict = field(default_factory=dict)


def event_time(occurred_at: datetime) -> int:
    """Unix seconds (TikTok rejects milliseconds); naive datetimes are refused, not guessed."""
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    return int(occurred_at.timestamp())


def build_event(ev: EventInput) -> dict:
    """The ``data[]`` item for one conversion; empty fields are left out, never sent as ""."""
    user = {k: v for k, v in (("ttclid", ev.ttclid), ("ttp", ev.ttp), ("email", ev.email_hash),
                              ("phone", ev.phone_hash), ("external_id", ev.external_id_hash),
                              ("ip", ev.ip), ("user_agent", ev.user_agent)) if v}
    item = {"event": ev.event, "event_time": event_time(ev.occurred_at), "event_id": ev.event_id,
            "user": user, "properties": _properties(ev)}
    page = {k: v for k, v in (("url", ev.page_url), ("referrer", ev.referrer)) if v}
    if page:
        item["page"] = page
    lead = {k: v for k, v in (("lead_id", ev.lead_id),
                              ("lead_event_source", ev.lead_event_source)) if v}
    if lead:
        item["lead"] = lead
    if ev.limited_data_use:
        item["limited_data_use"] = True
    return item


def _properties(ev: EventInput) -> dict:
    props = {k: ev.properties[k] for k in PASSTHROUGH_PROPERTIES if k in ev.properties}
    if ev.value is not None and ev.currency:
        # JSON has no decimal type; two places are what TikTok reports and what money needs.
        props["value"] = float(Decimal(ev.value).quantize(Decimal("0.01"), ROUND_HALF_UP))
        props["currency"] = ev.currency.upper()
    return props


def build_body(*, event_source: str, event_source_id: str, events: Sequence[dict],
               test_event_code: str = "") -> dict:
    """The whole request body for one batch of already-built events."""
    body = {"event_source": event_source, "event_source_id": event_source_id, "data": list(events)}
    if test_event_code:
        body["test_event_code"] = test_event_code
    return body


def encode(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode_body(*, event_source: str, event_source_id: str, encoded_events: Sequence[bytes],
                test_event_code: str = "") -> bytes:
    """``encode(build_body(...))`` from events encoded once already (they were measured for size)."""
    envelope = encode(build_body(event_source=event_source, event_source_id=event_source_id,
                                 events=[], test_event_code=test_event_code))
    head, tail = envelope.split(b'"data":[]', 1)
    return head + b'"data":[' + b",".join(encoded_events) + b"]" + tail


def chunk_by_size(items: Sequence, sizes: Sequence[int], *, max_count: int,
                  max_bytes: int, overhead: int = 256) -> Iterator[list]:
    """Split ``items`` (with their encoded ``sizes``) into runs of ≤ max_count and ≤ max_bytes.

    ``overhead`` reserves room for the envelope; an item larger than the limit travels alone.
    """
    run: list = []
    run_bytes = overhead
    for item, size in zip(items, sizes, strict=True):
        if run and (len(run) >= max_count or run_bytes + size + 1 > max_bytes):
            yield run
            run, run_bytes = [], overhead
        run.append(item)
        run_bytes += size + 1
    if run:
        yield run
