"""Imports are upserts by CRM id: the same file twice changes nothing; a later file moves stages."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from attribution.identity.normalize import hash_email
from attribution.models import ConversionEvent, OutboxEntry
from crm_sync.models import Deal, DealStageChange, DealStageRule
from tests.crm.conftest import run_import
from tests.factories import ContactFactory, TikTokIntegrationFactory


@pytest.fixture
def rules(workspace):
    DealStageRule.objects.create(workspace=workspace, crm_stage="appointmentscheduled", event_name="Lead")
    DealStageRule.objects.create(workspace=workspace, crm_stage="Qualified To Buy",
                                 event_name="QualifiedLead")
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon",
                                 uses_amount=True)


def _snapshot(workspace):
    deals = list(Deal.objects.filter(workspace=workspace).order_by("crm_id").values())
    changes = list(DealStageChange.objects.filter(workspace=workspace).order_by("id").values())
    conversions = list(ConversionEvent.objects.filter(workspace=workspace).order_by("id").values())
    return deals, changes, conversions


def test_importing_the_same_file_twice_changes_no_row(workspace, rules):
    first = run_import(workspace, "hubspot_deals.csv", phone_region="US")
    before = _snapshot(workspace)

    second = run_import(workspace, "hubspot_deals.csv", phone_region="US")

    assert (first.rows_created, second.rows_created, second.rows_updated) == (4, 0, 0)
    assert second.rows_unchanged == 4
    assert (second.stage_changes, second.conversions_created) == (0, 0)
    assert _snapshot(workspace) == before


def test_a_new_deal_records_its_first_stage_at_its_create_date(workspace):
    run_import(workspace, "hubspot_deals.csv", phone_region="US")

    change = DealStageChange.objects.get(deal__crm_id="9876543210")
    assert (change.from_stage, change.to_stage) == ("", "appointmentscheduled")
    assert change.changed_at == datetime(2026, 11, 3, 9, 15, tzinfo=UTC)
    assert change.source == "import"


def test_a_later_file_moves_deals_and_records_each_change_with_its_time(workspace, rules):
    run_import(workspace, "hubspot_deals.csv", phone_region="US")

    later = run_import(workspace, "hubspot_deals_later.csv", phone_region="US")

    assert (later.rows_updated, later.stage_changes) == (2, 2)
    acme = Deal.objects.get(workspace=workspace, crm_id="9876543210")
    assert [(c.from_stage, c.to_stage) for c in acme.stage_changes.all()] == [
        ("", "appointmentscheduled"), ("appointmentscheduled", "qualifiedtobuy")]
    globex = Deal.objects.get(workspace=workspace, crm_id="9876543211")
    assert globex.stage == "closedwon" and globex.amount == Decimal("3250")
    won = globex.stage_changes.last()
    assert won.changed_at == datetime(2026, 11, 20, 15, 45, tzinfo=UTC)  # its close date


def test_deal_untouched_by_a_later_file_keeps_its_values(workspace):
    run_import(workspace, "hubspot_deals.csv", phone_region="US")
    run_import(workspace, "hubspot_deals_later.csv", phone_region="US")

    umbrella = Deal.objects.get(workspace=workspace, crm_id="9876543213")
    assert umbrella.stage == "closedwon" and umbrella.stage_changes.count() == 1


def test_stages_in_the_rules_become_conversions_with_deterministic_event_ids(workspace, rules):
    run_import(workspace, "hubspot_deals.csv", phone_region="US")
    run_import(workspace, "hubspot_deals_later.csv", phone_region="US")

    events = {(c.event_name, c.event_id) for c in ConversionEvent.objects.filter(workspace=workspace)}
    assert events == {
        ("Lead", "deal:9876543210:Lead"), ("QualifiedLead", "deal:9876543210:QualifiedLead"),
        ("QualifiedLead", "deal:9876543211:QualifiedLead"), ("ClosedWon", "deal:9876543211:ClosedWon"),
        ("ClosedWon", "deal:9876543213:ClosedWon")}
    won = ConversionEvent.objects.get(event_id="deal:9876543211:ClosedWon")
    assert won.source == "crm" and won.external_ref == "9876543211"
    assert (won.value, won.currency) == (Decimal("3250"), "EUR")
    assert won.occurred_at == datetime(2026, 11, 20, 15, 45, tzinfo=UTC)
    # Lookback windows count back from the deal's creation, not from its close weeks later.
    assert won.lookback_from == Deal.objects.get(crm_id="9876543211").created_at_crm
    assert won.lookback_from < won.occurred_at
    lead = ConversionEvent.objects.get(event_id="deal:9876543210:Lead")
    assert lead.value == 0 and lead.ttclid == "E.C.P.v3ttclid-acme"


def test_a_deal_moving_back_into_a_converting_stage_is_counted_not_stored_again(workspace, rules):
    header = b"Record ID,Deal Stage,Amount,Last Modified Date\n"
    run_import(workspace, header + b"77,closedwon,500,2026-11-01\n")
    run_import(workspace, header + b"77,contractsent,500,2026-11-02\n")

    run_import(workspace, header + b"77,closedwon,500,2026-11-03\n")

    won = ConversionEvent.objects.get(workspace=workspace, event_name="ClosedWon")
    assert won.duplicates_seen == 1
    assert Deal.objects.get(crm_id="77").stage_changes.count() == 3


def test_one_deal_twice_in_a_file_records_both_stage_changes_in_file_order(workspace, rules):
    run_import(workspace, b"Record ID,Deal Stage\n88,appointmentscheduled\n88,closedwon\n")

    deal = Deal.objects.get(workspace=workspace, crm_id="88")
    assert [c.to_stage for c in deal.stage_changes.all()] == ["appointmentscheduled", "closedwon"]
    assert deal.stage == "closedwon"


def test_new_conversions_get_outbox_rows_where_an_integration_maps_them(workspace, rules):
    TikTokIntegrationFactory(workspace=workspace, event_mapping={"ClosedWon": "CompletePayment"})

    run_import(workspace, "hubspot_deals.csv", phone_region="US")
    run_import(workspace, "hubspot_deals.csv", phone_region="US")

    entries = OutboxEntry.objects.filter(workspace=workspace)
    assert [(e.conversion.event_id, e.platform_event) for e in entries] == [
        ("deal:9876543213:ClosedWon", "CompletePayment")]


def test_a_conversion_of_an_opted_out_contact_is_never_sent_and_says_why(workspace, rules):
    ContactFactory(workspace=workspace, email_hash=hash_email("buyer@umbrella.example"), opted_out=True)
    TikTokIntegrationFactory(workspace=workspace, event_mapping={"ClosedWon": "CompletePayment"})

    run_import(workspace, "hubspot_deals.csv", phone_region="US")

    assert ConversionEvent.objects.filter(event_id="deal:9876543213:ClosedWon").exists()
    entry = OutboxEntry.objects.get()
    assert (entry.status, entry.last_error) == ("skipped", "contact opted out of data sharing")


def test_a_deal_won_too_long_ago_for_tiktok_is_skipped_with_the_reason(workspace, rules):
    TikTokIntegrationFactory(workspace=workspace, event_mapping={"ClosedWon": "CompletePayment"})

    run_import(workspace, b"Record ID,Deal Stage,Amount,Close Date\n55,closedwon,900,2025-01-15\n")

    entry = OutboxEntry.objects.get(conversion__event_id="deal:55:ClosedWon")
    assert entry.status == "skipped" and entry.event_source == "crm"
    assert entry.last_error.startswith("too old for TikTok")


def test_each_workspace_has_its_own_deals_for_the_same_crm_id(workspace, other_workspace):
    run_import(workspace, "hubspot_deals.csv", phone_region="US")
    run_import(other_workspace, "hubspot_deals.csv", phone_region="US")

    assert Deal.objects.filter(crm_id="9876543210").count() == 2


def test_an_older_state_arriving_after_a_newer_one_is_ignored(workspace, rules):
    header = b"Opportunity ID,Stage,Last Stage Change Date\n"
    run_import(workspace, header + b"006A,Qualification,11/5/2026 10:00 AM\n", preset="salesforce")
    run_import(workspace, header + b"006A,Closed Won,11/9/2026 10:00 AM\n", preset="salesforce")

    late = run_import(workspace, header + b"006A,Qualification,11/5/2026 10:00 AM\n", preset="salesforce")

    assert late.rows_unchanged == 1 and late.stage_changes == 0
    deal = Deal.objects.get(crm_id="006A")
    assert deal.stage == "Closed Won"
    assert [c.changed_at.day for c in deal.stage_changes.all()] == [5, 9]


def test_with_two_integrations_mapping_the_event_the_first_gets_the_one_outbox_row(workspace, rules,
                                                                                 settings):
    # The fixture's deal closed on 2026-11-06; this test is about which integration gets the row,
    # not TikTok's age limit (tests/sync), so that limit must not depend on the day it runs.
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "TIKTOK_OFFLINE_EVENT_MAX_AGE_DAYS": 36500}
    first = TikTokIntegrationFactory(workspace=workspace, event_mapping={"ClosedWon": "CompletePayment"})
    TikTokIntegrationFactory(workspace=workspace, event_mapping={"ClosedWon": "PlaceAnOrder"})
    TikTokIntegrationFactory(workspace=workspace, enabled=False, event_mapping={"Lead": "SubmitForm"})

    run_import(workspace, "hubspot_deals.csv", phone_region="US")

    entry = OutboxEntry.objects.get()
    assert (entry.integration, entry.platform_event, entry.status) == (first, "CompletePayment", "queued")
    assert entry.next_attempt_at == entry.conversion.received_at


def _stored_mid_batch(table: str, key: str, store):
    """An execute wrapper that calls ``store()`` once: after the batch's lookup in ``table`` (a
    query reading it by ``key``), just before its insert into it (or the savepoint that insert
    runs in) — where a concurrent writer's committed row would appear. Created inside the
    savepoint, the row would vanish with its rollback and prove nothing."""
    state = {"read": False, "done": False}

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(("SELECT", "WITH")) and f'FROM "{table}"' in sql and key in sql:
            state["read"] = True
        elif (sql.startswith("SAVEPOINT") or f'INSERT INTO "{table}"' in sql) and state["read"] \
                and not state["done"]:
            state["done"] = True
            store()
        return execute(sql, params, many, context)

    return wrapper, state


def test_a_deal_another_writer_stores_mid_batch_is_updated_not_duplicated(workspace):
    """Between a batch reading its stored deals and inserting the new ones, a webhook may store one
    of them: the insert is refused by the unique constraint and the batch upserts instead."""
    webhook = {}

    def store():
        webhook["deal"] = Deal.objects.create(workspace=workspace, crm_id="9876543210", stage="closedlost",
                                              name="stored by a webhook")

    wrapper, state = _stored_mid_batch("crm_sync_deal", "crm_id", store)
    with connection.execute_wrapper(wrapper):
        result = run_import(workspace, "hubspot_deals.csv", phone_region="US")

    assert state["done"]
    assert result.status == "succeeded"
    acme = Deal.objects.get(workspace=workspace, crm_id="9876543210")
    assert acme.pk == webhook["deal"].pk  # the webhook's row, updated in place
    assert (acme.stage, acme.name) == ("appointmentscheduled", "Acme Corp – annual plan")
    assert Deal.objects.filter(workspace=workspace).count() == 4
    assert (result.rows_created, result.rows_updated) == (4, 0)  # as planned: all four were new
    assert [c.to_stage for c in acme.stage_changes.all()] == ["appointmentscheduled"]


def test_a_conversion_another_writer_stores_mid_batch_is_counted_once(workspace, rules):
    """Between a batch looking up its stage conversions and inserting the new ones, a webhook may
    store one of them: the insert is refused by the unique index, the batch upserts the others and
    counts that one as a repeat."""
    clean = run_import(workspace, "hubspot_deals.csv", phone_region="US")
    expected = sorted(ConversionEvent.objects.filter(workspace=workspace).values_list("event_id", flat=True))
    ConversionEvent.objects.filter(workspace=workspace).delete()
    Deal.objects.filter(workspace=workspace).delete()
    taken = expected[0]

    def store():
        ConversionEvent.objects.create(workspace=workspace, event_name=taken.rsplit(":", 1)[1],
                                       event_id=taken, source="crm", occurred_at=clean.finished_at)

    wrapper, state = _stored_mid_batch("attribution_conversionevent", "event_id", store)
    with connection.execute_wrapper(wrapper):
        result = run_import(workspace, "hubspot_deals.csv", phone_region="US")

    assert state["done"]
    assert result.status == "succeeded"
    assert result.conversions_created == clean.conversions_created - 1
    stored = sorted(ConversionEvent.objects.filter(workspace=workspace).values_list("event_id", flat=True))
    assert stored == expected
    assert ConversionEvent.objects.get(event_id=taken).duplicates_seen == 1
