"""Every kind of bad collector input is answered with a 4xx and a message, and nothing is stored."""

import json
import time

import pytest

from attribution.models import ConversionEvent, Touchpoint, Visitor
from attribution.tracking import buffer
from tests.conftest import redis_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["stored on the request", "buffered in Redis"])
def nothing_stored(request, settings):
    """Each case runs twice: storing on the request, and buffered (through the beacon fast path)."""
    buffered = request.param == "buffered in Redis"
    if buffered:
        request.getfixturevalue("live_redis")
        settings.CLICKLEDGER = {**settings.CLICKLEDGER, "COLLECTOR_BUFFER": True,
                                "COLLECTOR_BUFFER_URL": redis_url()}
    yield
    assert not Touchpoint.objects.exists()
    assert not ConversionEvent.objects.exists()
    assert not Visitor.objects.exists()
    if buffered:
        assert buffer.buffer_length() == 0


def _message(response) -> str:
    return json.dumps(response.json())


def test_malformed_json_is_a_400(beacon):
    response = beacon("touch", '{"key": "pk_x", "visitor_id": ')
    assert response.status_code == 400
    assert "Malformed JSON" in _message(response)


def test_a_json_array_instead_of_an_object_is_a_400(beacon):
    response = beacon("event", "[1, 2]")
    assert response.status_code == 400
    assert "JSON object" in _message(response)


def test_a_missing_key_is_a_401_saying_where_to_put_it(beacon, touch_body):
    touch_body.pop("key")
    response = beacon("touch", touch_body)
    assert response.status_code == 401
    assert "public key" in _message(response)


def test_an_unknown_key_is_a_403(beacon, touch_body):
    response = beacon("touch", {**touch_body, "key": "pk_not_a_site"})
    assert response.status_code == 403
    assert "Unknown or inactive site key" in _message(response)


def test_an_inactive_sites_key_is_a_403(beacon, touch_body, site):
    site.is_active = False
    site.save()
    assert beacon("touch", touch_body).status_code == 403


def test_a_call_from_an_origin_the_site_does_not_allow_is_a_403(beacon, touch_body):
    response = beacon("touch", touch_body, origin="https://evil.example.net")
    assert response.status_code == 403
    assert "evil.example.net" in _message(response)


def test_an_oversized_body_is_a_413(beacon, event_body, settings):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "COLLECTOR_MAX_BODY_BYTES": 2048}
    event_body["properties"] = {"blob": "x" * 4096}
    response = beacon("event", event_body)
    assert response.status_code == 413
    assert "limit" in _message(response)


def test_a_body_larger_than_it_declares_is_still_refused(event_body, settings):
    from attribution.tracking.http import JSONObjectParser, PayloadTooLarge

    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "COLLECTOR_MAX_BODY_BYTES": 64}
    import io

    with pytest.raises(PayloadTooLarge):
        JSONObjectParser().parse(io.BytesIO(json.dumps(event_body).encode()))


def test_an_unknown_event_name_is_a_400_naming_the_accepted_kinds(beacon, event_body):
    response = beacon("event", {**event_body, "event": "BoughtSomething"})
    assert response.status_code == 400
    assert "Unknown event name 'BoughtSomething'" in _message(response)


@pytest.mark.parametrize(("when", "expected"), [
    (time.time() + 3600, "in the future"),
    (time.time() - 400 * 86400, "older than"),
    ("2026-11-25T12:00:00", "ISO 8601"),
    ("yesterday", "ISO 8601"),
])
def test_future_ancient_and_unreadable_times_are_a_400(beacon, event_body, when, expected):
    response = beacon("event", {**event_body, "time": when})
    assert response.status_code == 400
    assert expected in _message(response)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("visitor_id", 12345, "Must be a string"),
    ("visitor_id", "not-a-uuid", "visitor id"),
    ("event_id", 42, "Must be a string"),
    ("ttclid", ["E.C.P.x"], "Must be a string"),
    ("value", "a lot", "valid number"),
    ("currency", "euro", "ISO 4217"),
    ("properties", ["form"], "dictionary"),
    ("consent", "maybe", "boolean"),
])
def test_wrong_types_are_a_400_naming_the_field(beacon, event_body, field, value, expected):
    response = beacon("event", {**event_body, field: value})
    assert response.status_code == 400
    body = response.json()
    assert field in body
    assert expected in json.dumps(body[field])


def test_missing_required_fields_are_a_400(beacon, site):
    response = beacon("event", {"key": site.public_key})
    assert response.status_code == 400
    assert {"visitor_id", "event", "event_id"} <= set(response.json())


def test_identify_without_any_identity_is_a_400(beacon, site, visitor_uid):
    response = beacon("identify", {"key": site.public_key, "visitor_id": visitor_uid})
    assert response.status_code == 400
    assert "at least one" in _message(response)


def test_identify_with_an_invalid_email_is_a_400_without_echoing_it(beacon, site, visitor_uid):
    response = beacon("identify", {"key": site.public_key, "visitor_id": visitor_uid,
                                   "email": "jane.doe-at-example.com"})
    assert response.status_code == 400
    assert "not an email address" in _message(response)
    assert "jane.doe-at-example.com" not in _message(response)


def test_too_many_requests_from_one_address_are_a_429(beacon, touch_body, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"collector": "3/min"}}
    codes = [beacon("touch", {**touch_body, "visitor_id": "bad"}).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
