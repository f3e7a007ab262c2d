"""The one place the dashboard asks which attribution rows are "current".

The engine's ``attribution.runs.selectors`` decides: every SUCCEEDED run's rows (the latest full run
plus incremental runs published on top of it); a replaced run becomes SUPERSEDED, a failed or
running one is never read. Rows are additive, so callers always aggregate with Sum.
"""

from django.db.models import QuerySet

from attribution.models import AttributionCredit, AttributionRollup, Workspace
from attribution.runs import selectors as runs


def current_rollups(*, workspace: Workspace) -> QuerySet[AttributionRollup]:
    """Rollup rows of the workspace's current output (a lazy queryset; no query yet)."""
    return runs.current_rollups(workspace=workspace)


def current_credits(*, workspace: Workspace) -> QuerySet[AttributionCredit]:
    """Per-touch credits of the workspace's current output (a lazy queryset; no query yet)."""
    return runs.current_credits(workspace=workspace)
