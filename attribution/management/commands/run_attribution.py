"""Attribute a workspace's conversions now, with a progress bar (or queue the run for the workers)."""

import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from attribution.models import AttributionRun, RunStatus, Workspace
from attribution.runs import services


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise CommandError(f"{value!r}: dates look like 2026-11-25.") from exc


class Command(BaseCommand):
    help = ("Run every configured attribution model for a workspace: credits and daily rollups. "
            "A workspace without models gets every model kind (six rules, two data-driven).")

    def add_arguments(self, parser):
        parser.add_argument("--workspace", action="append", metavar="SLUG",
                            help="Workspace slug (repeatable); default: every workspace.")
        parser.add_argument("--incremental", action="store_true",
                            help="Only conversions recorded since the last run (a full rerun when "
                                 "the model configuration changed).")
        parser.add_argument("--start", type=_date, help="First day of conversions (full runs).")
        parser.add_argument("--end", type=_date, help="Day after the last day of conversions.")
        parser.add_argument("--queue", action="store_true",
                            help="Hand the run to the Celery workers and follow its progress.")

    def handle(self, *args, **opts):
        workspaces = Workspace.objects.order_by("slug")
        slugs = opts["workspace"]
        if isinstance(slugs, str):  # call_command("run_attribution", workspace="acme-outdoor")
            slugs = [slugs]
        if slugs:
            workspaces = workspaces.filter(slug__in=slugs)
            missing = set(slugs) - set(workspaces.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No workspace {', '.join(sorted(missing))}.")
        for workspace in workspaces:
            services.default_models_ensure(workspace=workspace)
            try:
                run = services.run_create(workspace=workspace, incremental=opts["incremental"],
                                          period_start=opts["start"], period_end=opts["end"])
            except services.RunError as exc:
                raise CommandError(str(exc)) from exc
            run = self._follow(run) if opts["queue"] else self._inline(run, opts["verbosity"])
            style = self.style.SUCCESS if run.status == RunStatus.SUCCEEDED else self.style.WARNING
            kind = "incremental" if run.incremental else "full"
            self.stdout.write(style(f"{workspace.slug}: {kind} run {run.pk} {run.status}, "
                                    f"{run.processed:,} conversions attributed."))

    def _inline(self, run: AttributionRun, verbosity: int) -> AttributionRun:
        bar = tqdm(total=1, unit="chunk", desc=f"{run.workspace.slug}", disable=verbosity == 0)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            return services.run_execute(run=run, progress=progress)
        finally:
            bar.close()

    def _follow(self, run: AttributionRun) -> AttributionRun:
        from attribution.runs.tasks import attribution_run_start

        attribution_run_start.delay(run.pk)
        with tqdm(total=1, unit="conv", desc=run.workspace.slug) as bar:
            while True:
                run.refresh_from_db()
                bar.total = max(run.total, 1)
                bar.update(run.processed - bar.n)
                if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
                    return run
                time.sleep(0.5)
