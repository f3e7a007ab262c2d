"""An import's files: the uploaded file (raw emails and phones) is not kept once its import has
finished; deleting an import deletes its files from storage."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from crm_sync.importing.services import deal_import_create, deal_import_run
from crm_sync.models import Deal, DealImport, ImportStatus

from .conftest import run_import

ROWS = (b"Record ID,Deal Stage,Amount,Email\n"
        b"1,closedwon,100,ana@example.com\n"
        b"2,closedwon,not money,bo@example.com\n")


def test_the_uploaded_file_is_deleted_once_its_deals_are_imported(workspace):
    deal_import = deal_import_create(workspace=workspace, file=ContentFile(ROWS, "export.csv"),
                                     preset="hubspot")
    uploaded = deal_import.file.name
    assert default_storage.exists(uploaded)  # kept while awaiting confirmation: the preview reads it

    deal_import = deal_import_run(deal_import=deal_import)

    assert deal_import.status == ImportStatus.SUCCEEDED and Deal.objects.count() == 1
    assert not default_storage.exists(uploaded)
    stored = DealImport.objects.get(pk=deal_import.pk)
    assert not stored.file and stored.original_name == "export.csv"
    assert str(stored) == "export.csv — succeeded"
    assert stored.report and default_storage.exists(stored.report.name)  # the bad row's report stays
    assert b"bo@example.com" not in default_storage.open(stored.report.name).read()


def test_a_refused_file_is_not_kept_either(workspace):
    empty = ContentFile(b"Record ID,Deal Stage\n", "e.csv")
    deal_import = deal_import_create(workspace=workspace, file=empty, preset="hubspot")
    uploaded = deal_import.file.name

    deal_import = deal_import_run(deal_import=deal_import)

    assert deal_import.status == ImportStatus.FAILED and "no deals" in deal_import.error
    assert not default_storage.exists(uploaded)
    assert not DealImport.objects.get(pk=deal_import.pk).file


def test_deleting_an_import_deletes_its_files_once_the_deletion_commits(
        workspace, django_capture_on_commit_callbacks):
    finished = run_import(workspace, ROWS)
    waiting = deal_import_create(workspace=workspace, file=ContentFile(ROWS, "later.csv"), preset="hubspot")
    names = [finished.report.name, waiting.file.name]
    assert all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=False) as pending:
        DealImport.objects.filter(workspace=workspace).delete()  # as admin's bulk delete does
    assert all(default_storage.exists(name) for name in names)  # not before the commit
    for callback in pending:
        callback()

    assert not any(default_storage.exists(name) for name in names)
    assert Deal.objects.count() == 1  # the imported deals stay
