"""Bad rows are reported one by one, with the field and what to fix, while good rows import."""

import csv
import io

import pytest

from crm_sync.models import Deal, ImportStatus
from tests.crm.conftest import run_import


@pytest.fixture
def bad_rows_import(workspace):
    return run_import(workspace, "hubspot_bad_rows.csv")


def _report(deal_import) -> list[dict]:
    with deal_import.report.open("rb") as handle:
        return list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))


def test_good_rows_import_while_bad_rows_are_counted(bad_rows_import, workspace):
    assert bad_rows_import.status == ImportStatus.SUCCEEDED
    counts = (bad_rows_import.rows_total, bad_rows_import.rows_created, bad_rows_import.rows_failed)
    assert counts == (8, 2, 6)
    assert set(Deal.objects.filter(workspace=workspace).values_list("crm_id", flat=True)) == {
        "5000000001", "5000000008"}


@pytest.mark.parametrize(("row", "field", "message"), [
    ("3", "crm_id", "missing deal id"),
    ("4", "amount", "amount 'twelve dollars' is not a number like 1,234.56"),
    ("5", "created_at", "date 'the 1st of Nov' is not a date like 2026-12-31 or 12/31/2026"),
    ("6", "stage", "unknown stage 'Signed in blood'"),
    ("7", "email", "not an email address"),
    ("8", "row", "expected 6 columns, found 3"),
])
def test_each_bad_row_is_in_the_report_with_its_row_field_and_reason(bad_rows_import, row, field, message):
    errors = [e for e in _report(bad_rows_import) if e["row"] == row]

    assert len(errors) == 1
    assert errors[0]["field"] == field
    assert message in errors[0]["message"]


def test_the_report_never_contains_a_raw_email(bad_rows_import):
    with bad_rows_import.report.open("rb") as handle:
        assert b"not-an-email" not in handle.read()


def test_the_first_errors_are_kept_on_the_import_for_the_admin(bad_rows_import):
    assert [e["row"] for e in bad_rows_import.error_sample] == [3, 4, 5, 6, 7, 8]


def test_a_row_with_several_problems_reports_each_of_them(workspace):
    result = run_import(workspace, b"Record ID,Deal Stage,Amount,Close Date\n,,1.2.3,31/31/2026\n")

    assert {e["field"] for e in result.error_sample} == {"crm_id", "stage", "amount", "closed_at"}


def test_a_bad_currency_code_is_a_row_error(workspace):
    result = run_import(workspace, b"Record ID,Deal Stage,Amount,Currency\n1,closedwon,10,Euros\n")

    assert result.error_sample[0]["field"] == "currency"


def test_a_clean_file_has_no_report(workspace):
    result = run_import(workspace, "hubspot_deals.csv", phone_region="US")

    assert not result.report
