"""Celery tasks of crm_sync. Tasks take ids, are idempotent and acknowledge late.

Delivery retries live in the outbox rows (``next_attempt_at``), not in Celery's retry machinery:
that way a retry survives a lost worker and its state is visible in the admin. Celery retries
the task itself only when the database is briefly unreachable.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from crm_sync.services.outbox_drain import outbox_drain


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_jitter=True, max_retries=5)
def outbox_drain_due(integration_id: int | None = None) -> dict:
    """Send every due outbox row (beat runs this every TIKTOK_DRAIN_INTERVAL_SECONDS)."""
    return vars(outbox_drain(integration_id=integration_id))
