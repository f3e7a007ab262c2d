"""The Celery task: idempotent, and its progress is visible while the import runs."""

from django.core.files.base import ContentFile

from crm_sync.importing import services
from crm_sync.importing.selectors import deal_import_progress
from crm_sync.importing.services import deal_import_create, deal_import_run
from crm_sync.importing.tasks import deal_import_task
from crm_sync.models import Deal, DealImport, ImportStatus


def _many_rows(n: int) -> bytes:
    return ("Record ID,Deal Stage\n" + "".join(f"{i},appointmentscheduled\n" for i in range(n))).encode()


def test_progress_is_published_batch_by_batch_while_running(workspace, monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 100)
    deal_import = deal_import_create(workspace=workspace, file=ContentFile(_many_rows(450), "d.csv"),
                                     preset="hubspot")
    seen = []

    def on_progress(rows, done, total):
        seen.append(deal_import_progress(deal_import=DealImport.objects.get(pk=deal_import.pk)))

    deal_import_run(deal_import=deal_import, on_progress=on_progress)

    assert [p["rows"] for p in seen] == [101, 201, 301, 401, 450, 450]
    assert all(0 < p["percent"] <= 99.9 for p in seen)
    assert deal_import_progress(deal_import=deal_import) == {"rows": 450, "percent": 100.0}


def test_the_task_imports_once_and_a_rerun_of_a_finished_import_does_nothing(workspace):
    deal_import = deal_import_create(workspace=workspace, file=ContentFile(_many_rows(3), "d.csv"),
                                     preset="hubspot")

    assert deal_import_task.delay(deal_import.pk).get() == ImportStatus.SUCCEEDED
    Deal.objects.all().delete()
    assert deal_import_task.delay(deal_import.pk).get() == ImportStatus.SUCCEEDED

    assert not Deal.objects.exists()  # the rerun did not import again
