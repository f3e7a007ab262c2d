"""``manage.py import_deals`` imports a file and prints what it did."""

import io

import pytest
from django.core.management import CommandError, call_command

from crm_sync.models import Deal
from tests.crm.conftest import FIXTURES


def test_the_command_imports_a_hubspot_export_and_summarises(workspace):
    out = io.StringIO()

    call_command("import_deals", str(FIXTURES / "hubspot_deals.csv"), workspace=workspace.slug,
                 phone_region="US", stdout=out)

    assert "4 rows, 4 created, 0 updated, 0 unchanged, 0 bad" in out.getvalue()
    assert Deal.objects.filter(workspace=workspace).count() == 4


def test_the_command_points_at_the_report_when_rows_are_bad(workspace):
    out = io.StringIO()

    call_command("import_deals", str(FIXTURES / "hubspot_bad_rows.csv"), workspace=workspace.slug, stdout=out)

    assert "6 bad" in out.getvalue() and "row errors: " in out.getvalue()


def test_the_command_fails_loudly_on_a_refused_file(workspace, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")

    with pytest.raises(CommandError, match="the file is empty"):
        call_command("import_deals", str(empty), workspace=workspace.slug, stdout=io.StringIO())


def test_the_command_reads_european_salesforce_exports_with_options(workspace):
    call_command("import_deals", str(FIXTURES / "salesforce_opportunities_eu.csv"), workspace=workspace.slug,
                 preset="salesforce", day_first=True, decimal_comma=True, phone_region="DE",
                 stdout=io.StringIO())

    assert Deal.objects.filter(workspace=workspace).count() == 2
