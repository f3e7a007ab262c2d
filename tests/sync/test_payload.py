"""Events API payloads: normalization + SHA-256 test vectors, field shape, batching by count and bytes."""

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from attribution.identity.normalize import hash_email, hash_external_id, hash_phone
from crm_sync.tiktok import payload
from crm_sync.tiktok.payload import EventInput

# Independently computed (coreutils sha256sum over the normalized text).
EMAIL_VECTOR = ("  John.Doe@Example.COM ",
                "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f")
PHONE_VECTOR = ("+1 (650) 555-1234", "a2996076d3ad4af5dc818b908b3d8e354f26ededf7df0e0aa6ac354143805ee0")
PHONE_NATIONAL_VECTOR = ("0151 12345678", "DE",
                         "536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b")
EXTERNAL_ID_VECTOR = (" user-42 ", "6d894aa3ee802549d7f340e7c1cf0d1c1cb14cd84f768d92ffaa6785337c4997")


def test_email_is_trimmed_lower_cased_then_sha256_hashed():
    raw, expected = EMAIL_VECTOR
    assert hash_email(raw) == expected


def test_phone_is_put_in_e164_with_plus_then_hashed():
    raw, expected = PHONE_VECTOR
    assert hash_phone(raw) == expected


def test_national_phone_number_uses_the_default_region():
    raw, region, expected = PHONE_NATIONAL_VECTOR
    assert hash_phone(raw, default_region=region) == expected


def test_external_id_is_trimmed_then_hashed():
    raw, expected = EXTERNAL_ID_VECTOR
    assert hash_external_id(raw) == expected


def _event(**overrides) -> EventInput:
    defaults = EventInput(
        event="CompletePayment", event_id="ev-1",
        occurred_at=datetime(2026, 11, 20, 10, 30, 15, 999_000, tzinfo=UTC),
        value=Decimal("49.905"), currency="eur", ttclid="E.C.P.abc", ttp="ttp-cookie",
        email_hash=EMAIL_VECTOR[1], phone_hash=PHONE_VECTOR[1],
        external_id_hash=EXTERNAL_ID_VECTOR[1], ip="203.0.113.0", user_agent="Mozilla/5.0",
        page_url="https://shop.example.com/thanks", referrer="https://www.tiktok.com/",
        properties={"order_id": "A-1", "contents": [{"content_id": "sku-1"}],
                    "internal_note": "never sent"})
    return dataclasses.replace(defaults, **overrides)


def test_event_carries_every_known_field_in_tiktok_names():
    item = payload.build_event(_event())
    assert item == {
        "event": "CompletePayment", "event_time": 1795170615, "event_id": "ev-1",
        "user": {"ttclid": "E.C.P.abc", "ttp": "ttp-cookie", "email": EMAIL_VECTOR[1],
                 "phone": PHONE_VECTOR[1], "external_id": EXTERNAL_ID_VECTOR[1],
                 "ip": "203.0.113.0", "user_agent": "Mozilla/5.0"},
        "properties": {"order_id": "A-1", "contents": [{"content_id": "sku-1"}],
                       "value": 49.91, "currency": "EUR"},
        "page": {"url": "https://shop.example.com/thanks", "referrer": "https://www.tiktok.com/"},
    }


def test_event_time_is_whole_unix_seconds_whatever_the_time_zone():
    berlin = timezone(timedelta(hours=1))
    item = payload.build_event(_event(occurred_at=datetime(2026, 11, 20, 11, 30, 15, tzinfo=berlin)))
    assert item["event_time"] == 1795170615
    assert isinstance(item["event_time"], int)


def test_naive_time_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="timezone-aware"):
        payload.build_event(_event(occurred_at=datetime(2026, 11, 20, 10, 30)))


def test_empty_fields_are_left_out_not_sent_blank():
    item = payload.build_event(EventInput(event="SubmitForm", event_id="e",
                                          occurred_at=datetime(2026, 11, 20, tzinfo=UTC)))
    assert item == {"event": "SubmitForm", "event_time": 1795132800, "event_id": "e", "user": {},
                    "properties": {}}


def test_crm_lead_fields_and_limited_data_use_are_sent_when_set():
    item = payload.build_event(_event(lead_id="7300000000000000001", lead_event_source="HubSpot",
                                      limited_data_use=True))
    assert item["lead"] == {"lead_id": "7300000000000000001", "lead_event_source": "HubSpot"}
    assert item["limited_data_use"] is True


def test_body_names_the_source_and_the_test_event_code():
    body = payload.build_body(event_source="web", event_source_id="CPIXEL", events=[{"event": "x"}],
                              test_event_code="TEST123")
    assert body == {"event_source": "web", "event_source_id": "CPIXEL", "data": [{"event": "x"}],
                    "test_event_code": "TEST123"}
    assert "test_event_code" not in payload.build_body(event_source="crm", event_source_id="7",
                                                       events=[])


def test_a_body_from_pre_encoded_events_equals_the_encoded_body():
    events = [payload.build_event(_event(event_id=f"ev-{n}")) for n in range(3)]
    for code in ("", "TEST1"):
        whole = payload.encode(payload.build_body(event_source="web", event_source_id="CPIXEL",
                                                  events=events, test_event_code=code))
        joined = payload.encode_body(event_source="web", event_source_id="CPIXEL",
                                     encoded_events=[payload.encode(e) for e in events],
                                     test_event_code=code)
        assert joined == whole


def test_batches_are_cut_at_the_count_limit():
    runs = list(payload.chunk_by_size(list(range(120)), [10] * 120, max_count=50, max_bytes=10**6))
    assert [len(r) for r in runs] == [50, 50, 20]
    assert sum(runs, []) == list(range(120))


def test_batches_are_cut_at_the_byte_limit_and_oversized_items_travel_alone():
    runs = list(payload.chunk_by_size(["a", "b", "c", "big", "d"], [300, 300, 300, 5000, 10],
                                      max_count=50, max_bytes=1000, overhead=100))
    assert runs == [["a", "b"], ["c"], ["big"], ["d"]]
