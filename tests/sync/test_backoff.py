"""Retry timing on a controllable clock: exponential steps, jitter within bounds, a cap."""

import random

import pytest

from attribution.models import OutboxEntry, OutboxStatus
from crm_sync.services.outbox_drain import outbox_drain
from crm_sync.tiktok.backoff import retry_delay
from tests.fake_tiktok import Fault

pytestmark = pytest.mark.django_db


def test_delay_doubles_per_attempt_with_equal_jitter_and_stops_at_the_cap():
    rng = random.Random(1)
    for attempts, (low, high) in {1: (15, 30), 2: (30, 60), 3: (60, 120), 4: (120, 240),
                                  10: (1800, 3600), 30: (1800, 3600)}.items():
        delays = [retry_delay(attempts=attempts, base=30, cap=3600, rng=rng) for _ in range(200)]
        assert low <= min(delays) and max(delays) <= high
        assert max(delays) - min(delays) > (high - low) / 2  # jitter actually spreads retries


@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_a_failing_row_waits_longer_after_each_failure(record, fake_tiktok, env, clock):
    record()
    fake_tiktok.fail_randomly(1.0, faults=[Fault.http(503)])
    waits = []
    for _ in range(3):
        failed_at = clock.now
        assert outbox_drain(env=env).requests == 1
        entry = OutboxEntry.objects.get()
        waits.append((entry.next_attempt_at - failed_at).total_seconds())
        clock.advance(waits[-1] - 1)
        assert outbox_drain(env=env).requests == 0, "not due one second before its time"
        clock.advance(1)

    assert 15 <= waits[0] <= 30 and 30 <= waits[1] <= 60 and 60 <= waits[2] <= 120
    assert entry.status == OutboxStatus.RETRYING and entry.attempts == 3


@pytest.mark.usefixtures("integration")
def test_the_retry_delay_never_exceeds_the_cap(tiktok_settings, record, fake_tiktok, env, clock):
    tiktok_settings.update(TIKTOK_BACKOFF_CAP_SECONDS=100, TIKTOK_MAX_ATTEMPTS=20)
    record()
    fake_tiktok.fail_randomly(1.0, faults=[Fault.api_error(50000, "System error")])
    for _ in range(8):
        failed_at = clock.now
        outbox_drain(env=env)
        wait = (OutboxEntry.objects.get().next_attempt_at - failed_at).total_seconds()
        assert wait <= 100
        clock.advance(wait)
    assert wait >= 50
