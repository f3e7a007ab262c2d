"""Celery tasks of the dashboard: the weekly audit (scheduled by django-celery-beat, editable in admin)."""

from datetime import date

from celery import shared_task
from django.db import OperationalError

from attribution.models import Workspace
from dashboard.services.audit import audit_run


@shared_task(acks_late=True)
def run_weekly_audits() -> int:
    """Fan out one audit task per workspace; returns how many were queued."""
    ids = list(Workspace.objects.values_list("id", flat=True))
    for workspace_id in ids:
        run_workspace_audit.delay(workspace_id)
    return len(ids)


@shared_task(
    acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, retry_jitter=True, max_retries=5
)
def run_workspace_audit(workspace_id: int, period_end: str | None = None) -> int | None:
    """Audit one workspace (idempotent per period); retries only when the database is unavailable."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return None
    end = date.fromisoformat(period_end) if period_end else None
    return audit_run(workspace=workspace, period_end=end).pk
