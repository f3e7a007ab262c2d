"""Recompute the precomputed diagnostics (the weekly audit does this for its own week)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from attribution.models import Workspace
from dashboard.services.diagnostics import diagnostics_refresh


class Command(BaseCommand):
    help = "Recompute daily diagnostics for a period (default: the last 90 days) of one or all workspaces."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="slug; default: every workspace")
        parser.add_argument("--start", type=date.fromisoformat)
        parser.add_argument("--end", type=date.fromisoformat)

    def handle(self, *args, workspace=None, start=None, end=None, **options):
        workspaces = Workspace.objects.all()
        if workspace:
            workspaces = workspaces.filter(slug=workspace)
            if not workspaces:
                raise CommandError(f"No workspace with slug {workspace!r}.")
        for ws in workspaces:
            last = end or timezone.now().astimezone(ws.tzinfo).date()
            first = start or last - timedelta(days=89)
            days = diagnostics_refresh(workspace=ws, start=first, end=last)
            self.stdout.write(f"{ws.slug}: {days} day(s) of diagnostics from {first} to {last}")
