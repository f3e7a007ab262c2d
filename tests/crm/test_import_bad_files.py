"""A file we cannot read is refused whole, with a clear reason, and leaves nothing behind."""

import pytest

from attribution.models import Contact
from crm_sync.models import Deal, DealStageChange, ImportStatus
from tests.crm.conftest import run_import

GOOD_HEADER = "Record ID,Deal Name,Deal Stage,Email\n"


def _assert_refused(result, workspace, fragment):
    assert result.status == ImportStatus.FAILED
    assert fragment in result.error
    assert result.rows_created == 0
    assert not Deal.objects.filter(workspace=workspace).exists()
    assert not DealStageChange.objects.exists()
    assert not Contact.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "the file is empty"),
    (b"\n\n  \n", "the file is empty"),
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64, "ZIP/XLSX workbook, not a CSV file"),
    (b"%PDF-1.7\n%\xe2\xe3", "a PDF, not a CSV file"),
    (b"\x00\x01\x02binary\x00", "binary file, not a CSV file"),
    (GOOD_HEADER.encode(), "the file has a header but no deals"),
    (b"Name,Value\nfoo,1\n", "no column for crm_id, stage"),
])
def test_unreadable_files_are_refused_with_what_to_fix(workspace, content, fragment):
    _assert_refused(run_import(workspace, content), workspace, fragment)


def test_wrong_encoding_late_in_the_file_leaves_nothing_from_earlier_rows(workspace):
    good = "".join(f"{n},Deal {n},appointmentscheduled,p{n}@example.com\n" for n in range(1, 5001))
    content = (GOOD_HEADER + good).encode() + "9999,Caf\xe9 cr\xe8me,closedwon,\n".encode("cp1252")

    result = run_import(workspace, content)

    _assert_refused(result, workspace, "not valid UTF-8")
    assert "cp1252" in result.error


def test_a_cp1252_export_imports_when_its_encoding_is_chosen(workspace):
    content = (GOOD_HEADER + "1,Caf\xe9 cr\xe8me,closedwon,\n").encode("cp1252")

    result = run_import(workspace, content, encoding="cp1252")

    assert result.status == ImportStatus.SUCCEEDED
    assert Deal.objects.get(workspace=workspace).name == "Café crème"


def test_a_utf16_export_with_its_byte_order_mark_is_read(workspace):
    content = (GOOD_HEADER + "1,Ärger GmbH,closedwon,\n").encode("utf-16")

    result = run_import(workspace, content)

    assert result.status == ImportStatus.SUCCEEDED, result.error
    assert Deal.objects.get(workspace=workspace).name == "Ärger GmbH"


def test_an_unterminated_quote_is_refused_not_half_imported(workspace):
    content = (GOOD_HEADER + '1,ok,closedwon,\n2,"never closed,closedwon,\n').encode()
    content += b"x" * (1024 * 1024 + 10)

    result = run_import(workspace, content)

    _assert_refused(result, workspace, "not a readable CSV file")
