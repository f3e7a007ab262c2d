"""Fixtures for conversion-sync tests: a fake TikTok on loopback, settings aimed at it, a clock."""

import random
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from attribution.models import EventSource
from attribution.services.conversions import conversion_record
from crm_sync.services.outbox_drain import Environment
from crm_sync.tiktok.rate_limit import LocalRateLimiter
from tests.factories import TikTokIntegrationFactory
from tests.fake_tiktok import FakeTikTok

TOKEN = "tt-access-token-for-tests"
EMAIL_HASH = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"  # john.doe@example.com


class Clock:
    """A controllable ``now`` for services; starts at the real time so event ages are realistic."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def fake_tiktok():
    with FakeTikTok(token=TOKEN, max_batch=50) as fake:
        yield fake


@pytest.fixture
def tiktok_settings(settings, fake_tiktok):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "TIKTOK_API_BASE": fake_tiktok.base_url,
                            "TIKTOK_BATCH_SIZE": 50, "TIKTOK_TIMEOUT_SECONDS": 2.0,
                            "TIKTOK_BACKOFF_BASE_SECONDS": 30.0, "TIKTOK_BACKOFF_CAP_SECONDS": 3600.0,
                            "TIKTOK_MAX_ATTEMPTS": 5, "TIKTOK_LEASE_SECONDS": 120.0,
                            "TIKTOK_RATE_PER_MINUTE": 600_000}
    return settings.CLICKLEDGER


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def env(clock):
    """A drain environment with the test clock, no real sleeping and a seeded random source."""
    slept: list[float] = []
    return Environment(now=clock, sleep=slept.append, rng=random.Random(7),
                       limiter=LocalRateLimiter(rate_per_minute=600_000))


@pytest.fixture
def integration(workspace):
    return TikTokIntegrationFactory(workspace=workspace, access_token=TOKEN)


@pytest.fixture
def record(workspace, clock):
    """Record a conversion the way the collector or a CRM import does (outbox row included)."""

    def _record(event_name="CompletePayment", *, age=timedelta(hours=1), source=EventSource.SERVER,
                value=Decimal("49.90"), currency="EUR", **fields):
        conversion = conversion_record(workspace=workspace, event_name=event_name,
                                       event_id=fields.pop("event_id", uuid.uuid4().hex),
                                       occurred_at=clock.now - age, source=source, value=value,
                                       currency=currency, **fields).conversion
        clock.now = max(clock.now, timezone.now())  # the new row is due on the test clock too
        return conversion

    return _record
