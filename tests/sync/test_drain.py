"""Draining the outbox to the fake TikTok over real HTTP: shape, batching, every error class."""

from datetime import timedelta

import pytest
from django.db import connection

from attribution.models import EventSource, OutboxEntry, OutboxStatus, TikTokIntegration
from crm_sync.services.outbox_drain import (
    DrainStats,
    Environment,
    outbox_claim_due,
    outbox_drain,
    outbox_record_reply,
)
from crm_sync.tiktok.replies import Outcome, Reply
from tests.factories import ContactFactory
from tests.fake_tiktok import Fault

from .conftest import EMAIL_HASH

pytestmark = pytest.mark.django_db


def _statuses():
    return sorted(OutboxEntry.objects.values_list("status", flat=True))


@pytest.mark.usefixtures("tiktok_settings")
def test_a_recorded_conversion_arrives_with_its_event_id_hashes_and_value(
        integration, record, fake_tiktok, env):
    conversion = record("CompletePayment", email_hash=EMAIL_HASH, ttclid="E.C.P.click",
                        ip_truncated="203.0.113.0", user_agent="UA/1.0",
                        page_url="https://shop.example.com/thanks", properties={"order_id": "A-1"})

    stats = outbox_drain(env=env)

    assert (stats.requests, stats.sent) == (1, 1)
    [event] = fake_tiktok.accepted
    assert event["event_source"] == "web"
    assert event["event_source_id"] == integration.pixel_code
    assert event["event_id"] == conversion.event_id
    assert event["event_time"] == int(conversion.occurred_at.timestamp())
    assert event["user"] == {"ttclid": "E.C.P.click", "email": EMAIL_HASH, "ip": "203.0.113.0",
                             "user_agent": "UA/1.0"}
    assert event["properties"] == {"order_id": "A-1", "value": 49.9, "currency": "EUR"}
    entry = OutboxEntry.objects.get()
    assert (entry.status, entry.attempts) == (OutboxStatus.SENT, 1)
    assert entry.request_id and entry.sent_at == env.now()


@pytest.mark.usefixtures("tiktok_settings")
def test_crm_stage_goes_to_the_event_set_with_the_test_event_code(integration, record, fake_tiktok,
                                                                  env):
    integration.test_event_code = "TEST42"
    integration.save()
    record("ClosedWon", source=EventSource.CRM)

    outbox_drain(env=env)

    [event] = fake_tiktok.accepted
    assert (event["event"], event["event_source"]) == ("CompletePayment", "crm")
    assert event["event_source_id"] == integration.event_set_id
    assert event["test_event_code"] == "TEST42"


@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_conversions_go_out_in_batches_of_the_configured_size(record, fake_tiktok, env):
    conversions = [record() for _ in range(120)]

    stats = outbox_drain(env=env)

    assert [r["events"] for r in fake_tiktok.requests] == [50, 50, 20]
    assert stats.sent == 120
    assert sorted(fake_tiktok.event_ids()) == sorted(c.event_id for c in conversions)


@pytest.mark.usefixtures("integration")
def test_a_batch_is_split_when_it_would_exceed_the_byte_limit(tiktok_settings, record, fake_tiktok,
                                                              env):
    tiktok_settings["TIKTOK_BATCH_MAX_BYTES"] = 4000
    for _ in range(10):
        record(user_agent="x" * 900)

    outbox_drain(env=env)

    assert len(fake_tiktok.requests) >= 3
    assert sum(r["events"] for r in fake_tiktok.requests) == 10
    assert _statuses() == [OutboxStatus.SENT] * 10


@pytest.mark.usefixtures("tiktok_settings", "integration")
@pytest.mark.parametrize("fault", [
    Fault.http(500), Fault.http(503), Fault.http(429), Fault.api_error(40100, "Too many requests"),
    Fault.api_error(50000, "System error"), Fault.drop(), Fault.slow(3.0),
], ids=["500", "503", "429", "code-40100", "code-50000", "dropped", "timeout"])
def test_retryable_failures_schedule_a_retry_with_the_error(record, fake_tiktok, env, fault):
    record()
    fake_tiktok.script(fault)

    outbox_drain(env=env)

    entry = OutboxEntry.objects.get()
    assert entry.status == OutboxStatus.RETRYING
    assert entry.last_error
    assert entry.next_attempt_at > env.now()


@pytest.mark.usefixtures("tiktok_settings")
def test_a_revoked_token_dead_letters_the_batch_with_tiktoks_message(integration, record,
                                                                    fake_tiktok, env):
    integration.access_token = "revoked-token"
    integration.save()
    record()
    record()

    stats = outbox_drain(env=env)

    assert stats.requests == 1  # auth errors are not bisected: every half would fail the same way
    assert _statuses() == [OutboxStatus.DEAD] * 2
    assert "Access token is incorrect" in OutboxEntry.objects.first().last_error


