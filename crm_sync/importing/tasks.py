"""Celery task running a confirmed deal import. Registered through ``crm_sync.apps``."""

from celery import shared_task
from django.db import OperationalError

from crm_sync.models import DealImport, ImportStatus

from .services import deal_import_run


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_jitter=True, max_retries=5)
def deal_import_task(self, deal_import_id: int) -> str:
    """Run import ``deal_import_id``. Idempotent: a finished import is left alone, and a rerun of an
    interrupted one starts over (its transaction was rolled back) and upserts the same deals."""
    deal_import = DealImport.objects.select_related("workspace", "mapping").get(pk=deal_import_id)
    if deal_import.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
        return deal_import.status
    return deal_import_run(deal_import=deal_import).status
