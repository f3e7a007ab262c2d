"""Fixtures for the collector and events API: a site, its keys, and helpers to post like a browser."""

import json
import uuid

import pytest

from attribution.tracking.rules import clear_caches
from tests.factories import SiteFactory

ORIGIN = "https://shop.example.com"


@pytest.fixture(autouse=True)
def fresh_tracking_state(settings):
    """Store on the request (no buffer), forget cached sites/rules and throttle counters."""
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "COLLECTOR_BUFFER": False}
    clear_caches()
    _forget_throttle_counters(settings)
    yield
    clear_caches()


def _forget_throttle_counters(settings) -> None:
    # Only our keys: the Redis database may hold other tests' Celery queues.
    if settings.REDIS_URL:
        from attribution.tracking.buffer import redis_client

        client = redis_client()
        keys = list(client.scan_iter("thr:*"))
        if keys:
            client.delete(*keys)
    else:
        from django.core.cache import cache

        cache.clear()  # the in-process cache of this test run


@pytest.fixture
def site(workspace):
    return SiteFactory(workspace=workspace, domains=["shop.example.com"], allowed_origins=[ORIGIN])


@pytest.fixture
def secret_key(site):
    _, plaintext = site.issue_secret_key(label="backend")
    return plaintext


@pytest.fixture
def visitor_uid():
    return str(uuid.uuid4())


@pytest.fixture
def beacon(client, site):
    """POST a JSON body to a collector endpoint as sendBeacon does (text/plain, page's Origin)."""

    def send(endpoint: str, body: dict | str, *, origin: str = ORIGIN, **extra):
        payload = body if isinstance(body, str) else json.dumps(body)
        return client.post(f"/api/v1/collect/{endpoint}", data=payload,
                           content_type="text/plain;charset=UTF-8", HTTP_ORIGIN=origin, **extra)

    return send


@pytest.fixture
def touch_body(site, visitor_uid):
    return {"key": site.public_key, "visitor_id": visitor_uid, "touch_key": uuid.uuid4().hex,
            "utm_source": "tiktok", "utm_medium": "paid_social", "utm_campaign": "black-friday",
            "utm_content": "1900000001", "ttclid": "E.C.P.abc123",
            "landing_url": f"{ORIGIN}/?ttclid=E.C.P.abc123&utm_source=tiktok",
            "referrer": "https://www.tiktok.com/"}


@pytest.fixture
def event_body(site, visitor_uid):
    return {"key": site.public_key, "visitor_id": visitor_uid, "event": "SubmitForm",
            "event_id": uuid.uuid4().hex, "value": "49.90", "currency": "eur",
            "properties": {"form": "lead"}, "page_url": f"{ORIGIN}/contact",
            "ttclid": "E.C.P.abc123"}


@pytest.fixture
def server_post(client, secret_key):
    def send(body, *, key: str | None = None, **extra):
        payload = body if isinstance(body, str) else json.dumps(body)
        return client.post("/api/v1/events", data=payload, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key or secret_key}", **extra)

    return send
