"""Reads of the journey-report tables. Like ``selectors.current_rollups``: only published runs'
rows (the latest full run plus its incremental runs) are current; rows are additive."""

from django.db.models import QuerySet

from attribution.models import (
    AttributionRun,
    ConversionPath,
    CustomerValueRollup,
    PathLagRollup,
    PathRollup,
    PathStepRollup,
    RunStatus,
    Workspace,
)


def current_run_ids(*, workspace: Workspace) -> list[int]:
    """Ids of the published runs whose rows are current (1 query): what cached reports key on."""
    return list(AttributionRun.objects.filter(workspace=workspace, status=RunStatus.SUCCEEDED)
                .order_by("id").values_list("id", flat=True))


def current_paths(*, workspace: Workspace) -> QuerySet[ConversionPath]:
    """One row per conversion of the current output."""
    return ConversionPath.objects.filter(workspace=workspace, run__status=RunStatus.SUCCEEDED)


def current_path_rollups(*, workspace: Workspace) -> QuerySet[PathRollup]:
    return PathRollup.objects.filter(workspace=workspace, run__status=RunStatus.SUCCEEDED)


def current_customer_value(*, workspace: Workspace) -> QuerySet[CustomerValueRollup]:
    return CustomerValueRollup.objects.filter(workspace=workspace, run__status=RunStatus.SUCCEEDED)


def current_step_rollups(*, workspace: Workspace) -> QuerySet[PathStepRollup]:
    return PathStepRollup.objects.filter(workspace=workspace, run__status=RunStatus.SUCCEEDED)


def current_lag_rollups(*, workspace: Workspace) -> QuerySet[PathLagRollup]:
    return PathLagRollup.objects.filter(workspace=workspace, run__status=RunStatus.SUCCEEDED)