@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_one_invalid_event_is_isolated_and_the_rest_of_its_batch_is_sent(record, fake_tiktok, env):
    fake_tiktok.max_event_age_days = 3  # the platform refuses this one; our 7-day limit did not
    good = [record() for _ in range(5)]
    bad = record(age=timedelta(days=4))

    outbox_drain(env=env)

    assert sorted(fake_tiktok.event_ids()) == sorted(c.event_id for c in good)
    dead = OutboxEntry.objects.get(status=OutboxStatus.DEAD)
    assert dead.conversion_id == bad.pk
    assert "older than 3 days" in dead.last_error
    assert OutboxEntry.objects.filter(status=OutboxStatus.SENT).count() == 5


@pytest.mark.usefixtures("integration")
def test_a_row_is_dead_lettered_after_the_last_allowed_attempt(tiktok_settings, record, fake_tiktok,
                                                               env, clock):
    tiktok_settings["TIKTOK_MAX_ATTEMPTS"] = 3
    record()
    fake_tiktok.fail_randomly(1.0, faults=[Fault.http(500)])

    for _ in range(5):
        outbox_drain(env=env)
        clock.advance(3600)

    entry = OutboxEntry.objects.get()
    assert (entry.status, entry.attempts) == (OutboxStatus.DEAD, 3)
    assert entry.last_error.startswith("gave up after 3 attempts")
    assert len(fake_tiktok.requests) == 3


@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_a_killed_workers_lease_expires_and_the_rows_go_out_with_the_same_event_id(
        record, fake_tiktok, env, clock, tiktok_settings):
    conversion = record()
    claim = outbox_claim_due(now=clock.now, limit=50, lease_seconds=60)
    assert claim and OutboxEntry.objects.get().status == OutboxStatus.SENDING
    # ...the worker dies here, holding the lease.

    assert outbox_drain(env=env).requests == 0  # leased rows are not sent twice at once
    clock.advance(61)
    outbox_drain(env=env)

    assert fake_tiktok.event_ids() == [conversion.event_id]
    entry = OutboxEntry.objects.get()
    assert (entry.status, entry.attempts) == (OutboxStatus.SENT, 2)


@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_a_worker_whose_lease_was_taken_over_cannot_overwrite_the_result(record, clock):
    record()
    stale = outbox_claim_due(now=clock.now, limit=50, lease_seconds=60)
    clock.advance(61)
    fresh = outbox_claim_due(now=clock.now, limit=50, lease_seconds=60)
    env, stats = Environment(now=clock), DrainStats()
    outbox_record_reply(claim=fresh, entries=fresh.entries, reply=Reply(Outcome.SUCCESS, "OK"),
                        env=env, stats=stats)
    outbox_record_reply(claim=stale, entries=stale.entries,
                        reply=Reply(Outcome.RETRYABLE, "late timeout"), env=env, stats=stats)

    assert OutboxEntry.objects.get().status == OutboxStatus.SENT
    assert (stats.sent, stats.retrying) == (1, 0)


@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_an_event_that_aged_out_while_retrying_is_skipped_with_the_reason(record, fake_tiktok, env,
                                                                         clock):
    record(age=timedelta(days=6))
    fake_tiktok.script(Fault.http(503))
    outbox_drain(env=env)
    clock.advance(2 * 86400)

    outbox_drain(env=env)

    entry = OutboxEntry.objects.get()
    assert entry.status == OutboxStatus.SKIPPED
    assert "too old for TikTok" in entry.last_error
    assert fake_tiktok.accepted == []


@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_rows_of_a_disabled_integration_wait(integration, record, fake_tiktok, env):
    record()
    integration.enabled = False
    integration.save()

    assert outbox_drain(env=env).requests == 0
    assert _statuses() == [OutboxStatus.QUEUED]


@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_an_opted_out_contact_is_never_sent(workspace, record, fake_tiktok, env):
    record(contact=ContactFactory(workspace=workspace, opted_out=True))

    outbox_drain(env=env)

    entry = OutboxEntry.objects.get()
    assert (entry.status, entry.last_error) == (OutboxStatus.SKIPPED,
                                               "contact opted out of data sharing")
    assert fake_tiktok.requests == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL session setting")
@pytest.mark.usefixtures("tiktok_settings", "integration")
def test_the_drain_relaxes_commit_durability_only_while_it_runs(record, env):
    record()
    outbox_drain(env=env)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.usefixtures("tiktok_settings")
def test_a_token_the_keys_cannot_decrypt_dead_letters_with_why_instead_of_crashing(
        integration, record, fake_tiktok, env):
    record()
    TikTokIntegration.objects.filter(pk=integration.pk).update(access_token="")
    with connection.cursor() as cursor:  # what a dropped FIELD_ENCRYPTION_KEYS key leaves behind
        cursor.execute(f"UPDATE {TikTokIntegration._meta.db_table} SET access_token = %s",
                       ["gAAAAABnot-a-token-these-keys-made"])

    outbox_drain(env=env)

    entry = OutboxEntry.objects.get()
    assert entry.status == OutboxStatus.DEAD
    assert "cannot be decrypted" in entry.last_error
    assert fake_tiktok.requests == []
