"""Requests per minute per access token: reservations locally and shared by workers through Redis."""

import threading
import time
import uuid

import pytest

from crm_sync.services.outbox_drain import Environment, outbox_drain
from crm_sync.tiktok.client import EventsClient
from crm_sync.tiktok.payload import build_body
from crm_sync.tiktok.rate_limit import LocalRateLimiter, RedisRateLimiter
from tests.conftest import redis_url as local_redis_url
from tests.fake_tiktok import Fault

from .conftest import TOKEN


class FakeMonotonic:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_reservations_are_spaced_by_the_rate_after_the_burst():
    clock = FakeMonotonic()
    limiter = LocalRateLimiter(rate_per_minute=60, burst=2, clock=clock)
    assert [limiter.reserve("k") for _ in range(5)] == [0, 0, 1, 2, 3]
    assert limiter.reserve("other-token") == 0


def test_an_idle_limiter_does_not_bank_more_than_its_burst():
    clock = FakeMonotonic()
    limiter = LocalRateLimiter(rate_per_minute=60, burst=1, clock=clock)
    limiter.reserve("k")
    clock.t += 3600
    assert [limiter.reserve("k") for _ in range(3)] == [0, 1, 2]


def test_a_hold_gives_no_slot_until_it_is_over_then_the_rate_resumes():
    clock = FakeMonotonic()
    limiter = LocalRateLimiter(rate_per_minute=60, burst=3, clock=clock)
    limiter.hold("k", 5)
    assert [limiter.reserve("k") for _ in range(2)] == [5, 6]


def test_the_default_burst_is_one_seconds_worth_of_the_rate():
    limiter = LocalRateLimiter(rate_per_minute=600, clock=FakeMonotonic())
    waits = [limiter.reserve("k") for _ in range(11)]
    assert waits == pytest.approx([0] * 10 + [0.1], abs=1e-9)


@pytest.mark.django_db
@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_the_drain_waits_for_its_slot_before_each_request(record, clock):
    for _ in range(150):
        record()
    slept = []
    env = Environment(now=clock, sleep=slept.append,
                      limiter=LocalRateLimiter(rate_per_minute=60, burst=1, clock=FakeMonotonic()))

    assert outbox_drain(env=env).requests == 3
    assert slept == [1.0, 2.0]


@pytest.mark.django_db
@pytest.mark.usefixtures("integration")
def test_a_rate_limited_reply_pauses_the_token_for_the_next_batch(tiktok_settings, record, clock,
                                                                   fake_tiktok):
    tiktok_settings["TIKTOK_RATE_LIMITED_PAUSE_SECONDS"] = 7
    for _ in range(60):
        record()
    fake_tiktok.script(Fault.http(429, "too many requests"))
    slept = []
    env = Environment(now=clock, sleep=slept.append,
                      limiter=LocalRateLimiter(rate_per_minute=6000, clock=FakeMonotonic()))

    outbox_drain(env=env)

    assert slept == [pytest.approx(7)]


@pytest.mark.services
def test_a_hold_in_redis_pauses_every_worker_of_the_token(live_redis):
    key = f"test:{uuid.uuid4().hex}"
    one, two = (RedisRateLimiter(live_redis, rate_per_minute=600, burst=1) for _ in range(2))
    one.hold(key, 2.0)
    assert 1.9 <= two.reserve(key) <= 2.0


def _worker(redis_url: str, key: str, base_url: str, requests: int, rate: int):
    """A worker of its own: its own Redis connection, limiter and HTTP client."""
    import redis

    limiter = RedisRateLimiter(redis.Redis.from_url(redis_url), rate_per_minute=rate, burst=1)
    body = build_body(event_source="web", event_source_id="CPIXEL", events=[{
        "event": "SubmitForm", "event_id": uuid.uuid4().hex, "event_time": int(time.time())}])
    with EventsClient(base_url=base_url, access_token=TOKEN, timeout=5,
                      retryable_codes=[]) as client:
        for _ in range(requests):
            time.sleep(limiter.reserve(key))
            client.track(body)


def _span_of_two_workers(fake, redis_url, keys) -> float:
    threads = [threading.Thread(target=_worker, args=(redis_url, key, fake.base_url, 6, 600))
               for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(r["time"] for r in fake.requests)
    assert len(times) == 12
    return times[-1] - times[0]


@pytest.mark.services
def test_two_workers_share_one_limit_per_token_through_redis(fake_tiktok, live_redis):
    redis_url = local_redis_url()
    key = f"test:{uuid.uuid4().hex}"

    span = _span_of_two_workers(fake_tiktok, redis_url, [key, key])

    # 600/min is one request per 0.1 s: 12 requests need at least 1.1 s together.
    assert span >= 1.0


@pytest.mark.services
def test_workers_with_different_tokens_do_not_slow_each_other(fake_tiktok, live_redis):
    redis_url = local_redis_url()

    span = _span_of_two_workers(fake_tiktok, redis_url,
                                [f"test:{uuid.uuid4().hex}", f"test:{uuid.uuid4().hex}"])

    assert span < 0.9  # each token alone: 6 requests in about 0.5 s
