"""Reads of attribution output. Dashboards must read through ``current_rollups`` only.

"Current" output is that of the workspace's latest published full run plus the incremental runs
published on top of it (all with status SUCCEEDED). Output of queued, running, failed or superseded
runs is never current, so a half-finished or replaced run is never seen.
"""

from django.db.models import QuerySet

from attribution.models import (
    AttributionCredit,
    AttributionModelConfig,
    AttributionRollup,
    AttributionRun,
    RunStatus,
    Workspace,
)


def current_runs(*, workspace: Workspace) -> QuerySet[AttributionRun]:
    return AttributionRun.objects.filter(workspace=workspace, status=RunStatus.SUCCEEDED)


def current_full_run(*, workspace: Workspace) -> AttributionRun | None:
    return current_runs(workspace=workspace).filter(incremental=False).order_by("-id").first()


def current_rollups(*, workspace: Workspace, model_config: AttributionModelConfig | None = None
                    ) -> QuerySet[AttributionRollup]:
    """Rollup rows of the current output; one query, no per-row lookups.

    Rows are additive: an incremental run adds rows for keys (day, channel, campaign, ad group,
    ad, currency, model) that the full run may already have, so always aggregate with Sum over
    the key you group by. Revenue is in the row's ``currency``; never add currencies together.
    """
    rows = AttributionRollup.objects.filter(workspace=workspace, run__status=RunStatus.SUCCEEDED)
    if model_config is not None:
        rows = rows.filter(model_config=model_config)
    return rows


def current_credits(*, workspace: Workspace, model_config: AttributionModelConfig | None = None
                    ) -> QuerySet[AttributionCredit]:
    """Per-touch credits of the current output (touchpoint NULL = unattributed conversion)."""
    rows = AttributionCredit.objects.filter(run__workspace=workspace, run__status=RunStatus.SUCCEEDED)
    if model_config is not None:
        rows = rows.filter(model_config=model_config)
    return rows


def runs_for(*, workspaces) -> QuerySet[AttributionRun]:
    return AttributionRun.objects.filter(workspace__in=workspaces).select_related("workspace")
