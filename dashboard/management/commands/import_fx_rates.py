"""manage.py import_fx_rates eurofxref-hist.csv — load the ECB's euro reference rates."""

import sys
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dashboard.services.fx_import import exchange_rates_import


def read_rates_file(path: str) -> str:
    """The CSV text of a path ("-" for stdin); the ECB's .zip downloads are opened too."""
    if path == "-":
        return sys.stdin.read()
    file = Path(path)
    if not file.exists():
        raise CommandError(f"{path}: no such file.")
    if zipfile.is_zipfile(file):
        with zipfile.ZipFile(file) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise CommandError(f"{path}: the archive holds no .csv file.")
            return archive.read(names[0]).decode("utf-8-sig")
    return file.read_text(encoding="utf-8-sig")


class Command(BaseCommand):
    help = (
        "Import daily euro reference rates in the ECB's CSV format (eurofxref-hist.csv or "
        "eurofxref.csv, zipped or not; Date,USD,JPY,… per day). Existing rates of the same days are replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help='the CSV or ZIP file, or "-" for stdin')

    def handle(self, *args, path, **options):
        report = exchange_rates_import(text=read_rates_file(path))
        if not report.stored and report.errors:
            raise CommandError("Nothing imported: " + "; ".join(report.errors[:5]))
        self.stdout.write(report.summary())
