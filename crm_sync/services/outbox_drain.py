"""Draining the conversion outbox to TikTok: claim due rows, send them in batches, record replies.

Workers never send one row at the same time: a claim takes rows with ``SELECT … FOR UPDATE SKIP
LOCKED`` (PostgreSQL; SQLite serializes writers instead) and leases them (``status=sending``,
``locked_until``). A worker killed mid-batch leaves its lease to expire; the rows then become due
again and go out with the same event_id, which TikTok deduplicates. The lease timestamp doubles as
a fencing token: a worker whose lease was taken over cannot overwrite the new holder's result.

Clock, sleep and randomness are parameters so tests can drive backoff and rate limits exactly.
"""

import contextlib
import logging
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from attribution.models import OutboxEntry, OutboxStatus, TikTokIntegration
from attribution.services.outbox import sync_skip_reason
from crm_sync.tiktok import payload
from crm_sync.tiktok.backoff import retry_delay
from crm_sync.tiktok.client import EventsClient
from crm_sync.tiktok.rate_limit import RateLimiter
from crm_sync.tiktok.replies import Outcome, Reply

from .tiktok_delivery import (
    OutboxRow,
    event_input,
    event_source_id,
    outbox_rows,
    rate_limit_key,
    tiktok_client,
    tiktok_rate_limiter,
)

logger = logging.getLogger(__name__)
DUE_STATUSES = (OutboxStatus.QUEUED, OutboxStatus.RETRYING)
EXPIRED_LEASE_CHECK_SECONDS = 5.0


@dataclass
class Claim:
    integration: TikTokIntegration
    event_source: str
    entries: list[OutboxRow]
    lease: datetime


@dataclass
class DrainStats:
    requests: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped: int = 0

    def add(self, status: str, count: int) -> None:
        attr = {OutboxStatus.SENT: "sent", OutboxStatus.RETRYING: "retrying",
                OutboxStatus.DEAD: "dead", OutboxStatus.SKIPPED: "skipped"}[status]
        setattr(self, attr, getattr(self, attr) + count)


@dataclass
class Environment:
    """What a drain needs from the outside world; tests replace any part."""

    now: Callable[[], datetime] = timezone.now
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    limiter: RateLimiter | None = None
    client_factory: Callable[[TikTokIntegration], EventsClient] = (
        lambda integration: tiktok_client(integration=integration))


def outbox_claim_due(*, now: datetime, limit: int, lease_seconds: float,
                     integration_id: int | None = None, reclaim_expired: bool = True,
                     integrations: dict[int, TikTokIntegration] | None = None) -> Claim | None:
    """Lease up to ``limit`` due rows that share one integration and event source.

    Due: rows whose sending lease expired (a worker died; looked for only with
    ``reclaim_expired``), then queued/retrying rows whose time has come, oldest first. Each query
    walks a partial index, so it costs O(limit). ``integrations`` caches integrations by id
    (their token is decrypted once).
    """
    base = OutboxEntry.objects.filter(integration__enabled=True)
    if integration_id is not None:
        base = base.filter(integration_id=integration_id)
    lease = now + timedelta(seconds=lease_seconds)
    with transaction.atomic():
        locked = []
        if reclaim_expired:
            locked = _lock_rows(base.filter(status=OutboxStatus.SENDING, locked_until__lt=now)
                                .order_by("locked_until"), limit)
        if len(locked) < limit:
            locked += _lock_rows(base.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)
                                 .order_by("next_attempt_at", "id"), limit - len(locked))
        if not locked:
            return None
        group = locked[0][1:]
        ids = [row_id for row_id, *key in locked if tuple(key) == group]
        OutboxEntry.objects.filter(id__in=ids).update(
            status=OutboxStatus.SENDING, locked_until=lease, attempts=F("attempts") + 1)
    integrations = {} if integrations is None else integrations
    if group[0] not in integrations:
        integrations[group[0]] = _load_integration(group[0])
    return Claim(integrations[group[0]], group[1], outbox_rows(ids=ids), lease)


