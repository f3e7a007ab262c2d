"""Import a TikTok Ads Manager CSV export (daily breakdown, with ids) into PlatformDailyMetric."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from attribution.models import Workspace
from crm_sync.tiktok_reporting.csv_import import CsvImportError, ads_manager_csv_import


class Command(BaseCommand):
    help = "Import an Ads Manager CSV export; re-importing the same file updates rows in place."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--click-window", type=int, default=7, choices=[1, 7, 14, 28])
        parser.add_argument("--view-window", type=int, default=1, choices=[0, 1, 7])
        parser.add_argument("--mapping", type=json.loads, default=None,
                            help='JSON, our field → your header, e.g. {"spend": "Cost (USD)"}')

    def handle(self, *args, path, workspace, click_window, view_window, mapping, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug {workspace!r}.")
        try:
            result = ads_manager_csv_import(workspace=ws, file=path.read_text(encoding="utf-8-sig"),
                                            click_window_days=click_window, view_window_days=view_window,
                                            mapping=mapping)
        except CsvImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Imported {result.rows_written} {result.level}-level day(s) "
                          f"under {click_window}-day click / {view_window}-day view.")
