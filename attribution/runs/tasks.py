"""Celery tasks of attribution runs. They take ids, are idempotent and acknowledge late.

start (plan, then the fit pass of a run of several chunks; a lone chunk fits its run itself) →
one ``attribution_chunk`` per chunk (any worker may take any) → the chunk that finishes last
enqueues ``attribution_finalize`` → ``attribution_cleanup`` removes replaced output.
Only database connection errors are retried; anything else fails the run with its message.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from attribution.models import AttributionRun, AttributionRunChunk, Workspace

from . import fitting, services

logger = logging.getLogger(__name__)
RETRYABLE = (OperationalError, InterfaceError)
TASK_OPTIONS = {"acks_late": True, "autoretry_for": RETRYABLE, "retry_backoff": True,
                "retry_backoff_max": 300, "retry_jitter": True, "max_retries": 6}


def _failing(run_id: int, exc: Exception) -> None:
    if not isinstance(exc, RETRYABLE):
        logger.exception("attribution run %s failed", run_id)
        services.run_fail(run_id=run_id, error=repr(exc))


@shared_task(name="attribution.run_start", **TASK_OPTIONS)
def attribution_run_start(run_id: int) -> None:
    run = AttributionRun.objects.select_related("workspace").get(id=run_id)
    try:
        chunks = services.run_chunks_pending(run=run)
        if chunks:
            fitting.run_fit(run=run)  # before any chunk credits (or left to a lone chunk)
    except Exception as exc:
        _failing(run_id, exc)
        raise
    for chunk in chunks:
        attribution_chunk.delay(chunk.id)


@shared_task(name="attribution.chunk", **TASK_OPTIONS)
def attribution_chunk(chunk_id: int) -> None:
    run_id = AttributionRunChunk.objects.values_list("run_id", flat=True).get(id=chunk_id)
    try:
        last = services.chunk_process(chunk_id=chunk_id)
    except Exception as exc:
        _failing(run_id, exc)
        raise
    if last:
        attribution_finalize.delay(run_id)


@shared_task(name="attribution.finalize", **TASK_OPTIONS)
def attribution_finalize(run_id: int) -> None:
    try:
        run = services.run_finalize(run_id=run_id)
    except Exception as exc:
        _failing(run_id, exc)
        raise
    attribution_cleanup.delay(run.workspace_id)


@shared_task(name="attribution.cleanup", **TASK_OPTIONS)
def attribution_cleanup(workspace_id: int) -> None:
    services.runs_cleanup(workspace=Workspace.objects.get(id=workspace_id))
