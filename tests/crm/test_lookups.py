"""``rows_by_key``: the import's lookups by a unique key, one index probe per value on PostgreSQL."""

import pytest
from django.db import transaction

from attribution.models import ConversionEvent
from crm_sync.importing.lookups import rows_by_key
from crm_sync.models import Deal
from tests.factories import ConversionEventFactory, DealFactory

pytestmark = pytest.mark.django_db


def test_only_the_exact_key_tuples_come_back_from_the_workspace(workspace, other_workspace):
    for event_name, event_id in (("ClosedWon", "deal:1"), ("Lead", "deal:2"), ("Lead", "deal:\x1f3")):
        ConversionEventFactory(workspace=workspace, event_name=event_name, event_id=event_id)
    ConversionEventFactory(workspace=other_workspace, event_name="ClosedWon", event_id="deal:2")

    def found(values):
        rows = rows_by_key(ConversionEvent, workspace_id=workspace.pk, key=("event_name", "event_id"),
                           values=values, fields=("event_id", "event_name"))
        return sorted((r["event_name"], r["event_id"]) for r in rows)

    # (ClosedWon, deal:2) pairs a stored name with a stored id, yet is no stored conversion here.
    assert found([("ClosedWon", "deal:2"), ("Lead", "deal:2"), ("Lead", "deal:9")]) == [("Lead", "deal:2")]
    # A value holding the separator the one-parameter lists use takes the plain IN, same answer.
    assert found([("Lead", "deal:\x1f3"), ("ClosedWon", "deal:1")]) == [
        ("ClosedWon", "deal:1"), ("Lead", "deal:\x1f3")]
    assert found([]) == []


def test_locked_lookups_return_the_fields_asked_for(workspace):
    deal = DealFactory(workspace=workspace, crm_id="A-1", stage="closedwon")

    with transaction.atomic():
        rows = rows_by_key(Deal, workspace_id=workspace.pk, key=("crm_id",), values=[("A-1",), ("B-2",)],
                           fields=("id", "stage"), lock=True)

    assert rows == [{"id": deal.pk, "stage": "closedwon"}]
