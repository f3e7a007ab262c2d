"""Import TikTok Ads Manager's CSV export (the no-API path) into PlatformDailyMetric.

Ads Manager names columns for people and renames them between versions, so each field accepts
several header spellings (case-insensitive) and a caller may pass its own mapping. The level is the
most detailed id column present (ad → ad group → campaign). The export carries no window: the caller
states the attribution window the account reported under, and it is stored with every row.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from attribution.channels import Platform
from attribution.models import Workspace
from crm_sync.ad_platforms.metrics import platform_metrics_upsert
from crm_sync.ad_platforms.rows import ReportRow, to_decimal, to_int

ALIASES = {
    "day": ["date", "by day", "day", "stat_time_day"],
    "campaign_id": ["campaign id", "campaign_id"],
    "campaign_name": ["campaign name", "campaign_name", "campaign"],
    "adgroup_id": ["ad group id", "adgroup id", "adgroup_id"],
    "adgroup_name": ["ad group name", "adgroup name", "adgroup_name", "ad group"],
    "ad_id": ["ad id", "ad_id"],
    "ad_name": ["ad name", "ad_name", "ad"],
    "currency": ["currency"],
    "spend": ["cost", "spend", "total cost"],
    "impressions": ["impressions", "impression"],
    "clicks": ["clicks (destination)", "clicks (all)", "clicks"],
    "conversions": ["conversions", "conversion", "result", "results"],
    "conversion_value": [
        "total complete payment value",
        "complete payment value",
        "total purchase value",
        "purchase value",
        "conversion value",
        "total_complete_payment_rate",
    ],
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S")


class CsvImportError(ValueError):
    """The file cannot be imported as it is; the message says what to fix."""


@dataclass(frozen=True)
class CsvImportResult:
    level: str
    rows_written: int


def _resolve_columns(headers: list[str], mapping: dict[str, str] | None) -> dict[str, str]:
    by_lower = {h.strip().lower(): h for h in headers}
    columns = {}
    for field, aliases in ALIASES.items():
        wanted = [mapping[field].strip().lower()] if mapping and field in mapping else aliases
        found = next((by_lower[a] for a in wanted if a in by_lower), None)
        if found:
            columns[field] = found
    missing = [f for f in ("day", "campaign_id", "spend") if f not in columns]
    if missing:
        raise CsvImportError(
            f"Missing column(s) for {', '.join(missing)}; the file has: {', '.join(headers)}. "
            "Export with a daily breakdown and ids, or pass a column mapping."
        )
    return columns


def _parse_day(raw: str, line: int) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    raise CsvImportError(f"Line {line}: cannot read the date {raw!r} (use YYYY-MM-DD).")


def _rows(reader: csv.DictReader, columns: dict[str, str], level: str):
    def get(record, field):
        return (record.get(columns[field]) or "").strip() if field in columns else ""

    for line, record in enumerate(reader, start=2):
        if not get(record, "campaign_id") or get(record, "campaign_id").lower().startswith("total"):
            continue  # Ads Manager appends a totals line
        try:
            yield ReportRow(
                level=level,
                day=_parse_day(get(record, "day"), line),
                campaign_id=get(record, "campaign_id"),
                campaign_name=get(record, "campaign_name"),
                adgroup_id=get(record, "adgroup_id"),
                adgroup_name=get(record, "adgroup_name"),
                ad_id=get(record, "ad_id"),
                ad_name=get(record, "ad_name"),
                currency=get(record, "currency")[:3].upper(),
                spend=to_decimal(get(record, "spend")),
                impressions=to_int(get(record, "impressions")),
                clicks=to_int(get(record, "clicks")),
                conversions=to_decimal(get(record, "conversions")),
                conversion_value=to_decimal(get(record, "conversion_value")),
            )
        except ValueError as exc:
            raise CsvImportError(f"Line {line}: {exc}") from exc


def ads_manager_csv_import(
    *,
    workspace: Workspace,
    file: io.TextIOBase | str,
    click_window_days: int,
    view_window_days: int,
    mapping: dict[str, str] | None = None,
) -> CsvImportResult:
    """Upsert every row of an Ads Manager export under the stated window; re-imports update in place."""
    text = file if isinstance(file, str) else file.read()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = _resolve_columns(reader.fieldnames or [], mapping)
    level = "ad" if "ad_id" in columns else "adgroup" if "adgroup_id" in columns else "campaign"
    written = platform_metrics_upsert(
        workspace=workspace,
        platform=Platform.TIKTOK,
        rows=_rows(reader, columns, level),
        click_window_days=click_window_days,
        view_window_days=view_window_days,
        source="csv",
    )
    return CsvImportResult(level=level, rows_written=written)
