"""attribution.bulk: the shared set-based writes (binary COPY on PostgreSQL, VALUES on SQLite)."""

import uuid
from datetime import UTC, datetime

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
