"""Import TikTok Ads Manager's CSV export (the no-API path) into PlatformDailyMetric.

The file is read by the one ad-platform CSV reader (``crm_sync.ad_platforms.csv_import``) with the
TikTok layout; a caller may override single headers with its own mapping. The level is the most
detailed id column present (ad → ad group → campaign). The export carries no window: the caller
states the attribution window the account reported under, and it is stored with every row.
"""

import io
from dataclasses import dataclass, replace

from django.db import transaction

from attribution.channels import Platform
from attribution.models import Workspace
from crm_sync.ad_platforms.csv_import import CsvFileError, csv_parse
from crm_sync.ad_platforms.csv_layouts import TIKTOK
from crm_sync.ad_platforms.levels import with_parent_levels
from crm_sync.ad_platforms.metrics import platform_metrics_upsert


class CsvImportError(ValueError):
    """The file cannot be imported as it is; the message says what to fix."""


@dataclass(frozen=True)
class CsvImportResult:
    level: str
    rows_written: int


def ads_manager_csv_import(
    *,
    workspace: Workspace,
    file: io.TextIOBase | str,
    click_window_days: int,
    view_window_days: int,
    mapping: dict[str, str] | None = None,
) -> CsvImportResult:
    """Upsert every row of an Ads Manager export under the stated window; re-imports update in place.

    A file with a bad row is refused whole (``CsvImportError`` naming the lines).
    """
    layout = replace(TIKTOK, aliases={**TIKTOK.aliases, **{f: (h,) for f, h in (mapping or {}).items()}})
    try:
        parsed = csv_parse(file=file if isinstance(file, str) else file.read(), layout=layout)
    except CsvFileError as exc:
        raise CsvImportError(str(exc)) from exc
    if parsed.errors:
        raise CsvImportError("; ".join(f"Line {line}: {message}" for line, message in parsed.errors[:10]))
    with transaction.atomic():
        written = platform_metrics_upsert(
            workspace=workspace, platform=Platform.TIKTOK,
            rows=with_parent_levels(parsed.rows) if parsed.level == "ad" else parsed.rows,
            click_window_days=click_window_days, view_window_days=view_window_days, source="csv")
    return CsvImportResult(level=parsed.level, rows_written=written)
