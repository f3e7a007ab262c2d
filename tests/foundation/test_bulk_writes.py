"""attribution.bulk: the shared set-based writes (binary COPY on PostgreSQL, VALUES on SQLite)."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from attribution.bulk import models_insert, rows_insert
from attribution.models import Touchpoint, Visitor
from tests.factories import SiteFactory, VisitorFactory

AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_an_upsert_outside_any_transaction_writes_and_returns_every_row():
    """Outside a transaction the staged write opens its own (its temporary table lives until
    COMMIT)."""
    site = SiteFactory()
    known = VisitorFactory(workspace=site.workspace, site=site)
    fresh = uuid.uuid4()
    rows = [(site.workspace_id, site.pk, uid, AT, AT) for uid in (known.uid, fresh)]

    found = rows_insert(Visitor, ("workspace", "site", "uid", "first_seen_at", "last_seen_at"),
                        rows, conflict=("workspace", "uid"), update=("last_seen_at",),
                        returning=("uid", "id"))

    assert {str(uid).replace("-", "") for uid, _ in found} == {known.uid.hex, fresh.hex}
    known.refresh_from_db()
    assert known.last_seen_at == AT
    assert Visitor.objects.filter(workspace=site.workspace).count() == 2


@pytest.mark.django_db
def test_ignored_conflicts_skip_a_resent_key_of_a_partial_unique_index():
    site = SiteFactory()
    visitor = VisitorFactory(workspace=site.workspace, site=site)
    row = {"workspace_id": site.workspace_id, "site_id": site.pk, "visitor_id": visitor.pk,
           "occurred_at": AT, "touch_key": "k-1"}
    unkeyed = {**row, "touch_key": ""}

    models_insert(Touchpoint, [row, row, unkeyed], ignore_conflicts=True)
    models_insert(Touchpoint, [row, unkeyed], ignore_conflicts=True)

    assert Touchpoint.objects.filter(touch_key="k-1").count() == 1
    assert Touchpoint.objects.filter(touch_key="").count() == 2


@pytest.mark.django_db
def test_a_conversion_stored_concurrently_is_counted_as_a_repeat(monkeypatch):
    """The batch's lookup misses a row another writer just stored: its COPY/INSERT hits the unique
    constraint and the batch is recorded one by one instead, the repeat counted once."""
    from attribution.models import ConversionEvent, EventSource
    from attribution.services import conversions_bulk

    site = SiteFactory()
    event = {"site_id": site.pk, "event_name": "Lead", "event_id": "e-1", "occurred_at": AT,
             "value": Decimal("5"), "currency": "eur", "source": EventSource.PIXEL}
    conversions_bulk.conversion_record_many(workspace=site.workspace, events=[dict(event)])
    monkeypatch.setattr(ConversionEvent.objects, "select_for_update",
                        lambda: ConversionEvent.objects.none())

    outcomes = conversions_bulk.conversion_record_many(
        workspace=site.workspace, events=[dict(event), {**event, "event_id": "e-2"}])

    assert [o.created for o in outcomes] == [False, True]
    stored = ConversionEvent.objects.get(event_id="e-1")
    assert (stored.duplicates_seen, stored.currency) == (1, "EUR")
    assert ConversionEvent.objects.filter(workspace=site.workspace).count() == 2
