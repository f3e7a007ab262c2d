"""``manage.py erase_person --workspace SLUG --email jane@example.com`` (or ``--csv people.csv``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from attribution.models import Workspace
from crm_sync.privacy.bulk import ErasureFileError, people_erase_from_csv
from crm_sync.privacy.erasure import person_erase
from crm_sync.privacy.finder import person_find
from crm_sync.privacy.keys import KEY_FIELDS, PersonKeyError, person_keys


def add_person_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="Workspace slug.")
    for key in KEY_FIELDS:
        parser.add_argument(f"--{key.replace('_', '-')}", dest=key, default="")
    parser.add_argument("--phone-region", default=None, help="e.g. DE, for numbers without +.")


def command_workspace(slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise CommandError(f"no workspace {slug!r}")
    return workspace


def command_keys(opts):
    try:
        return person_keys(**{k: opts[k] for k in KEY_FIELDS}, phone_region=opts["phone_region"])
    except PersonKeyError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = ("Erase a person (anonymize their rows in every table, cancel their queued outbox rows) "
            "named by any key, or every person of a CSV (one per row, key columns as headers).")

    def add_arguments(self, parser):
        add_person_arguments(parser)
        parser.add_argument("--csv", type=Path, help="Erase every person of this CSV.")
        parser.add_argument("--dry-run", action="store_true", help="Count, erase nothing.")

    def handle(self, *args, **opts):
        workspace = command_workspace(opts["workspace"])
        if opts["csv"]:
            return self._bulk(workspace, opts)
        keys = command_keys(opts)
        rows = person_find(workspace=workspace, keys=keys)
        counts = ", ".join(f"{n} {table}" for table, n in rows.counts().items() if n)
        if opts["dry_run"]:
            self.stdout.write(f"Would erase: {counts or 'nothing found'}")
            return
        log = person_erase(workspace=workspace, keys=keys, source="command", rows=rows)
        self.stdout.write(self.style.SUCCESS(
            f"Erased: {counts or 'nothing found'}; {log.outbox_cancelled} outbox row(s) cancelled "
            f"(erasure log {log.pk})."))

    def _bulk(self, workspace, opts):
        path = opts["csv"]
        if not path.is_file():
            raise CommandError(f"no file {path}")
        if opts["dry_run"]:
            raise CommandError("--dry-run works on one person, not a CSV")
        with path.open(newline="", encoding="utf-8-sig") as f:
            total = max(sum(1 for _ in f) - 1, 0)
        with path.open(newline="", encoding="utf-8-sig") as f, \
                tqdm(total=total, unit="person", disable=opts["verbosity"] == 0,
                     file=self.stderr) as bar:
            try:
                result = people_erase_from_csv(workspace=workspace, file=f, progress=bar.update,
                                               phone_region=opts["phone_region"])
            except ErasureFileError as exc:
                raise CommandError(str(exc)) from exc
        for line, message in result.errors:
            self.stderr.write(f"line {line}: {message}")
        self.stdout.write(self.style.SUCCESS(
            f"{result.people} people read, {result.erased} found and erased ({result.rows} rows, "
            f"{result.outbox_cancelled} outbox rows cancelled), {len(result.errors)} refused."))
