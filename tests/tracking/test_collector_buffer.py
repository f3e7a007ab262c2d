"""With a buffer, beacons wait in real Redis and the drain task stores them once, in bulk."""

import json
import uuid

import pytest

from attribution.models import ConversionEvent, Touchpoint
from attribution.tracking import buffer
from attribution.tracking.tasks import collector_drain
from tests.conftest import redis_url

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def redis_buffer(settings, live_redis):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "COLLECTOR_BUFFER": True,
                            "COLLECTOR_BUFFER_URL": redis_url()}
    client = buffer.redis_client()
    # A drain counts as already scheduled, so the test decides when it runs.
    client.set(buffer.SCHEDULED_KEY, 1)
    return client


def test_buffered_beacons_are_stored_only_when_drained_and_duplicates_once(
        redis_buffer, beacon, touch_body, event_body):
    for _ in range(2):
        assert beacon("touch", touch_body).status_code == 202
        assert beacon("event", event_body).status_code == 202
    assert beacon("event", {**event_body, "event_id": "other"}).status_code == 202
    assert not Touchpoint.objects.exists() and not ConversionEvent.objects.exists()
    assert buffer.buffer_length() == 5

    assert collector_drain() == 5

    assert Touchpoint.objects.count() == 1
    assert ConversionEvent.objects.count() == 2
    assert ConversionEvent.objects.get(event_id=event_body["event_id"]).duplicates_seen == 1
    assert buffer.buffer_length() == 0
    assert not redis_buffer.exists(buffer.SCHEDULED_KEY)


def test_a_record_that_cannot_be_stored_is_set_aside_and_the_rest_still_drains(
        redis_buffer, beacon, touch_body):
    redis_buffer.rpush(buffer.BUFFER_KEY, json.dumps({"t": "touch", "ws": 1, "v": "not-a-uuid"}))
    collector_drain()
    beacon("touch", touch_body)
    collector_drain()
    assert Touchpoint.objects.count() == 1
    assert redis_buffer.llen(buffer.DEAD_KEY) == 1


def test_only_the_first_push_after_a_drain_asks_for_a_new_drain(redis_buffer):
    redis_buffer.delete(buffer.SCHEDULED_KEY)
    record = {"t": "touch", "v": str(uuid.uuid4())}
    assert buffer.buffer_push(record) is True
    assert buffer.buffer_push(record) is False


def test_the_throttle_counts_beacons_in_the_same_round_trip_as_the_push(
        redis_buffer, beacon, touch_body, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"collector": "3/min"}}
    codes = [beacon("touch", {**touch_body, "touch_key": f"t{i}"}).status_code for i in range(3)]
    refused = beacon("touch", {**touch_body, "visitor_id": "bad"})
    over = beacon("touch", {**touch_body, "touch_key": "t9"})
    assert codes == [202, 202, 202]
    assert (refused.status_code, over.status_code) == (429, 429)
    assert "throttled" in over.json()["detail"].lower()
    assert buffer.buffer_length() == 3


def test_a_backlog_drains_in_full_batches_until_a_partial_one(redis_buffer):
    for i in range(5):
        redis_buffer.rpush(buffer.BUFFER_KEY, json.dumps({"n": i}))
    batches = []
    drained, pending = buffer.buffer_drain(store=batches.append, batch_size=2)
    assert [[r["n"] for r in batch] for batch in batches] == [[0, 1], [2, 3], [4]]
    assert (drained, pending) == (5, False)
    assert not redis_buffer.exists(buffer.SCHEDULED_KEY)


def test_a_beacon_is_admitted_after_redis_forgot_the_script(redis_buffer, monkeypatch):
    script = buffer._admit_script(redis_url())
    monkeypatch.setattr(script, "sha", "0" * 40)  # as after a restart or SCRIPT FLUSH
    assert buffer.buffer_admit({"n": 1}) == buffer.QUEUED
    assert buffer.buffer_length() == 1


def test_a_beacon_is_admitted_after_redis_closed_the_threads_connection(redis_buffer):
    buffer.buffer_admit({"n": 1})
    conn = buffer._connections.get(redis_url())
    host, port = conn._sock.getsockname()[:2]
    redis_buffer.client_kill_filter(_type=None, addr=f"{host}:{port}")
    assert buffer.buffer_admit({"n": 2}) == buffer.QUEUED
    assert [json.loads(r)["n"] for r in redis_buffer.lrange(buffer.BUFFER_KEY, 0, -1)] == [1, 2]


@pytest.mark.parametrize("args", [
    ("EVALSHA", "0" * 40, 3, "thr:collector:127.0.0.1:29", "cl:collect:buffer", "", 600, 61, "{}"),
    ("EVALSHA", "ab", 0, -1, "é, ü and 😀", "x" * 70_000),
])
def test_the_admit_command_is_packed_byte_for_byte_as_redis_py_packs_it(args):
    import redis

    from attribution.tracking.buffer import resp_command

    packed = redis.Connection().pack_command(*args)
    assert resp_command(*args) == b"".join(packed)
