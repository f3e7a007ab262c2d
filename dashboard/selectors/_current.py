"""The one place that decides which attribution rows are "current".

Only the latest succeeded run of a workspace is current; older runs' rows are history. When the
engine's ``attribution.runs.selectors`` lands, switch these two functions to it (one line each).
"""

from django.db.models import QuerySet, Subquery

from attribution.models import AttributionCredit, AttributionRollup, AttributionRun, RunStatus, Workspace


def _latest_succeeded_run(workspace_id):
    return Subquery(
        AttributionRun.objects.filter(workspace_id=workspace_id, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-created_at", "-id")
        .values("id")[:1]
    )


def current_rollups(*, workspace: Workspace) -> QuerySet[AttributionRollup]:
    """Rollup rows of the workspace's latest succeeded run (a lazy queryset; no query yet)."""
    return AttributionRollup.objects.filter(workspace=workspace, run_id=_latest_succeeded_run(workspace.pk))


def current_credits(*, workspace: Workspace) -> QuerySet[AttributionCredit]:
    """Credit rows of the workspace's latest succeeded run (a lazy queryset; no query yet)."""
    return AttributionCredit.objects.filter(workspace=workspace, run_id=_latest_succeeded_run(workspace.pk))


def current_run(*, workspace: Workspace) -> AttributionRun | None:
    return (
        AttributionRun.objects.filter(workspace=workspace, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-created_at", "-id")
        .first()
    )


__all__ = ["current_credits", "current_rollups", "current_run"]
