from django.apps import AppConfig


class CrmSyncConfig(AppConfig):
    name = "crm_sync"
    verbose_name = "CRM & platform sync"

    def ready(self) -> None:
        # Celery autodiscovers crm_sync/tasks.py only; the import tasks live in their own package.
        from crm_sync.importing import files, tasks  # noqa: F401  (files: its signal receiver)