def _load_integration(pk: int) -> TikTokIntegration:
    """The integration with its token decrypted, or without it when the keys cannot decrypt it.

    A token that FIELD_ENCRYPTION_KEYS cannot decrypt (a key was dropped) must dead-letter the
    batch with that message, not crash every drain and keep the rows leased forever.
    """
    try:
        return TikTokIntegration.objects.get(pk=pk)
    except ValueError as exc:
        logger.error("TikTok integration %s: %s", pk, exc)
        integration = TikTokIntegration.objects.defer("access_token").get(pk=pk)
        integration.token_error = str(exc)
        return integration


@contextmanager
def _relaxed_commit_durability():
    """While draining, let PostgreSQL acknowledge commits before their WAL reaches disk.

    Safe for what a drain writes: losing a lease or a "sent" mark in a database crash means the
    row is sent again with the same event_id, which at-least-once delivery and TikTok's dedup
    absorb. It saves two fsyncs per batch (the bulk of a batch's time on ordinary disks).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _lock_rows(rows, limit: int) -> list[tuple]:
    """(id, integration_id, event_source) of up to ``limit`` rows no other worker holds."""
    return list(rows.select_for_update(skip_locked=True, of=("self",))
                .values_list("id", "integration_id", "event_source")[:limit])


def outbox_drain(*, env: Environment | None = None, integration_id: int | None = None,
                 max_seconds: float | None = None, max_batches: int | None = None) -> DrainStats:
    """Send due rows until none is due, ``max_seconds`` passed or ``max_batches`` were claimed.

    Expired leases are looked for at the start, every EXPIRED_LEASE_CHECK_SECONDS and before
    giving up; in between a claim costs one query less.
    """
    env = env or Environment()
    cfg = settings.CLICKLEDGER
    limiter = env.limiter or tiktok_rate_limiter()
    deadline = time.monotonic() + (max_seconds if max_seconds is not None
                                   else cfg["TIKTOK_DRAIN_MAX_SECONDS"])
    stats, clients, integrations, batches = DrainStats(), {}, {}, 0
    next_expired_check: datetime | None = None
    with _relaxed_commit_durability(), contextlib.ExitStack() as open_clients:
        while time.monotonic() < deadline and (max_batches is None or batches < max_batches):
            now = env.now()
            reclaim = next_expired_check is None or now >= next_expired_check
            claim = outbox_claim_due(now=now, limit=cfg["TIKTOK_BATCH_SIZE"],
                                     lease_seconds=cfg["TIKTOK_LEASE_SECONDS"],
                                     integration_id=integration_id, reclaim_expired=reclaim,
                                     integrations=integrations)
            next_expired_check = now + timedelta(seconds=EXPIRED_LEASE_CHECK_SECONDS)
            if claim is None:
                if reclaim:
                    break
                next_expired_check = None  # one last look for expired leases before stopping
                continue
            batches += 1
            if getattr(claim.integration, "token_error", ""):
                _record(claim, claim.entries, OutboxStatus.DEAD, env, stats,
                        last_error=claim.integration.token_error)
                continue
            if claim.integration.pk not in clients:
                clients[claim.integration.pk] = open_clients.enter_context(
                    env.client_factory(claim.integration))
            outbox_send_claim(claim=claim, client=clients[claim.integration.pk], limiter=limiter,
                              env=env, stats=stats)
    return stats


def outbox_send_claim(*, claim: Claim, client: EventsClient, limiter: RateLimiter,
                      env: Environment, stats: DrainStats) -> None:
    """Send one claim: skip what became unsendable, batch the rest by count and bytes."""
    cfg = settings.CLICKLEDGER
    sendable, events, skipped = [], [], {}
    for entry in claim.entries:
        reason = sync_skip_reason(opted_out=entry.opted_out,
                                  occurred_at=entry.conversion["occurred_at"],
                                  integration=claim.integration, event_source=claim.event_source,
                                  now=env.now())
        if reason:
            skipped.setdefault(reason, []).append(entry)
            continue
        sendable.append(entry)
        events.append(payload.build_event(event_input(row=entry, integration=claim.integration)))
    for reason, entries in skipped.items():
        _record(claim, entries, OutboxStatus.SKIPPED, env, stats, last_error=reason)
    if not sendable:
        return
    if not claim.integration.access_token:
        _record(claim, sendable, OutboxStatus.DEAD, env, stats,
                last_error="integration has no access token")
        return
    encoded = [payload.encode(event) for event in events]
    for run in payload.chunk_by_size(list(zip(sendable, encoded, strict=True)),
                                     [len(e) for e in encoded],
                                     max_count=cfg["TIKTOK_BATCH_SIZE"],
                                     max_bytes=cfg["TIKTOK_BATCH_MAX_BYTES"]):
        _send_run(claim, run, client, limiter, env, stats)


def _send_run(claim: Claim, run: list[tuple[OutboxRow, bytes]], client: EventsClient,
              limiter: RateLimiter, env: Environment, stats: DrainStats) -> None:
    """One request; a parameter error in a batch is bisected so one bad event cannot sink the rest."""
    integration = claim.integration
    wait = limiter.reserve(rate_limit_key(integration=integration))
    if wait > 0:
        env.sleep(wait)
    body = payload.encode_body(
        event_source=claim.event_source,
        event_source_id=event_source_id(integration=integration, event_source=claim.event_source),
        encoded_events=[event for _, event in run], test_event_code=integration.test_event_code)
    reply = client.track(body)
    stats.requests += 1
    if reply.is_rate_limited:
        # TikTok counts requests we cannot see (other apps on the token): every worker pauses.
        limiter.hold(rate_limit_key(integration=integration),
                     settings.CLICKLEDGER["TIKTOK_RATE_LIMITED_PAUSE_SECONDS"])
    entries = [entry for entry, _ in run]
    if reply.outcome is Outcome.PERMANENT and len(run) > 1 and not reply.is_auth_error:
        middle = len(run) // 2
        _send_run(claim, run[:middle], client, limiter, env, stats)
        _send_run(claim, run[middle:], client, limiter, env, stats)
        return
    outbox_record_reply(claim=claim, entries=entries, reply=reply, env=env, stats=stats)


def outbox_record_reply(*, claim: Claim, entries: list[OutboxRow], reply: Reply,
                        env: Environment, stats: DrainStats) -> None:
    """Write what one request's reply means for its rows: sent, retry later, or dead."""
    if reply.outcome is Outcome.SUCCESS:
        _record(claim, entries, OutboxStatus.SENT, env, stats, request_id=reply.request_id,
                last_error="", sent_at=env.now())
        return
    if reply.outcome is Outcome.PERMANENT:
        logger.warning("TikTok refused %d events for %s: %s (request %s)", len(entries),
                       claim.integration, reply.message, reply.request_id)
        _record(claim, entries, OutboxStatus.DEAD, env, stats, request_id=reply.request_id,
                last_error=reply.message)
        return
    cfg = settings.CLICKLEDGER
    max_attempts = cfg["TIKTOK_MAX_ATTEMPTS"]
    by_attempts: dict[int, list[OutboxRow]] = {}
    for entry in entries:
        by_attempts.setdefault(entry.attempts, []).append(entry)
    for attempts, group in by_attempts.items():
        if attempts >= max_attempts:
            _record(claim, group, OutboxStatus.DEAD, env, stats, request_id=reply.request_id,
                    last_error=f"gave up after {attempts} attempts: {reply.message}")
            continue
        # One delay per batch, not per row: rows that failed together retry together, as a batch.
        delay = retry_delay(attempts=attempts, base=cfg["TIKTOK_BACKOFF_BASE_SECONDS"],
                            cap=cfg["TIKTOK_BACKOFF_CAP_SECONDS"], rng=env.rng)
        _record(claim, group, OutboxStatus.RETRYING, env, stats, request_id=reply.request_id,
                last_error=reply.message, next_attempt_at=env.now() + timedelta(seconds=delay))


def _record(claim: Claim, entries: list[OutboxRow], status: str, env: Environment,
            stats: DrainStats, **fields) -> None:
    ids = [entry.pk for entry in entries]
    updated = (OutboxEntry.objects
               .filter(id__in=ids, status=OutboxStatus.SENDING, locked_until=claim.lease)
               .update(status=status, locked_until=None, **fields))
    if updated < len(ids):
        logger.warning("outbox: %d of %d rows were re-leased by another worker; result not written",
                       len(ids) - updated, len(ids))
    stats.add(status, updated)
