"""attribution.bulk: the shared set-based writes (binary COPY on PostgreSQL, VALUES on SQLite)."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from attribution.bulk import LazyRows, models_insert, rows_insert
from attribution.models import Contact, Touchpoint, Visitor
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
    """The batch's lookup misses a row another writer just stored: its COPY hits the unique
    constraint, the insert skips what exists, and the repeat is counted once."""
    from attribution.models import ConversionEvent, EventSource
    from attribution.services import conversions

    site = SiteFactory()
    event = {"site_id": site.pk, "event_name": "Lead", "event_id": "e-1", "occurred_at": AT,
             "value": Decimal("5"), "currency": "eur", "source": EventSource.PIXEL}
    conversions.conversion_record_many(workspace=site.workspace, events=[dict(event)])
    lookup, lookups = conversions._stored, []

    def first_lookup_misses(workspace_id, event_ids):
        lookups.append(event_ids)
        return {} if len(lookups) == 1 else lookup(workspace_id, event_ids)

    monkeypatch.setattr(conversions, "_stored", first_lookup_misses)

    outcomes = conversions.conversion_record_many(
        workspace=site.workspace, events=[dict(event), {**event, "event_id": "e-2"}])

    assert [o.created for o in outcomes] == [False, True]
    stored = ConversionEvent.objects.get(event_id="e-1")
    assert outcomes[0].pk == stored.pk
    assert (stored.duplicates_seen, stored.currency) == (1, "EUR")
    assert ConversionEvent.objects.filter(workspace=site.workspace).count() == 2
    assert lookups[1] == {"e-1"}  # read again: only what the insert skipped


def test_lazy_rows_are_made_each_time_they_are_read():
    made = []

    def make(item):
        made.append(item)
        return (item * 2,)

    rows = LazyRows([1, 2, 3], make)
    assert len(rows) == 3 and made == []
    assert list(rows) == [(2,), (4,), (6,)]
    assert list(rows) == [(2,), (4,), (6,)]  # read again (an insert retried as an upsert)
    assert rows[1:] == [(4,), (6,)] and rows[0] == (2,)
    assert made == [1, 2, 3, 1, 2, 3, 2, 3, 1]


def test_models_insert_stores_rows_with_defaults(workspace):
    ids = models_insert(Contact, [{"workspace_id": workspace.pk, "email_hash": f"e{i}"} for i in range(3)],
                        returning=("id",))
    stored = list(Contact.objects.filter(pk__in=[i for (i,) in ids]).order_by("id")
                  .values_list("email_hash", "phone_hash", "opted_out"))
    assert stored == [("e0", "", False), ("e1", "", False), ("e2", "", False)]


def test_a_row_with_an_unknown_column_fails_the_insert_mid_stream_and_stores_nothing(workspace):
    Contact.objects.create(workspace=workspace, email_hash="kept")
    rows = [{"workspace_id": workspace.pk, "email_hash": f"e{i}"} for i in range(5)]
    rows.append({"workspace_id": workspace.pk, "email_hash": "bad", "shoe_size": 44})
    with pytest.raises(ValueError, match=r"Contact: not insertable columns \['shoe_size'\]"), \
            transaction.atomic():
        models_insert(Contact, rows)
    assert list(Contact.objects.values_list("email_hash", flat=True)) == ["kept"]
