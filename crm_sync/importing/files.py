"""An import's files live no longer than they are needed: the uploaded file until its import
finishes (``services._finish``), the row error report as long as its import. Deleting an import
(in admin, or with its workspace) deletes both from storage once the deletion commits."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from crm_sync.models import DealImport


@receiver(post_delete, sender=DealImport, dispatch_uid="deal_import_files_delete")
def deal_import_files_delete(sender, instance: DealImport, **kwargs) -> None:
    stored = [(f.storage, f.name) for f in (instance.file, instance.report) if f]
    if stored:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])
