"""Import an ad platform's CSV export (a preset layout or a saved mapping): all rows or none.

Every row is read and checked first; a file with any bad row is refused with each bad line and what
is wrong with it, and nothing is written. A good file is written in one transaction through the
one upsert, with ad set/ad group and campaign days summed from ad days when the file is at ad level.
Handles a title and date-range preamble above the header (Google Ads), totals lines, UTF-16 "Excel
CSV" files, ``;`` and tab separators, and decimal commas (detected from ``;`` unless stated).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from attribution.models import AdCsvMapping, PlatformImport, PlatformImportStatus, Workspace

from .csv_layouts import PRESETS, REQUIRED, CsvLayout, currency_of_header, mapping_layout, window_of
from .levels import with_parent_levels
from .metrics import platform_metrics_upsert
from .rows import ReportRow, to_decimal, to_int

MAX_HEADER_LINE = 10  # a preamble longer than this is not an export we know
ERROR_SAMPLE = 50
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%b %d, %Y", "%d %b %Y")


class CsvFileError(ValueError):
    """The file as a whole cannot be read (no header we know, missing columns)."""


@dataclass
class ParsedFile:
    rows: list[ReportRow]
    level: str
    window: tuple[int, int] | None
    errors: list[tuple[int, str]] = field(default_factory=list)


def _text(file: bytes | str) -> str:
    if isinstance(file, str):
        return file.lstrip("\ufeff")
    if file.startswith((b"\xff\xfe", b"\xfe\xff")):
        return file.decode("utf-16")
    try:
        return file.decode("utf-8-sig")
    except UnicodeDecodeError:
        return file.decode("cp1252")


def _delimiter(line: str) -> str:
    return max(("\t", ";", ","), key=line.count)


def _header(lines: list[list[str]], layout: CsvLayout) -> tuple[int, dict[str, int], str]:
    """(index of the header line, field → column, currency named in a header)."""
    for index, cells in enumerate(lines[:MAX_HEADER_LINE]):
        columns: dict[str, int] = {}
        currency = ""
        for col, header in enumerate(cells):
            name = layout.field_of(header)
            if name and name not in columns:
                columns[name] = col
                currency = currency or (currency_of_header(header) if name == "spend" else "")
        if all(f in columns for f in REQUIRED):
            return index, columns, currency
    names = ", ".join(f"{f} ({' / '.join(_spellings(layout, f))})" for f in REQUIRED)
    raise CsvFileError(f"Missing columns for {names}: no such header in the first {MAX_HEADER_LINE} "
                       "lines. Export with a daily breakdown and ids, or save a column mapping for it.")


def _spellings(layout: CsvLayout, name: str) -> list[str]:
    return [*layout.aliases.get(name, ()), *(f"{p} (…)" for p in (layout.prefixes or {}).get(name, ()))]


def _day(raw: str, day_first: bool) -> date:
    formats = (("%d/%m/%Y",) if day_first else ("%m/%d/%Y",)) + DATE_FORMATS
    for fmt in formats:
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"cannot read the date {raw!r} (use YYYY-MM-DD)")


def csv_parse(*, file: bytes | str, layout: CsvLayout, decimal_comma: bool | None = None,
              day_first: bool = False) -> ParsedFile:
    """Read every row of an export; bad rows become (line, message) errors, never half a row."""
    text = _text(file)
    first_lines = text.splitlines()[:MAX_HEADER_LINE]
    delimiter = _delimiter(max(first_lines, key=len) if first_lines else "")
    comma = delimiter == ";" if decimal_comma is None else decimal_comma
    lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    at, columns, header_currency = _header(lines, layout)
    level = "ad" if "ad_id" in columns else "adgroup" if "adgroup_id" in columns else "campaign"
    parsed = ParsedFile(rows=[], level=level, window=None)
    windows = set()

    def get(cells, name):
        col = columns.get(name)
        return cells[col].strip() if col is not None and col < len(cells) else ""

    for number, cells in enumerate(lines[at + 1:], start=at + 2):
        first = next((c.strip() for c in cells if c.strip()), "")
        if not first or first.lower().startswith("total"):
            continue  # blank lines and the exports' totals lines
        try:
            if not get(cells, "campaign_id"):
                raise ValueError("no campaign id")
            if level == "ad" and not (get(cells, "ad_id") and get(cells, "adgroup_id")):
                raise ValueError("no ad id or ad group id on an ad-level row")
            parsed.rows.append(ReportRow(
                level=level,
                day=_day(get(cells, "day"), day_first),
                campaign_id=get(cells, "campaign_id"), campaign_name=get(cells, "campaign_name"),
                adgroup_id=get(cells, "adgroup_id"), adgroup_name=get(cells, "adgroup_name"),
                ad_id=get(cells, "ad_id"), ad_name=get(cells, "ad_name"),
                currency=(get(cells, "currency") or header_currency)[:3].upper(),
                spend=to_decimal(get(cells, "spend"), decimal_comma=comma),
                impressions=to_int(get(cells, "impressions"), decimal_comma=comma),
                clicks=to_int(get(cells, "clicks"), decimal_comma=comma),
                conversions=to_decimal(get(cells, "conversions"), decimal_comma=comma),
                conversion_value=to_decimal(get(cells, "conversion_value"), decimal_comma=comma)))
            if get(cells, "window"):
                windows.add(window_of(get(cells, "window")))
        except ValueError as exc:
            parsed.errors.append((number, str(exc)))
    if len(windows) > 1:
        parsed.errors.append((0, f"rows report under different attribution settings {sorted(windows)}: "
                                 "export one attribution setting per file"))
    parsed.window = next(iter(windows), None)
    return parsed


def platform_csv_import(
    *,
    workspace: Workspace,
    file: bytes | str,
    preset: str = "",
    mapping: AdCsvMapping | None = None,
    file_name: str = "",
    click_window_days: int | None = None,
    view_window_days: int | None = None,
    decimal_comma: bool | None = None,
    currency: str = "",
) -> PlatformImport:
    """Import a platform export with a preset ("meta", "google", "tiktok") or a saved mapping.

    The window is the file's own (Meta's "Attribution setting"), else the one given, else the
    mapping's. Returns the history row: succeeded with the rows written, or failed with the file's
    error or its bad lines (then nothing was written).
    """
    layout = (mapping_layout(platform=mapping.platform, columns=mapping.columns) if mapping
              else PRESETS[preset])
    record = PlatformImport.objects.create(workspace=workspace, platform=layout.platform, source="csv",
                                          file_name=file_name[:255])
    try:
        parsed = csv_parse(file=file, layout=layout,
                           decimal_comma=mapping.decimal_comma if mapping else decimal_comma,
                           day_first=mapping.day_first if mapping else False)
    except (CsvFileError, UnicodeDecodeError, csv.Error) as exc:
        return _failed(record, str(exc), [])
    if parsed.errors:
        return _failed(record, f"{len(parsed.errors)} bad row(s); nothing was imported. Fix them and "
                               "upload the file again.", parsed.errors)
    window = parsed.window or (
        (click_window_days, view_window_days) if click_window_days is not None
        else (mapping.click_window_days, mapping.view_window_days) if mapping else None)
    if window is None:
        return _failed(record, "The file names no attribution setting: state the window its numbers "
                               "were reported under.", [])
    rows = with_parent_levels(parsed.rows) if parsed.level == "ad" else parsed.rows
    currency = currency or (mapping.currency if mapping else "")
    with transaction.atomic():
        written = platform_metrics_upsert(
            workspace=workspace, platform=layout.platform, rows=rows, click_window_days=window[0],
            view_window_days=window[1], source="csv", currency=currency)
    days = [r.day for r in parsed.rows]
    record.status, record.rows_written = PlatformImportStatus.SUCCEEDED, written
    record.first_day, record.last_day = (min(days), max(days)) if days else (None, None)
    record.finished_at = timezone.now()
    record.save()
    return record


def _failed(record: PlatformImport, error: str, errors: list[tuple[int, str]]) -> PlatformImport:
    record.status, record.error = PlatformImportStatus.FAILED, error
    record.rows_failed = len(errors)
    record.error_sample = [[line, message] for line, message in errors[:ERROR_SAMPLE]]
    record.finished_at = timezone.now()
    record.save()
    return record
