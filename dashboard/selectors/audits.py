"""Audit reports as the dashboard shows them."""

from attribution.models import Workspace
from dashboard.models import AuditReport


def latest_audit(*, workspace: Workspace) -> AuditReport | None:
    """The most recent report of the workspace (1 query)."""
    return AuditReport.objects.filter(workspace=workspace).order_by("-period_end", "-created_at").first()


def workspace_audits(*, workspaces: list[Workspace], limit: int = 100) -> list[AuditReport]:
    """Recent reports of the given workspaces, newest first (1 query)."""
    return list(
        AuditReport.objects.filter(workspace__in=workspaces)
        .select_related("workspace")
        .order_by("-period_end", "-created_at")[:limit]
    )
