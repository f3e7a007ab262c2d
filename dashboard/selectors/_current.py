"""The one place that decides which attribution rows are "current".

Aligned with the engine's ``attribution.runs.selectors`` (branch ``engine``): current output is
every SUCCEEDED run's rows — the latest full run plus incremental runs published on top of it;
a replaced run becomes SUPERSEDED, a failed or running one is never read. Rows are additive, so
callers always aggregate with Sum. When that module is on main, make these functions delegate to it.
"""

from django.db.models import QuerySet

from attribution.models import AttributionCredit, AttributionRollup, RunStatus, Workspace


def current_rollups(*, workspace: Workspace) -> QuerySet[AttributionRollup]:
    """Rollup rows of the workspace's current output (a lazy queryset; no query yet)."""
    return AttributionRollup.objects.filter(workspace=workspace, run__status=RunStatus.SUCCEEDED)


def current_credits(*, workspace: Workspace) -> QuerySet[AttributionCredit]:
    """Per-touch credits of the workspace's current output (a lazy queryset; no query yet)."""
    return AttributionCredit.objects.filter(run__workspace=workspace, run__status=RunStatus.SUCCEEDED)
