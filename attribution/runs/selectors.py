"""Reads of attribution output. Dashboards must read through ``current_rollups`` only.

"Current" output is that of the workspace's latest published full run plus the incremental runs
published on top of it (all with status SUCCEEDED). Output of queued, running, failed or superseded
runs is never current, so a half-finished or replaced run is never seen.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from attribution.models import (
    AttributionCredit,
    AttributionModelConfig,
    AttributionRollup,
    AttributionRun,
    ConversionEvent,
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


def current_credits(*, workspace: Workspace) -> QuerySet[AttributionCredit]:
    """Credit rows of the current output: one per (conversion, touch), all models side by side."""
    return AttributionCredit.objects.filter(workspace=workspace, run__status=RunStatus.SUCCEEDED)


@dataclass(frozen=True)
class CreditShare:
    model_config_id: int
    touchpoint_id: int | None  # None: the conversion had no eligible touch
    weight: float
    revenue: Decimal  # in the conversion's currency


def conversion_credits(*, conversion: ConversionEvent) -> list[CreditShare]:
    """How the current output split one conversion, model by model, in touch order (one query)."""
    shares = []
    rows = current_credits(workspace=conversion.workspace).filter(conversion=conversion).select_related(
        "run").order_by("touchpoint__occurred_at", "touchpoint_id")
    for credit in rows:
        for i, model_config_id in enumerate(credit.run.model_config_ids):
            if credit.weights[i] > 0:
                shares.append(CreditShare(model_config_id, credit.touchpoint_id, credit.weights[i],
                                          credit.revenue_of(i)))
    return shares


def runs_for(*, workspaces) -> QuerySet[AttributionRun]:
    return AttributionRun.objects.filter(workspace__in=workspaces).select_related("workspace")
