"""The server-side events API: secret-key auth, single and batch, event_id dedup, hashing."""

import json
import time
import uuid

import pytest

from attribution.identity.normalize import sha256_hex
from attribution.models import Contact, ConversionEvent, OutboxEntry, Visitor
from tests.factories import TikTokIntegrationFactory

pytestmark = pytest.mark.django_db


def _event(**overrides):
    return {"event": "CompletePayment", "event_id": uuid.uuid4().hex, "event_time": int(time.time()),
            "value": 129.5, "currency": "USD",
            "user": {"email": " Jane.Doe@Example.com", "phone": "+1 (415) 555-0100",
                     "ip": "198.51.100.23", "ttclid": "E.C.P.abc"}, **overrides}


def test_a_single_event_is_created_with_identity_hashed_on_arrival(server_post, site):
    response = server_post(_event(event_id="order-1001"))
    assert response.status_code == 201, response.content
    assert response.json() == {"event_id": "order-1001", "event": "CompletePayment",
                               "status": "created"}
    conversion = ConversionEvent.objects.get()
    assert conversion.email_hash == sha256_hex("jane.doe@example.com")
    assert conversion.phone_hash == sha256_hex("+14155550100")
    assert conversion.ip_truncated == "198.51.100.0"
    assert (conversion.source, conversion.site) == ("server", site)
    assert conversion.contact.email_hash == conversion.email_hash
    stored = json.dumps(list(ConversionEvent.objects.values()), default=str)
    assert "example.com" not in stored.lower() and "555" not in stored


def test_a_retried_request_is_idempotent(server_post):
    body = _event()
    assert server_post(body).status_code == 201
    again = server_post(body)
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert ConversionEvent.objects.get().duplicates_seen == 1


def test_the_pixel_copy_and_the_server_copy_are_stored_once(beacon, event_body, server_post):
    assert beacon("event", event_body).status_code == 202
    server_copy = {"event": "SubmitForm", "event_id": event_body["event_id"],
                   "visitor_id": event_body["visitor_id"]}
    assert server_post(server_copy).json()["status"] == "duplicate"
    conversion = ConversionEvent.objects.get()
    assert conversion.sources_seen == ["pixel", "server"]
    assert conversion.duplicates_seen == 1


def test_a_batch_reports_each_event_and_stores_in_file_order(server_post, site):
    TikTokIntegrationFactory(workspace=site.workspace)
    first, second = _event(), _event(event="SubmitForm", user={})
    response = server_post({"data": [first, second, first]})
    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["created"], body["duplicates"]) == (3, 2, 1)
    assert [r["status"] for r in body["results"]] == ["created", "created", "duplicate"]
    assert ConversionEvent.objects.count() == 2
    assert ConversionEvent.objects.get(event_id=first["event_id"]).duplicates_seen == 1
    assert OutboxEntry.objects.count() == 2


def test_a_batch_with_one_bad_event_stores_nothing_and_names_the_index(server_post):
    response = server_post({"data": [_event(), _event(event="NotAnEvent"), _event(value="x")]})
    assert response.status_code == 400
    errors = response.json()["data"]
    assert set(errors) == {"1", "2"}
    assert "Unknown event name" in json.dumps(errors["1"])
    assert not ConversionEvent.objects.exists()


def test_a_batch_larger_than_the_limit_is_refused(server_post, settings):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "EVENTS_API_MAX_BATCH": 2}
    response = server_post({"data": [_event(), _event(), _event()]})
    assert response.status_code == 400
    assert "At most 2 events" in json.dumps(response.json())
    assert not ConversionEvent.objects.exists()


def test_an_oversized_request_is_a_413(server_post, settings):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "EVENTS_API_MAX_BODY_BYTES": 1024}
    response = server_post({"data": [_event(properties={"note": "x" * 2000})]})
    assert response.status_code == 413
    assert not ConversionEvent.objects.exists()


@pytest.mark.parametrize("header", ["Bearer sk_wrong", "Bearer ", "Token abc", None])
def test_a_missing_or_wrong_secret_key_is_a_401(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.post("/api/v1/events", data=_event(), content_type="application/json",
                           **extra)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert not ConversionEvent.objects.exists()


def test_a_revoked_key_is_refused(server_post, site, secret_key):
    from django.utils import timezone

    site.secret_keys.update(revoked_at=timezone.now())
    assert server_post(_event()).status_code == 401


def test_the_public_key_does_not_open_the_server_api(server_post, site):
    assert server_post(_event(), key=site.public_key).status_code == 401


@pytest.mark.parametrize(("overrides", "field", "expected"), [
    ({"event_time": int(time.time()) + 86400}, "event_time", "in the future"),
    ({"event_time": "1999-01-01T00:00:00Z"}, "event_time", "older than"),
    ({"event_time": True}, "event_time", "Unix seconds"),
    ({"event": 7}, "event", "Must be a string"),
    ({"value": {"amount": 1}}, "value", "valid number"),
    ({"user": {"email": "no-at-sign"}}, "user", "not an email address"),
    ({"user": {"phone": "12"}}, "user", "phone number"),
    ({"user": "jane@example.com"}, "user", "dictionary"),
    ({"visitor_id": "abc"}, "visitor_id", "visitor id"),
])
def test_bad_fields_are_a_400_with_a_message(server_post, overrides, field, expected):
    response = server_post(_event(**overrides))
    assert response.status_code == 400
    assert expected in json.dumps(response.json()[field])
    assert not ConversionEvent.objects.exists()


def test_malformed_json_is_a_400(server_post):
    response = server_post('{"event": ')
    assert response.status_code == 400
    assert "Malformed JSON" in response.json()["detail"]


def test_a_server_event_with_visitor_id_and_email_stitches_the_visitor(server_post, beacon,
                                                                       touch_body):
    beacon("touch", touch_body)
    server_post(_event(visitor_id=touch_body["visitor_id"]))
    contact = Contact.objects.get()
    assert Visitor.objects.get(uid=touch_body["visitor_id"]).contact == contact
    assert ConversionEvent.objects.get().contact == contact


def test_the_bulk_path_writes_outbox_rows_by_the_sync_rules(server_post, site):
    TikTokIntegrationFactory(workspace=site.workspace)
    fresh, old = _event(), _event(event_time=int(time.time()) - 10 * 86400)
    assert server_post({"data": [fresh, old]}).status_code == 200
    rows = {e.conversion.event_id: e for e in OutboxEntry.objects.select_related("conversion")}
    assert (rows[fresh["event_id"]].status, rows[fresh["event_id"]].event_source) == ("queued", "web")
    assert rows[old["event_id"]].status == "skipped"
    assert "too old" in rows[old["event_id"]].last_error
