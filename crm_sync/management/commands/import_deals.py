"""``manage.py import_deals FILE --workspace SLUG --preset hubspot`` with a progress bar."""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from attribution.models import Workspace
from crm_sync.importing.services import deal_import_create, deal_import_queue, deal_import_run
from crm_sync.models import ColumnMapping, ImportPreset, ImportStatus


class Command(BaseCommand):
    help = "Import deals from a HubSpot/Salesforce export or a CSV with a saved column mapping."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument("--preset", choices=ImportPreset.values, default=ImportPreset.HUBSPOT)
        parser.add_argument("--mapping", help="Name of a saved column mapping (generic preset).")
        parser.add_argument("--day-first", action="store_true", help="Dates are 31/12/2026.")
        parser.add_argument("--decimal-comma", action="store_true", help="Amounts are 1.234,56.")
        parser.add_argument("--currency", default="", help="Currency for rows without one.")
        parser.add_argument("--phone-region", default="", help="e.g. DE, for numbers without +.")
        parser.add_argument("--encoding", default="", help="File encoding (default UTF-8).")
        parser.add_argument("--extra-stage", action="append", default=[], dest="extra_stages")
        parser.add_argument("--async", action="store_true", dest="in_background",
                            help="Queue a Celery task instead of importing here.")

    def handle(self, *args, **opts):
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace {opts['workspace']!r}")
        mapping = None
        if opts["mapping"]:
            mapping = ColumnMapping.objects.filter(workspace=workspace, name=opts["mapping"]).first()
            if mapping is None:
                raise CommandError(f"no column mapping {opts['mapping']!r} in {workspace.slug}")
        if not opts["path"].is_file():
            raise CommandError(f"no file {opts['path']}")
        options = {"day_first": opts["day_first"], "decimal_comma": opts["decimal_comma"],
                   "default_currency": opts["currency"], "phone_region": opts["phone_region"],
                   "encoding": opts["encoding"], "extra_stages": opts["extra_stages"]}
        with opts["path"].open("rb") as handle:
            deal_import = deal_import_create(workspace=workspace, file=File(handle, opts["path"].name),
                                             preset=opts["preset"], mapping=mapping, options=options)
        if opts["in_background"]:
            deal_import_queue(deal_import=deal_import)
            self.stdout.write(f"queued import {deal_import.pk}")
            return
        self._run(deal_import)

    def _run(self, deal_import):
        with tqdm(total=deal_import.file.size, unit="B", unit_scale=True, desc="deals",
                  disable=None) as bar:
            def on_progress(rows, done, total):
                bar.update(max(done - bar.n, 0))
                bar.set_postfix(rows=rows)

            deal_import = deal_import_run(deal_import=deal_import, on_progress=on_progress)
        if deal_import.status != ImportStatus.SUCCEEDED:
            raise CommandError(f"import {deal_import.pk} refused: {deal_import.error}")
        self.stdout.write(
            f"import {deal_import.pk}: {deal_import.rows_total} rows, {deal_import.rows_created} "
            f"created, {deal_import.rows_updated} updated, {deal_import.rows_unchanged} unchanged, "
            f"{deal_import.rows_failed} bad, {deal_import.stage_changes} stage changes, "
            f"{deal_import.conversions_created} conversions")
        if deal_import.rows_failed:
            self.stdout.write(f"row errors: {deal_import.report.path}")
