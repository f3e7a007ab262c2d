"""Erasing a person: none of their keys remains in any column of any table, attribution totals do
not move, and nothing queued for them is ever sent."""

import pytest
from django.db import connection
from django.db.models import Sum

from attribution.models import Contact, ConversionEvent, OutboxEntry, OutboxStatus, Touchpoint
from attribution.runs.selectors import current_rollups
from attribution.runs.services import run_create, run_execute
from crm_sync.models import Deal, PersonErasure
from crm_sync.privacy.erasure import person_erase
from crm_sync.privacy.finder import person_find
from crm_sync.privacy.keys import person_keys
from crm_sync.services.outbox_drain import outbox_drain

pytestmark = pytest.mark.django_db


def tables_holding(value: str) -> list[str]:
    """Every ``table.column`` whose text holds ``value``, over the whole database."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                name = connection.ops.quote_name(column.name)
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                               f"WHERE CAST({name} AS TEXT) LIKE %s", [f"%{value}%"])
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column.name}")
    return hits


def totals(workspace):
    return current_rollups(workspace=workspace).aggregate(n=Sum("conversions"), revenue=Sum("revenue"))


def test_every_key_of_the_person_is_gone_from_every_column_of_every_table(workspace, people):
    erased, kept = people
    assert tables_holding(erased.ttclid) and tables_holding(erased.deal_id)  # the search finds

    person_erase(workspace=workspace, keys=person_keys(email=erased.email), source="command")

    for key in erased.stored_keys():
        assert tables_holding(key) == [], key
    for key in (kept.ttclid, kept.deal_id, kept.order_id):
        assert tables_holding(key), "the other person's rows stay as they were"


def test_attribution_totals_are_unchanged_after_an_erasure_and_after_a_rerun(workspace, people):
    erased, _ = people
    before = totals(workspace)
    conversions = ConversionEvent.objects.filter(workspace=workspace).aggregate(Sum("value"))

    person_erase(workspace=workspace, keys=person_keys(deal_id=erased.deal_id), source="command")

    assert totals(workspace) == before
    assert ConversionEvent.objects.filter(workspace=workspace).aggregate(Sum("value")) == conversions
    run_execute(run=run_create(workspace=workspace))
    assert totals(workspace) == before


def test_a_queued_outbox_row_of_the_erased_person_is_never_sent(workspace, people, fake_tiktok,
                                                                 drain_env):
    erased, kept = people
    queued = OutboxEntry.objects.filter(workspace=workspace, status=OutboxStatus.QUEUED)
    assert queued.count() == 4  # a web and a CRM conversion each

    log = person_erase(workspace=workspace, keys=person_keys(ttclid=erased.ttclid), source="api")
    outbox_drain(env=drain_env)

    sent_ids = fake_tiktok.event_ids()
    assert sorted(sent_ids) == sorted([kept.order_id, f"deal:{kept.deal_id}:ClosedWon"])
    assert log.outbox_cancelled == 2
    assert OutboxEntry.objects.filter(status=OutboxStatus.SKIPPED,
                                      last_error__startswith="cancelled").count() == 2


def test_the_person_is_found_whole_from_any_one_key(workspace, people):
    erased, _ = people
    by_key = [person_find(workspace=workspace, keys=person_keys(**key)) for key in (
        {"email": erased.email}, {"phone": erased.phone}, {"external_id": erased.external_id},
        {"visitor_id": str(erased.visitors[1].uid)}, {"ttclid": erased.ttclid},
        {"deal_id": erased.deal_id})]
    assert all(rows == by_key[0] for rows in by_key)
    counts = by_key[0].counts()
    assert counts["contacts"] == 1 and counts["visitors"] == 2 and counts["touchpoints"] == 2
    assert counts["conversions"] == 2 and counts["deals"] == 1 and counts["outbox"] == 2
    assert counts["stage_changes"] >= 1 and counts["credits"] >= 2


def test_the_erasure_is_logged_with_counts_and_hashed_keys_only(workspace, people):
    erased, _ = people
    person_erase(workspace=workspace, keys=person_keys(email=erased.email, phone=erased.phone),
                 source="admin")

    log = PersonErasure.objects.get()
    assert log.counts["conversions"] == 2 and log.rows_total > 8
    assert len(log.key_hashes) == 2
    assert erased.email not in str(log.key_hashes)
    contact = Contact.objects.get(pk__in=person_find(workspace=workspace, keys=person_keys(
        email="john.doe@example.com")).contacts)
    assert not contact.opted_out


def test_erasing_again_finds_nothing_and_changes_nothing(workspace, people):
    erased, _ = people
    person_erase(workspace=workspace, keys=person_keys(email=erased.email), source="command")
    touches = list(Touchpoint.objects.order_by("pk").values())
    deals = list(Deal.objects.order_by("pk").values_list("crm_id", flat=True))

    again = person_erase(workspace=workspace, keys=person_keys(email=erased.email), source="command")

    assert again.rows_total == 0
    assert list(Touchpoint.objects.order_by("pk").values()) == touches
    assert list(Deal.objects.order_by("pk").values_list("crm_id", flat=True)) == deals
