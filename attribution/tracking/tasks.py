"""Celery task draining the collector buffer into the database."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .buffer import buffer_drain
from .store import records_store


def _is_retryable(exc: Exception) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_jitter=True, max_retries=10)
def collector_drain() -> int:
    """Store everything buffered so far; idempotent, so a retry or a second run is harmless."""
    drained, pending = buffer_drain(store=lambda records: records_store(records=records),
                                    is_retryable=_is_retryable)
    if pending:
        collector_drain.apply_async(countdown=settings.CLICKLEDGER["COLLECTOR_DRAIN_DELAY_SECONDS"])
    return drained
