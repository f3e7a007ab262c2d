"""Real-looking HubSpot and Salesforce exports import with every field read right."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_sync.models import Deal, ImportStatus
from tests.crm.conftest import run_import


@pytest.fixture
def berlin(workspace):
    workspace.timezone = "Europe/Berlin"
    workspace.save()
    return workspace


def test_hubspot_export_with_bom_quoted_newlines_and_thousands_separators_imports(workspace):
    result = run_import(workspace, "hubspot_deals.csv", phone_region="US")

    assert result.status == ImportStatus.SUCCEEDED, result.error
    assert (result.rows_total, result.rows_created, result.rows_failed) == (4, 4, 0)
    acme = Deal.objects.get(workspace=workspace, crm_id="9876543210")
    assert acme.crm == "hubspot"
    assert acme.name == "Acme Corp – annual plan"
    assert acme.stage == "appointmentscheduled"
    assert acme.amount == Decimal("12500.50") and acme.currency == "USD"
    assert acme.owner == "Dana Sales"
    assert acme.created_at_crm == datetime(2026, 11, 3, 9, 15, tzinfo=UTC)
    assert (acme.utm_source, acme.utm_campaign, acme.utm_content) == ("tiktok", "bf_2026",
                                                                      "1790000000000001")
    assert acme.ttclid == "E.C.P.v3ttclid-acme"
    assert acme.cl_visitor_id == "6f9619ff-8b86-4d01-b42d-00cf4fc964ff"
    globex = Deal.objects.get(workspace=workspace, crm_id="9876543211")
    assert globex.name == 'Globex "Pilot"\n(two seats)'
    assert globex.amount == Decimal("3000") and globex.currency == "EUR"
    assert globex.stage == "qualifiedtobuy"


def test_hubspot_row_without_amount_keeps_amount_empty_in_workspace_currency(workspace):
    run_import(workspace, "hubspot_deals.csv", phone_region="US")

    initech = Deal.objects.get(workspace=workspace, crm_id="9876543212")
    assert initech.amount is None
    assert initech.currency == workspace.currency


def test_naive_export_dates_are_read_in_the_workspace_time_zone(berlin):
    run_import(berlin, "hubspot_deals.csv", phone_region="US")

    acme = Deal.objects.get(workspace=berlin, crm_id="9876543210")
    assert acme.created_at_crm == datetime(2026, 11, 3, 8, 15, tzinfo=UTC)
    assert acme.closed_at == datetime(2026, 12, 14, 23, 0, tzinfo=UTC)


def test_salesforce_report_export_reads_us_dates_and_currency_prefixed_amounts(workspace):
    result = run_import(workspace, "salesforce_opportunities.csv", preset="salesforce",
                        phone_region="US")

    assert result.status == ImportStatus.SUCCEEDED, result.error
    assert result.rows_created == 3 and result.rows_failed == 0
    wayne = Deal.objects.get(workspace=workspace, crm_id="0065g00000XyZ1AAA")
    assert wayne.crm == "salesforce"
    assert wayne.stage == "Prospecting"
    assert wayne.amount == Decimal("25000.00") and wayne.currency == "USD"
    assert wayne.created_at_crm == datetime(2026, 11, 2, tzinfo=UTC)
    assert wayne.closed_at == datetime(2026, 12, 31, tzinfo=UTC)
    oscorp = Deal.objects.get(workspace=workspace, crm_id="0065g00000XyZ3AAA")
    assert oscorp.amount == Decimal("1200000.00")
    assert oscorp.stage_changes.get().changed_at == datetime(2026, 11, 5, 17, tzinfo=UTC)


def test_european_salesforce_export_needs_day_first_and_decimal_comma(berlin):
    result = run_import(berlin, "salesforce_opportunities_eu.csv", preset="salesforce",
                        day_first=True, decimal_comma=True, phone_region="DE")

    assert result.status == ImportStatus.SUCCEEDED, result.error
    assert result.rows_failed == 0, result.error_sample
    mueller = Deal.objects.get(workspace=berlin, crm_id="0065g00000EuR1AAA")
    assert mueller.name == "Müller GmbH – Rahmenvertrag"
    assert mueller.amount == Decimal("12500.00") and mueller.currency == "EUR"
    assert mueller.created_at_crm == datetime(2026, 11, 2, 23, tzinfo=UTC)
    assert mueller.contact.phone_hash  # 030 … read as a German number
    dupont = Deal.objects.get(workspace=berlin, crm_id="0065g00000EuR2AAA")
    assert dupont.amount == Decimal("1250.50")
    assert dupont.closed_at == datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_european_export_without_the_options_reports_its_amounts_as_bad_rows(berlin):
    result = run_import(berlin, "salesforce_opportunities_eu.csv", preset="salesforce")

    assert result.status == ImportStatus.SUCCEEDED
    assert {e["field"] for e in result.error_sample} >= {"amount"}
    assert not Deal.objects.filter(workspace=berlin, crm_id="0065g00000EuR1AAA").exists()


def test_phone_without_country_code_needs_a_region(workspace, settings):
    result = run_import(workspace, "hubspot_deals.csv")

    assert result.rows_failed == 1
    assert result.error_sample[0]["field"] == "phone"
    assert "no country code and no region" in result.error_sample[0]["message"]
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "CRM_DEFAULT_PHONE_REGION": "US"}
    assert run_import(workspace, "hubspot_deals.csv").rows_failed == 0
