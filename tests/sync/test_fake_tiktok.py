"""The fake TikTok refuses what the real one refuses, so passing tests mean valid requests."""

import time

import httpx
import pytest

from tests.fake_tiktok import TRACK_PATH, FakeTikTok, Fault

from .conftest import EMAIL_HASH, TOKEN


def _event(**overrides):
    return {"event": "CompletePayment", "event_id": "e-1", "event_time": int(time.time()),
            "user": {"email": EMAIL_HASH}, **overrides}


def _post(fake, *, token=TOKEN, data=None, **body):
    body = {"event_source": "web", "event_source_id": "CPIXEL", "data": data or [_event()], **body}
    return httpx.post(fake.base_url + TRACK_PATH, json=body, headers={"Access-Token": token},
                      timeout=5).json()


@pytest.fixture
def fake():
    with FakeTikTok(token=TOKEN, max_batch=50) as server:
        yield server


def test_a_valid_request_is_accepted_and_recorded(fake):
    reply = _post(fake, test_event_code="T1")
    assert (reply["code"], reply["message"]) == (0, "OK") and reply["request_id"]
    assert fake.accepted[0]["event_id"] == "e-1" and fake.accepted[0]["test_event_code"] == "T1"


@pytest.mark.parametrize("token,data,code,words", [
    ("wrong", None, 40105, "Access token"),
    (TOKEN, [_event(event_time=int(time.time() * 1000))], 40002, "Unix seconds"),
    (TOKEN, [_event(event_time=float(int(time.time())))], 40002, "integer"),
    (TOKEN, [_event(user={"email": "john@example.com"})], 40002, "SHA-256"),
    (TOKEN, [_event(user={"phone": [EMAIL_HASH.upper()]})], 40002, "SHA-256"),
    (TOKEN, [_event(event_id="")], 40002, "event_id"),
    (TOKEN, [_event(properties={"value": 10})], 40002, "currency"),
    (TOKEN, [_event()] * 51, 40002, "at most 50"),
], ids=["token", "milliseconds", "float-time", "raw-email", "upper-hash", "no-event-id",
        "value-without-currency", "batch-too-big"])
def test_invalid_requests_are_refused_with_a_message(fake, token, data, code, words):
    reply = _post(fake, token=token, data=data)
    assert reply["code"] == code and words in reply["message"]
    assert fake.accepted == []


def test_scripted_faults_come_first_then_it_behaves(fake):
    fake.script(Fault.http(503), Fault.api_error(40100, "Too many requests"))
    with pytest.raises(httpx.HTTPStatusError):
        httpx.post(fake.base_url + TRACK_PATH, json={}, headers={"Access-Token": TOKEN}
                   ).raise_for_status()
    assert _post(fake)["code"] == 40100
    assert _post(fake)["code"] == 0


def test_a_dropped_connection_after_accepting_still_records_the_events(fake):
    fake.script(Fault.drop(after_accept=True))
    with pytest.raises(httpx.RemoteProtocolError):
        _post(fake)
    assert [e["event_id"] for e in fake.accepted] == ["e-1"]
