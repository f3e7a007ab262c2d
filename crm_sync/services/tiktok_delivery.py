"""The Django side of the TikTok Events API: settings → client and rate limiter, rows → payloads."""

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from attribution.identity.normalize import is_sha256_hex
from attribution.models import OutboxEntry, TikTokEventSource, TikTokIntegration
from crm_sync.tiktok.client import EventsClient
from crm_sync.tiktok.payload import EventInput
from crm_sync.tiktok.rate_limit import LocalRateLimiter, RateLimiter, RedisRateLimiter

logger = logging.getLogger(__name__)


def tiktok_client(*, integration: TikTokIntegration) -> EventsClient:
    cfg = settings.CLICKLEDGER
    return EventsClient(base_url=cfg["TIKTOK_API_BASE"], access_token=integration.access_token or "",
                        timeout=cfg["TIKTOK_TIMEOUT_SECONDS"],
                        retryable_codes=cfg["TIKTOK_RETRYABLE_CODES"])


def tiktok_rate_limiter() -> RateLimiter:
    """Shared through Redis when REDIS_URL is set (all workers), else per process."""
    cfg = settings.CLICKLEDGER
    return _limiter(settings.REDIS_URL, cfg["TIKTOK_RATE_PER_MINUTE"], cfg["TIKTOK_RATE_BURST"])


@lru_cache(maxsize=4)
def _limiter(redis_url: str, rate_per_minute: int, burst: int) -> RateLimiter:
    if redis_url:
        import redis

        return RedisRateLimiter(redis.Redis.from_url(redis_url), rate_per_minute=rate_per_minute,
                                burst=burst)
    return LocalRateLimiter(rate_per_minute=rate_per_minute, burst=burst)


def rate_limit_key(*, integration: TikTokIntegration) -> str:
    """TikTok limits per access token; the key holds a hash of it, never the token."""
    digest = hashlib.sha256((integration.access_token or "").encode()).hexdigest()[:24]
    return f"tiktok:{digest}"


def event_source_id(*, integration: TikTokIntegration, event_source: str) -> str:
    if event_source == TikTokEventSource.WEB:
        return integration.pixel_code
    return integration.event_set_id


# ConversionEvent columns a payload needs, read with the outbox rows in one query.
CONVERSION_FIELDS = ("event_id", "occurred_at", "value", "currency", "ttclid", "ttp", "email_hash",
                     "phone_hash", "external_id_hash", "ip_truncated", "user_agent", "page_url",
                     "referrer", "properties")


@dataclass
class OutboxRow:
    """A claimed outbox row and the values of its conversion, read as plain values.

    Model instances would cost more than the HTTP request for a batch of 50; these do not.
    """

    pk: int
    attempts: int
    conversion_id: int
    platform_event: str
    opted_out: bool
    conversion: dict


def outbox_rows(*, ids: list[int]) -> list[OutboxRow]:
    columns = [f"conversion__{name}" for name in CONVERSION_FIELDS]
    rows = (OutboxEntry.objects.filter(id__in=ids).order_by("id")
            .values_list("id", "attempts", "conversion_id", "platform_event",
                         "conversion__contact__opted_out", *columns))
    return [OutboxRow(pk, attempts, conversion_id, platform_event, bool(opted_out),
                      dict(zip(CONVERSION_FIELDS, values, strict=True)))
            for pk, attempts, conversion_id, platform_event, opted_out, *values in rows]


def event_input(*, row: OutboxRow, integration: TikTokIntegration) -> EventInput:
    """The payload values of one outbox row; only SHA-256 hashes leave the building."""
    conv = row.conversion
    props = conv["properties"] if isinstance(conv["properties"], dict) else {}
    return EventInput(
        event=row.platform_event, event_id=conv["event_id"], occurred_at=conv["occurred_at"],
        value=conv["value"] if conv["currency"] else None, currency=conv["currency"],
        ttclid=conv["ttclid"], ttp=conv["ttp"],
        email_hash=_hash_or_blank(conv["email_hash"], row, "email_hash"),
        phone_hash=_hash_or_blank(conv["phone_hash"], row, "phone_hash"),
        external_id_hash=_hash_or_blank(conv["external_id_hash"], row, "external_id_hash"),
        ip=conv["ip_truncated"], user_agent=conv["user_agent"],
        page_url=conv["page_url"], referrer=conv["referrer"],
        lead_id=str(props.get("lead_id") or ""),
        lead_event_source=str(props.get("lead_event_source") or ""),
        limited_data_use=integration.limited_data_use, properties=props,
    )


def _hash_or_blank(value: str, row: OutboxRow, name: str) -> str:
    if not value or is_sha256_hex(value):
        return value
    # Never send what might be a raw identifier; the conversion keeps its other matching keys.
    logger.warning("outbox entry %s: conversion %s has a malformed %s; left out",
                   row.pk, row.conversion_id, name)
    return ""
