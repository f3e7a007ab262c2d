"""Queueing conversions for TikTok: the right event source, and unsendable ones skipped with why."""

from datetime import timedelta

import pytest

from attribution.models import ConversionEvent, EventSource, OutboxEntry, OutboxStatus

pytestmark = pytest.mark.django_db


def test_web_conversions_queue_for_the_pixel_and_crm_stages_for_the_event_set(integration, record):
    web = record("CompletePayment", source=EventSource.PIXEL)
    crm = record("QualifiedLead", source=EventSource.CRM)

    rows = {row.conversion_id: row for row in OutboxEntry.objects.all()}

    assert (rows[web.pk].event_source, rows[web.pk].status) == ("web", OutboxStatus.QUEUED)
    assert (rows[crm.pk].event_source, rows[crm.pk].platform_event) == ("crm", "QualifyLead")


def test_an_integration_can_send_crm_stages_as_offline_events(integration, record):
    integration.crm_event_source = "offline"
    integration.save()
    record("ClosedWon", source=EventSource.CRM)
    assert OutboxEntry.objects.get().event_source == "offline"


def test_a_web_event_older_than_the_platform_accepts_is_skipped_with_the_limit(integration, record):
    record(age=timedelta(days=8))
    entry = OutboxEntry.objects.get()
    assert entry.status == OutboxStatus.SKIPPED
    assert entry.last_error == ("too old for TikTok: web events are accepted up to 7 days "
                                "(TIKTOK_WEB_EVENT_MAX_AGE_DAYS)")


def test_crm_stages_may_be_older_than_web_events(integration, record):
    record("ClosedWon", source=EventSource.CRM, age=timedelta(days=20))
    assert OutboxEntry.objects.get().status == OutboxStatus.QUEUED


def test_without_an_event_set_id_crm_stages_are_skipped_with_why(integration, record):
    integration.event_set_id = ""
    integration.save()
    record("ClosedWon", source=EventSource.CRM)
    entry = OutboxEntry.objects.get()
    assert (entry.status, entry.last_error) == (OutboxStatus.SKIPPED,
                                               "integration has no event set id for crm events")


def test_disabled_integrations_queue_nothing(integration, record):
    integration.enabled = False
    integration.save()
    record()
    assert not OutboxEntry.objects.exists()


def test_deleting_a_conversion_deletes_its_outbox_rows(integration, record):
    # The outbox row has no database foreign key to its conversion (it is written with it):
    # Django's cascade is what removes it.
    gone, kept = record("CompletePayment"), record("ClosedWon", source=EventSource.CRM)
    assert OutboxEntry.objects.count() == 2

    ConversionEvent.objects.filter(pk=gone.pk).delete()

    assert list(OutboxEntry.objects.values_list("conversion_id", flat=True)) == [kept.pk]
