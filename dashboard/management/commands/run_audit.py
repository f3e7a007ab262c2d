"""Run the weekly audit now for one or all workspaces (the same code the beat schedule runs)."""

from datetime import date

from django.core.management.base import BaseCommand

from attribution.models import Workspace
from dashboard.services.audit import audit_run


class Command(BaseCommand):
    help = "Run the audit for the 7 days ending --end (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="slug; default: every workspace")
        parser.add_argument("--end", type=date.fromisoformat)

    def handle(self, *args, workspace=None, end=None, **options):
        workspaces = Workspace.objects.filter(slug=workspace) if workspace else Workspace.objects.all()
        for ws in workspaces:
            report = audit_run(workspace=ws, period_end=end)
            self.stdout.write(f"{ws.slug}: {report.worst_severity}, {len(report.findings)} finding(s)")
