"""The beacon fast path accepts exactly what the documented serializers accept, with the same data."""

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attribution.tracking.beacon_checks import NotForTheFastPath, beacon_validated
from attribution.tracking.serializers import EventIn, TouchIn

pytestmark = pytest.mark.django_db

JUNK = [None, 12, 1.5, True, [], {}, ["x"], "", "   ", "x" * 300, "x" * 3000, "a\x00b", "not-a-uuid"]
NOW = int(datetime.now(UTC).timestamp())
VALID = {
    "key": ["pk_abc", " pk_abc "],
    "visitor_id": [str(uuid.uuid4()), str(uuid.uuid4()).upper(), f" {uuid.uuid4().hex} "],
    "consent": [True, False, "true", 0],
    "touch_key": ["t-1", " t-2 "],
    "utm_source": ["tiktok", " tiktok "],
    "landing_url": ["https://shop.example.com/?ttclid=E.C.P.x", "x" * 2048],
    "time": [NOW, NOW * 1000, "2026-11-25T12:00:00Z", NOW + 10**7, "2026-11-25T12:00:00"],
    "event": ["SubmitForm", "ClosedWon", "BoughtSomething"],
    "event_id": ["e-1", "x" * 128, "x" * 129],
    "value": ["19.90", 19.9, 20, "1e3", "NaN", "123456789012345.5"],
    "currency": ["EUR", "usd", "euro"],
    "properties": [{"form": "lead"}, {f"k{i}": i for i in range(51)}],
    "page_url": ["https://shop.example.com/contact"],
}


def bodies(serializer_class):
    """Bodies with mostly plausible values (so that many are valid) and some junk in any field."""
    fields = serializer_class._declared_fields

    def value(name):
        plausible, junk = st.sampled_from(VALID.get(name, ["plain text"])), st.sampled_from(JUNK)
        return st.integers(0, 19).flatmap(lambda n: junk if n == 0 else plausible)

    required = {name: value(name) for name, field in fields.items() if field.required}
    optional = {name: value(name) for name, field in fields.items() if not field.required}
    return st.fixed_dictionaries(required, optional=optional)


def _drf(serializer_class, body, workspace):
    serializer = serializer_class(data=body, context={"workspace": workspace})
    return dict(serializer.validated_data) if serializer.is_valid() else None


def _fast(serializer_class, body, workspace):
    try:
        return beacon_validated(serializer_class, body, workspace=workspace)
    except NotForTheFastPath:
        return None


@pytest.mark.parametrize("serializer_class", [TouchIn, EventIn])
def test_the_fast_checks_agree_with_the_serializer_on_every_body(serializer_class, workspace):
    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=bodies(serializer_class))
    def agree(body):
        assert _fast(serializer_class, body, workspace) == _drf(serializer_class, body, workspace)

    agree()


def test_a_workspaces_own_event_name_passes_the_fast_checks(workspace):
    workspace.attributed_event_names = ["DemoBooked"]
    body = {"visitor_id": str(uuid.uuid4()), "event": "DemoBooked", "event_id": "e-1"}
    assert beacon_validated(EventIn, body, workspace=workspace)["event"] == "DemoBooked"


@pytest.mark.services
def test_a_throttled_beacon_reads_the_same_on_the_fast_path_as_in_the_api_view(
        beacon, touch_body, settings, live_redis):
    from tests.conftest import flush_redis, redis_url

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"collector": "1/min"}}
    answers = []
    for buffered in (False, True):  # without the buffer the DRF view answers every beacon
        flush_redis(live_redis)
        settings.CLICKLEDGER = {**settings.CLICKLEDGER, "COLLECTOR_BUFFER": buffered,
                                "COLLECTOR_BUFFER_URL": redis_url()}
        beacon("touch", {**touch_body, "touch_key": f"first-{buffered}"})
        answers.append(beacon("touch", {**touch_body, "touch_key": f"second-{buffered}"}))
    stored_on_request, fast = answers
    assert stored_on_request.status_code == fast.status_code == 429
    assert fast.json().keys() == stored_on_request.json().keys() == {"detail"}
    assert fast.json()["detail"].startswith("Request was throttled. Expected available in")
    assert 0 < int(fast["Retry-After"]) <= 60
    assert fast["Content-Type"] == stored_on_request["Content-Type"]


@pytest.mark.parametrize("value", [
    "19.90", 20, -5, "-0", "0.0001", "0.00001", "999999999999.9999", "1000000000000.5", "1e3",
    " 19.90 ", "+5", ".5", "5.", "١٢", "0012.5", 10**12, 19.9, True, None, "", "NaN", "x"])
def test_the_fast_value_check_reads_a_number_as_the_decimal_field_does(value, workspace):
    body = {"visitor_id": str(uuid.uuid4()), "event": "SubmitForm", "event_id": "e-1", "value": value}
    fast = _fast(EventIn, body, workspace)
    assert fast == _drf(EventIn, body, workspace)
    if fast is not None:
        assert str(fast["value"]) == str(_drf(EventIn, body, workspace)["value"])  # same quantum


@pytest.mark.parametrize("value", [
    "EUR", "usd", " eur ", "EUR\n", "EURO", "EU", "", "   ", "EU\x00", "€UR", "ÉUR", 123, ["EUR"]])
def test_the_fast_currency_check_agrees_with_the_regex_field(value, workspace):
    body = {"visitor_id": str(uuid.uuid4()), "event": "SubmitForm", "event_id": "e-1",
            "currency": value}
    assert _fast(EventIn, body, workspace) == _drf(EventIn, body, workspace)


@pytest.mark.parametrize("own", [None, [], ["DemoBooked"], ["DemoBooked", 7, None], "DemoBooked"])
@pytest.mark.parametrize("name", ["SubmitForm", "ClosedWon", "DemoBooked", "D", "Nope"])
def test_an_event_name_is_accepted_exactly_when_the_workspace_accepts_it(own, name, workspace):
    from attribution.tracking.event_names import accepted_event_names, is_accepted_event_name

    workspace.attributed_event_names = own
    assert is_accepted_event_name(name, workspace) is (name in accepted_event_names(workspace))
